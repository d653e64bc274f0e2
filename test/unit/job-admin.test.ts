/**
 * `JobAdmin` over the memory driver: it only calls the driver (no worker runs), validates a page size,
 * builds job views as `JobQueue.get` does, loops bulk changes and cleaning past one driver batch, and gives
 * each schedule its next slot from its cron expression and time zone.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cron, Duration, Effect, Either, Layer, Option, TestClock } from "effect"
import {
  type InstanceRecord,
  JobAdmin,
  JobDriver,
  type JobDriverShape,
  JobInfo,
  JobQueue,
  makeMemoryDriver,
  MAX_PAGE_SIZE,
  type NewJob
} from "effect-jobs"
import { fromRecord } from "../../src/JobInfo.js"

const start = Date.UTC(2024, 4, 1, 12, 0, 0)

/** A memory driver and the admin over it, with the test clock at `start`. */
const setup = Effect.gen(function*() {
  yield* TestClock.setTime(start)
  const driver = yield* makeMemoryDriver
  const admin = yield* JobAdmin.make.pipe(Effect.provideService(JobDriver, driver))
  return { driver, admin }
})

const job = (name: string, index: number, extra: Partial<NewJob> = {}): NewJob => ({
  name,
  payload: JSON.stringify({ index }),
  priority: 0,
  runAt: start,
  ...extra
})

/** Pushes `count` jobs named `name` and fails each for good; returns their ids. */
const failJobs = (driver: JobDriverShape, name: string, count: number, now = start) =>
  Effect.gen(function*() {
    const pushed = yield* driver.push({ jobs: Array.from({ length: count }, (_, index) => job(name, index)), now })
    const claimed = yield* driver.claim({ names: [name], limit: count, owner: "w", leaseMs: 60_000, now })
    assert.strictEqual(claimed.jobs.length, count)
    yield* driver.finish({
      outcomes: claimed.jobs.map((claimedJob) => ({ _tag: "Failed", id: claimedJob.id, owner: "w", error: "boom" })),
      removeOnComplete: false,
      now
    })
    return pushed.map((result) => result.id)
  })

/** Pushes `count` jobs named `name` and completes each at `now`. */
const completeJobs = (driver: JobDriverShape, name: string, count: number, now: number) =>
  Effect.gen(function*() {
    yield* driver.push({ jobs: Array.from({ length: count }, (_, index) => job(name, index, { runAt: now })), now })
    const claimed = yield* driver.claim({ names: [name], limit: count, owner: "w", leaseMs: 60_000, now })
    yield* driver.finish({
      outcomes: claimed.jobs.map((claimedJob) => ({ _tag: "Completed", id: claimedJob.id, owner: "w" })),
      removeOnComplete: false,
      now
    })
  })

