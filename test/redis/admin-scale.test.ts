/**
 * The Redis driver's operating side on a big store: a call examines a bounded number of index entries and
 * returns a short page with a cursor when that runs out, listing one state stays fast next to a large other
 * one, and no key name is made from a schedule key, an instance id or a job name beyond the existing ready
 * sets.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { Redis } from "ioredis"
import { JobDriver, type JobDriverShape, type NewJob } from "effect-jobs/driver"
import { keyBase, keyNames } from "../../drivers/redis/internal/keys.js"
import { redisTestDriver, redisUrl, uniquePrefix } from "../support/redis.js"

const job = (name: string, extra: Partial<NewJob> = {}): NewJob => ({ name, payload: "{}", priority: 0, runAt: 0, ...extra })

/** The most index entries one call examines (see includes/scan.lua). */
const SCAN_BUDGET = 2_000

const setup = Effect.gen(function*() {
  const prefix = uniquePrefix("admin-scale")
  const driver = Context.get(yield* Layer.build(redisTestDriver(prefix)), JobDriver)
  const admin = yield* Effect.acquireRelease(
    Effect.sync(() => new Redis(redisUrl)),
    (client) => Effect.sync(() => client.disconnect())
  )
  return { driver, admin, base: keyBase(prefix) }
})

/** Pushes `count` jobs made by `make` in batches of 1,000. */
const pushMany = (driver: JobDriverShape, count: number, make: (n: number) => NewJob) =>
  Effect.gen(function*() {
    for (let first = 0; first < count; first += 1_000) {
      const jobs = Array.from({ length: Math.min(1_000, count - first) }, (_, i) => make(first + i))
      yield* driver.push({ jobs, now: 0 })
    }
  })

describe("redis driver: bounded work per call", () => {
  it.scoped("a listing that finds few matches returns short pages with a cursor, and every match in the end", () =>
    Effect.gen(function*() {
      const { driver } = yield* setup
      yield* pushMany(driver, 5_000, (n) => job("A", { runAt: n }))
      yield* driver.push({ jobs: [job("B", { id: "b-last", runAt: 9_000 })], now: 0 })

      const pages: Array<ReadonlyArray<string>> = []
      let after: string | undefined
      do {
        const page = yield* driver.list({ filter: { state: "pending", names: ["B"] }, order: "oldest", limit: 10, after })
        pages.push(page.jobs.map((listed) => listed.id))
        after = page.next
      } while (after !== undefined && pages.length < 10)
      // 5,001 entries at most SCAN_BUDGET per call: two empty pages, then the match.
      expect(pages).toEqual([[], [], ["b-last"]])
      expect(pages.length).toBe(Math.ceil(5_001 / SCAN_BUDGET))
    }))

  it.scoped("a bulk change examines a bounded number of entries per call and continues from its cursor", () =>
    Effect.gen(function*() {
      const { driver } = yield* setup
      yield* pushMany(driver, 4_500, (n) => job(n % 1_000 === 999 ? "B" : "A", { runAt: n }))
      const calls: Array<number> = []
      let after: string | undefined
      do {
        const result = yield* driver.cancelAll({ filter: { state: "pending", names: ["B"] }, limit: 2, after, now: 1 })
        calls.push(result.changed)
        after = result.next
      } while (after !== undefined && calls.length < 10)
      // B sits at 999, 1999, 2999 and 3999: each call examines 2,000 entries and changes the two it meets; the
      // third finds none in the last 500 and ends the walk.
      expect(calls).toEqual([2, 2, 0])
      expect((yield* driver.countsByName({ now: 1 })).map((entry) => [entry.name, entry.counts.cancelled])).toEqual([
        ["A", 0],
        ["B", 4]
      ])
    }))
})

