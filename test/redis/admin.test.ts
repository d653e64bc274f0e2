/**
 * The Redis driver's operating side, for what the conformance suite does not see: the per-name counters and
 * the pending index stay equal to the job records through every transition (checked against a walk over
 * every job hash), `delayed` per name whichever side of the delayed set is smaller, and cursors that hold no
 * position of this driver.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option } from "effect"
import { Redis } from "ioredis"
import {
  encodeCursor,
  JobDriver,
  type JobDriverShape,
  type JobFilter,
  type JobRecord,
  type ListOrder,
  matchesFilter,
  type NameCounts,
  type NewJob,
  stateTime
} from "effect-jobs/driver"
import { keyBase, keyNames } from "../../drivers/redis/internal/keys.js"
import { redisTestDriver, redisUrl, uniquePrefix } from "../support/redis.js"

const job = (name: string, extra: Partial<NewJob> = {}): NewJob => ({ name, payload: "{}", priority: 0, runAt: 0, ...extra })

const setup = Effect.gen(function*() {
  const prefix = uniquePrefix("admin")
  const driver = Context.get(yield* Layer.build(redisTestDriver(prefix)), JobDriver)
  const admin = yield* Effect.acquireRelease(
    Effect.sync(() => new Redis(redisUrl)),
    (client) => Effect.sync(() => client.disconnect())
  )
  return { driver, admin, base: keyBase(prefix) }
})

type Setup = Effect.Effect.Success<typeof setup>

/** Every job hash under the queue's prefix, read directly. */
const storedJobs = ({ admin, base }: Setup) =>
  Effect.promise(async () => {
    const keys: Array<string> = []
    let cursor = "0"
    do {
      const [next, batch] = await admin.scan(cursor, "MATCH", `${base}${keyNames.job}*`, "COUNT", 1000)
      cursor = next
      keys.push(...batch)
    } while (cursor !== "0")
    const hashes = await Promise.all(keys.map((key) => admin.hgetall(key)))
    return keys.map((key, i): Readonly<Record<string, string | undefined>> & { readonly id: string } => ({
      ...hashes[i]!,
      id: key.slice(base.length + keyNames.job.length)
    }))
  })

/** What `countsByName` must say at `now`, counted from the job hashes themselves. */
const countedFromRecords = (test: Setup, now: number) =>
  Effect.map(storedJobs(test), (jobs) => {
    const byName = new Map<string, Record<string, number>>()
    for (const stored of jobs) {
      const name = stored.name ?? ""
      const counts = byName.get(name) ??
        { pending: 0, delayed: 0, active: 0, completed: 0, failed: 0, cancelled: 0 }
      byName.set(name, counts)
      counts[stored.state!]! += 1
      if (stored.state === "pending" && Number(stored.runAt) > now) counts.delayed! += 1
    }
    return [...byName.entries()]
      .sort(([a], [b]) => a < b ? -1 : 1)
      .map(([name, counts]): NameCounts => ({ name, counts: counts as unknown as NameCounts["counts"] }))
  })

/**
 * Checks, at `now`, that the counters agree with the records and with `counts`, and that the pending index
 * holds exactly the pending jobs, each scored by its run time.
 */
const expectConsistent = (test: Setup, now: number) =>
  Effect.gen(function*() {
    const byName = yield* test.driver.countsByName({ now })
    expect(byName).toEqual(yield* countedFromRecords(test, now))
    const totals = yield* test.driver.counts({ now })
    for (const state of ["pending", "delayed", "active", "completed", "failed", "cancelled"] as const) {
      expect(byName.reduce((sum, entry) => sum + entry.counts[state], 0), state).toBe(totals[state])
    }
    const jobs = yield* storedJobs(test)
    const index = yield* Effect.promise(() => test.admin.zrange(`${test.base}${keyNames.pending}`, 0, -1, "WITHSCORES"))
    const indexed = new Map<string, number>()
    for (let i = 0; i < index.length; i += 2) indexed.set(index[i]!.slice(17), Number(index[i + 1]))
    expect(indexed).toEqual(
      new Map(jobs.filter((stored) => stored.state === "pending").map((stored) => [stored.id, Number(stored.runAt)]))
    )
    return byName
  })

const countsOf = (byName: ReadonlyArray<NameCounts>, name: string) => byName.find((entry) => entry.name === name)?.counts

