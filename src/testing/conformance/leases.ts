/**
 * Conformance: leases. Expired leases are re-delivered, live ones renewed, and a worker that lost its lease
 * cannot record anything over a newer attempt.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Option, TestClock } from "effect"
import { eventually, type MakeDriverLayer, storedJob, setup, Tick, waitFor } from "./harness.js"
import type { Outcome } from "../../index.js"

const leaseMs = 15_000

export const leaseCases = (makeDriver: MakeDriverLayer) =>
  describe("leases", () => {
    it.scoped("a job whose worker vanished is claimed again once its lease expires", () =>
      Effect.gen(function*() {
        const { driver, events, queue } = yield* setup(makeDriver)
        const id = yield* queue.push(new Tick({ n: 1 }))
        // A worker in another process claims the job and then dies without a word.
        const ghost = yield* driver.claim({ names: ["Tick"], limit: 5, owner: "ghost", leaseMs, now: 0 })
        assert.deepStrictEqual(ghost.jobs.map((job) => [job.id, job.attempt]), [[id, 1]])
        yield* queue.registerJob(Tick, () => Effect.void)
        const stored = yield* storedJob(driver, id)
        assert.strictEqual(stored.state, "active")
        assert.strictEqual(stored.leaseOwner, "ghost")
        yield* TestClock.adjust(leaseMs + 1)
        const done = yield* waitFor(events, "Completed", id)
        assert.strictEqual(done.attempt, 2)
      }))

    it.scoped("a worker that lost its lease cannot complete, fail or release the newer attempt", () =>
      Effect.gen(function*() {
        const { driver, events, queue } = yield* setup(makeDriver)
        const id = yield* queue.push(new Tick({ n: 1 }))
        yield* driver.claim({ names: ["Tick"], limit: 1, owner: "late", leaseMs, now: 0 })
        const proceed = yield* Deferred.make<void>()
        yield* queue.registerJob(Tick, () => Deferred.await(proceed))
        yield* TestClock.adjust(leaseMs + 1)
        const started = yield* waitFor(events, "Started", id)
        assert.strictEqual(started.attempt, 2)
        const lost = yield* driver.finish({
          outcomes: [
            { _tag: "Completed", id, owner: "late" },
            { _tag: "Failed", id, owner: "late", error: "stale" },
            { _tag: "Released", id, owner: "late" },
            { _tag: "Retry", id, owner: "late", error: "stale", runAt: 0 }
          ],
          now: leaseMs + 2,
          removeOnComplete: false
        })
        assert.deepStrictEqual([...lost], [id, id, id, id])
        assert.deepStrictEqual([...(yield* driver.renew({ ids: [id], owner: "late", leaseMs, now: leaseMs + 2 }))], [id])
        assert.isFalse(yield* driver.setProgress({ id, owner: "late", progress: 99 }))
        const during = yield* storedJob(driver, id)
        assert.strictEqual(during.state, "active")
        assert.strictEqual(during.attempts, 2)
        assert.notStrictEqual(during.leaseOwner, "late")
        assert.isUndefined(during.lastError)
        yield* Deferred.succeed(proceed, undefined)
        yield* waitFor(events, "Completed", id)
        assert.strictEqual(Option.getOrThrow(yield* queue.get(id)).state, "completed")
      }))

    it.scoped("a claim first records the outcomes it carries, each guarded by its lease, even while paused", () =>
      Effect.gen(function*() {
        const { driver, queue } = yield* setup(makeDriver)
        const [a, b, c] = yield* queue.pushMany([new Tick({ n: 1 }), new Tick({ n: 2 }), new Tick({ n: 3 })])
        const first = yield* driver.claim({ names: ["Tick"], limit: 2, owner: "w", leaseMs, now: 0 })
        assert.deepStrictEqual([first.jobs.map((job) => job.id), [...first.lost]], [[a, b], []])
        const claimCarrying = (now: number, outcomes: ReadonlyArray<Outcome>) =>
          driver.claim({ names: ["Tick"], limit: 5, owner: "w", leaseMs, now, finishing: { outcomes, removeOnComplete: false } })
        yield* driver.pause
        const paused = yield* claimCarrying(1, [
          { _tag: "Completed", id: a!, owner: "w" },
          { _tag: "Failed", id: b!, owner: "other", error: "x" }
        ])
        assert.deepStrictEqual([paused.jobs.length, [...paused.lost]], [0, [b]])
        assert.strictEqual((yield* storedJob(driver, a!)).state, "completed")
        assert.strictEqual((yield* storedJob(driver, b!)).state, "active")
        yield* driver.resume
        // Released before the claim, so the same call can hand the job out again, ahead of the later push.
        const resumed = yield* claimCarrying(2, [{ _tag: "Released", id: b!, owner: "w" }])
        assert.deepStrictEqual([resumed.jobs.map((job) => [job.id, job.attempt]), [...resumed.lost]], [[[b, 1], [c, 1]], []])
      }))

    it.scoped("a running worker renews its lease, so a long job is not handed out twice", () =>
      Effect.gen(function*() {
        const { driver, events, queue } = yield* setup(makeDriver, { leaseDuration: leaseMs })
        const proceed = yield* Deferred.make<void>()
        yield* queue.registerJob(Tick, () => Deferred.await(proceed))
        const id = yield* queue.push(new Tick({ n: 1 }))
        yield* waitFor(events, "Started", id)
        // Three lease lengths pass in steps of a renewal period; the lease must stay ahead of the clock.
        for (let step = 1; step <= 9; step++) {
          yield* TestClock.adjust(leaseMs / 3)
          const now = step * (leaseMs / 3)
          yield* eventually(
            `lease renewed at step ${step}`,
            storedJob(driver, id).pipe(Effect.map((job) =>
              job.leaseExpiresAt !== undefined && job.leaseExpiresAt > now + 1 ? Option.some(job) : Option.none()
            ))
          )
        }
        const stored = yield* storedJob(driver, id)
        assert.strictEqual(stored.state, "active")
        assert.strictEqual(stored.attempts, 1)
        yield* Deferred.succeed(proceed, undefined)
        const done = yield* waitFor(events, "Completed", id)
        assert.strictEqual(done.attempt, 1)
      }))

    it.scoped("a lease that expires on the last attempt fails the job with a readable error", () =>
      Effect.gen(function*() {
        const { driver, events, queue } = yield* setup(makeDriver)
        const id = yield* queue.push(new Tick({ n: 1 }), { maxAttempts: 1 })
        yield* driver.claim({ names: ["Tick"], limit: 1, owner: "ghost", leaseMs, now: 0 })
        let ran = false
        yield* queue.registerJob(Tick, () => Effect.sync(() => (ran = true)))
        yield* TestClock.adjust(leaseMs + 1)
        yield* waitFor(events, "Failed", id)
        const stored = yield* storedJob(driver, id)
        assert.strictEqual(stored.state, "failed")
        assert.include(stored.lastError, "lease expired")
        assert.isFalse(ran)
      }))
  })
