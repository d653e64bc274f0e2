/**
 * The Redis driver's scripts against job records damaged behind their back (missing fields, garbage values,
 * a key of the wrong type): the damaged job is failed with a readable reason, the healthy ones go on, and
 * no script aborts half-way through a batch.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option } from "effect"
import { Redis } from "ioredis"
import { JobDriver, type JobDriverShape, type NewJob } from "../../src/JobDriver.js"
import { redisTestDriver, redisUrl, uniquePrefix } from "../support/redis.js"

const job = (name: string, extra: Partial<NewJob> = {}): NewJob => ({ name, payload: "{}", priority: 0, runAt: 0, ...extra })

/** A fresh driver and an admin connection to damage its keys; both go away with the scope. */
const setup = Effect.gen(function*() {
  const prefix = uniquePrefix("damaged")
  const driver = Context.get(yield* Layer.build(redisTestDriver(prefix)), JobDriver)
  const admin = yield* Effect.acquireRelease(
    Effect.sync(() => new Redis(redisUrl)),
    (client) => Effect.sync(() => client.disconnect())
  )
  const key = (id: string) => `{${prefix}}:job:${id}`
  return { driver, admin, key }
})

const lastError = (driver: JobDriverShape, id: string) =>
  driver.get({ id }).pipe(Effect.map((record) => {
    const value = Option.getOrThrow(record)
    return { state: value.state, lastError: value.lastError }
  }))

describe("redis driver: damaged job records", () => {
  it.scoped("claim fails damaged ready jobs with the reason and hands out the healthy ones", () =>
    Effect.gen(function*() {
      const { admin, driver, key } = yield* setup
      const pushed = yield* driver.push({ jobs: Array.from({ length: 7 }, () => job("A")), now: 0 })
      const [badAttempts, notAHash, noName, badState, badMaxAttempts, ...healthy] = pushed.map((result) => result.id)
      yield* Effect.promise(() =>
        admin.multi()
          .hset(key(badAttempts!), "attempts", "abc")
          .del(key(notAHash!)).set(key(notAHash!), "garbage")
          .hdel(key(noName!), "name")
          .hset(key(badState!), "state", "bogus")
          .hset(key(badMaxAttempts!), "maxAttempts", "-3")
          .exec()
      )

      const claim = yield* driver.claim({ names: ["A"], limit: 10, owner: "w1", leaseMs: 1_000, now: 10 })
      expect(claim.jobs.map((claimed) => claimed.id)).toEqual(healthy)

      expect(yield* lastError(driver, badAttempts!)).toEqual({
        state: "failed",
        lastError: "Corrupted job record: attempts abc is not a count"
      })
      expect((yield* lastError(driver, noName!)).lastError).toBe("Corrupted job record: it has no name")
      expect((yield* lastError(driver, badState!)).lastError).toBe("Corrupted job record: unknown state bogus")
      expect((yield* lastError(driver, badMaxAttempts!)).lastError).toBe(
        "Corrupted job record: maxAttempts -3 is not a positive integer"
      )
      // The key of the wrong type is not a job record: it is left alone and out of every set.
      expect(yield* Effect.promise(() => admin.get(key(notAHash!)))).toBe("garbage")
      const counts = yield* driver.counts({ now: 10 })
      expect(counts).toMatchObject({ pending: 0, active: 2, failed: 4 })
      // Nothing damaged is handed out on a later claim either.
      expect((yield* driver.claim({ names: ["A"], limit: 10, owner: "w1", leaseMs: 1_000, now: 20 })).jobs).toEqual([])
    }))

  it.scoped("damaged delayed jobs and expired leases are failed on recovery; a full claim still works", () =>
    Effect.gen(function*() {
      const { admin, driver, key } = yield* setup
      const [delayed, healthyDelayed] = (yield* driver.push({ jobs: [job("B", { runAt: 100 }), job("B", { runAt: 100 })], now: 0 }))
        .map((result) => result.id)
      const [leased, healthyLeased] = (yield* driver.push({ jobs: [job("B"), job("B")], now: 0 })).map((result) => result.id)
      const first = yield* driver.claim({ names: ["B"], limit: 2, owner: "w1", leaseMs: 50, now: 0 })
      expect(first.jobs.map((claimed) => claimed.id)).toEqual([leased, healthyLeased])
      yield* Effect.promise(() =>
        admin.multi()
          .hset(key(delayed!), "priority", "high")
          .hdel(key(leased!), "member")
          .exec()
      )

      // At 200 the delayed jobs are due and the leases (expiring at 50) have lapsed.
      const second = yield* driver.claim({ names: ["B"], limit: 10, owner: "w2", leaseMs: 1_000, now: 200 })
      expect(second.jobs.map((claimed) => [claimed.id, claimed.attempt])).toEqual([[healthyLeased, 2], [healthyDelayed, 1]])
      expect((yield* lastError(driver, delayed!)).lastError).toBe(
        "Corrupted job record: priority high is not an integer in [-1000, 1000]"
      )
      expect((yield* lastError(driver, leased!)).lastError).toBe(
        "Corrupted job record: its queue position (member) is missing"
      )
    }))

  it.scoped("finish, renew, cancel and retry skip a damaged record and apply the rest of the batch", () =>
    Effect.gen(function*() {
      const { admin, driver, key } = yield* setup
      const ids = (yield* driver.push({ jobs: [job("C"), job("C"), job("C")], now: 0 })).map((result) => result.id)
      const [broken, completed, retried] = ids
      yield* driver.claim({ names: ["C"], limit: 3, owner: "w1", leaseMs: 1_000, now: 0 })
      yield* Effect.promise(() => admin.multi().del(key(broken!)).set(key(broken!), "garbage").exec())

      expect(yield* driver.renew({ ids, owner: "w1", leaseMs: 1_000, now: 10 })).toEqual([broken])
      const lost = yield* driver.finish({
        outcomes: [
          { _tag: "Completed", id: broken!, owner: "w1" },
          { _tag: "Completed", id: completed!, owner: "w1" },
          { _tag: "Retry", id: retried!, owner: "w1", error: "boom", runAt: 20 }
        ],
        now: 10,
        removeOnComplete: false
      })
      expect(lost).toEqual([broken])
      expect((yield* lastError(driver, completed!)).state).toBe("completed")
      expect(yield* lastError(driver, retried!)).toEqual({ state: "pending", lastError: "boom" })
      expect(yield* driver.cancel({ id: broken!, now: 10 })).toBe("not-found")
      expect(yield* driver.retry({ id: broken!, now: 10 })).toBe(false)

      // A retried job whose record was damaged meanwhile is failed with the reason, not queued.
      yield* driver.cancel({ id: retried!, now: 30 })
      yield* Effect.promise(() => admin.hset(key(retried!), "priority", "1.5"))
      expect(yield* driver.retry({ id: retried!, now: 40 })).toBe(false)
      expect(yield* lastError(driver, retried!)).toEqual({
        state: "failed",
        lastError: "Corrupted job record: priority 1.5 is not an integer in [-1000, 1000]"
      })
    }))
})