describe("redis driver: listing next to a big state", () => {
  // How fast these reads are next to 200,000 completed jobs is measured by bench/admin.ts, not asserted here.
  it.scoped("lists failed jobs next to 20,000 completed ones, and pages deep into them from cursors", () =>
    Effect.gen(function*() {
      const { admin, base, driver } = yield* setup
      // The completed jobs are written directly, 10,000 per script call, so the server is never held long.
      for (let first = 0; first < 20_000; first += 10_000) {
        yield* Effect.promise(() =>
          admin.eval(
            `for i = tonumber(ARGV[1]), tonumber(ARGV[1]) + 9999 do
              local id = "c" .. i
              redis.call("HSET", KEYS[1] .. id, "name", "A", "payload", "{}", "state", "completed", "priority", 0,
                "runAt", i, "attempts", 1, "createdAt", i, "startedAt", i, "finishedAt", i)
              redis.call("ZADD", KEYS[2], i, id)
            end`,
            2,
            `${base}${keyNames.job}`,
            `${base}completed`,
            first
          )
        )
      }
      const failedIds = (yield* driver.push({ jobs: Array.from({ length: 100 }, () => job("F")), now: 0 }))
        .map((result) => result.id)
      yield* driver.claim({ names: ["F"], limit: 100, owner: "w", leaseMs: 60_000, now: 1 })
      yield* driver.finish({
        outcomes: failedIds.map((id) => ({ _tag: "Failed" as const, id, owner: "w", error: "no" })),
        now: 2,
        removeOnComplete: false
      })

      const failedPage = yield* driver.list({ filter: { state: "failed" }, order: "newest", limit: 50 })
      expect(failedPage.jobs.length).toBe(50)
      expect(failedPage.jobs.every((stored) => stored.state === "failed")).toBe(true)

      // A page deep into the completed jobs starts from its cursor, not by skipping what came before.
      const deep = yield* driver.list({ filter: { state: "completed", to: 10_000 }, order: "newest", limit: 50 })
      expect(deep.jobs[0]!.id).toBe("c9999")
      const deeper = yield* driver.list({
        filter: { state: "completed", to: 10_000 },
        order: "newest",
        limit: 50,
        after: deep.next
      })
      expect(deeper.jobs.map((stored) => stored.id).slice(0, 2)).toEqual(["c9949", "c9948"])
      const byName = yield* driver.countsByName({ now: 3 })
      expect(byName.find((entry) => entry.name === "F")?.counts.failed).toBe(100)
    }), 60_000)
})

describe("redis driver: key names", () => {
  it.scoped("holds schedule keys, instance ids and job names as data, never in a key name", () =>
    Effect.gen(function*() {
      const { admin, base, driver } = yield* setup
      const odd = "odd}:{text"
      yield* driver.push({ jobs: [job("Name"), job("Name", { runAt: 100 })], now: 0 })
      yield* driver.registerSchedule({ schedule: `schedule ${odd}`, cron: "* * * * *", timeZone: undefined, name: "Name", now: 0 })
      yield* driver.pushScheduled({ schedule: `schedule ${odd}`, slot: 60_000, job: job("Name", { id: "slot", runAt: 60_000 }), now: 0 })
      yield* driver.heartbeat({
        instance: {
          id: `instance ${odd}`,
          host: "h",
          pid: 1,
          names: ["Name"],
          concurrency: 1,
          running: [],
          startedAt: 0,
          lastSeenAt: 0,
          expiresAt: 1_000
        }
      })
      yield* driver.claim({ names: ["Name"], limit: 1, owner: "w", leaseMs: 1_000, now: 0 })
      yield* driver.cancelAll({ filter: { state: "active" }, limit: 10, now: 1 })
      yield* driver.countsByName({ now: 1 })

      const keys = yield* Effect.promise(() => admin.keys(`${base}*`))
      const fixed = new Set(Object.values(keyNames).map((name) => `${base}${name}`))
      for (const key of keys) {
        expect(key.includes("odd"), key).toBe(false)
        const known = fixed.has(key) || key.startsWith(`${base}${keyNames.job}`) ||
          key === `${base}${keyNames.ready}Name` || ["completed", "failed", "cancelled"].includes(key.slice(base.length))
        expect(known, key).toBe(true)
      }
      expect(keys).toContain(`${base}${keyNames.counts}`)
      expect(keys).toContain(`${base}${keyNames.pending}`)
      expect(keys).toContain(`${base}${keyNames.scheduleInfo}`)
      expect(keys).toContain(`${base}${keyNames.instances}`)
    }))
})
