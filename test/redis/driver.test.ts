/**
 * The Redis driver through the port, for what the conformance suite does not see: the key layout, claims
 * across several names, `nextRunAt`, scripts called by SHA, and retention at the driver level.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option } from "effect"
import { Redis } from "ioredis"
import { JobDriver, type NewJob } from "../../src/JobDriver.js"
import { jobKey, keyBase } from "../../drivers/redis/internal/keys.js"
import { redisTestDriver, redisUrl, uniquePrefix } from "../support/redis.js"

const job = (name: string, extra: Partial<NewJob> = {}): NewJob => ({ name, payload: "{}", priority: 0, runAt: 0, ...extra })

const setup = Effect.gen(function*() {
  const prefix = uniquePrefix("driver")
  const driver = Context.get(yield* Layer.build(redisTestDriver(prefix)), JobDriver)
  const admin = yield* Effect.acquireRelease(
    Effect.sync(() => new Redis(redisUrl)),
    (client) => Effect.sync(() => client.disconnect())
  )
  /** Every key whose name mentions the prefix. */
  const keys = Effect.promise(async () => {
    const found: Array<string> = []
    let cursor = "0"
    do {
      const [next, batch] = await admin.scan(cursor, "MATCH", `*${prefix}*`, "COUNT", 1000)
      cursor = next
      found.push(...batch)
    } while (cursor !== "0")
    return found.sort()
  })
  return { driver, admin, prefix, keys }
})

describe("redis driver: through the port", () => {
  it.scoped("a command Redis refuses fails with a DriverError whose cause is the ReplyError, its code readable", () =>
    Effect.gen(function*() {
      const { admin, driver, prefix } = yield* setup
      yield* Effect.promise(() => admin.set(jobKey(keyBase(prefix), "not-a-hash"), "x"))
      const error = yield* Effect.flip(driver.get({ id: "not-a-hash" }))
      expect(error).toMatchObject({ _tag: "DriverError", driver: "redis", operation: "get" })
      expect(error.message).toMatch(/^WRONGTYPE /)
      expect(error.cause).toMatchObject({ name: "ReplyError", message: error.message })
    }))

  it.scoped("keeps every key of a queue under one {prefix} hash tag", () =>
    Effect.gen(function*() {
      const { driver, keys, prefix } = yield* setup
      const [a, b, c] = (yield* driver.push({
        jobs: [
          job("A", { uniqueKey: "u" }),
          job("B", { runAt: 1_000 }),
          job("C")
        ],
        now: 0
      })).map((result) => result.id)
      const claimed = yield* driver.claim({ names: ["A", "C"], limit: 2, owner: "w", leaseMs: 100, now: 0 })
      expect(claimed.jobs.map((claimedJob) => claimedJob.id)).toEqual([a, c])
      yield* driver.finish({
        outcomes: [
          { _tag: "Completed", id: a!, owner: "w" },
          { _tag: "Failed", id: c!, owner: "w", error: "no" }
        ],
        now: 1,
        removeOnComplete: false
      })
      yield* driver.cancel({ id: b!, now: 2 })
      yield* driver.pause
      const found = yield* keys
      expect(found.length).toBeGreaterThan(5)
      for (const key of found) expect(key.startsWith(`{${prefix}}:`)).toBe(true)
    }))

  it.scoped("claims the best jobs across several names' ready sets and reports the next due time", () =>
    Effect.gen(function*() {
      const { driver } = yield* setup
      const ids = (yield* driver.push({
        jobs: [
          job("A", { priority: 0, runAt: 5 }),
          job("B", { priority: 5, runAt: 9 }),
          job("A", { priority: 5, runAt: 3 }),
          job("B", { priority: 0, runAt: 5 }),
          job("C", { priority: 100 }),
          job("A", { runAt: 500 }),
          job("B", { priority: 1000, runAt: 300 })
        ],
        now: 0
      })).map((result) => result.id)
      const first = yield* driver.claim({ names: ["A", "B"], limit: 3, owner: "w", leaseMs: 1_000, now: 10 })
      // Priority 5 first (earlier runAt wins), then priority 0 in runAt and push order; C is not asked for.
      expect(first.jobs.map((claimed) => claimed.id)).toEqual([ids[2], ids[1], ids[0]])
      expect(first.nextRunAt).toBeUndefined()
      const second = yield* driver.claim({ names: ["A", "B"], limit: 3, owner: "w", leaseMs: 1_000, now: 10 })
      expect(second.jobs.map((claimed) => claimed.id)).toEqual([ids[3]])
      // The earliest delayed job (B at 300) comes before any lease expiry (1010).
      expect(second.nextRunAt).toBe(300)
      const third = yield* driver.claim({ names: ["A", "B"], limit: 3, owner: "w", leaseMs: 1_000, now: 300 })
      expect(third.jobs.map((claimed) => claimed.id)).toEqual([ids[6]])
      expect(third.nextRunAt).toBe(500)
    }))

  it.scoped("calls its scripts by SHA and reloads them when the server lost them", () =>
    Effect.gen(function*() {
      const { admin, driver } = yield* setup
      yield* driver.push({ jobs: [job("A")], now: 0 })
      yield* Effect.promise(() => admin.script("FLUSH"))
      const claimed = yield* driver.claim({ names: ["A"], limit: 1, owner: "w", leaseMs: 100, now: 0 })
      expect(claimed.jobs.length).toBe(1)
    }))

  it.scoped("removeOnComplete leaves nothing behind; prune trims finished jobs oldest first in bounded batches", () =>
    Effect.gen(function*() {
      const { driver, keys, prefix } = yield* setup
      const uniqueJobs = Array.from({ length: 6 }, (_, n) => job("A", { uniqueKey: `k${n}` }))
      const [removed, ...kept] = (yield* driver.push({ jobs: uniqueJobs, now: 0 }))
        .map((result) => result.id)
      yield* driver.claim({ names: ["A"], limit: 6, owner: "w", leaseMs: 1_000, now: 0 })
      yield* driver.finish({ outcomes: [{ _tag: "Completed", id: removed!, owner: "w" }], now: 1, removeOnComplete: true })
      expect(Option.isNone(yield* driver.get({ id: removed! }))).toBe(true)
      expect((yield* keys).filter((key) => key.endsWith(`:job:${removed}`))).toEqual([])
      // Its unique key is free again.
      const again = yield* driver.push({ jobs: [job("A", { uniqueKey: "k0" })], now: 2 })
      expect(again[0]!.inserted).toBe(true)

      for (const [n, id] of kept.entries()) {
        yield* driver.finish({ outcomes: [{ _tag: "Completed", id: id!, owner: "w" }], now: 10 + n, removeOnComplete: false })
      }
      expect((yield* driver.counts({ now: 20 })).completed).toBe(5)
      expect(yield* driver.prune({ state: "completed", finishedBefore: 14, limit: 3 })).toBe(3)
      expect(Option.isNone(yield* driver.get({ id: kept[0]! }))).toBe(true)
      expect(Option.isSome(yield* driver.get({ id: kept[3]! }))).toBe(true)
      expect(yield* driver.prune({ state: "completed", finishedBefore: 14, limit: 3 })).toBe(1)
      expect(yield* driver.prune({ state: "completed", finishedBefore: 14, limit: 3 })).toBe(0)
      expect((yield* driver.counts({ now: 20 })).completed).toBe(1)
      expect((yield* keys).filter((key) => key.startsWith(`{${prefix}}:job:`)).length).toBe(2)
    }))
})
