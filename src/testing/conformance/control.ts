/**
 * Conformance: cancel, pause and resume, retry of failed jobs.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Option } from "effect"
import { Backoff } from "../../index.js"
import { type MakeDriverLayer, storedJob, setup, Tick, waitFor } from "./harness.js"

export const controlCases = (makeDriver: MakeDriverLayer) =>
  describe("control", () => {
    it.scoped("cancels a pending job, which then never runs", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver, { concurrency: 1 })
        const ran: Array<number> = []
        const doomed = yield* queue.push(new Tick({ n: 1 }), { priority: 10 })
        const kept = yield* queue.push(new Tick({ n: 2 }))
        assert.isTrue(yield* queue.cancel(doomed))
        yield* queue.registerJob(Tick, (params) => Effect.sync(() => ran.push(params.n)))
        yield* waitFor(events, "Completed", kept)
        assert.deepStrictEqual(ran, [2])
        const info = Option.getOrThrow(yield* queue.get(doomed))
        assert.strictEqual(info.state, "cancelled")
        assert.isTrue(Option.isSome(info.finishedAt))
        assert.isFalse(yield* queue.cancel(doomed))
        assert.isFalse(yield* queue.cancel(kept))
        assert.isFalse(yield* queue.cancel("no-such-job"))
      }))

    it.scoped("cancelling a running job interrupts it and nothing is recorded over the cancel", () =>
      Effect.gen(function*() {
        const { driver, events, queue } = yield* setup(makeDriver)
        const interrupted = yield* Deferred.make<void>()
        yield* queue.registerJob(Tick, (params) =>
          params.n === 1
            ? Effect.never.pipe(Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined)))
            : Effect.void)
        const id = yield* queue.push(new Tick({ n: 1 }))
        yield* waitFor(events, "Started", id)
        assert.isTrue(yield* queue.cancel(id))
        yield* Deferred.await(interrupted)
        const after = yield* queue.push(new Tick({ n: 2 }))
        yield* waitFor(events, "Completed", after)
        const stored = yield* storedJob(driver, id)
        assert.strictEqual(stored.state, "cancelled")
        assert.isUndefined(stored.leaseOwner)
      }))

    it.scoped("a paused queue hands out nothing until resumed", () =>
      Effect.gen(function*() {
        const { driver, events, queue } = yield* setup(makeDriver)
        yield* queue.pause
        assert.isTrue(yield* queue.isPaused)
        yield* queue.registerJob(Tick, () => Effect.void)
        const id = yield* queue.push(new Tick({ n: 1 }))
        const claimed = yield* driver.claim({ names: ["Tick"], limit: 10, owner: "probe", leaseMs: 1_000, now: 0 })
        assert.strictEqual(claimed.jobs.length, 0)
        assert.strictEqual((yield* storedJob(driver, id)).state, "pending")
        yield* queue.resume
        assert.isFalse(yield* queue.isPaused)
        yield* waitFor(events, "Completed", id)
      }))

    it.scoped("retry moves a failed job back to pending with fresh attempts", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver)
        let healthy = false
        yield* queue.registerJob(Tick, () => healthy ? Effect.void : Effect.fail("down"), {
          maxAttempts: 2,
          backoff: Backoff.immediate
        })
        const id = yield* queue.push(new Tick({ n: 1 }))
        yield* waitFor(events, "Failed", id)
        assert.isFalse(yield* queue.retry("no-such-job"))
        healthy = true
        assert.isTrue(yield* queue.retry(id))
        const done = yield* waitFor(events, "Completed", id)
        assert.strictEqual(done.attempt, 1)
        assert.isFalse(yield* queue.retry(id))
        const info = Option.getOrThrow(yield* queue.get(id))
        assert.strictEqual(info.state, "completed")
        assert.strictEqual(info.attempts, 1)
      }))
  })
