/**
 * `JobQueueTest`: jobs run only inside `drain`, which runs every due job (retries due now included) and counts
 * the attempts; `enqueued` lists one kind's pending jobs with decoded parameters.
 */
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Option, Schema, Scope, TestClock } from "effect"
import { Backoff, JobQueue, JobParameters } from "effect-jobs"
import { JobQueueTest } from "effect-jobs/testing"

class SendEmail extends JobParameters<SendEmail>()("SendEmail", { to: Schema.String }) {}
class Resize extends JobParameters<Resize>()("Resize", { width: Schema.Number }) {}
/** Another version of SendEmail: the stored jobs of the first lack its field. */
class SendEmailV2 extends JobParameters<SendEmailV2>()("SendEmail", { to: Schema.String, locale: Schema.String }) {}

class Outbox extends Context.Tag("Outbox")<Outbox, Array<string>>() {}

/** Registers a SendEmail handler that records each address in `sent`. */
const recordSends = (sent: Array<string>) =>
  Effect.flatMap(JobQueue, (queue) => queue.registerJob(SendEmail, (params) => Effect.sync(() => sent.push(params.to))))

const enqueuedTo = Effect.map(JobQueueTest.enqueued(SendEmail), (jobs) => jobs.map((job) => job.params.to))

describe("JobQueueTest", () => {
  it.scoped("runs jobs only inside drain: not when pushed, not when the clock passes their time", () =>
    Effect.gen(function*() {
      const queue = yield* JobQueue
      const sent: Array<string> = []
      yield* recordSends(sent)
      yield* queue.push(new SendEmail({ to: "now@x" }))
      yield* queue.push(new SendEmail({ to: "later@x" }), { delay: "10 seconds" })
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(sent, [])
      assert.deepStrictEqual(yield* enqueuedTo, ["now@x", "later@x"])
      assert.strictEqual(yield* JobQueueTest.drain, 1)
      assert.deepStrictEqual(sent, ["now@x"])
      yield* TestClock.adjust("10 seconds")
      assert.deepStrictEqual(sent, ["now@x"], "a delayed job that fell due still waits for drain")
      assert.strictEqual(yield* JobQueueTest.drain, 1)
      assert.deepStrictEqual(sent, ["now@x", "later@x"])
      assert.strictEqual(yield* JobQueueTest.drain, 0)
    }).pipe(Effect.provide(JobQueueTest.layer())))

  it.scoped("counts failures, and runs retries due at the current time in the same drain", () =>
    Effect.gen(function*() {
      const queue = yield* JobQueue
      yield* queue.registerJob(SendEmail, () => Effect.fail("mailbox full"), { maxAttempts: 3, backoff: Backoff.immediate })
      const id = yield* queue.push(new SendEmail({ to: "a@x" }))
      assert.strictEqual(yield* JobQueueTest.drain, 3)
      const info = Option.getOrThrow(yield* queue.get(id))
      assert.strictEqual(info.state, "failed")
      assert.strictEqual(info.attempts, 3)
      assert.strictEqual(yield* JobQueueTest.drain, 0)
    }).pipe(Effect.provide(JobQueueTest.layer())))

  it.scoped("a retry waiting for its backoff runs in the first drain after TestClock.adjust made it due", () =>
    Effect.gen(function*() {
      const queue = yield* JobQueue
      let calls = 0
      yield* queue.registerJob(
        SendEmail,
        () => Effect.suspend(() => ++calls === 1 ? Effect.fail("try later") : Effect.void),
        { backoff: Backoff.fixed("1 minute") }
      )
      const id = yield* queue.push(new SendEmail({ to: "a@x" }))
      assert.strictEqual(yield* JobQueueTest.drain, 1)
      const [waiting] = yield* JobQueueTest.enqueued(SendEmail)
      assert.strictEqual(waiting?.id, id)
      assert.strictEqual(waiting?.attempts, 1)
      assert.strictEqual(waiting?.runAt.getTime(), 60_000)
      yield* TestClock.adjust("59 seconds")
      assert.strictEqual(yield* JobQueueTest.drain, 0)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(calls, 1)
      assert.strictEqual(yield* JobQueueTest.drain, 1)
      const info = Option.getOrThrow(yield* queue.get(id))
      assert.deepInclude(info, { state: "completed", attempts: 2 })
    }).pipe(Effect.provide(JobQueueTest.layer())))

  it.scoped("runs one job at a time, in the order the queue hands them out", () =>
    Effect.gen(function*() {
      const queue = yield* JobQueue
      const sent: Array<string> = []
      yield* recordSends(sent)
      yield* queue.push(new SendEmail({ to: "low@x" }), { priority: -1 })
      yield* queue.push(new SendEmail({ to: "first@x" }))
      yield* queue.push(new SendEmail({ to: "high@x" }), { priority: 10 })
      yield* queue.push(new SendEmail({ to: "second@x" }))
      assert.strictEqual(yield* JobQueueTest.drain, 4)
      assert.deepStrictEqual(sent, ["high@x", "first@x", "second@x", "low@x"])
    }).pipe(Effect.provide(JobQueueTest.layer())))

  it.scoped("a handler that sleeps finishes when the test moves the clock from another fiber", () =>
    Effect.gen(function*() {
      const queue = yield* JobQueue
      yield* queue.registerJob(SendEmail, () => Effect.sleep("1 second"))
      const id = yield* queue.push(new SendEmail({ to: "a@x" }))
      const draining = yield* Effect.fork(JobQueueTest.drain)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(draining), 1)
      assert.strictEqual(Option.getOrThrow(yield* queue.get(id)).state, "completed")
    }).pipe(Effect.provide(JobQueueTest.layer())))

  it.scoped("counts every job however many one drain runs", () =>
    Effect.gen(function*() {
      const queue = yield* JobQueue
      const sent: Array<string> = []
      yield* recordSends(sent)
      // More than a queue holds for a subscriber by default (1,000 events).
      yield* queue.pushMany(Array.from({ length: 1_500 }, (_, n) => new SendEmail({ to: `${n}@x` })))
      assert.strictEqual(yield* JobQueueTest.drain, 1_500)
      assert.strictEqual(sent.length, 1_500)
    }).pipe(Effect.provide(JobQueueTest.layer({ concurrency: 10 }))))

  it.scoped("leaves jobs without a handler pending, and runs nothing while the queue is paused", () =>
    Effect.gen(function*() {
      const queue = yield* JobQueue
      const sent: Array<string> = []
      yield* queue.push(new Resize({ width: 100 }))
      yield* recordSends(sent)
      yield* queue.push(new SendEmail({ to: "a@x" }))
      yield* queue.pause
      assert.strictEqual(yield* JobQueueTest.drain, 0)
      assert.deepStrictEqual(sent, [])
      yield* queue.resume
      assert.strictEqual(yield* JobQueueTest.drain, 1)
      assert.deepStrictEqual(sent, ["a@x"])
      assert.strictEqual((yield* JobQueueTest.enqueued(Resize)).length, 1)
    }).pipe(Effect.provide(JobQueueTest.layer())))

  it.scoped("runs handlers with the services they were registered with, while their scope is open", () =>
    Effect.gen(function*() {
      const queue = yield* JobQueue
      const outbox: Array<string> = []
      const registration = yield* Scope.make()
      yield* queue.registerJob(SendEmail, (params) => Effect.flatMap(Outbox, (box) => Effect.sync(() => box.push(params.to)))).pipe(
        Effect.provideService(Outbox, outbox),
        Scope.extend(registration)
      )
      const again = yield* Effect.flip(queue.registerJob(SendEmail, () => Effect.void))
      assert.strictEqual(again._tag, "DuplicateJobName")
      // Between drains the kind is known, so pushes by name are validated against it.
      yield* queue.pushByName("SendEmail", { to: "a@x" })
      const drainersOutbox: Array<string> = []
      assert.strictEqual(yield* JobQueueTest.drain.pipe(Effect.provideService(Outbox, drainersOutbox)), 1)
      assert.deepStrictEqual(outbox, ["a@x"])
      assert.deepStrictEqual(drainersOutbox, [])
      yield* Scope.close(registration, Exit.void)
      yield* queue.push(new SendEmail({ to: "b@x" }))
      assert.strictEqual(yield* JobQueueTest.drain, 0)
      assert.deepStrictEqual(outbox, ["a@x"])
    }).pipe(Effect.provide(JobQueueTest.layer())))

  it.scoped("enqueued lists one kind's pending jobs, delayed ones included, with ids and decoded parameters", () =>
    Effect.gen(function*() {
      const queue = yield* JobQueue
      yield* recordSends([])
      yield* queue.push(new SendEmail({ to: "done@x" }))
      yield* JobQueueTest.drain
      const ready = yield* queue.push(new SendEmail({ to: "ready@x" }), { priority: 5 })
      const delayed = yield* queue.push(new SendEmail({ to: "delayed@x" }), { delay: "1 hour" })
      const cancelled = yield* queue.push(new SendEmail({ to: "cancelled@x" }))
      yield* queue.cancel(cancelled)
      yield* queue.push(new Resize({ width: 640 }))
      const jobs = yield* JobQueueTest.enqueued(SendEmail)
      assert.deepStrictEqual(jobs.map((job) => [job.id, job.params.to, job.priority, job.runAt.getTime()]), [
        [ready, "ready@x", 5, 0],
        [delayed, "delayed@x", 0, 3_600_000]
      ])
      assert.instanceOf(jobs[0]!.params, SendEmail)
      const resizes = yield* JobQueueTest.enqueued(Resize)
      assert.deepStrictEqual(resizes.map((job) => job.params.width), [640])
    }).pipe(Effect.provide(JobQueueTest.layer())))

  it.effect("enqueued fails with InvalidJobParameters when a stored job does not decode with the kind given", () =>
    Effect.gen(function*() {
      const queue = yield* JobQueue
      const id = yield* queue.push(new SendEmail({ to: "a@x" }))
      const error = yield* Effect.flip(JobQueueTest.enqueued(SendEmailV2))
      assert.strictEqual(error._tag, "InvalidJobParameters")
      assert.strictEqual(error.jobName, "SendEmail")
      assert.include(error.message, id)
      assert.include(error.message, "locale")
    }).pipe(Effect.provide(JobQueueTest.layer())))
})