describe("redis driver: counters and the pending index", () => {
  it.scoped("match the records after push, claim, complete, fail, retry, release, cancel, prune and remove", () =>
    Effect.gen(function*() {
      const test = yield* setup
      const { driver } = test
      const ids = (yield* driver.push({
        jobs: [
          job("A"),
          job("A"),
          job("A", { uniqueKey: "u1" }),
          job("B"),
          job("B", { runAt: 500 }),
          job("C", { runAt: 1_000 })
        ],
        now: 0
      })).map((result) => result.id)
      let byName = yield* expectConsistent(test, 0)
      expect(countsOf(byName, "B")).toEqual({ pending: 2, delayed: 1, active: 0, completed: 0, failed: 0, cancelled: 0 })

      yield* driver.claim({ names: ["A", "B"], limit: 4, owner: "w", leaseMs: 10_000, now: 1 })
      yield* expectConsistent(test, 1)
      yield* driver.finish({
        outcomes: [
          { _tag: "Completed", id: ids[0]!, owner: "w" },
          { _tag: "Failed", id: ids[1]!, owner: "w", error: "no" },
          { _tag: "Retry", id: ids[2]!, owner: "w", error: "again", runAt: 800 },
          { _tag: "Released", id: ids[3]!, owner: "w" }
        ],
        now: 2,
        removeOnComplete: false
      })
      byName = yield* expectConsistent(test, 2)
      expect(countsOf(byName, "A")).toEqual({ pending: 1, delayed: 1, active: 0, completed: 1, failed: 1, cancelled: 0 })

      // A claim that carries outcomes, one of them completed without being kept.
      const claimed = yield* driver.claim({ names: ["B"], limit: 1, owner: "w", leaseMs: 10_000, now: 3 })
      expect(claimed.jobs.map((claimedJob) => claimedJob.id)).toEqual([ids[3]])
      yield* driver.claim({
        names: ["A", "B", "C"],
        limit: 10,
        owner: "w",
        leaseMs: 10_000,
        now: 900,
        finishing: { outcomes: [{ _tag: "Completed", id: ids[3]!, owner: "w" }], removeOnComplete: true }
      })
      yield* expectConsistent(test, 900)

      expect(yield* driver.cancel({ id: ids[2]!, now: 901 })).toBe("cancelled")
      expect(yield* driver.cancel({ id: ids[5]!, now: 902 })).toBe("cancelled")
      yield* expectConsistent(test, 902)
      expect(yield* driver.retry({ id: ids[1]!, now: 903 })).toBe(true)
      expect(yield* driver.retry({ id: ids[5]!, now: 903 })).toBe(true)
      yield* expectConsistent(test, 903)

      expect(yield* driver.prune({ state: "completed", finishedBefore: 1_000, limit: 10 })).toBe(1)
      expect(yield* driver.prune({ state: "cancelled", keepNewest: 0, limit: 10 })).toBe(1)
      yield* expectConsistent(test, 903)
      expect(yield* driver.remove({ ids: [ids[1]!, ids[4]!, ids[5]!, "missing"] })).toEqual([
        "removed",
        "active",
        "removed",
        "not-found"
      ])
      byName = yield* expectConsistent(test, 903)
      expect(byName.map((entry) => entry.name)).toEqual(["B"])
    }))

  it.scoped("match the records after lease expiry, bulk changes and a schedule slot", () =>
    Effect.gen(function*() {
      const test = yield* setup
      const { driver } = test
      yield* driver.push({ jobs: Array.from({ length: 5 }, () => job("A")), now: 0 })
      yield* driver.claim({ names: ["A"], limit: 5, owner: "w", leaseMs: 100, now: 0 })
      yield* expectConsistent(test, 0)
      // The next claim recovers the expired leases (back to pending) and takes two of them again.
      const again = yield* driver.claim({ names: ["A"], limit: 2, owner: "w2", leaseMs: 100, now: 200 })
      expect(again.jobs.length).toBe(2)
      yield* expectConsistent(test, 200)

      const cancelled = yield* driver.cancelAll({ filter: { state: "pending" }, limit: 10, now: 201 })
      expect(cancelled).toEqual({ changed: 3, next: undefined })
      yield* expectConsistent(test, 201)
      expect((yield* driver.cancelAll({ filter: { state: "active" }, limit: 10, now: 202 })).changed).toBe(2)
      yield* expectConsistent(test, 202)
      expect((yield* driver.retryAll({ filter: { state: "cancelled" }, limit: 4, now: 203 })).changed).toBe(4)
      yield* expectConsistent(test, 203)

      expect(
        yield* driver.pushScheduled({ schedule: "s", slot: 60_000, job: job("S", { id: "slot-1", runAt: 60_000 }), now: 204 })
      ).toBe(true)
      const byName = yield* expectConsistent(test, 204)
      expect(countsOf(byName, "S")).toEqual({ pending: 1, delayed: 1, active: 0, completed: 0, failed: 0, cancelled: 0 })
    }))

  it.scoped("match the records when damaged records are failed on the way", () =>
    Effect.gen(function*() {
      const test = yield* setup
      const { admin, base, driver } = test
      const ids = (yield* driver.push({
        jobs: [job("A"), job("A"), job("A", { runAt: 100 }), job("A"), job("A"), job("A")],
        now: 0
      })).map((result) => result.id)
      const key = (id: string) => `${base}${keyNames.job}${id}`
      yield* Effect.promise(() =>
        admin.multi()
          .hset(key(ids[0]!), "attempts", "abc")
          .hset(key(ids[2]!), "priority", "high")
          .hdel(key(ids[4]!), "name")
          .hset(key(ids[5]!), "state", "bogus")
          .exec()
      )
      const claimed = yield* driver.claim({ names: ["A"], limit: 10, owner: "w", leaseMs: 1_000, now: 200 })
      expect(claimed.jobs.map((claimedJob) => claimedJob.id)).toEqual([ids[1], ids[3]])
      // The job that lost its name is failed under the name its record now has: none.
      const byName = yield* expectConsistent(test, 200)
      expect(countsOf(byName, "A")).toEqual({ pending: 0, delayed: 0, active: 2, completed: 0, failed: 3, cancelled: 0 })
      expect(countsOf(byName, "")).toEqual({ pending: 0, delayed: 0, active: 0, completed: 0, failed: 1, cancelled: 0 })
    }))
})

