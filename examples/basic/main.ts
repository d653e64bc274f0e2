/**
 * The smallest complete program: define a job, register its handler, push a few jobs (one delayed, one
 * with a bad address) and watch them run on the embedded memory driver.
 *
 *   npm run example
 */
import { Effect, Option, Stream } from "effect"
import { JobQueue, memoryDriver } from "effect-jobs"
import { registerEmailHandler, SendEmail } from "../shared/jobs.js"

const program = Effect.gen(function*() {
  const queue = yield* JobQueue
  yield* registerEmailHandler
  const watched = yield* queue.events.pipe(
    Stream.filter((event) => event._tag === "Completed" || event._tag === "Failed"),
    Stream.take(3),
    Stream.runCollect,
    Effect.fork
  )
  const welcome = yield* queue.push(new SendEmail({ to: "ada@example.com", subject: "Welcome" }))
  const reminder = yield* queue.push(new SendEmail({ to: "grace@example.com", subject: "Reminder" }), {
    delay: "1 second"
  })
  const broken = yield* queue.push(new SendEmail({ to: "nobody", subject: "Bounce" }))
  yield* watched.await
  for (const id of [welcome, reminder, broken]) {
    const info = Option.getOrThrow(yield* queue.get(id))
    const error = Option.match(info.lastError, { onNone: () => "", onSome: (text) => ` (${text.split("\n")[0]})` })
    yield* Effect.logInfo(`job ${id}: ${info.state} after ${info.attempts} attempt(s)${error}`)
  }
})

Effect.runPromise(
  program.pipe(Effect.scoped, Effect.provide(JobQueue.layer(memoryDriver, { concurrency: 4 })))
)
