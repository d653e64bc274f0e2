/**
 * A process that only runs jobs; pushers (such as examples/app) run elsewhere. Choose the storage with
 * JOBS_DRIVER (redis or postgres make sense here: the memory driver is private to one process).
 *
 *   JOBS_DRIVER=redis REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/worker/main.ts
 *
 * SIGTERM stops claiming, lets running jobs finish (up to JOBS_SHUTDOWN_TIMEOUT_MS), releases the rest and
 * exits 0.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { PinoLogger } from "effect-jobs"
import pino from "pino"
import { JobsLive } from "../shared/config.js"
import { logEvents, registerEmailHandler } from "../shared/jobs.js"

const WorkerLive = Layer.scopedDiscard(Effect.gen(function*() {
  yield* logEvents
  yield* registerEmailHandler
  yield* Effect.logInfo("worker ready")
  yield* Effect.addFinalizer(() => Effect.logInfo("shutting down: no new jobs start; draining running ones"))
}))

NodeRuntime.runMain(Layer.launch(WorkerLive.pipe(Layer.provide(JobsLive), Layer.provide(PinoLogger.layer(pino())))))
