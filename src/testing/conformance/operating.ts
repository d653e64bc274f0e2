/**
 * Conformance: the records an operator reads besides jobs. Schedules (definitions registered by instances, the
 * last slot pushed, removal) and instances (heartbeats that lapse).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import type { InstanceRecord, JobDriverShape, ScheduleRecord, ScheduledPush } from "../../index.js"
import { buildDriver, type MakeDriverLayer } from "./harness.js"
import { t0 } from "./staging.js"

const minute = 60_000
const hourLater = 60 * minute

/** A schedule record with every field spelled out, so drivers that leave unknown fields out compare equal. */
const scheduleView = (record: ScheduleRecord): ScheduleRecord => ({
  schedule: record.schedule,
  cron: record.cron,
  timeZone: record.timeZone,
  name: record.name,
  lastSlot: record.lastSlot,
  lastPushedAt: record.lastPushedAt,
  registeredAt: record.registeredAt
})

const schedulesOf = (driver: JobDriverShape) =>
  driver.schedules.pipe(Effect.orDie, Effect.map((records) => records.map(scheduleView)))

const unknownSchedule = { cron: undefined, timeZone: undefined, name: undefined, registeredAt: undefined }

const slotId = (key: string, slot: number) => `schedule:${key}:${slot}`

/** The push of one slot of `key`, at `now`. */
const slot = (key: string, at: number, now = at): ScheduledPush => ({
  schedule: key,
  slot: at,
  job: { id: slotId(key, at), name: "Tick", payload: JSON.stringify({ slot: at }), priority: 0, runAt: at },
  now
})

const exists = (driver: JobDriverShape, id: string) =>
  driver.get({ id }).pipe(Effect.orDie, Effect.map(Option.isSome))

const instance = (id: string, expiresAt: number, overrides: Partial<InstanceRecord> = {}): InstanceRecord => ({
  id,
  host: `host-${id}`,
  pid: 100,
  names: ["Greet", "Tick"],
  concurrency: 4,
  running: [],
  startedAt: t0,
  lastSeenAt: t0,
  expiresAt,
  ...overrides
})

/** An instance record with every field spelled out and its arrays copied. */
const instanceView = (record: InstanceRecord): InstanceRecord => ({
  id: record.id,
  host: record.host,
  pid: record.pid,
  names: [...record.names],
  concurrency: record.concurrency,
  running: [...record.running],
  startedAt: record.startedAt,
  lastSeenAt: record.lastSeenAt,
  expiresAt: record.expiresAt
})

const instancesAt = (driver: JobDriverShape, now: number) =>
  driver.instances({ now }).pipe(Effect.orDie, Effect.map((records) => records.map(instanceView)))

