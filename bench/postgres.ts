/**
 * effect-jobs on Postgres against graphile-worker (defaults, and batched) and pg-boss, on the same server,
 * one after the other.
 *
 *   npx tsx bench/postgres.ts [--quick] [--only=<part of a system name>]
 */
import { effectJobsSystem, freshNamespaces, postgresBackend } from "./lib/effect-jobs.js"
import { graphileSystem } from "./lib/graphile.js"
import { pgBossSystem } from "./lib/pgboss.js"
import { printTable, writeReport } from "./lib/report.js"
import { databaseUrl } from "./lib/servers.js"
import { noPrefetchOptions, runBenchmark, selected, settingsFor } from "./lib/system.js"

const connectionString = databaseUrl
const settings = settingsFor(process.argv.includes("--quick"))

const namespace = freshNamespaces(postgresBackend(connectionString))
const ours = [
  effectJobsSystem("effect-jobs postgres", namespace),
  effectJobsSystem("effect-jobs postgres (prefetch 0)", namespace, noPrefetchOptions)
]
const systems = [
  ...ours,
  graphileSystem(connectionString, false),
  graphileSystem(connectionString, true),
  pgBossSystem(connectionString)
]

const chosen = selected(systems)
const rows = await runBenchmark(chosen, settings)
printTable(`Postgres: ${settings.jobs.toLocaleString("en-US")} no-op jobs, median of ${settings.runs}`, rows, ours.map((system) => system.name))
// A partial or quick run prints its table but keeps the last full report.
if (chosen.length === systems.length && !process.argv.includes("--quick")) console.log(`\nwrote ${writeReport("postgres", rows, { ...settings })}`)
process.exit(0)
