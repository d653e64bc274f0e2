/**
 * The example of docs/testing.md, word for word below this comment (docs.test.ts checks that they match).
 */
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, Schema, TestClock } from "effect"
import { Backoff, JobParameters, JobQueue } from "effect-jobs"
import { JobQueueTest } from "effect-jobs/testing"

// The application: a job, the mailer its handler needs, and the code that pushes the job.
class SendEmail extends JobParameters<SendEmail>()("SendEmail", {
  to: Schema.String,
  subject: Schema.String
}, { backoff: Backoff.fixed("1 minute") }) {}

class MailerDown extends Schema.TaggedError<MailerDown>()("MailerDown", {}) {}

class Mailer extends Context.Tag("Mailer")<Mailer, {
  readonly send: (to: string, subject: string) => Effect.Effect<void, MailerDown>
}>() {}

const registerJobs = Effect.gen(function*() {
  const queue = yield* JobQueue
  yield* queue.registerJob(SendEmail, (email) => Effect.flatMap(Mailer, (mailer) => mailer.send(email.to, email.subject)))
})

const signUp = (address: string) =>
  Effect.flatMap(JobQueue, (queue) => queue.push(new SendEmail({ to: address, subject: "Welcome" })))

// The tests: a mailer that records what it sends, and fails while it is down.
const fakeMailer = (sent: Array<string>, status = { down: false }) =>
  Layer.succeed(Mailer, {
    send: (to, subject) =>
      status.down ? Effect.fail(new MailerDown()) : Effect.sync(() => void sent.push(`${subject} to ${to}`))
  })

describe("signing up", () => {
  it.scoped("sends a welcome email", () => {
    const sent: Array<string> = []
    return Effect.gen(function*() {
      yield* registerJobs
      yield* signUp("ada@example.com")
      const pending = yield* JobQueueTest.enqueued(SendEmail)
      assert.deepStrictEqual(pending.map((job) => job.params.to), ["ada@example.com"])
      assert.deepStrictEqual(sent, [])

      assert.strictEqual(yield* JobQueueTest.drain, 1)
      assert.deepStrictEqual(sent, ["Welcome to ada@example.com"])
      assert.deepStrictEqual(yield* JobQueueTest.enqueued(SendEmail), [])
    }).pipe(Effect.provide(Layer.merge(JobQueueTest.layer(), fakeMailer(sent))))
  })

  it.scoped("tries again a minute later when the mailer is down", () => {
    const sent: Array<string> = []
    const status = { down: true }
    return Effect.gen(function*() {
      yield* registerJobs
      const id = yield* signUp("grace@example.com")
      assert.strictEqual(yield* JobQueueTest.drain, 1) // the failed attempt
      status.down = false
      assert.strictEqual(yield* JobQueueTest.drain, 0) // the retry is not due yet

      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* JobQueueTest.drain, 1)
      assert.deepStrictEqual(sent, ["Welcome to grace@example.com"])
      const job = Option.getOrThrow(yield* Effect.flatMap(JobQueue, (queue) => queue.get(id)))
      assert.deepInclude(job, { state: "completed", attempts: 2 })
    }).pipe(Effect.provide(Layer.merge(JobQueueTest.layer(), fakeMailer(sent, status))))
  })
})
