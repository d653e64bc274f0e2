/**
 * The smallest complete program, and the README's quick start: define a job, register its handler, push
 * three jobs (one delayed, one with a bad address) and print how each ended, on the embedded memory driver.
 *
 *   npm run example
 */
import { Effect, Option, Schema, Stream } from "effect"
import { HandlerError, JobParameters, JobQueue, memoryDriver } from "effect-jobs"

// 1. Typed parameters with a stable job name. Construction validates.
class SendEmail extends JobParameters<SendEmail>()("SendEmail", {
  to: Schema.String,
  subject: Schema.String
}, { maxAttempts: 5 }) {}

const program = Effect.gen(function*() {
  const queue = yield* JobQueue
  // 2. A handler; its requirements become requirements of registerJob. A permanent error is not retried.
  yield* queue.registerJob(SendEmail, (params, ctx) =>
    params.to.includes("@")
      ? Effect.log(`sending "${params.subject}" to ${params.to}, attempt ${ctx.attempt}`)
      : Effect.fail(HandlerError.permanent(`not an address: ${params.to}`)), { timeout: "30 seconds" })
  // 3. Push; each id comes back at once. Events are subscribed first so no ending is missed.
  const events = yield* queue.subscribe
  const ids = [
    yield* queue.push(new SendEmail({ to: "ada@example.com", subject: "Welcome" })),
    yield* queue.push(new SendEmail({ to: "grace@example.com", subject: "Reminder" }), { delay: "1 second" }),
    yield* queue.push(new SendEmail({ to: "nobody", subject: "Bounce" }))
  ]
  // 4. Wait until all three have ended, then read them back: state, attempts, lastError, ...
  yield* Stream.fromQueue(events).pipe(
    Stream.filter((event) => event._tag === "Completed" || event._tag === "Failed"),
    Stream.take(ids.length),
    Stream.runDrain
  )
  for (const id of ids) {
    const info = Option.getOrThrow(yield* queue.get(id))
    const error = Option.match(info.lastError, { onNone: () => "", onSome: (text) => `: ${text.split("\n")[0]}` })
    yield* Effect.log(`job ${id} ${info.state} after ${info.attempts} attempt(s)${error}`)
  }
})

// 5. Pick the driver per environment; the job code never changes.
Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(JobQueue.layer(memoryDriver, { concurrency: 4 }))))
