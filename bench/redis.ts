/**
 * effect-jobs on Redis against BullMQ, on the same Redis server, one after the other.
 *
 *   npx tsx bench/redis.ts [--quick] [--only=<part of a system name>]
 */
import { bullmqSystem } from "./lib/bullmq.js"
import { effectJobsSystem, freshNamespaces, redisBackend } from "./lib/effect-jobs.js"
import { printTable, writeReport } from "./lib/report.js"
import { redisUrl } from "./lib/servers.js"
import { noPrefetchOptions, runBenchmark, selected, settingsFor } from "./lib/system.js"

const settings = settingsFor(process.argv.includes("--quick"))

const namespace = freshNamespaces(redisBackend(redisUrl))
const ours = [
  effectJobsSystem("effect-jobs redis", namespace),
  effectJobsSystem("effect-jobs redis (prefetch 0)", namespace, noPrefetchOptions)
]
const systems = [...ours, bullmqSystem(redisUrl)]

const chosen = selected(systems)
const rows = await runBenchmark(chosen, settings)
printTable(`Redis at ${redisUrl}: ${settings.jobs.toLocaleString("en-US")} no-op jobs, median of ${settings.runs}`, rows, ours.map((system) => system.name))
// A partial or quick run prints its table but keeps the last full report.
if (chosen.length === systems.length && !process.argv.includes("--quick")) console.log(`\nwrote ${writeReport("redis", rows, { ...settings, redisUrl })}`)
process.exit(0)
