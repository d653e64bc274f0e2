import { assert, describe, it } from "@effect/vitest"
import { Cron, Effect } from "effect"
import { everyDayAt, everyHourAt, everyMinute, everyMinutes, everyMonthAt, everyWeekAt } from "effect-jobs"
import { parseCron, slotId, slotsBetween } from "../../src/internal/scheduler.js"

describe("schedule helpers", () => {
  it("build the cron expressions they name", () => {
    assert.deepStrictEqual(
      [everyMinute, everyMinutes(15), everyHourAt(5), everyDayAt(3), everyDayAt(23, 59), everyWeekAt(1, 9, 30), everyMonthAt(1, 0)],
      ["* * * * *", "*/15 * * * *", "5 * * * *", "0 3 * * *", "59 23 * * *", "30 9 * * 1", "0 0 1 * *"]
    )
  })

  it("reject values out of range", () => {
    assert.throws(() => everyDayAt(24), RangeError)
    assert.throws(() => everyHourAt(60), RangeError)
    assert.throws(() => everyMinutes(0), RangeError)
    assert.throws(() => everyWeekAt(7, 0), RangeError)
    assert.throws(() => everyDayAt(1.5), RangeError)
  })

  it("lists slots after the start and up to the end, and names each slot", () => {
    const cron = Cron.unsafeParse(everyMinute)
    assert.deepStrictEqual(slotsBetween(cron, 60_000, 180_000), [120_000, 180_000])
    assert.strictEqual(slotsBetween(cron, 0, 10 * 24 * 3_600_000).length, 1_000)
    assert.strictEqual(slotId("nightly", 0), "schedule:nightly:1970-01-01T00:00:00.000Z")
  })

  it.effect("reports a bad expression as InvalidSchedule", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(parseCron("not cron", undefined))
      assert.strictEqual(error._tag, "InvalidSchedule")
      assert.strictEqual(error.expression, "not cron")
    }))
})
