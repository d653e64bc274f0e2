/**
 * A soak worker process: the composition docs/shutdown.md shows (`NodeRuntime.runMain(Layer.launch(...))`),
 * running SoakJob and appending one JSON line per attempt start and end to RUNS_FILE (synchronously, so a
 * SIGKILL loses none of the lines written before it).
 *
 *   SOAK_DRIVER=redis|postgres (REDIS_URL, REDIS_PREFIX / DATABASE_URL, JOBS_SCHEMA)
 *   WORKER_ID, RUNS_FILE, JOBS_CONCURRENCY, JOBS_LEASE_MS (unset: the default lease)
 *
 * Lines: {k: "s" | "e", id, a (attempt), w (worker), t (epoch ms)}.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { JobQueue } from "effect-jobs"
import { postgresDriver } from "effect-jobs/postgres"
import { redisDriver } from "effect-jobs/redis"
import { appendFileSync } from "node:fs"
import { SoakJob } from "./jobs.js"

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

const worker = env("WORKER_ID")
const runsFile = env("RUNS_FILE")
const record = (k: "s" | "e", id: string, a: number) =>
  Effect.sync(() => appendFileSync(runsFile, `${JSON.stringify({ k, id, a, w: worker, t: Date.now() })}\n`))

const driver = env("SOAK_DRIVER") === "redis"
  ? redisDriver({ url: env("REDIS_URL"), prefix: env("REDIS_PREFIX") })
  : postgresDriver({ connectionString: env("DATABASE_URL"), schema: env("JOBS_SCHEMA"), poolSize: 4 })

const lease = process.env.JOBS_LEASE_MS
const QueueLive = JobQueue.layer(driver, {
  concurrency: Number(env("JOBS_CONCURRENCY")),
  workerId: worker,
  ...(lease === undefined ? {} : { leaseDuration: Number(lease) })
})

const WorkerLive = Layer.scopedDiscard(Effect.gen(function*() {
  const queue = yield* JobQueue
  yield* queue.registerJob(SoakJob, (params, ctx) =>
    record("s", ctx.jobId, ctx.attempt).pipe(
      Effect.zipRight(Effect.sleep(params.millis)),
      Effect.zipRight(record("e", ctx.jobId, ctx.attempt))
    ))
  process.stdout.write(`${JSON.stringify({ msg: "ready", worker })}\n`)
}))

NodeRuntime.runMain(Layer.launch(WorkerLive.pipe(Layer.provide(QueueLive))))