describe("redis driver: delayed jobs per name", () => {
  const delayedJobs = (runAts: ReadonlyArray<number>, name: string) => runAts.map((runAt) => job(name, { runAt }))

  it.scoped("are counted whether the due or the future part of the delayed set is the smaller", () =>
    Effect.gen(function*() {
      const test = yield* setup
      yield* test.driver.push({
        jobs: [
          ...delayedJobs([100, 200, 300, 400, 500], "A"),
          ...delayedJobs([150, 250, 600], "B"),
          job("B")
        ],
        now: 0
      })
      // No claim has moved the due ones: they still sit in the delayed set.
      for (const now of [0, 120, 260, 450, 550, 700]) yield* expectConsistent(test, now)
      const late = yield* test.driver.countsByName({ now: 260 })
      expect(countsOf(late, "A")).toMatchObject({ pending: 5, delayed: 3 })
      expect(countsOf(late, "B")).toMatchObject({ pending: 4, delayed: 1 })
    }))
})

/** Every page of a listing, joined, with the number of calls it took. */
const listAll = (driver: JobDriverShape, filter: JobFilter, order: ListOrder, limit: number) =>
  Effect.gen(function*() {
    const ids: Array<string> = []
    let after: string | undefined
    let calls = 0
    do {
      const page = yield* driver.list({ filter, order, limit, after })
      expect(page.jobs.length).toBeLessThanOrEqual(limit)
      ids.push(...page.jobs.map((listed) => listed.id))
      after = page.next
      calls++
    } while (after !== undefined && calls < 100)
    return ids
  })

