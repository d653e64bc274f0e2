/**
 * Conformance: scheduled jobs run once per slot however many instances run the schedule, across restarts and
 * whatever happened to a slot's job since; missed slots follow the catch-up policy; a schedule that fails is
 * logged and restarted.
 */
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Clock, Effect, ExecutionStrategy, Exit, HashMap, Logger, Option, Scope, TestClock } from "effect"
import { cronNicknames, DriverError, everyMinute, type JobDriverShape, type ScheduleOptions } from "../../index.js"
import { buildDriver, eventually, type MakeDriverLayer, storedJob, startQueue, Tick, waitFor } from "./harness.js"

const minute = 60_000

/** The id of a slot's job: the schedule key and the slot's time. */
const slotJob = (key: string, slot: number) => `schedule:${key}:${new Date(slot).toISOString()}`

/** Waits (in wall-clock time) until every id in `expected` is among `runs`. */
const ran = (runs: ReadonlyArray<string>, expected: ReadonlyArray<string>) =>
  eventually(
    `runs of ${expected.join(", ")}`,
    Effect.sync(() => expected.every((id) => runs.includes(id)) ? Option.some(true) : Option.none())
  )

/**
 * Moves the clock to `time` once a schedule sleeps until then. A schedule that read the clock just before a
 * move would otherwise sleep from the old time, and miss the slot the test waits for.
 */
const advanceTo = (driver: JobDriverShape, time: number, schedules = 1) =>
  Effect.gen(function*() {
    // Each schedule pushes what is due, then sleeps until its next slot.
    yield* eventually(
      `${schedules} schedule(s) sleeping until ${new Date(time).toISOString()}`,
      TestClock.sleeps().pipe(Effect.map((sleeps) =>
        Chunk.size(Chunk.filter(sleeps, (at) => at === time)) >= schedules ? Option.some(true) : Option.none()
      ))
    )
    // Every due job runs to its end first: a job claimed before the jump would see its lease lapse at the
    // jump and run again.
    const now = yield* Clock.currentTimeMillis
    yield* eventually(
      "every due job to have run",
      driver.counts({ now }).pipe(
        Effect.orDie,
        Effect.map((counts) => counts.active === 0 && counts.pending === counts.delayed ? Option.some(true) : Option.none())
      )
    )
    yield* TestClock.setTime(time)
  })

/**
 * A queue recording each run's job id in `runs`, and the schedules it runs, all stopped by `close` (a process
 * that exits, say).
 */
const startInstance = (driver: JobDriverShape, runs: Array<string>) =>
  Effect.gen(function*() {
    const scope = yield* Scope.fork(yield* Effect.scope, ExecutionStrategy.sequential)
    const { queue } = yield* startQueue(driver).pipe(Scope.extend(scope))
    yield* queue.registerJob(Tick, (_params, ctx) => Effect.sync(() => runs.push(ctx.jobId))).pipe(Scope.extend(scope))
    return {
      schedule: (cron: string, options: ScheduleOptions) =>
        queue.schedule(new Tick({ n: 1 }), cron, options).pipe(Scope.extend(scope)),
      close: Scope.close(scope, Exit.void)
    }
  })

/** Removes every completed job, so only the schedule's own record can stop a slot from running again. */
const pruneCompleted = (driver: JobDriverShape, now: number) =>
  Effect.gen(function*() {
    yield* driver.prune({ state: "completed", finishedBefore: now + 1, limit: 10_000 })
    assert.strictEqual((yield* driver.counts({ now })).completed, 0)
  })

/** Asserts, once the queues have stopped, that each id ran exactly once and nothing else ran or waits to run. */
const assertRanOnce = (driver: JobDriverShape, runs: ReadonlyArray<string>, expected: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    assert.deepStrictEqual([...runs].sort(), [...expected].sort())
    const counts = yield* driver.counts({ now: 0 })
    assert.strictEqual(counts.pending + counts.active, 0)
  })

