/**
 * effect-jobs on Postgres against graphile-worker (defaults, and batched) and pg-boss, on the same server,
 * one after the other.
 *
 *   npx tsx bench/postgres.ts [--quick] [--only=<part of a system name>]
 */
import { postgresDriver } from "effect-jobs/postgres"
import pg from "pg"
import { effectJobsSystem } from "./lib/effect-jobs.js"
import { graphileSystem } from "./lib/graphile.js"
import { pgBossSystem } from "./lib/pgboss.js"
import { printTable, writeReport } from "./lib/report.js"
import { noPrefetchOptions, runBenchmark, selected, settingsFor } from "./lib/system.js"

const connectionString = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const settings = settingsFor(process.argv.includes("--quick"))

const dropSchema = async (schema: string) => {
  const client = new pg.Client({ connectionString })
  await client.connect()
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await client.end()
}

const namespace = () => {
  const schema = `ej_bench_${Math.random().toString(36).slice(2, 10)}`
  return { driver: postgresDriver({ connectionString, schema }), cleanup: () => dropSchema(schema) }
}
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