describe("redis driver: listing", () => {
  it.scoped("pages agree with matchesFilter in every order, range and page size", () =>
    Effect.gen(function*() {
      const { driver } = yield* setup
      // Run times repeat, so ties are ordered by push order (pending) or id (failed).
      const pushed = (yield* driver.push({
        jobs: Array.from({ length: 40 }, (_, n) =>
          job(n % 3 === 0 ? "A" : "B", { runAt: 100 * (n % 7), payload: JSON.stringify({ n }) })),
        now: 0
      })).map((result) => result.id)
      const claimed = yield* driver.claim({ names: ["A"], limit: 100, owner: "w", leaseMs: 10_000, now: 0 })
      yield* driver.finish({
        outcomes: claimed.jobs.map((claimedJob) => ({ _tag: "Failed" as const, id: claimedJob.id, owner: "w", error: "x" })),
        now: 50,
        removeOnComplete: false
      })
      const records = yield* Effect.forEach(pushed, (id) => Effect.map(driver.get({ id }), Option.getOrThrow))
      const rank = new Map(pushed.map((id, n) => [id, n]))
      const ascending = (a: JobRecord, b: JobRecord) =>
        stateTime(a) - stateTime(b) ||
        (a.state === "pending" ? rank.get(a.id)! - rank.get(b.id)! : a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
      const filters: Array<JobFilter> = []
      for (const state of ["pending", "failed"] as const) {
        for (const [from, to] of [[undefined, undefined], [200, undefined], [undefined, 400], [100, 500], [300, 300]]) {
          filters.push({ state, from, to })
        }
        filters.push({ state, names: ["B"], from: 100 }, { state, search: "\"n\":1" })
      }
      for (const filter of filters) {
        const expected = records.filter((record) => matchesFilter(record, filter)).sort(ascending).map((record) => record.id)
        for (const limit of [1, 3, 50]) {
          expect(yield* listAll(driver, filter, "oldest", limit), JSON.stringify(filter)).toEqual(expected)
          expect(yield* listAll(driver, filter, "newest", limit), JSON.stringify(filter)).toEqual([...expected].reverse())
        }
      }
    }))
})

describe("redis driver: cursors", () => {
  it.scoped("refuses a cursor of the right listing that holds no position of this driver", () =>
    Effect.gen(function*() {
      const { driver } = yield* setup
      for (const key of [["x"], [1], [1, 2], ["1", "m"], [1, ""]]) {
        const error = yield* Effect.flip(
          driver.list({ filter: { state: "failed" }, order: "oldest", limit: 5, after: encodeCursor("failed oldest", key) })
        )
        expect(error._tag).toBe("InvalidCursor")
        expect(error.message).toMatch(/^Invalid cursor .* for failed oldest: it holds no position of this driver$/)
      }
    }))

  it.scoped("continues after the position even when the job there has gone", () =>
    Effect.gen(function*() {
      const { driver } = yield* setup
      const ids = (yield* driver.push({ jobs: Array.from({ length: 6 }, () => job("A", { runAt: 50 })), now: 0 }))
        .map((result) => result.id)
      const first = yield* driver.list({ filter: { state: "pending" }, order: "oldest", limit: 2 })
      expect(first.jobs.map((listed) => listed.id)).toEqual(ids.slice(0, 2))
      yield* driver.remove({ ids: [ids[1]!] })
      const second = yield* driver.list({ filter: { state: "pending" }, order: "oldest", limit: 2, after: first.next })
      expect(second.jobs.map((listed) => listed.id)).toEqual(ids.slice(2, 4))
      const back = yield* driver.list({ filter: { state: "pending" }, order: "newest", limit: 10 })
      expect(back.jobs.map((listed) => listed.id)).toEqual([ids[5], ids[4], ids[3], ids[2], ids[0]])
      expect(back.next).toBeUndefined()
    }))
})

describe("redis driver: schedules and instances", () => {
  it.scoped("a removed schedule takes no slot and keeps its last one; registering it again ends the removal", () =>
    Effect.gen(function*() {
      const { driver } = yield* setup
      const slot = (at: number) =>
        driver.pushScheduled({ schedule: "every:minute", slot: at, job: job("S", { id: `s-${at}`, runAt: at }), now: at })
      expect(yield* slot(60_000)).toBe(true)
      expect(yield* driver.removeSchedule({ schedule: "every:minute" })).toBe(true)
      expect(yield* driver.removeSchedule({ schedule: "every:minute" })).toBe(false)
      expect(yield* slot(120_000)).toBe(false)
      expect(yield* driver.schedules).toEqual([])
      yield* driver.registerSchedule({ schedule: "every:minute", cron: "* * * * *", timeZone: "Europe/Paris", name: "S", now: 130_000 })
      expect(yield* slot(60_000)).toBe(false)
      expect(yield* slot(180_000)).toBe(true)
      expect(yield* driver.schedules).toEqual([{
        schedule: "every:minute",
        cron: "* * * * *",
        timeZone: "Europe/Paris",
        name: "S",
        lastSlot: 180_000,
        lastPushedAt: 180_000,
        registeredAt: 130_000
      }])
    }))

  it.scoped("lapsed instance records are deleted when the instances are read", () =>
    Effect.gen(function*() {
      const { admin, base, driver } = yield* setup
      const instance = (id: string, expiresAt: number) => ({
        id,
        host: "h",
        pid: 1,
        names: ["A"],
        concurrency: 1,
        running: [],
        startedAt: 0,
        lastSeenAt: 0,
        expiresAt
      })
      yield* driver.heartbeat({ instance: instance("b", 200) })
      yield* driver.heartbeat({ instance: instance("a", 100) })
      expect((yield* driver.instances({ now: 50 })).map((record) => record.id)).toEqual(["a", "b"])
      expect((yield* driver.instances({ now: 100 })).map((record) => record.id)).toEqual(["b"])
      expect(yield* Effect.promise(() => admin.hkeys(`${base}${keyNames.instances}`))).toEqual(["b"])
      expect(yield* Effect.promise(() => admin.zrange(`${base}${keyNames.instanceExpiry}`, 0, -1))).toEqual(["b"])
      yield* driver.removeInstance({ id: "b" })
      yield* driver.removeInstance({ id: "b" })
      expect(yield* driver.instances({ now: 0 })).toEqual([])
    }))
})