export const operatingCases = (makeDriver: MakeDriverLayer) =>
  describe("schedules and instances", () => {
    it.scoped("schedules lists registered and pushed-only keys by key, with definitions and last slots", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        assert.deepStrictEqual(yield* schedulesOf(driver), [])
        yield* driver.registerSchedule({ schedule: "beta", cron: "*/5 * * * *", timeZone: "Europe/Paris", name: "Tick", now: t0 })
        yield* driver.registerSchedule({ schedule: "alpha", cron: "@daily", timeZone: undefined, name: "Greet", now: t0 + 1 })
        assert.isTrue(yield* driver.pushScheduled(slot("alpha", t0 + minute, t0 + minute + 5)))
        // A key no instance registered is listed once a slot was pushed under it.
        assert.isTrue(yield* driver.pushScheduled(slot("gamma", t0 + 2 * minute)))
        const alpha = { schedule: "alpha", cron: "@daily", timeZone: undefined, name: "Greet", registeredAt: t0 + 1 }
        assert.deepStrictEqual(yield* schedulesOf(driver), [
          { ...alpha, lastSlot: t0 + minute, lastPushedAt: t0 + minute + 5 },
          {
            schedule: "beta",
            cron: "*/5 * * * *",
            timeZone: "Europe/Paris",
            name: "Tick",
            lastSlot: undefined,
            lastPushedAt: undefined,
            registeredAt: t0
          },
          { schedule: "gamma", ...unknownSchedule, lastSlot: t0 + 2 * minute, lastPushedAt: t0 + 2 * minute }
        ])
        // Registering again replaces the definition and keeps the last slot.
        yield* driver.registerSchedule({ schedule: "alpha", cron: "0 * * * *", timeZone: "UTC", name: "Tick", now: t0 + hourLater })
        yield* driver.registerSchedule({ schedule: "gamma", cron: "@hourly", timeZone: undefined, name: "Tick", now: t0 + hourLater })
        assert.deepStrictEqual((yield* schedulesOf(driver)).filter((record) => record.schedule !== "beta"), [
          {
            schedule: "alpha",
            cron: "0 * * * *",
            timeZone: "UTC",
            name: "Tick",
            lastSlot: t0 + minute,
            lastPushedAt: t0 + minute + 5,
            registeredAt: t0 + hourLater
          },
          {
            schedule: "gamma",
            cron: "@hourly",
            timeZone: undefined,
            name: "Tick",
            lastSlot: t0 + 2 * minute,
            lastPushedAt: t0 + 2 * minute,
            registeredAt: t0 + hourLater
          }
        ])
        assert.isFalse(yield* driver.pushScheduled(slot("alpha", t0 + minute, t0 + hourLater)))
      }))

    it.scoped("a removed schedule takes no slot until registered again, and never its old slots", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        const define = (now: number) =>
          driver.registerSchedule({ schedule: "report", cron: "* * * * *", timeZone: undefined, name: "Tick", now })
        yield* define(t0)
        assert.isTrue(yield* driver.pushScheduled(slot("report", t0 + minute)))
        assert.isTrue(yield* driver.removeSchedule({ schedule: "report" }))
        assert.deepStrictEqual(yield* schedulesOf(driver), [])
        // Refused and nothing written: no job, no slot recorded.
        assert.isFalse(yield* driver.pushScheduled(slot("report", t0 + 2 * minute)))
        assert.isFalse(yield* exists(driver, slotId("report", t0 + 2 * minute)))
        assert.isFalse(yield* driver.removeSchedule({ schedule: "report" }))
        assert.isFalse(yield* driver.removeSchedule({ schedule: "never-seen" }))
        assert.deepStrictEqual(yield* schedulesOf(driver), [])
        yield* define(t0 + 3 * minute)
        assert.isFalse(yield* driver.pushScheduled(slot("report", t0 + minute, t0 + 3 * minute)))
        assert.isTrue(yield* driver.pushScheduled(slot("report", t0 + 2 * minute, t0 + 3 * minute)))
        assert.isTrue(yield* exists(driver, slotId("report", t0 + 2 * minute)))
        assert.deepStrictEqual(yield* schedulesOf(driver), [{
          schedule: "report",
          cron: "* * * * *",
          timeZone: undefined,
          name: "Tick",
          lastSlot: t0 + 2 * minute,
          lastPushedAt: t0 + 3 * minute,
          registeredAt: t0 + 3 * minute
        }])
        // A key only ever pushed is removed the same way.
        assert.isTrue(yield* driver.pushScheduled(slot("adhoc", t0 + minute)))
        assert.isTrue(yield* driver.removeSchedule({ schedule: "adhoc" }))
        assert.isFalse(yield* driver.pushScheduled(slot("adhoc", t0 + 2 * minute)))
        assert.deepStrictEqual((yield* schedulesOf(driver)).map((record) => record.schedule), ["report"])
        const counts = yield* driver.counts({ now: t0 })
        assert.strictEqual(counts.pending, 3)
      }))

    it.scoped("heartbeats record live instances by id; lapsed and removed ones are not listed", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        assert.deepStrictEqual(yield* instancesAt(driver, t0), [])
        const b = instance("b", t0 + 30_000)
        const a = instance("a", t0 + 10_000, { running: ["job-1", "job-2"] })
        const c = instance("c", t0 + 20_000, { names: [], pid: 7 })
        for (const record of [b, a, c]) yield* driver.heartbeat({ instance: record })
        assert.deepStrictEqual(yield* instancesAt(driver, t0), [a, b, c])
        // A later heartbeat replaces the earlier record.
        const again = instance("a", t0 + 40_000, { lastSeenAt: t0 + 15_000, running: ["job-3"], concurrency: 8 })
        yield* driver.heartbeat({ instance: again })
        assert.deepStrictEqual(yield* instancesAt(driver, t0 + 15_000), [again, b, c])
        // A record lapses at its expiry time.
        assert.deepStrictEqual(yield* instancesAt(driver, t0 + 20_000 - 1), [again, b, c])
        assert.deepStrictEqual(yield* instancesAt(driver, t0 + 20_000), [again, b])
        yield* driver.removeInstance({ id: "b" })
        yield* driver.removeInstance({ id: "missing" })
        assert.deepStrictEqual(yield* instancesAt(driver, t0 + 20_000), [again])
        assert.deepStrictEqual(yield* instancesAt(driver, t0 + 40_000), [])
        // An instance that beats again after lapsing is listed again.
        const revived = instance("c", t0 + 90_000, { lastSeenAt: t0 + 60_000 })
        yield* driver.heartbeat({ instance: revived })
        assert.deepStrictEqual(yield* instancesAt(driver, t0 + 60_000), [revived])
      }))
  })
