/**
 * The full chaos soak: `npm run soak`. Runs each driver with the default lease and a 3 s lease, prints a
 * table and writes one JSON file per run.
 *
 *   SOAK_DRIVERS   redis,postgres (default both)
 *   SOAK_JOBS      jobs per run (default 20000)
 *   SOAK_DURATION_S  seconds over which they are pushed (default 200)
 *   SOAK_LEASES_MS leases to run with, "default" for the queue's own (default "default,3000")
 *   SOAK_CHAOS_EVERY_MS  a kill or SIGTERM this often (default 5000)
 *   SOAK_RESULTS   where the JSON goes (default test/soak/results)
 *
 * Exits 1 when a run lost a job, ran a job twice after SIGTERM, left a job leased after SIGTERM, or took
 * longer than lease + 1 s to run a killed worker's job again.
 */
import { fileURLToPath } from "node:url"
import { formatTable, runSoak, type SoakReport, writeReports } from "./soak.js"
import { problems } from "./verdict.js"

const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(",").map((item) => item.trim())
const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback)

const drivers = list("SOAK_DRIVERS", "redis,postgres") as ReadonlyArray<"redis" | "postgres">
const leases = list("SOAK_LEASES_MS", "default,3000").map((lease) => lease === "default" ? undefined : Number(lease))
const jobs = number("SOAK_JOBS", 20_000)
const durationS = number("SOAK_DURATION_S", 200)
const resultsDir = process.env.SOAK_RESULTS ?? fileURLToPath(new URL("results", import.meta.url))

const reports: Array<SoakReport> = []
for (const driver of drivers) {
  for (const leaseMs of leases) {
    const report = await runSoak({
      driver,
      jobs,
      ratePerSecond: jobs / durationS,
      leaseMs,
      chaosEveryMs: number("SOAK_CHAOS_EVERY_MS", 5_000),
      log: (message) => console.log(`[${driver}] ${message}`)
    })
    // Written as each run ends, so a later run that breaks loses nothing of the earlier ones.
    writeReports(resultsDir, [report])
    console.log(formatTable([report]))
    reports.push(report)
  }
}
console.log(formatTable(reports))
console.log(`results written to ${resultsDir}`)
const failed = reports.flatMap((report) => problems(report).map((problem) => `${report.driver}, lease ${report.leaseMs} ms: ${problem}`))
for (const problem of failed) console.error(problem)
process.exitCode = failed.length === 0 ? 0 : 1
