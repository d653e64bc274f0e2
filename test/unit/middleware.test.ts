/**
 * Middleware wraps every handler run and every push, outermost first.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Queue, Schema, type Scope } from "effect"
import { JobParameters, JobQueue, type JobMiddleware, memoryDriver } from "effect-jobs"
import { waitFor } from "../conformance/harness.js"

class Task extends JobParameters<Task>()("Task", { n: Schema.Number }) {}

const withQueue = <A, E>(middleware: ReadonlyArray<JobMiddleware>, body: Effect.Effect<A, E, JobQueue | Scope.Scope>) =>
  body.pipe(Effect.provide(JobQueue.layer(memoryDriver, { middleware, maxAttempts: 1 })))

describe("middleware", () => {
  it.scoped("wraps every run, first listed outermost, with the attempt's context", () => {
    const trace: Array<string> = []
    const tracing = (label: string): JobMiddleware => ({
      run: (context, next) =>
        Effect.sync(() => trace.push(`${label}>${context.name}#${context.attempt}`)).pipe(
          Effect.zipRight(next),
          Effect.ensuring(Effect.sync(() => trace.push(`${label}<`)))
        )
    })
    return withQueue([tracing("outer"), tracing("inner")], Effect.gen(function*() {
      const queue = yield* JobQueue
      const events = yield* queue.subscribe
      yield* queue.registerJob(Task, () => Effect.sync(() => trace.push("handler")))
      const id = yield* queue.push(new Task({ n: 1 }))
      yield* waitFor(events, "Completed", id)
      assert.deepStrictEqual(trace, ["outer>Task#1", "inner>Task#1", "handler", "inner<", "outer<"])
    }))
  })

  it.scoped("can fail a run, which counts as a failed attempt", () =>
    withQueue([{ run: () => Effect.fail("not allowed") }], Effect.gen(function*() {
      const queue = yield* JobQueue
      const events = yield* queue.subscribe
      let ran = false
      yield* queue.registerJob(Task, () => Effect.sync(() => (ran = true)))
      const id = yield* queue.push(new Task({ n: 1 }))
      const failed = yield* waitFor(events, "Failed", id)
      assert.include(failed.error, "not allowed")
      assert.isFalse(ran)
    })))

  it.scoped("sees the encoded jobs of every push and the ids they got", () => {
    const seen: Array<string> = []
    const audit: JobMiddleware = {
      push: (jobs, next) =>
        next.pipe(Effect.tap((ids) => Effect.sync(() => seen.push(`${jobs.map((job) => `${job.name}:${JSON.stringify(job.payload)}`).join(",")}=${ids.length}`))))
    }
    return withQueue([audit], Effect.gen(function*() {
      const queue = yield* JobQueue
      yield* queue.registerJob(Task, () => Effect.never)
      yield* queue.push(new Task({ n: 1 }))
      yield* queue.pushMany([new Task({ n: 2 }), new Task({ n: 3 })])
      yield* queue.pushByName("Task", { n: 4 })
      assert.deepStrictEqual(seen, [
        `Task:{"n":1,"_tag":"Task"}=1`,
        `Task:{"n":2,"_tag":"Task"},Task:{"n":3,"_tag":"Task"}=2`,
        `Task:{"n":4,"_tag":"Task"}=1`
      ])
    }))
  })

  it.scoped("can reject a push, and then nothing is written", () =>
    withQueue([{
      push: (jobs, next) =>
        jobs.some((job) => (job.payload as { n: number }).n < 0)
          ? Effect.dieMessage("negative amounts are refused")
          : next
    }], Effect.gen(function*() {
      const queue = yield* JobQueue
      const exit = yield* Effect.exit(queue.pushMany([new Task({ n: 1 }), new Task({ n: -1 })]))
      assert.isTrue(exit._tag === "Failure")
      assert.strictEqual((yield* queue.counts).pending, 0)
      yield* queue.push(new Task({ n: 5 }))
      assert.strictEqual((yield* queue.counts).pending, 1)
      const events = yield* queue.subscribe
      assert.isTrue(yield* Queue.isEmpty(events))
    })))
})
