/**
 * Middleware wraps every handler run and every push, outermost first, through a real queue on the memory
 * driver.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import {
  Backoff,
  InvalidJobParameters,
  JobQueue,
  JobParameters,
  type JobMiddleware,
  type OutgoingJob
} from "effect-jobs"
import { waitFor } from "../../src/testing/conformance/harness.js"
import { withMemoryQueue } from "./support.js"

class Task extends JobParameters<Task>()("Task", { n: Schema.Number }) {}
class Other extends JobParameters<Other>()("Other", { label: Schema.String }, { priority: 5 }) {}

/** Retries at once, so a second attempt follows a failed first one without moving the clock. */
const retryOnce = { maxAttempts: 2, backoff: Backoff.immediate }

describe("run middleware", () => {
  it.scoped("wraps every attempt, first listed outermost, with the attempt's context", () => {
    const trace: Array<string> = []
    const tracing = (label: string): JobMiddleware => ({
      run: (context, next) =>
        Effect.sync(() => trace.push(`${label}>${context.jobName}#${context.attempt}/${context.maxAttempts}`)).pipe(
          Effect.zipRight(next),
          Effect.ensuring(Effect.sync(() => trace.push(`${label}<`)))
        )
    })
    return withMemoryQueue({ middleware: [tracing("outer"), tracing("inner")] }, Effect.gen(function*() {
      const queue = yield* JobQueue
      const events = yield* queue.subscribe
      yield* queue.registerJob(Task, (_params, context) =>
        Effect.sync(() => trace.push(`handler#${context.attempt}`)).pipe(
          Effect.zipRight(context.attempt === 1 ? Effect.fail("first try fails") : Effect.void)
        ), retryOnce)
      const id = yield* queue.push(new Task({ n: 1 }))
      yield* waitFor(events, "Completed", id)
      assert.deepStrictEqual(trace, [
        "outer>Task#1/2",
        "inner>Task#1/2",
        "handler#1",
        "inner<",
        "outer<",
        "outer>Task#2/2",
        "inner>Task#2/2",
        "handler#2",
        "inner<",
        "outer<"
      ])
    }))
  })

  it.scoped("sees the job's id and when it was queued", () => {
    const seen: Array<[string, number]> = []
    return withMemoryQueue({
      middleware: [{ run: (context, next) => Effect.zipRight(Effect.sync(() => seen.push([context.jobId, context.queuedAt.getTime()])), next) }]
    }, Effect.gen(function*() {
      const queue = yield* JobQueue
      const events = yield* queue.subscribe
      yield* queue.registerJob(Task, () => Effect.void)
      const id = yield* queue.push(new Task({ n: 1 }))
      yield* waitFor(events, "Completed", id)
      const info = Option.getOrThrow(yield* queue.get(id))
      assert.deepStrictEqual(seen, [[id, info.createdAt.getTime()]])
    }))
  })

  it.scoped("can fail an attempt instead of running the handler; that counts as a failed attempt", () => {
    const ran: Array<number> = []
    const refuseFirst: JobMiddleware = {
      run: (context, next) => context.attempt === 1 ? Effect.fail("not allowed") : next
    }
    return withMemoryQueue({ middleware: [refuseFirst] }, Effect.gen(function*() {
      const queue = yield* JobQueue
      const events = yield* queue.subscribe
      yield* queue.registerJob(Task, (_params, context) => Effect.sync(() => ran.push(context.attempt)), retryOnce)
      const id = yield* queue.push(new Task({ n: 1 }))
      const retrying = yield* waitFor(events, "Retrying", id)
      assert.strictEqual(retrying.attempt, 1)
      assert.include(retrying.error, "not allowed")
      yield* waitFor(events, "Completed", id)
      assert.deepStrictEqual(ran, [2])
      const info = Option.getOrThrow(yield* queue.get(id))
      assert.strictEqual(info.attempts, 2)
    }))
  })

  it.scoped("a refused last attempt fails the job for good with the middleware's error stored", () =>
    withMemoryQueue({ middleware: [{ run: () => Effect.fail("quota exceeded") }], maxAttempts: 1 }, Effect.gen(function*() {
      const queue = yield* JobQueue
      const events = yield* queue.subscribe
      yield* queue.registerJob(Task, () => Effect.void)
      const id = yield* queue.push(new Task({ n: 1 }))
      const failed = yield* waitFor(events, "Failed", id)
      assert.include(failed.error, "quota exceeded")
      const info = Option.getOrThrow(yield* queue.get(id))
      assert.strictEqual(info.state, "failed")
      assert.include(Option.getOrThrow(info.lastError), "quota exceeded")
    })))

  it.scoped("receives the handler's failure and can turn it into a success", () => {
    const observed: Array<unknown> = []
    const forgiving: JobMiddleware = {
      run: (_context, next) => next.pipe(Effect.catchAll((error) => Effect.sync(() => observed.push(error))))
    }
    return withMemoryQueue({ middleware: [forgiving], maxAttempts: 1 }, Effect.gen(function*() {
      const queue = yield* JobQueue
      const events = yield* queue.subscribe
      yield* queue.registerJob(Task, (params) => Effect.fail({ reason: "odd", n: params.n }))
      const id = yield* queue.push(new Task({ n: 3 }))
      yield* waitFor(events, "Completed", id)
      assert.deepStrictEqual(observed, [{ reason: "odd", n: 3 }])
    }))
  })
})

