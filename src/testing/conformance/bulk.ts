/**
 * Conformance: `remove` deletes jobs that are not running, with their unique keys; `retryAll` and `cancelAll`
 * change the jobs a filter matches in bounded steps, as `retry` and `cancel` do one job.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { BulkResult } from "../../index.js"
import { buildDriver, type MakeDriverLayer, storedJob } from "./harness.js"
import {
  bulkAll,
  cancelJob,
  claimJobs,
  finishJob,
  hour,
  leaseMs,
  listIds,
  newJob,
  owner,
  pushJobs,
  statesOf,
  t0
} from "./staging.js"

const sum = (numbers: ReadonlyArray<number>) => numbers.reduce((total, n) => total + n, 0)

export const bulkCases = (makeDriver: MakeDriverLayer) =>
  describe("bulk changes", () => {
    it.scoped("remove deletes jobs in any state but active, with their unique keys, answering in input order", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        yield* pushJobs(driver, [
          { id: "p", uniqueKey: "key-p", runAt: t0 },
          { id: "d", uniqueKey: "key-d", runAt: t0 + hour },
          { id: "a", runAt: t0 - 3 },
          { id: "c", runAt: t0 - 2 },
          { id: "f", runAt: t0 - 1 },
          { id: "x", uniqueKey: "key-x", runAt: t0 + 2 * hour }
        ])
        yield* claimJobs(driver, ["a"], t0 + 10)
        yield* claimJobs(driver, ["c"], t0 + 20)
        yield* finishJob(driver, "c", "Completed", t0 + 25)
        yield* claimJobs(driver, ["f"], t0 + 30)
        yield* finishJob(driver, "f", "Failed", t0 + 35)
        yield* cancelJob(driver, "x", t0 + 40)
        assert.deepStrictEqual(
          yield* driver.remove({ ids: ["c", "a", "missing", "p", "f", "x", "d"] }),
          ["removed", "active", "not-found", "removed", "removed", "removed", "removed"]
        )
        assert.deepStrictEqual(yield* statesOf(driver, ["p", "d", "a", "c", "f", "x"]), [
          "gone",
          "gone",
          "active",
          "gone",
          "gone",
          "gone"
        ])
        assert.strictEqual((yield* storedJob(driver, "a")).leaseOwner, owner)
        assert.deepStrictEqual(yield* driver.counts({ now: t0 + 50 }), {
          pending: 0,
          delayed: 0,
          active: 1,
          completed: 0,
          failed: 0,
          cancelled: 0
        })
        for (const state of ["pending", "completed", "failed", "cancelled"] as const) {
          assert.deepStrictEqual(yield* listIds(driver, { state }), [], state)
        }
        // Gone from every index: no claim finds them, even once the delayed one would be due.
        const claimed = yield* driver.claim({ names: ["Tick"], limit: 10, owner: "other", leaseMs, now: t0 + 3 * hour })
        assert.deepStrictEqual(claimed.jobs, [])
        // Their ids and unique keys are free again.
        const pushed = yield* driver.push({
          jobs: [newJob({ id: "p", uniqueKey: "key-d" }), newJob({ id: "p2", uniqueKey: "key-p" })],
          now: t0 + 3 * hour
        })
        assert.deepStrictEqual(pushed, [{ id: "p", inserted: true }, { id: "p2", inserted: true }])
        // An active job goes once it is cancelled; its worker then finds it lost.
        yield* cancelJob(driver, "a", t0 + 3 * hour)
        assert.deepStrictEqual(yield* driver.remove({ ids: ["a"] }), ["removed"])
        assert.deepStrictEqual(yield* driver.renew({ ids: ["a"], owner, leaseMs, now: t0 + 3 * hour }), ["a"])
        assert.deepStrictEqual(yield* driver.remove({ ids: ["a"] }), ["not-found"])
      }))

    it.scoped("retryAll moves the failed jobs of the names given back to pending, claimable, attempts reset", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        yield* pushJobs(driver, [
          { id: "f1", runAt: t0 - 5 },
          { id: "f2", runAt: t0 - 4 },
          { id: "f3", runAt: t0 - 3 },
          { id: "g1", name: "Greet", runAt: t0 },
          { id: "x1", runAt: t0 + hour }
        ])
        yield* claimJobs(driver, ["f1", "f2", "f3"], t0 + 10)
        yield* claimJobs(driver, ["g1"], t0 + 10, "Greet")
        for (const id of ["f2", "f1", "f3"]) yield* finishJob(driver, id, "Failed", t0 + 20)
        yield* finishJob(driver, "g1", "Failed", t0 + 20)
        yield* cancelJob(driver, "x1", t0 + 30)
        const now = t0 + 100
        const result = yield* driver.retryAll({ filter: { state: "failed", names: ["Tick"] }, limit: 10, now })
        assert.deepStrictEqual(result, { changed: 3, next: undefined })
        for (const id of ["f1", "f2", "f3"]) {
          const job = yield* storedJob(driver, id)
          assert.deepStrictEqual(
            [job.state, job.attempts, job.runAt, job.leaseOwner],
            ["pending", 0, now, undefined],
            id
          )
        }
        assert.deepStrictEqual(yield* statesOf(driver, ["g1", "x1"]), ["failed", "cancelled"])
        const claimed = yield* driver.claim({ names: ["Tick"], limit: 10, owner, leaseMs, now })
        assert.deepStrictEqual(claimed.jobs.map((job) => [job.id, job.attempt]), [["f1", 1], ["f2", 1], ["f3", 1]])
        // Cancelled jobs are retried the same way.
        assert.deepStrictEqual(
          yield* driver.retryAll({ filter: { state: "cancelled" }, limit: 10, now }),
          { changed: 1, next: undefined }
        )
        assert.deepStrictEqual(yield* statesOf(driver, ["x1", "g1"]), ["pending", "failed"])
      }))

    it.scoped("retryAll changes at most limit per call, oldest first; following next changes every job", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        const ids = Array.from({ length: 7 }, (_, i) => `job-${i}`)
        yield* pushJobs(driver, ids.map((id, i) => ({ id, runAt: t0 - 10 + i })))
        yield* claimJobs(driver, ids, t0)
        // They fail in another order than they were pushed.
        const failOrder = ["job-3", "job-0", "job-6", "job-1", "job-5", "job-2", "job-4"]
        for (const [index, id] of failOrder.entries()) yield* finishJob(driver, id, "Failed", t0 + 100 + index)
        const now = t0 + 1_000
        const first = yield* driver.retryAll({ filter: { state: "failed" }, limit: 3, now })
        assert.isAtMost(first.changed, 3)
        assert.isDefined(first.next, "failed jobs are left")
        assert.deepStrictEqual(
          yield* statesOf(driver, failOrder),
          failOrder.map((_, index) => index < first.changed ? "pending" : "failed"),
          "the oldest failed changed first"
        )
        let after: string | undefined = first.next
        let changed = first.changed
        for (let call = 0; after !== undefined && call < 100; call++) {
          const result: BulkResult = yield* driver.retryAll({ filter: { state: "failed" }, limit: 3, now, after })
          assert.isAtMost(result.changed, 3)
          changed += result.changed
          after = result.next
        }
        assert.strictEqual(changed, 7)
        assert.isUndefined(after)
        assert.deepStrictEqual(yield* statesOf(driver, ids), ids.map(() => "pending"))
        assert.deepStrictEqual(
          yield* driver.retryAll({ filter: { state: "failed" }, limit: 3, now }),
          { changed: 0, next: undefined }
        )
      }))

    it.scoped("retryAll and cancelAll of a state they do not change change nothing", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        yield* pushJobs(driver, [{ id: "f", runAt: t0 - 1 }, { id: "c", runAt: t0 }, { id: "p", runAt: t0 + hour }])
        yield* claimJobs(driver, ["f"], t0)
        yield* finishJob(driver, "f", "Failed", t0 + 1)
        yield* claimJobs(driver, ["c"], t0 + 2)
        yield* finishJob(driver, "c", "Completed", t0 + 3)
        const request = { limit: 10, now: t0 + 10 }
        const nothing = { changed: 0, next: undefined }
        for (const state of ["pending", "active", "completed"] as const) {
          assert.deepStrictEqual(yield* driver.retryAll({ ...request, filter: { state } }), nothing, `retryAll ${state}`)
        }
        for (const state of ["failed", "completed", "cancelled"] as const) {
          assert.deepStrictEqual(yield* driver.cancelAll({ ...request, filter: { state } }), nothing, `cancelAll ${state}`)
        }
        assert.deepStrictEqual(yield* statesOf(driver, ["f", "c", "p"]), ["failed", "completed", "pending"])
      }))

    it.scoped("cancelAll cancels matching pending and active jobs as cancel does", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        yield* pushJobs(driver, [
          { id: "p1", runAt: t0, uniqueKey: "key-1" },
          { id: "p2", runAt: t0 + hour },
          { id: "g1", name: "Greet", runAt: t0 },
          { id: "a1", runAt: t0 - 1 }
        ])
        yield* claimJobs(driver, ["a1"], t0 + 10)
        const pending = yield* driver.cancelAll({ filter: { state: "pending", names: ["Tick"] }, limit: 10, now: t0 + 20 })
        assert.deepStrictEqual(pending, { changed: 2, next: undefined })
        assert.deepStrictEqual(yield* statesOf(driver, ["p1", "p2", "g1", "a1"]), ["cancelled", "cancelled", "pending", "active"])
        assert.strictEqual((yield* storedJob(driver, "p2")).finishedAt, t0 + 20)
        // The unique key is free again.
        assert.deepStrictEqual(
          yield* driver.push({ jobs: [newJob({ id: "p3", uniqueKey: "key-1", runAt: t0 + 20 })], now: t0 + 20 }),
          [{ id: "p3", inserted: true }]
        )
        const active = yield* driver.cancelAll({ filter: { state: "active" }, limit: 10, now: t0 + 30 })
        assert.deepStrictEqual(active, { changed: 1, next: undefined })
        const cancelled = yield* storedJob(driver, "a1")
        assert.deepStrictEqual([cancelled.state, cancelled.finishedAt, cancelled.leaseOwner], ["cancelled", t0 + 30, undefined])
        // Its lease is revoked: the worker's renew reports it lost and its outcome is ignored.
        assert.deepStrictEqual(yield* driver.renew({ ids: ["a1"], owner, leaseMs, now: t0 + 40 }), ["a1"])
        const lost = yield* driver.finish({ outcomes: [{ _tag: "Completed", id: "a1", owner }], removeOnComplete: false, now: t0 + 40 })
        assert.deepStrictEqual(lost, ["a1"])
        assert.strictEqual((yield* storedJob(driver, "a1")).state, "cancelled")
        const claimed = yield* driver.claim({ names: ["Tick"], limit: 10, owner, leaseMs, now: t0 + 2 * hour })
        assert.deepStrictEqual(claimed.jobs.map((job) => job.id), ["p3"])
      }))

    it.scoped("cancelAll follows next through more jobs than its limit, changing only those the filter matches", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        const ids = Array.from({ length: 9 }, (_, i) => `job-${i}`)
        yield* pushJobs(
          driver,
          ids.map((id, i) => ({ id, runAt: t0 + hour + (i % 3) * 1_000, payload: JSON.stringify({ batch: i % 4 !== 0 }) }))
        )
        const filter = { state: "pending", search: `"batch":true` } as const
        const changed = yield* bulkAll(driver.cancelAll, { filter, limit: 2, now: t0 + 10 })
        assert.strictEqual(sum(changed), 6)
        assert.deepStrictEqual(
          yield* statesOf(driver, ids),
          ids.map((_, i) => i % 4 !== 0 ? "cancelled" : "pending")
        )
      }))
  })
