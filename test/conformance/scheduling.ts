/**
 * Conformance: scheduled jobs run once per slot however many instances run the schedule, and missed slots
 * follow the catch-up policy.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { everyMinute } from "../../src/JobSchedule.js"
import { buildDriver, type MakeDriver, startQueue, Tick, waitFor } from "./harness.js"

const minute = 60_000

export const schedulingCases = (makeDriver: MakeDriver) =>
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
          yield* TestClock.setTime(slot * minute)
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
        assert.deepStrictEqual(runs, [`schedule:Tick:* * * * *:${new Date(100 * minute).toISOString()}`])
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

    it.scoped("rejects a cron expression that does not parse", () =>
      Effect.gen(function*() {
        const { queue } = yield* startQueue(yield* buildDriver(makeDriver))
        const error = yield* Effect.flip(queue.schedule(new Tick({ n: 1 }), "61 * * * *"))
        assert.strictEqual(error._tag, "InvalidSchedule")
      }))
  })
