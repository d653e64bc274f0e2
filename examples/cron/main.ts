/**
 * Recurring jobs: a nightly report and a heartbeat every minute. Run as many copies as you like against the
 * same Redis or Postgres: each slot is pushed once (its job id is derived from the schedule and the slot).
 *
 *   npx tsx examples/cron/main.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Schema } from "effect"
import { everyDayAt, everyMinute, JobParameters, JobQueue } from "effect-jobs"
import { JobsLive } from "../shared/config.js"

class NightlyReport extends JobParameters<NightlyReport>()("NightlyReport", { recipients: Schema.Array(Schema.String) }) {}
class Heartbeat extends JobParameters<Heartbeat>()("Heartbeat", {}) {}

const SchedulesLive = Layer.scopedDiscard(Effect.gen(function*() {
  const queue = yield* JobQueue
  yield* queue.registerJob(NightlyReport, (params, ctx) =>
    Effect.logInfo(`building the report for ${params.recipients.join(", ")} (job ${ctx.jobId})`))
  yield* queue.registerJob(Heartbeat, (_params, ctx) => Effect.logInfo(`heartbeat ${ctx.jobId}`))
  // 03:00 UTC every day; if the service was down at 03:00, run the missed report once when it starts.
  yield* queue.schedule(new NightlyReport({ recipients: ["ops@example.com"] }), everyDayAt(3, 0), {
    catchUp: "latest",
    catchUpWindow: "12 hours"
  })
  yield* queue.schedule(new Heartbeat(), everyMinute, { catchUp: "none" })
  yield* Effect.logInfo("schedules running; Ctrl-C to stop")
}))

NodeRuntime.runMain(Layer.launch(SchedulesLive.pipe(Layer.provide(JobsLive))))
