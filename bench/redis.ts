/**
 * effect-jobs on Redis against BullMQ, on the same Redis server, one after the other.
 *
 *   npx tsx bench/redis.ts [--quick] [--only=<part of a system name>]
 */
import { redisDriver } from "effect-jobs/redis"
import { deletePrefix } from "../test/support/redis.js"
import { bullmqSystem } from "./lib/bullmq.js"
import { effectJobsSystem } from "./lib/effect-jobs.js"
import { printTable, type Row, writeReport } from "./lib/report.js"
import { prefetchOptions, runScenarios, selected, settingsFor } from "./lib/system.js"

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
const settings = settingsFor(process.argv.includes("--quick"))

const namespace = () => {
  const prefix = `bench-${Math.random().toString(36).slice(2, 10)}`
  return { driver: redisDriver({ url: redisUrl, prefix }), cleanup: () => deletePrefix(prefix) }
}
const ours = [
  effectJobsSystem("effect-jobs redis", namespace),
  effectJobsSystem("effect-jobs redis (prefetch)", namespace, prefetchOptions)
]
const systems = [...ours, bullmqSystem(redisUrl)]

const rows: Array<Row> = []
const chosen = selected(systems)
for (const system of chosen) {
  console.log(`running ${system.name}`)
  // One unmeasured pass first, so neither system pays for JIT compilation inside a measured run.
  for (const concurrency of settings.concurrencies) await system.process(concurrency, Math.min(settings.jobs, 2_000))
  rows.push(...(await runScenarios(system, settings)))
}
printTable(`Redis at ${redisUrl}: ${settings.jobs.toLocaleString("en-US")} no-op jobs, median of ${settings.runs}`, rows, ours.map((system) => system.name))
// A partial run (--only) prints its table but keeps the last full report.
if (chosen.length === systems.length) console.log(`\nwrote ${writeReport("redis", rows, { ...settings, redisUrl })}`)
process.exit(0)