describe("JobAdmin", () => {
  it.effect("counts, counts per name and pause state come from the driver, and nothing claims a job", () =>
    Effect.gen(function*() {
      const { admin, driver } = yield* setup
      yield* driver.push({ jobs: [job("A", 1), job("A", 2, { runAt: start + 60_000 }), job("B", 3)], now: start })
      yield* TestClock.adjust("1 hour")
      // No worker: the due jobs are still pending, untouched.
      const counts = yield* admin.counts
      assert.deepStrictEqual(counts, { pending: 3, delayed: 0, active: 0, completed: 0, failed: 0, cancelled: 0 })
      const byName = yield* admin.countsByName
      assert.deepStrictEqual(byName.map(({ counts, name }) => [name, counts.pending]), [["A", 2], ["B", 1]])

      assert.isFalse(yield* admin.isPaused)
      yield* admin.pause
      assert.isTrue(yield* admin.isPaused)
      assert.isTrue(yield* driver.isPaused)
      yield* admin.resume
      assert.isFalse(yield* admin.isPaused)
    }))

  it.effect("delayed counts are taken at the clock's time", () =>
    Effect.gen(function*() {
      const { admin, driver } = yield* setup
      yield* driver.push({ jobs: [job("A", 1, { runAt: start + 60_000 })], now: start })
      assert.strictEqual((yield* admin.counts).delayed, 1)
      yield* TestClock.adjust("2 minutes")
      assert.strictEqual((yield* admin.counts).delayed, 0)
    }))

  it.effect("list pages through a state newest first by default, 50 to a page, each job once, as JobQueue.get shows it", () =>
    Effect.gen(function*() {
      const { admin, driver } = yield* setup
      for (let index = 0; index < 120; index++) {
        yield* driver.push({ jobs: [job("A", index, { runAt: start + index })], now: start })
      }
      const first = yield* admin.list({ state: "pending" })
      assert.strictEqual(first.jobs.length, 50)
      assert.deepStrictEqual(first.jobs[0]!.payload, { index: 119 })
      const record = Option.getOrThrow(yield* driver.get({ id: first.jobs[0]!.id }))
      assert.deepStrictEqual(first.jobs[0], fromRecord(record))

      const seen = [...first.jobs]
      let next = first.next
      while (next !== undefined) {
        const page: { jobs: ReadonlyArray<JobInfo>; next: string | undefined } = yield* admin.list({ state: "pending", after: next })
        seen.push(...page.jobs)
        next = page.next
      }
      assert.deepStrictEqual(seen.map((info) => (info.payload as { index: number }).index), Array.from({ length: 120 }, (_, i) => 119 - i))

      const oldest = yield* admin.list({ state: "pending", order: "oldest", limit: 2 })
      assert.deepStrictEqual(oldest.jobs.map((info) => info.payload), [{ index: 0 }, { index: 1 }])
    }))

  it.effect("list passes names, search and a Date range to the driver", () =>
    Effect.gen(function*() {
      const { admin, driver } = yield* setup
      yield* driver.push({
        jobs: [job("A", 1), job("B", 2, { runAt: start + 1_000 }), job("B", 3, { runAt: start + 2_000, uniqueKey: "needle" })],
        now: start
      })
      const names = yield* admin.list({ state: "pending", names: ["B"] })
      assert.deepStrictEqual(names.jobs.map((info) => info.payload), [{ index: 3 }, { index: 2 }])
      const search = yield* admin.list({ state: "pending", search: "needle" })
      assert.deepStrictEqual(search.jobs.map((info) => info.payload), [{ index: 3 }])
      const range = yield* admin.list({ state: "pending", from: new Date(start + 1_000), to: start + 2_000 })
      assert.deepStrictEqual(range.jobs.map((info) => info.payload), [{ index: 2 }])
    }))

  it.effect("a limit outside 1..MAX_PAGE_SIZE fails with InvalidOption; a cursor of another listing with InvalidCursor", () =>
    Effect.gen(function*() {
      const { admin, driver } = yield* setup
      for (const limit of [0, MAX_PAGE_SIZE + 1, 1.5, Number.NaN]) {
        const error = yield* Effect.flip(admin.list({ state: "failed", limit }))
        assert.strictEqual(error._tag, "InvalidOption")
        assert.strictEqual(error._tag === "InvalidOption" && error.option, "limit")
      }
      assert.deepStrictEqual(yield* admin.list({ state: "failed", limit: MAX_PAGE_SIZE }), { jobs: [], next: undefined })

      yield* driver.push({ jobs: [job("A", 1), job("A", 2, { runAt: start + 1 })], now: start })
      const page = yield* admin.list({ state: "pending", limit: 1 })
      assert.isDefined(page.next)
      const error = yield* Effect.flip(admin.list({ state: "pending", order: "oldest", after: page.next! }))
      assert.strictEqual(error._tag, "InvalidCursor")
    }))

  it.effect("get shows the lease of an active job; retry, cancel and remove report what they did", () =>
    Effect.gen(function*() {
      const { admin, driver } = yield* setup
      const [failed] = yield* failJobs(driver, "F", 1)
      const [active] = (yield* driver.push({ jobs: [job("A", 1)], now: start })).map((result) => result.id)
      yield* driver.claim({ names: ["A"], limit: 1, owner: "worker-7", leaseMs: 15_000, now: start })

      const details = Option.getOrThrow(yield* admin.get(active!))
      assert.strictEqual(details.state, "active")
      assert.deepStrictEqual(details.leaseOwner, Option.some("worker-7"))
      assert.deepStrictEqual(details.leaseExpiresAt, Option.some(new Date(start + 15_000)))
      assert.deepStrictEqual(Option.getOrThrow(yield* admin.get(failed!)).leaseOwner, Option.none())
      assert.isTrue(Option.isNone(yield* admin.get("missing")))

      assert.strictEqual(yield* admin.remove(active!), "active")
      assert.isFalse(yield* admin.retry(active!))
      yield* TestClock.adjust("1 second")
      assert.isTrue(yield* admin.retry(failed!))
      const retried = Option.getOrThrow(yield* admin.get(failed!))
      assert.deepInclude(retried, { state: "pending", attempts: 0, runAt: new Date(start + 1_000) })

      assert.strictEqual(yield* admin.cancel(active!), "cancelled")
      assert.strictEqual(yield* admin.cancel(active!), "finished")
      assert.strictEqual(yield* admin.cancel("missing"), "not-found")
      assert.strictEqual(yield* admin.remove(active!), "removed")
      assert.strictEqual(yield* admin.remove(active!), "not-found")
      assert.isTrue(Option.isNone(yield* driver.get({ id: active! })))
    }))

  it.effect("retryAll and cancelAll change every matching job, past one driver batch", () =>
    Effect.gen(function*() {
      const { admin, driver } = yield* setup
      yield* failJobs(driver, "Big", MAX_PAGE_SIZE + 150)
      yield* failJobs(driver, "Other", 3)
      assert.strictEqual(yield* admin.retryAll({ state: "failed", names: ["Big"] }), MAX_PAGE_SIZE + 150)
      const byName = new Map((yield* admin.countsByName).map(({ counts, name }) => [name, counts]))
      assert.deepInclude(byName.get("Big"), { pending: MAX_PAGE_SIZE + 150, failed: 0 })
      assert.deepInclude(byName.get("Other"), { failed: 3 })

      assert.strictEqual(yield* admin.cancelAll({ state: "pending" }), MAX_PAGE_SIZE + 150)
      assert.deepInclude(yield* admin.counts, { pending: 0, cancelled: MAX_PAGE_SIZE + 150, failed: 3 })
      assert.strictEqual(yield* admin.retryAll({ state: "cancelled", search: "nothing matches this" }), 0)
    }))

  it.effect("clean removes the jobs of one state that finished more than olderThan ago, past one batch", () =>
    Effect.gen(function*() {
      const { admin, driver } = yield* setup
      yield* completeJobs(driver, "Old", MAX_PAGE_SIZE + 20, start)
      yield* TestClock.adjust("2 hours")
      yield* completeJobs(driver, "New", 5, start + 7_200_000)
      yield* failJobs(driver, "Failed", 2, start)
      yield* TestClock.adjust("30 minutes")

      assert.strictEqual(yield* admin.clean({ state: "completed", olderThan: "1 hour" }), MAX_PAGE_SIZE + 20)
      assert.deepInclude(yield* admin.counts, { completed: 5, failed: 2 })
      assert.strictEqual(yield* admin.clean({ state: "completed", olderThan: "1 hour" }), 0)
      assert.strictEqual(yield* admin.clean({ state: "completed", olderThan: 0 }), 5)
      assert.strictEqual((yield* admin.counts).failed, 2)

      const error = yield* Effect.flip(admin.clean({ state: "failed", olderThan: Duration.infinity }))
      assert.deepInclude(error, { _tag: "InvalidOption", option: "olderThan" })
      assert.strictEqual((yield* admin.counts).failed, 2)
    }))

  it.effect("schedules carry the next slot of their cron expression in its time zone; removeSchedule unlists one", () =>
    Effect.gen(function*() {
      const { admin, driver } = yield* setup
      yield* driver.registerSchedule({ schedule: "nightly", cron: "0 3 * * *", timeZone: "Europe/Paris", name: "N", now: start })
      yield* driver.registerSchedule({ schedule: "hourly", cron: "@hourly", timeZone: undefined, name: "H", now: start })
      yield* driver.pushScheduled({
        schedule: "pushed-only",
        slot: start,
        job: job("P", 1, { id: "slot-1" }),
        now: start
      })
      yield* TestClock.adjust("10 minutes")

      const schedules = yield* admin.schedules
      assert.deepStrictEqual(schedules.map((schedule) => schedule.schedule), ["hourly", "nightly", "pushed-only"])
      const [hourly, nightly, pushedOnly] = schedules
      // 03:00 in Paris on 2 May 2024 is 01:00 UTC (summer time).
      assert.strictEqual(nightly!.nextSlot, Date.UTC(2024, 4, 2, 1, 0, 0))
      assert.strictEqual(
        nightly!.nextSlot,
        Cron.next(Either.getOrThrow(Cron.parse("0 3 * * *", "Europe/Paris")), start + 600_000).getTime()
      )
      assert.strictEqual(hourly!.nextSlot, Date.UTC(2024, 4, 1, 13, 0, 0))
      assert.deepInclude(pushedOnly, { cron: undefined, nextSlot: undefined, lastSlot: start })

      assert.isTrue(yield* admin.removeSchedule("nightly"))
      assert.isFalse(yield* admin.removeSchedule("nightly"))
      assert.isFalse(yield* admin.removeSchedule("never-was"))
      assert.deepStrictEqual((yield* admin.schedules).map((schedule) => schedule.schedule), ["hourly", "pushed-only"])
    }))

  it.effect("instances lists the heartbeats that have not lapsed at the clock's time", () =>
    Effect.gen(function*() {
      const { admin, driver } = yield* setup
      const instance = (id: string, expiresAt: number): InstanceRecord => ({
        id,
        host: "h",
        pid: 1,
        names: ["A"],
        concurrency: 4,
        running: [],
        startedAt: start,
        lastSeenAt: start,
        expiresAt
      })
      yield* driver.heartbeat({ instance: instance("b", start + 60_000) })
      yield* driver.heartbeat({ instance: instance("a", start + 10_000) })
      assert.deepStrictEqual((yield* admin.instances).map((found) => found.id), ["a", "b"])
      yield* TestClock.adjust("30 seconds")
      assert.deepStrictEqual(yield* admin.instances, [instance("b", start + 60_000)])
    }))

  it.effect("JobAdmin.layer shares a driver layer with JobQueue.layer", () =>
    Effect.gen(function*() {
      const driver = Layer.effect(JobDriver, makeMemoryDriver)
      const both = Layer.merge(JobQueue.layer(driver, { concurrency: 0 }), JobAdmin.layer(driver))
      const paused = yield* Effect.gen(function*() {
        yield* (yield* JobQueue).pause
        return yield* (yield* JobAdmin).isPaused
      }).pipe(Effect.provide(both), Effect.scoped)
      assert.isTrue(paused)
    }))
})