export const schedulingCases = (makeDriver: MakeDriverLayer) =>
  describe("scheduling", () => {
    it.scoped("runs each slot once with two instances scheduling the same job", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        yield* TestClock.setTime(10 * minute + 30_000)
        const a = yield* startQueue(driver)
        const b = yield* startQueue(driver)
        const slots: Array<string> = []
        yield* a.queue.registerJob(Tick, (_params, ctx) => Effect.sync(() => slots.push(ctx.jobId)))
        for (const instance of [a, b]) yield* instance.queue.schedule(new Tick({ n: 1 }), everyMinute, { catchUp: "none" })
        for (let slot = 11; slot <= 13; slot++) {
          yield* advanceTo(driver, slot * minute)
          yield* waitFor(a.events, "Completed")
        }
        assert.strictEqual(slots.length, 3)
        assert.strictEqual(new Set(slots).size, 3)
        const counts = yield* a.queue.counts
        assert.strictEqual(counts.completed, 3)
        assert.strictEqual(counts.pending, 0)
      }))

    it.scoped("catches up the latest missed slot at start, once", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        yield* TestClock.setTime(100 * minute + 30_000)
        const a = yield* startQueue(driver)
        const b = yield* startQueue(driver)
        const runs: Array<string> = []
        yield* a.queue.registerJob(Tick, (_params, ctx) => Effect.sync(() => runs.push(ctx.jobId)))
        for (const instance of [a, b]) {
          yield* instance.queue.schedule(new Tick({ n: 2 }), everyMinute, { catchUp: "latest", catchUpWindow: "10 minutes" })
        }
        yield* waitFor(a.events, "Completed")
        assert.deepStrictEqual(runs, [slotJob("Tick:* * * * *", 100 * minute)])
        assert.strictEqual((yield* a.queue.counts).pending, 0)
      }))

    it.scoped("catches up every missed slot within the window with catchUp all", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        yield* TestClock.setTime(100 * minute + 30_000)
        const { events, queue } = yield* startQueue(driver)
        const runs: Array<number> = []
        yield* queue.registerJob(Tick, (_params, ctx) => Effect.sync(() => runs.push(ctx.attempt)))
        yield* queue.schedule(new Tick({ n: 3 }), everyMinute, { catchUp: "all", catchUpWindow: "5 minutes" })
        for (let i = 0; i < 5; i++) yield* waitFor(events, "Completed")
        assert.strictEqual(runs.length, 5)
        assert.strictEqual((yield* queue.counts).completed, 5)
      }))

    it.scoped("pushScheduled takes each slot of a key once, only forward, whatever became of the slot's job", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        const now = 1_000 * minute
        const job = (key: string, slot: number, n = 1) => ({
          schedule: key,
          slot,
          job: { id: slotJob(key, slot), name: "Tick", payload: JSON.stringify({ n }), priority: 0, runAt: slot },
          now
        })
        const take = (key: string, slot: number, n?: number) => driver.pushScheduled(job(key, slot, n))
        assert.isTrue(yield* take("a", now))
        assert.isFalse(yield* take("a", now, 2))
        assert.isFalse(yield* take("a", now - minute))
        assert.isTrue(yield* take("b", now - minute))
        assert.strictEqual((yield* storedJob(driver, slotJob("a", now))).payload, JSON.stringify({ n: 1 }))
        // Removed jobs stay taken.
        assert.strictEqual(yield* driver.cancel({ id: slotJob("a", now), now }), "cancelled")
        assert.strictEqual(yield* driver.prune({ state: "cancelled", finishedBefore: now + 1, limit: 10 }), 1)
        assert.isFalse(yield* take("a", now))
        assert.isTrue(yield* take("a", now + minute))
        // Of calls racing for one slot, one takes it.
        const raced = yield* Effect.all([take("c", now), take("c", now), take("c", now)], { concurrency: "unbounded" })
        assert.deepStrictEqual([...raced].sort(), [false, false, true])
        // A job already stored under the slot's id is kept as it is.
        yield* driver.push({ jobs: [{ ...job("d", now).job, payload: JSON.stringify({ n: 9 }) }], now })
        assert.isTrue(yield* take("d", now))
        assert.strictEqual((yield* storedJob(driver, slotJob("d", now))).payload, JSON.stringify({ n: 9 }))
        assert.strictEqual((yield* driver.counts({ now })).pending, 4)
      }))

    it.scoped("pushes each cron nickname's slot at the time it names", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        // A Friday.
        yield* TestClock.setTime(Date.UTC(2024, 2, 15, 10, 20, 30))
        const { close, queue } = yield* startQueue(driver)
        const runs: Array<string> = []
        yield* queue.registerJob(Tick, (_params, ctx) => Effect.sync(() => runs.push(ctx.jobId)))
        for (const nickname of Object.keys(cronNicknames)) {
          yield* queue.schedule(new Tick({ n: 4 }), nickname, { key: nickname, catchUp: "latest", catchUpWindow: "400 days" })
        }
        const latest = [
          slotJob("@yearly", Date.UTC(2024, 0, 1)),
          slotJob("@annually", Date.UTC(2024, 0, 1)),
          slotJob("@monthly", Date.UTC(2024, 2, 1)),
          slotJob("@weekly", Date.UTC(2024, 2, 10)),
          slotJob("@daily", Date.UTC(2024, 2, 15)),
          slotJob("@midnight", Date.UTC(2024, 2, 15)),
          slotJob("@hourly", Date.UTC(2024, 2, 15, 10))
        ]
        yield* ran(runs, latest)
        yield* advanceTo(driver, Date.UTC(2024, 2, 15, 11))
        const next = slotJob("@hourly", Date.UTC(2024, 2, 15, 11))
        yield* ran(runs, [next])
        yield* close
        yield* assertRanOnce(driver, runs, [...latest, next])
      }))

    it.scoped("rejects a cron expression that does not parse", () =>
      Effect.gen(function*() {
        const { queue } = yield* startQueue(yield* buildDriver(makeDriver))
        const error = yield* Effect.flip(queue.schedule(new Tick({ n: 1 }), "61 * * * *"))
        assert.strictEqual(error._tag, "InvalidSchedule")
      }))

    it.scoped("refuses a cron expression that can never fire, naming it and why, and pushes nothing", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        const { queue } = yield* startQueue(driver)
        const cases = [["0 0 30 2 *", "February has no day 30"], ["0 0 31 4 *", "April has no day 31"]] as const
        for (const [expression, reason] of cases) {
          const error = yield* Effect.flip(queue.schedule(new Tick({ n: 1 }), expression, { catchUp: "all" }))
          assert.strictEqual(error._tag, "InvalidSchedule")
          if (error._tag !== "InvalidSchedule") continue
          assert.strictEqual(error.expression, expression)
          assert.include(error.message, JSON.stringify(expression))
          assert.include(error.message, `it never fires: ${reason}`)
        }
        assert.strictEqual((yield* driver.counts({ now: 0 })).pending, 0)
      }))

    it.scoped("runs each slot once across restarts of three instances, even when its job was removed meanwhile", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        const runs: Array<string> = []
        const expected: Array<string> = []
        const options: ScheduleOptions = { key: "report", catchUp: "all", catchUpWindow: "10 minutes" }
        // Each round starts half a minute past `start`, catches up what it missed, then runs two slots live.
        for (const start of [1_000, 1_005, 1_010]) {
          yield* TestClock.setTime(start * minute + 30_000)
          const instances = [
            yield* startInstance(driver, runs),
            yield* startInstance(driver, runs),
            yield* startInstance(driver, runs)
          ]
          for (const instance of instances) yield* instance.schedule(everyMinute, options)
          for (let slot = expected.length === 0 ? start - 9 : start - 2; slot <= start; slot++) {
            expected.push(slotJob("report", slot * minute))
          }
          yield* ran(runs, expected)
          for (const slot of [start + 1, start + 2]) {
            yield* advanceTo(driver, slot * minute)
            expected.push(slotJob("report", slot * minute))
            yield* ran(runs, expected)
          }
          for (const instance of instances) yield* instance.close
          yield* pruneCompleted(driver, (start + 2) * minute)
        }
        assert.strictEqual(expected.length, 22)
        yield* assertRanOnce(driver, runs, expected)
      }))

    it.scoped("a changed cron under the same key carries on after the last slot pushed, without duplicates or gaps", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        const runs: Array<string> = []
        yield* TestClock.setTime(1_000 * minute + 30_000)
        const before = yield* startInstance(driver, runs)
        yield* before.schedule(everyMinute, { key: "report", catchUp: "none" })
        for (const slot of [1_001, 1_002]) {
          yield* advanceTo(driver, slot * minute)
          yield* ran(runs, [slotJob("report", slot * minute)])
        }
        yield* before.close
        yield* pruneCompleted(driver, 1_002 * minute)
        // Every two minutes now; 998, 1000 and 1002 are in the window but not after the last slot (1002).
        yield* TestClock.setTime(1_006 * minute + 30_000)
        const after = yield* startInstance(driver, runs)
        yield* after.schedule("*/2 * * * *", { key: "report", catchUp: "all", catchUpWindow: "10 minutes" })
        yield* ran(runs, [slotJob("report", 1_004 * minute), slotJob("report", 1_006 * minute)])
        yield* advanceTo(driver, 1_008 * minute)
        yield* ran(runs, [slotJob("report", 1_008 * minute)])
        yield* after.close
        yield* assertRanOnce(driver, runs, [1_001, 1_002, 1_004, 1_006, 1_008].map((slot) => slotJob("report", slot * minute)))
      }))

    it.scoped("a schedule stopped on one instance carries on elsewhere; stopped everywhere it pushes nothing", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        const runs: Array<string> = []
        const options: ScheduleOptions = { key: "beat", catchUp: "none" }
        yield* TestClock.setTime(1_000 * minute + 30_000)
        const a = yield* startInstance(driver, runs)
        const b = yield* startInstance(driver, runs)
        for (const instance of [a, b]) yield* instance.schedule(everyMinute, options)
        yield* advanceTo(driver, 1_001 * minute)
        yield* ran(runs, [slotJob("beat", 1_001 * minute)])
        yield* a.close
        for (const slot of [1_002, 1_003]) {
          yield* advanceTo(driver, slot * minute)
          yield* ran(runs, [slotJob("beat", slot * minute)])
        }
        yield* b.close
        yield* TestClock.setTime(1_006 * minute)
        yield* assertRanOnce(driver, runs, [1_001, 1_002, 1_003].map((slot) => slotJob("beat", slot * minute)))
      }))

    it.scoped("keeps each schedule's last slot apart whatever its key holds", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        const runs: Array<string> = []
        // Quotes and SQL, Redis hash tags, glob and separator characters, a name the driver uses itself,
        // non-Latin text, and the longest key whose slot ids fit in a job id.
        const keys = [`it's "quoted"; DROP TABLE jobs; --`, "{x}:*?[a-z]\\", "schedules", "ключ 🔑", "k".repeat(478), "k".repeat(477)]
        for (const [start, slots] of [[1_000, [1_000, 1_001]], [1_001, [1_002]]] as const) {
          yield* TestClock.setTime(start * minute + 30_000)
          const instance = yield* startInstance(driver, runs)
          for (const key of keys) yield* instance.schedule(everyMinute, { key, catchUp: "latest" })
          yield* advanceTo(driver, (start + 1) * minute, keys.length)
          yield* ran(runs, keys.flatMap((key) => slots.map((slot) => slotJob(key, slot * minute))))
          yield* instance.close
          yield* pruneCompleted(driver, (start + 1) * minute)
        }
        yield* assertRanOnce(driver, runs, keys.flatMap((key) => [1_000, 1_001, 1_002].map((slot) => slotJob(key, slot * minute))))
      }))

    it.scoped("a schedule whose push fails is logged at ERROR with its key and restarts with backoff, losing no slot", () =>
      Effect.gen(function*() {
        const real = yield* buildDriver(makeDriver)
        let failures = 2
        const driver: JobDriverShape = {
          ...real,
          pushScheduled: (request) =>
            failures-- > 0
              ? Effect.fail(new DriverError({ driver: real.name, operation: "pushScheduled", message: "unreachable" }))
              : real.pushScheduled(request)
        }
        const errors: Array<{ readonly message: string; readonly key: unknown }> = []
        const recorder = Logger.make(({ annotations, logLevel, message }) => {
          if (logLevel.label === "ERROR") {
            errors.push({ message: String(Array.isArray(message) ? message[0] : message), key: HashMap.get(annotations, "scheduleKey") })
          }
        })
        const start = 1_000 * minute + 30_000
        yield* TestClock.setTime(start)
        const runs: Array<string> = []
        const instance = yield* startInstance(driver, runs)
        yield* instance.schedule(everyMinute, { key: "nightly", catchUp: "latest" }).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, recorder))
        )
        // Each failure logs, then sleeps 1 s, then 2 s, before the schedule starts again.
        yield* advanceTo(driver, start + 1_000)
        yield* advanceTo(driver, start + 3_000)
        yield* ran(runs, [slotJob("nightly", 1_000 * minute)])
        assert.deepStrictEqual(errors, [
          { message: "Schedule \"nightly\" failed; restarting in 1s", key: Option.some("nightly") },
          { message: "Schedule \"nightly\" failed; restarting in 2s", key: Option.some("nightly") }
        ])
        yield* instance.close
        yield* assertRanOnce(real, runs, [slotJob("nightly", 1_000 * minute)])
      }))
  })
