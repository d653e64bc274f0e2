/**
 * Conformance: pushing, running, ordering, delays, unique keys, events and progress.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Deferred, Effect, Option, TestClock } from "effect"
import { Greet, type MakeDriverLayer, storedJob, setup, Tick, Unhandled, waitFor, waitForAll } from "./harness.js"

export const lifecycleCases = (makeDriver: MakeDriverLayer) =>
  describe("lifecycle", () => {
    it.scoped("stores a pushed job as pending with its payload", () =>
      Effect.gen(function*() {
        const { queue } = yield* setup(makeDriver)
        yield* TestClock.setTime(1_000_000)
        const id = yield* queue.push(new Greet({ name: "Ada" }), { priority: 7 })
        const info = Option.getOrThrow(yield* queue.get(id))
        assert.strictEqual(info.id, id)
        assert.strictEqual(info.name, "Greet")
        assert.strictEqual(info.state, "pending")
        assert.strictEqual(info.attempts, 0)
        assert.strictEqual(info.priority, 7)
        assert.deepStrictEqual(info.payload, { _tag: "Greet", name: "Ada" })
        assert.strictEqual(info.createdAt.getTime(), 1_000_000)
        assert.strictEqual(info.runAt.getTime(), 1_000_000)
        assert.isTrue(Option.isNone(yield* queue.get("no-such-job")))
      }))

    it.scoped("runs a job with its decoded parameters and context, then marks it completed", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver)
        const seen = yield* Deferred.make<{ name: string; attempt: number; jobId: string; jobName: string }>()
        yield* queue.registerJob(Greet, (params, ctx) =>
          Deferred.succeed(seen, { name: params.name, attempt: ctx.attempt, jobId: ctx.jobId, jobName: ctx.jobName }))
        const id = yield* queue.push(new Greet({ name: "Grace" }))
        yield* waitFor(events, "Completed", id)
        assert.deepStrictEqual(yield* Deferred.await(seen), { name: "Grace", attempt: 1, jobId: id, jobName: "Greet" })
        const info = Option.getOrThrow(yield* queue.get(id))
        assert.strictEqual(info.state, "completed")
        assert.strictEqual(info.attempts, 1)
        assert.isTrue(Option.isSome(info.startedAt) && Option.isSome(info.finishedAt))
      }))

    it.scoped("hands out higher priority first, then earlier run time, then push order", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver, { concurrency: 1 })
        yield* TestClock.setTime(3_600_000)
        const now = yield* Clock.currentTimeMillis
        const order: Array<number> = []
        const specs: ReadonlyArray<readonly [n: number, priority: number, runAtOffset: number]> = [
          [1, 0, 0],
          [2, 5, 0],
          [3, 0, -5_000],
          [4, 5, -1_000],
          [5, 0, 0],
          [6, -3, -60_000],
          [7, 5, 0]
        ]
        // Push everything before a handler exists so the worker sees the whole set at once.
        const ids: Array<string> = []
        for (const [n, priority, offset] of specs) {
          ids.push(yield* queue.push(new Tick({ n }), { priority, runAt: new Date(now + offset) }))
        }
        yield* queue.registerJob(Tick, (params) => Effect.sync(() => order.push(params.n)))
        while (order.length < specs.length) yield* waitFor(events, "Completed")
        assert.deepStrictEqual(order, [4, 2, 7, 3, 1, 5, 6])
      }))

    it.scoped("does not start a delayed job before its time", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver, { concurrency: 1 })
        const startedAt = new Map<number, number>()
        yield* queue.registerJob(Tick, (params) =>
          Clock.currentTimeMillis.pipe(Effect.map((now) => void startedAt.set(params.n, now))))
        // The delayed job has the higher priority: were its delay ignored it would run first.
        const delayed = yield* queue.push(new Tick({ n: 1 }), { delay: "5 seconds", priority: 10 })
        const ready = yield* queue.push(new Tick({ n: 2 }))
        yield* waitFor(events, "Completed", ready)
        assert.strictEqual(Option.getOrThrow(yield* queue.get(delayed)).state, "pending")
        assert.strictEqual((yield* queue.counts).delayed, 1)
        yield* TestClock.adjust("5 seconds")
        yield* waitFor(events, "Completed", delayed)
        assert.isAtLeast(startedAt.get(1)!, 5_000)
        assert.strictEqual(startedAt.get(2), 0)
      }))

    it.scoped("starts a new job in the last free slot while the other slots stay busy", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver, { concurrency: 8 })
        const release = yield* Deferred.make<void>()
        yield* queue.registerJob(Tick, (params) => params.n === 0 ? Effect.void : Deferred.await(release))
        const busy = yield* queue.pushMany([1, 2, 3, 4, 5, 6, 7].map((n) => new Tick({ n })))
        yield* waitForAll(events, "Started", busy)
        const last = yield* queue.push(new Tick({ n: 0 }))
        yield* waitFor(events, "Completed", last)
        yield* Deferred.succeed(release, undefined)
        yield* waitForAll(events, "Completed", busy)
      }))

    it.scoped("claims only jobs it has a handler for", () =>
      Effect.gen(function*() {
        const { driver, events, queue } = yield* setup(makeDriver)
        const unhandled = yield* queue.push(new Unhandled({ n: 1 }), { priority: 100 })
        yield* queue.registerJob(Greet, () => Effect.void)
        const handled = yield* queue.push(new Greet({ name: "x" }))
        yield* waitFor(events, "Completed", handled)
        const stored = yield* storedJob(driver, unhandled)
        assert.strictEqual(stored.state, "pending")
        assert.strictEqual(stored.attempts, 0)
      }))

    it.scoped("pushMany stores all jobs and returns their ids in order", () =>
      Effect.gen(function*() {
        const { queue } = yield* setup(makeDriver)
        const ids = yield* queue.pushMany([1, 2, 3].map((n) => new Tick({ n })))
        assert.strictEqual(new Set(ids).size, 3)
        for (const [index, id] of ids.entries()) {
          const info = Option.getOrThrow(yield* queue.get(id))
          assert.deepStrictEqual(info.payload, { _tag: "Tick", n: index + 1 })
        }
        assert.strictEqual((yield* queue.counts).pending, 3)
      }))

    it.scoped("a unique key returns the live job's id and writes nothing, until that job ends", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver)
        const first = yield* queue.push(new Tick({ n: 1 }), { uniqueKey: "report:42" })
        const second = yield* queue.push(new Tick({ n: 2 }), { uniqueKey: "report:42" })
        assert.strictEqual(second, first)
        assert.strictEqual((yield* queue.counts).pending, 1)
        assert.deepStrictEqual(Option.getOrThrow(yield* queue.get(first)).payload, { _tag: "Tick", n: 1 })
        yield* queue.registerJob(Tick, () => Effect.void)
        yield* waitFor(events, "Completed", first)
        const third = yield* queue.push(new Tick({ n: 3 }), { uniqueKey: "report:42" })
        assert.notStrictEqual(third, first)
      }))

    it.scoped("a chosen job id is inserted at most once, even after the job completed", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver)
        const runs: Array<number> = []
        yield* queue.registerJob(Tick, (params) => Effect.sync(() => runs.push(params.n)))
        const id = yield* queue.push(new Tick({ n: 1 }), { jobId: "nightly:2026-01-01" })
        assert.strictEqual(id, "nightly:2026-01-01")
        yield* waitFor(events, "Completed", id)
        assert.strictEqual(yield* queue.push(new Tick({ n: 2 }), { jobId: "nightly:2026-01-01" }), id)
        const later = yield* queue.push(new Tick({ n: 3 }))
        yield* waitFor(events, "Completed", later)
        assert.deepStrictEqual(runs, [1, 3])
      }))

    it.scoped("stores progress and publishes it", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver)
        const proceed = yield* Deferred.make<void>()
        yield* queue.registerJob(Tick, (_params, ctx) => ctx.progress(40).pipe(Effect.zipRight(Deferred.await(proceed))))
        const id = yield* queue.push(new Tick({ n: 1 }))
        const progress = yield* waitFor(events, "Progress", id)
        assert.strictEqual(progress.progress, 40)
        assert.deepStrictEqual(Option.getOrThrow(yield* queue.get(id)).progress, Option.some(40))
        assert.strictEqual(Option.getOrThrow(yield* queue.get(id)).state, "active")
        yield* Deferred.succeed(proceed, undefined)
        yield* waitFor(events, "Completed", id)
      }))

    it.scoped("counts jobs per state", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver, { maxAttempts: 1 })
        yield* queue.registerJob(Tick, (params) => params.n === 0 ? Effect.fail("no") : Effect.void)
        const failed = yield* queue.push(new Tick({ n: 0 }))
        yield* waitFor(events, "Failed", failed)
        const done = yield* queue.push(new Tick({ n: 1 }))
        yield* waitFor(events, "Completed", done)
        yield* queue.push(new Tick({ n: 2 }), { delay: "1 minute" })
        yield* queue.push(new Unhandled({ n: 3 }))
        const cancelled = yield* queue.push(new Unhandled({ n: 4 }))
        assert.isTrue(yield* queue.cancel(cancelled))
        assert.deepStrictEqual(yield* queue.counts, {
          pending: 2,
          delayed: 1,
          active: 0,
          completed: 1,
          failed: 1,
          cancelled: 1
        })
      }))
  })
