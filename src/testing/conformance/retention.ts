/**
 * Conformance: finished jobs are kept as long as the retention says, then removed in bounded batches.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { eventually, type MakeDriverLayer, setup, Tick, waitFor } from "./harness.js"

export const retentionCases = (makeDriver: MakeDriverLayer) =>
  describe("retention", () => {
    it.scoped("removes completed jobs after their retention and keeps failed ones", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver, {
          maxAttempts: 1,
          retention: { completed: "1 hour", failed: "forever", interval: "1 minute" }
        })
        yield* queue.registerJob(Tick, (params) => params.n < 0 ? Effect.fail("negative") : Effect.void)
        const completed = yield* queue.push(new Tick({ n: 1 }))
        const failed = yield* queue.push(new Tick({ n: -1 }))
        yield* waitFor(events, "Completed", completed)
        yield* waitFor(events, "Failed", failed)
        yield* TestClock.adjust("59 minutes")
        assert.isTrue(Option.isSome(yield* queue.get(completed)))
        yield* TestClock.adjust("2 minutes")
        yield* eventually("completed job removed", queue.get(completed).pipe(
          Effect.map((info) => Option.isNone(info) ? Option.some(true) : Option.none())
        ))
        assert.strictEqual(Option.getOrThrow(yield* queue.get(failed)).state, "failed")
      }))

    it.scoped("a zero completed retention removes jobs as they complete", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver, { retention: { completed: 0 } })
        yield* queue.registerJob(Tick, () => Effect.void)
        const id = yield* queue.push(new Tick({ n: 1 }))
        yield* waitFor(events, "Completed", id)
        assert.isTrue(Option.isNone(yield* queue.get(id)))
        assert.strictEqual((yield* queue.counts).completed, 0)
      }))

    it.scoped("prune removes at most its limit per call, oldest finished first", () =>
      Effect.gen(function*() {
        const { driver, events, queue } = yield* setup(makeDriver, { retention: { completed: "forever" } })
        yield* queue.registerJob(Tick, () => Effect.void)
        for (let n = 0; n < 5; n++) {
          const id = yield* queue.push(new Tick({ n }))
          yield* waitFor(events, "Completed", id)
          yield* TestClock.adjust("1 second")
        }
        assert.strictEqual(yield* driver.prune({ state: "completed", finishedBefore: 3_000, limit: 2 }), 2)
        assert.strictEqual(yield* driver.prune({ state: "completed", finishedBefore: 3_000, limit: 2 }), 1)
        assert.strictEqual(yield* driver.prune({ state: "completed", finishedBefore: 3_000, limit: 2 }), 0)
        assert.strictEqual(yield* driver.prune({ state: "failed", finishedBefore: 10_000, limit: 10 }), 0)
        assert.strictEqual((yield* queue.counts).completed, 2)
      }))

    it.scoped("prune by count keeps the jobs that finished last, removing in bounded batches", () =>
      Effect.gen(function*() {
        const { driver, events, queue } = yield* setup(makeDriver, { retention: { completed: "forever" } })
        yield* queue.registerJob(Tick, () => Effect.void)
        const ids: Array<string> = []
        for (let n = 0; n < 5; n++) {
          const id = yield* queue.push(new Tick({ n }))
          yield* waitFor(events, "Completed", id)
          ids.push(id)
          yield* TestClock.adjust("1 second")
        }
        assert.strictEqual(yield* driver.prune({ state: "completed", keepNewest: 2, limit: 2 }), 2)
        assert.strictEqual(yield* driver.prune({ state: "completed", keepNewest: 2, limit: 2 }), 1)
        assert.strictEqual(yield* driver.prune({ state: "completed", keepNewest: 2, limit: 2 }), 0)
        assert.strictEqual(yield* driver.prune({ state: "completed", keepNewest: 10, limit: 10 }), 0)
        const kept = yield* Effect.forEach(ids, (id) => queue.get(id).pipe(Effect.map(Option.isSome)))
        assert.deepStrictEqual(kept, [false, false, false, true, true])
      }))

    it.scoped("maxCount retention keeps the newest completed jobs; maxAge removes older ones too", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver, {
          maxAttempts: 1,
          retention: { completed: { maxCount: 2, maxAge: "1 hour" }, failed: { maxCount: 1 }, interval: "1 minute" }
        })
        yield* queue.registerJob(Tick, (params) => params.n < 0 ? Effect.fail("negative") : Effect.void)
        const completed: Array<string> = []
        for (let n = 1; n <= 4; n++) {
          const id = yield* queue.push(new Tick({ n }))
          yield* waitFor(events, "Completed", id)
          completed.push(id)
          yield* TestClock.adjust("1 second")
        }
        const failed = [yield* queue.push(new Tick({ n: -1 }))]
        yield* waitFor(events, "Failed", failed[0])
        yield* TestClock.adjust("1 second")
        failed.push(yield* queue.push(new Tick({ n: -2 })))
        yield* waitFor(events, "Failed", failed[1])
        const present = (ids: ReadonlyArray<string>) => Effect.forEach(ids, (id) => queue.get(id).pipe(Effect.map(Option.isSome)))
        yield* TestClock.adjust("1 minute")
        yield* eventually("the oldest completed and failed jobs removed", Effect.gen(function*() {
          const now = [...(yield* present(completed)), ...(yield* present(failed))]
          return now.join() === [false, false, true, true, false, true].join() ? Option.some(now) : Option.none()
        }))
        yield* TestClock.adjust("1 hour")
        yield* eventually("completed jobs past maxAge removed", present(completed).pipe(
          Effect.map((now) => now.every((kept) => !kept) ? Option.some(now) : Option.none())
        ))
        assert.deepStrictEqual(yield* present(failed), [false, true])
      }))

    it.scoped("maxCount 0 removes completed jobs as they complete", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver, { retention: { completed: { maxCount: 0 } } })
        yield* queue.registerJob(Tick, () => Effect.void)
        const id = yield* queue.push(new Tick({ n: 1 }))
        yield* waitFor(events, "Completed", id)
        assert.isTrue(Option.isNone(yield* queue.get(id)))
      }))
  })
