import { assert, describe, it } from "@effect/vitest"
import { Cause, Cron, Duration, Effect, Fiber, Layer, Logger, Schema, TestClock } from "effect"
import {
  cronNicknames,
  everyDayAt,
  everyHourAt,
  everyMinute,
  everyMinutes,
  everyMonthAt,
  everyWeekAt,
  JobParameters,
  JobQueue,
  type ScheduleOptions
} from "effect-jobs"
import {
  expandNickname,
  neverFiresReason,
  parseCron,
  restartDelay,
  runSchedule,
  slotId,
  slotsBetween
} from "../../src/internal/scheduler.js"
import { awaitSuspended, recordingLogger, withMemoryQueue } from "./support.js"

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

  it.effect("parseCron reports a bad time zone as InvalidSchedule", () =>
    Effect.gen(function*() {
      const zone = yield* Effect.flip(parseCron(everyDayAt(3), "Not/AZone"))
      assert.strictEqual(zone._tag, "InvalidSchedule")
      assert.strictEqual(zone.expression, "0 3 * * *")
      assert.include(zone.message, "Invalid time zone")
    }))

  describe("runSchedule catch-up with more than 1000 missed slots", () => {
    const now = 2_000 * minute + 30_000
    /** The slots a schedule pushes at start, before it first sleeps. */
    const catchUp = (options: ScheduleOptions) =>
      Effect.gen(function*() {
        yield* TestClock.setTime(now)
        const pushed: Array<number> = []
        const fiber = yield* Effect.fork(
          runSchedule(Cron.unsafeParse(everyMinute), options, "key", (slot) => Effect.sync(() => pushed.push(slot)))
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

describe("cron parser", () => {
  const from = Date.UTC(2024, 2, 15, 10, 20, 30) // a Friday
  const nextTwo = (cron: Cron.Cron) => {
    const first = Cron.next(cron, from).getTime()
    return iso([first, Cron.next(cron, first).getTime()])
  }

  it("expands each nickname to its expression and leaves other expressions alone", () => {
    for (const [nickname, expression] of Object.entries(cronNicknames)) {
      assert.strictEqual(expandNickname(nickname), expression)
      assert.strictEqual(expandNickname(` ${nickname}\t`), expression)
    }
    assert.strictEqual(expandNickname("0 3 * * *"), "0 3 * * *")
    assert.isUndefined(expandNickname("@reboot"))
    assert.isUndefined(expandNickname("@Daily"))
    assert.isUndefined(expandNickname("@toString"))
  })

  const accepted: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
    ["@yearly", ["2025-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"]],
    ["@annually", ["2025-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"]],
    ["@monthly", ["2024-04-01T00:00:00.000Z", "2024-05-01T00:00:00.000Z"]],
    ["@weekly", ["2024-03-17T00:00:00.000Z", "2024-03-24T00:00:00.000Z"]],
    ["@daily", ["2024-03-16T00:00:00.000Z", "2024-03-17T00:00:00.000Z"]],
    ["@midnight", ["2024-03-16T00:00:00.000Z", "2024-03-17T00:00:00.000Z"]],
    ["@hourly", ["2024-03-15T11:00:00.000Z", "2024-03-15T12:00:00.000Z"]],
    [" @hourly ", ["2024-03-15T11:00:00.000Z", "2024-03-15T12:00:00.000Z"]],
    // Six fields: seconds first.
    ["*/20 * * * * *", ["2024-03-15T10:20:40.000Z", "2024-03-15T10:21:00.000Z"]],
    ["0 30 9 * * 1", ["2024-03-18T09:30:00.000Z", "2024-03-25T09:30:00.000Z"]],
    ["30 9 * * mon-fri", ["2024-03-18T09:30:00.000Z", "2024-03-19T09:30:00.000Z"]],
    ["0 12 1 jan,jul *", ["2024-07-01T12:00:00.000Z", "2025-01-01T12:00:00.000Z"]],
    ["0 0 31 * *", ["2024-03-31T00:00:00.000Z", "2024-05-31T00:00:00.000Z"]],
    ["10-50/20 * * * *", ["2024-03-15T10:30:00.000Z", "2024-03-15T10:50:00.000Z"]],
    ["0 0 1,15 * *", ["2024-04-01T00:00:00.000Z", "2024-04-15T00:00:00.000Z"]],
    // 0 and 7 are both Sunday.
    ["0 0 * * 7", ["2024-03-17T00:00:00.000Z", "2024-03-24T00:00:00.000Z"]],
    // Leap days fire.
    ["0 0 29 2 *", ["2028-02-29T00:00:00.000Z", "2032-02-29T00:00:00.000Z"]],
    // A day February lacks, or a Monday: the weekday makes it fire.
    ["0 0 30 2 1", ["2025-02-03T00:00:00.000Z", "2025-02-10T00:00:00.000Z"]]
  ]

  it.effect("accepts 5 and 6 fields, names and nicknames, firing when they say", () =>
    Effect.gen(function*() {
      for (const [expression, slots] of accepted) {
        assert.deepStrictEqual(nextTwo(yield* parseCron(expression, undefined)), slots, expression)
      }
    }))

  const refused: ReadonlyArray<readonly [string, string]> = [
    ["0 0 30 2 *", "it never fires: February has no day 30"],
    ["0 0 31 4 *", "it never fires: April has no day 31"],
    ["0 0 30,31 2 *", "it never fires: February has no day 30 or 31"],
    ["0 0 31 2,4,6,9,11 *", "it never fires: February, April, June, September and November have no day 31"],
    ["0 0 0 30 feb *", "it never fires: February has no day 30"],
    ["@reboot", "unknown nickname; use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly"],
    ["@Daily", "unknown nickname; use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly"],
    ["not cron", "Invalid number of segments in cron expression"],
    ["* * * * * * *", "Invalid number of segments in cron expression"],
    ["", "Invalid number of segments in cron expression"],
    ["61 * * * *", "Expected a value between 0 and 59 (in \"61\")"],
    ["0 0 32 * *", "Expected a value between 1 and 31 (in \"32\")"]
  ]

  it.effect("refuses what does not parse or can never fire with InvalidSchedule naming the expression and why", () =>
    Effect.gen(function*() {
      for (const [expression, reason] of refused) {
        const error = yield* Effect.flip(parseCron(expression, undefined))
        assert.strictEqual(error._tag, "InvalidSchedule")
        assert.strictEqual(error.expression, expression)
        assert.strictEqual(error.message, `Invalid cron expression ${JSON.stringify(expression)}: ${reason}`)
      }
    }))

  it.effect("nicknames follow the time zone", () =>
    Effect.gen(function*() {
      const cron = yield* parseCron("@daily", "Europe/Berlin")
      assert.deepStrictEqual(nextTwo(cron), ["2024-03-15T23:00:00.000Z", "2024-03-16T23:00:00.000Z"])
    }))

  it("neverFiresReason ignores expressions that name no day or name a weekday", () => {
    for (const expression of ["* * * * *", "0 0 * 2 *", "0 0 * * 0", "0 0 31 4 fri", "0 0 28 2 *"]) {
      assert.isUndefined(neverFiresReason(Cron.unsafeParse(expression)), expression)
    }
  })
})

describe("schedule supervision", () => {
  const cron = Cron.unsafeParse(everyMinute)
  const errorMessages = (lines: ReturnType<typeof recordingLogger>["lines"]) =>
    lines.filter((line) => line.level === "ERROR").map((line) => line.message[0])

  it("restartDelay doubles from 1 second up to 1 minute", () => {
    const cases: ReadonlyArray<readonly [number, number]> = [[0, 1_000], [1, 1_000], [2, 2_000], [3, 4_000], [6, 32_000], [7, 60_000], [100, 60_000]]
    for (const [failures, millis] of cases) assert.strictEqual(Duration.toMillis(restartDelay(failures)), millis, `${failures}`)
  })

  it.effect("logs a defect at ERROR with the schedule key, restarts after the backoff, and logs nothing when interrupted", () =>
    Effect.gen(function*() {
      const { layer, lines } = recordingLogger()
      const causes: Array<string> = []
      const causeLogger = Logger.make(({ cause }) => causes.push(Cause.pretty(cause)))
      const logged = Layer.provideMerge(layer, Logger.add(causeLogger))
      yield* TestClock.setTime(10 * minute + 30_000)
      const pushed: Array<number> = []
      let calls = 0
      const fiber = yield* Effect.fork(
        runSchedule(cron, {}, "nightly", (slot) =>
          Effect.suspend(() => ++calls === 1 ? Effect.dieMessage("boom") : Effect.sync(() => pushed.push(slot)))).pipe(
            Effect.provide(logged)
          )
      )
      yield* awaitSuspended(fiber)
      const errors = lines.filter((line) => line.level === "ERROR")
      assert.strictEqual(errors.length, 1)
      assert.strictEqual(errors[0]!.message[0], "Schedule \"nightly\" failed; restarting in 1s")
      assert.strictEqual(errors[0]!.annotations.scheduleKey, "nightly")
      assert.include(causes.at(-1), "RuntimeException: boom")
      assert.deepStrictEqual(pushed, [])
      yield* TestClock.adjust("999 millis")
      yield* awaitSuspended(fiber)
      assert.deepStrictEqual(pushed, [])
      yield* TestClock.adjust("1 millis")
      yield* awaitSuspended(fiber)
      assert.deepStrictEqual(pushed, [10 * minute])
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(errorMessages(lines).length, 1)
    }))

  it.effect("after a failed slot, resumes with every slot since the last one it pushed, even with catchUp none", () =>
    Effect.gen(function*() {
      const { layer, lines } = recordingLogger()
      yield* TestClock.setTime(10 * minute + 30_000)
      const pushed: Array<number> = []
      let down = true
      const fiber = yield* Effect.fork(
        runSchedule(cron, { catchUp: "none" }, "beat", (slot) =>
          Effect.suspend(() => down ? Effect.fail("store down") : Effect.sync(() => pushed.push(slot)))).pipe(
            Effect.provide(layer)
          )
      )
      yield* awaitSuspended(fiber)
      yield* TestClock.setTime(11 * minute)
      yield* awaitSuspended(fiber)
      yield* TestClock.adjust("1 second")
      yield* awaitSuspended(fiber)
      assert.deepStrictEqual(errorMessages(lines), [
        "Schedule \"beat\" failed; restarting in 1s",
        "Schedule \"beat\" failed; restarting in 2s"
      ])
      down = false
      yield* TestClock.adjust("2 seconds")
      yield* awaitSuspended(fiber)
      assert.deepStrictEqual(pushed, [11 * minute])
      yield* TestClock.setTime(12 * minute)
      yield* awaitSuspended(fiber)
      assert.deepStrictEqual(pushed, [11 * minute, 12 * minute])
      // A schedule that ran a while starts its backoff over.
      down = true
      yield* TestClock.setTime(13 * minute)
      yield* awaitSuspended(fiber)
      assert.strictEqual(errorMessages(lines).at(-1), "Schedule \"beat\" failed; restarting in 1s")
      yield* Fiber.interrupt(fiber)
    }))
})

describe("JobQueue.schedule", () => {
  class Report extends JobParameters<Report>()("Report", { title: Schema.String }) {}

  it.scoped("refuses a schedule none of whose slots could be pushed, naming the key and why, and pushes nothing", () =>
    withMemoryQueue(
      {},
      Effect.gen(function*() {
        const queue = yield* JobQueue
        const cases: ReadonlyArray<readonly [ScheduleOptions, string]> = [
          [{ key: "k".repeat(479) }, "jobId must be 1-512 characters"],
          [{ key: "a\u0000b" }, "NUL"],
          [{ key: "nightly", priority: 5_000 }, "priority"]
        ]
        for (const [options, reason] of cases) {
          const error = yield* Effect.flip(queue.schedule(new Report({ title: "t" }), everyMinute, { catchUp: "all", ...options }))
          assert.strictEqual(error._tag, "InvalidSchedule")
          assert.include(error.message, `Schedule ${JSON.stringify(options.key)} cannot push its slots' jobs`)
          assert.include(error.message, reason)
        }
        assert.strictEqual((yield* queue.counts).pending, 0)
      })
    ))
})
