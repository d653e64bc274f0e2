/**
 * Conformance: what a running queue records about itself for operators: its heartbeat (listed while it runs,
 * with the jobs it runs, removed when it stops) and the definitions of its schedules.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Option, TestClock } from "effect"
import { buildDriver, eventually, type MakeDriverLayer, startQueue, Tick, waitFor } from "./harness.js"

export const registrationCases = (makeDriver: MakeDriverLayer) =>
  describe("registration", () => {
    it.scoped("a running queue is listed by its heartbeat, with its running jobs, until it stops", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        const { close, events, queue } = yield* startQueue(driver, {
          workerId: "instance-a",
          concurrency: 3,
          heartbeatInterval: "20 millis"
        })
        const started = yield* driver.instances({ now: 0 })
        assert.deepStrictEqual(started.map((instance) => instance.id), ["instance-a"])
        assert.strictEqual(started[0]!.concurrency, 3)
        assert.strictEqual(started[0]!.pid, process.pid)
        assert.deepStrictEqual(started[0]!.running, [])

        const release = yield* Deferred.make<void>()
        yield* queue.registerJob(Tick, () => Deferred.await(release))
        const registered = yield* driver.instances({ now: 0 })
        assert.deepStrictEqual(registered.map((instance) => instance.names), [["Tick"]], "a registration beats at once")
        const id = yield* queue.push(new Tick({ n: 1 }))
        yield* waitFor(events, "Started", id)
        // Beats are paced by the wall clock; their times come from the program's (here the test's) clock.
        yield* TestClock.setTime(5_000)
        const beating = yield* eventually(
          "a heartbeat listing the running job",
          Effect.map(driver.instances({ now: 5_000 }), (instances) =>
            Option.fromNullable(instances.find((instance) => instance.running.includes(id))))
        )
        assert.deepStrictEqual(beating.names, ["Tick"])
        assert.strictEqual(beating.lastSeenAt, 5_000)
        assert.isAbove(beating.expiresAt, 5_000)

        yield* Deferred.succeed(release, undefined)
        yield* waitFor(events, "Completed", id)
        yield* close
        assert.deepStrictEqual(yield* driver.instances({ now: 5_000 }), [])
      }))

    it.scoped("a queue that stops beating lapses from the instances", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        yield* startQueue(driver, { workerId: "instance-b", heartbeatInterval: "1 hour" })
        const record = (yield* driver.instances({ now: 0 }))[0]!
        assert.strictEqual(record.id, "instance-b")
        assert.deepStrictEqual(yield* driver.instances({ now: record.expiresAt }), [])
      }))

    it.scoped("a schedule is listed with its definition and the last slot it pushed", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        const start = Date.UTC(2030, 0, 1, 0, 0, 30)
        yield* TestClock.setTime(start)
        const { queue } = yield* startQueue(driver)
        yield* queue.schedule(new Tick({ n: 1 }), "* * * * *", { key: "every-minute", catchUp: "none" })
        // The clock moves a minute per look, so the schedule's fiber finds a slot due whenever it got to sleep.
        const [schedule] = yield* eventually(
          "the schedule's first slot recorded",
          Effect.zipRight(
            TestClock.adjust("1 minute"),
            Effect.map(driver.schedules, (schedules) =>
              schedules.length === 1 && schedules[0]!.lastSlot !== undefined ? Option.some(schedules) : Option.none())
          )
        )
        assert.deepStrictEqual(
          { key: schedule!.schedule, cron: schedule!.cron, name: schedule!.name, timeZone: schedule!.timeZone },
          { key: "every-minute", cron: "* * * * *", name: "Tick", timeZone: undefined }
        )
        assert.isAbove(schedule!.lastSlot!, start)
        assert.strictEqual(schedule!.lastSlot! % 60_000, 0, "a whole minute")
        assert.isAtLeast(schedule!.registeredAt!, start)
      }))
  })