describe("push middleware", () => {
  it.scoped("sees the encoded jobs of push, pushMany and pushByName, and the ids they got", () => {
    const calls: Array<{ jobs: ReadonlyArray<OutgoingJob>; ids: ReadonlyArray<string> }> = []
    const audit: JobMiddleware = {
      push: (jobs, next) => next.pipe(Effect.tap((ids) => Effect.sync(() => calls.push({ jobs, ids }))))
    }
    return withMemoryQueue({ middleware: [audit] }, Effect.gen(function*() {
      const queue = yield* JobQueue
      yield* queue.registerJob(Task, () => Effect.void)
      const one = yield* queue.push(new Task({ n: 1 }), { delay: "5 seconds", priority: 2 })
      const many = yield* queue.pushMany([new Task({ n: 2 }), new Other({ label: "x" })])
      const byName = yield* queue.pushByName("Task", { n: 4 })
      assert.deepStrictEqual(calls, [
        {
          jobs: [{ name: "Task", payload: { n: 1, _tag: "Task" }, priority: 2, runAt: new Date(5_000) }],
          ids: [one]
        },
        {
          jobs: [
            { name: "Task", payload: { n: 2, _tag: "Task" }, priority: 0, runAt: new Date(0) },
            { name: "Other", payload: { label: "x", _tag: "Other" }, priority: 5, runAt: new Date(0) }
          ],
          ids: many
        },
        { jobs: [{ name: "Task", payload: { n: 4, _tag: "Task" }, priority: 0, runAt: new Date(0) }], ids: [byName] }
      ])
    }))
  })

  it.scoped("runs first-listed outermost around the write", () => {
    const trace: Array<string> = []
    const tracing = (label: string): JobMiddleware => ({
      push: (_jobs, next) =>
        Effect.sync(() => trace.push(`${label}>`)).pipe(
          Effect.zipRight(next),
          Effect.tap((ids) => Effect.sync(() => trace.push(`${label}<${ids.length}`)))
        )
    })
    return withMemoryQueue({ middleware: [tracing("outer"), tracing("inner")] }, Effect.gen(function*() {
      const queue = yield* JobQueue
      yield* queue.pushMany([new Task({ n: 1 }), new Task({ n: 2 })])
      assert.deepStrictEqual(trace, ["outer>", "inner>", "inner<2", "outer<2"])
    }))
  })

  it.scoped("can reject a push with a typed error, and then nothing is written", () =>
    withMemoryQueue({
      middleware: [{
        push: (jobs, next) =>
          jobs.some((job) => (job.payload as { n: number }).n < 0)
            ? Effect.fail(new InvalidJobParameters({ jobName: jobs[0]!.name, message: "negative amounts are refused" }))
            : next
      }]
    }, Effect.gen(function*() {
      const queue = yield* JobQueue
      const error = yield* Effect.flip(queue.pushMany([new Task({ n: 1 }), new Task({ n: -1 })]))
      assert.strictEqual(error._tag, "InvalidJobParameters")
      assert.strictEqual(error.message, "negative amounts are refused")
      assert.deepInclude(yield* queue.counts, { pending: 0, active: 0 })
      const id = yield* queue.push(new Task({ n: 5 }))
      assert.deepInclude(yield* queue.counts, { pending: 1 })
      assert.isTrue(Option.isSome(yield* queue.get(id)))
    })))
})
