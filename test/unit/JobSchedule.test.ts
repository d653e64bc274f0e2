import { assert, describe, it } from "@effect/vitest"
import { Cron, Effect, Fiber, TestClock } from "effect"
import { everyDayAt, everyHourAt, everyMinute, everyMinutes, everyMonthAt, everyWeekAt, type ScheduleOptions } from "effect-jobs"
import { parseCron, runSchedule, slotId, slotsBetween } from "../../src/internal/scheduler.js"
import { awaitSuspended } from "./support.js"

const minute = 60_000
const iso = (slots: ReadonlyArray<number>) => slots.map((slot) => new Date(slot).toISOString())

describe("schedule helpers", () => {
  it("build the cron expressions they name", () => {
    assert.deepStrictEqual(
      [
        everyMinute,
        everyMinutes(1),
        everyMinutes(15),
        everyMinutes(59),
        everyHourAt(0),
        everyHourAt(5),
        everyDayAt(3),
        everyDayAt(23, 59),
        everyWeekAt(0, 0),
        everyWeekAt(1, 9, 30),
        everyWeekAt(6, 23, 59),
        everyMonthAt(1, 0),
        everyMonthAt(31, 12, 15)
      ],
      [
        "* * * * *",
        "*/1 * * * *",
        "*/15 * * * *",
        "*/59 * * * *",
        "0 * * * *",
        "5 * * * *",
        "0 3 * * *",
        "59 23 * * *",
        "0 0 * * 0",
        "30 9 * * 1",
        "59 23 * * 6",
        "0 0 1 * *",
        "15 12 31 * *"
      ]
    )
  })

  it("reject values out of range or not whole, naming the field", () => {
    const cases: ReadonlyArray<readonly [() => string, string]> = [
      [() => everyMinutes(0), "n must be an integer in [1, 59], got 0"],
      [() => everyMinutes(60), "n must be an integer in [1, 59]"],
      [() => everyHourAt(60), "minute must be an integer in [0, 59]"],
      [() => everyHourAt(-1), "minute must be an integer in [0, 59]"],
      [() => everyDayAt(24), "hour must be an integer in [0, 23], got 24"],
      [() => everyDayAt(1.5), "hour must be an integer in [0, 23]"],
      [() => everyDayAt(3, 60), "minute must be an integer in [0, 59]"],
      [() => everyWeekAt(7, 0), "weekday must be an integer in [0, 6]"],
      [() => everyWeekAt(-1, 0), "weekday must be an integer in [0, 6]"],
      [() => everyWeekAt(1, 24), "hour must be an integer in [0, 23]"],
      [() => everyMonthAt(0, 0), "day must be an integer in [1, 31]"],
      [() => everyMonthAt(32, 0), "day must be an integer in [1, 31]"],
      [() => everyMonthAt(1, Number.NaN), "hour must be an integer in [0, 23]"]
    ]
    for (const [build, message] of cases) assert.throws(build, RangeError, message)
  })

  it.effect("build expressions the scheduler parses, firing when they say", () =>
    Effect.gen(function*() {
      const from = Date.UTC(2024, 0, 1) // a Monday
      const next = (cron: Cron.Cron) => {
        const first = Cron.next(cron, from).getTime()
        return iso([first, Cron.next(cron, first).getTime()])
      }
      assert.deepStrictEqual(next(yield* parseCron(everyMinutes(15), undefined)), [
        "2024-01-01T00:15:00.000Z",
        "2024-01-01T00:30:00.000Z"
      ])
      assert.deepStrictEqual(next(yield* parseCron(everyDayAt(3, 30), undefined)), [
        "2024-01-01T03:30:00.000Z",
        "2024-01-02T03:30:00.000Z"
      ])
      assert.deepStrictEqual(next(yield* parseCron(everyWeekAt(3, 9), undefined)), [
        "2024-01-03T09:00:00.000Z",
        "2024-01-10T09:00:00.000Z"
      ])
      assert.deepStrictEqual(next(yield* parseCron(everyMonthAt(15, 12), undefined)), [
        "2024-01-15T12:00:00.000Z",
        "2024-02-15T12:00:00.000Z"
      ])
    }))
})

