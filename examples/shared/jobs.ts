/**
 * The jobs shared by the example programs: sending an email, with a handler that takes as long as asked.
 */
import { Effect, Schema } from "effect"
import { HandlerError, JobParameters, JobQueue } from "effect-jobs"

/** Parameters of the "SendEmail" job. */
export class SendEmail extends JobParameters<SendEmail>()("SendEmail", {
  to: Schema.String,
  subject: Schema.String,
  /** How long the pretend mail server takes, so the examples can show slow jobs and shutdown. */
  workMillis: Schema.optionalWith(Schema.Number, { default: () => 50 })
}, { maxAttempts: 5, timeout: "30 seconds" }) {}

/** Registers the SendEmail handler on the queue for as long as the current scope is open. */
export const registerEmailHandler = Effect.gen(function*() {
  const queue = yield* JobQueue
  yield* queue.registerJob(SendEmail, (params, ctx) =>
    Effect.gen(function*() {
      if (!params.to.includes("@")) return yield* Effect.fail(HandlerError.permanent(`not an address: ${params.to}`))
      yield* Effect.logInfo(`sending "${params.subject}" to ${params.to}`)
      yield* Effect.sleep(params.workMillis)
      yield* ctx.progress(100)
      yield* Effect.logInfo(`sent to ${params.to}`)
    }))
})

/** Logs every job event of this instance (one line each), until the scope closes. */
export const logEvents = Effect.gen(function*() {
  const queue = yield* JobQueue
  const events = yield* queue.subscribe
  yield* Effect.forkScoped(
    Effect.forever(
      Effect.flatMap(events.take, (event) => Effect.logInfo(`job ${event._tag}`).pipe(
        Effect.annotateLogs({ event: event._tag, jobId: event.jobId, jobName: event.jobName, attempt: event.attempt })
      ))
    )
  )
})
