/**
 * Recurring jobs: a nightly report and a heartbeat every minute. Run as many copies as you like against the
 * same Redis or Postgres, and restart them whenever: the store keeps the last slot pushed for each schedule
 * key, so each slot runs once, even after its job was removed by retention.
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
  // 03:00 UTC every day. If no copy was running at 03:00, the first to start within 12 hours runs the missed
  // report once. The key names the schedule, so a later change of its time carries on from the last report.
  yield* queue.schedule(new NightlyReport({ recipients: ["ops@example.com"] }), everyDayAt(3, 0), {
    key: "nightly-report",
    catchUp: "latest",
    catchUpWindow: "12 hours"
  })
  yield* queue.schedule(new Heartbeat(), everyMinute, { key: "heartbeat", catchUp: "none" })
  yield* Effect.logInfo("schedules running; Ctrl-C to stop")
}))

NodeRuntime.runMain(Layer.launch(SchedulesLive.pipe(Layer.provide(JobsLive))))