describe("scheduler internals", () => {
  it("slotsBetween excludes the start and includes the end", () => {
    const cron = Cron.unsafeParse(everyMinute)
    assert.deepStrictEqual(slotsBetween(cron, minute, 3 * minute), [2 * minute, 3 * minute])
    assert.deepStrictEqual(slotsBetween(cron, minute + 1, 3 * minute - 1), [2 * minute])
    assert.deepStrictEqual(slotsBetween(cron, minute, minute), [])
    assert.deepStrictEqual(slotsBetween(cron, 2 * minute, minute), [])
  })

  it("slotsBetween keeps the newest 1000 slots, oldest first", () => {
    const cron = Cron.unsafeParse(everyMinute)
    const slots = slotsBetween(cron, 0, 10 * 24 * 3_600_000)
    assert.strictEqual(slots.length, 1_000)
    assert.strictEqual(slots[0], (14_400 - 999) * minute)
    assert.strictEqual(slots[999], 14_400 * minute)
  })

  it("slotsBetween counts a slot at the end of the window, and sub-second bounds, exactly", () => {
    const cron = Cron.unsafeParse("*/5 * * * * *")
    assert.deepStrictEqual(slotsBetween(cron, 5_000, 15_000), [10_000, 15_000])
    assert.deepStrictEqual(slotsBetween(cron, 4_999, 14_999), [5_000, 10_000])
    assert.deepStrictEqual(slotsBetween(cron, 5_001, 15_500), [10_000, 15_000])
  })

  it("slotId names the schedule and the slot's UTC time to the millisecond", () => {
    assert.strictEqual(slotId("nightly", 0), "schedule:nightly:1970-01-01T00:00:00.000Z")
    assert.strictEqual(slotId("Report:0 3 * * *", Date.UTC(2024, 1, 29, 3)), "schedule:Report:0 3 * * *:2024-02-29T03:00:00.000Z")
    assert.notStrictEqual(slotId("a", minute), slotId("b", minute))
    assert.notStrictEqual(slotId("a", minute), slotId("a", 2 * minute))
  })

  it.effect("parseCron honours the time zone", () =>
    Effect.gen(function*() {
      const cron = yield* parseCron(everyDayAt(3), "Europe/Berlin")
      assert.deepStrictEqual(iso(slotsBetween(cron, Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2))), [
        "2024-01-01T02:00:00.000Z"
      ])
      assert.deepStrictEqual(iso(slotsBetween(cron, Date.UTC(2024, 6, 1), Date.UTC(2024, 6, 2))), [
        "2024-07-01T01:00:00.000Z"
      ])
    }))

  it.effect("parseCron reports a bad expression or time zone as InvalidSchedule", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(parseCron("not cron", undefined))
      assert.strictEqual(error._tag, "InvalidSchedule")
      assert.strictEqual(error.expression, "not cron")
      assert.isNotEmpty(error.message)
      const outOfRange = yield* Effect.flip(parseCron("61 * * * *", undefined))
      assert.strictEqual(outOfRange._tag, "InvalidSchedule")
      const zone = yield* Effect.flip(parseCron(everyDayAt(3), "Not/AZone"))
      assert.strictEqual(zone._tag, "InvalidSchedule")
      assert.include(zone.message, "time zone")
    }))

  describe("runSchedule catch-up with more than 1000 missed slots", () => {
    const now = 2_000 * minute + 30_000
    /** The slots a schedule pushes at start, before it first sleeps. */
    const catchUp = (options: ScheduleOptions) =>
      Effect.gen(function*() {
        yield* TestClock.setTime(now)
        const pushed: Array<number> = []
        const fiber = yield* Effect.fork(
          runSchedule(Cron.unsafeParse(everyMinute), options, (slot) => Effect.sync(() => pushed.push(slot)))
        )
        yield* awaitSuspended(fiber)
        yield* Fiber.interrupt(fiber)
        return pushed
      })

    it.effect("latest pushes the most recent slot when the window holds exactly 1000 slots", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* catchUp({ catchUp: "latest", catchUpWindow: "1000 minutes" }), [2_000 * minute])
      }))

    it.effect("latest pushes the most recent slot when the window holds more than 1000 slots", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* catchUp({ catchUp: "latest", catchUpWindow: "1 day" }), [2_000 * minute])
      }))

    it.effect("all pushes the newest 1000 slots, oldest first", () =>
      Effect.gen(function*() {
        const pushed = yield* catchUp({ catchUp: "all", catchUpWindow: "1 day" })
        assert.strictEqual(pushed.length, 1_000)
        assert.strictEqual(pushed[0], 1_001 * minute)
        assert.strictEqual(pushed[999], 2_000 * minute)
      }))
  })
})
