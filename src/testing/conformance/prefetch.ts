/**
 * Conformance: prefetch. While a backlog lasts, a queue with `prefetch` claims that many jobs beyond its
 * free slots, keeps their leases alive, starts them in claim order as slots free, and hands them back
 * untouched when it stops or when they are cancelled. The default, `"auto"`, holds jobs ahead only while
 * the recent jobs ran short.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Deferred, Effect, Fiber, Option, TestClock } from "effect"
import type { JobDriverShape, JobQueueOptions } from "../../index.js"
import { assertReleased, eventually, type MakeDriverLayer, realPause, storedJob, setup, Tick, waitFor, waitForAll } from "./harness.js"

/** Waits until the driver counts exactly `active` active jobs. */
const activeCount = (driver: JobDriverShape, active: number) =>
  eventually(`${active} active jobs`, Effect.gen(function*() {
    const counts = yield* Effect.orDie(driver.counts({ now: yield* Clock.currentTimeMillis }))
    return counts.active === active ? Option.some(counts) : Option.none()
  }))

/** A queue at concurrency 1 whose first job waits for `proceed`, over a backlog pushed before it starts. */
const blockedBacklog = (makeDriver: MakeDriverLayer, jobs: number, options: Pick<JobQueueOptions, "prefetch" | "leaseDuration">) =>
  Effect.gen(function*() {
    const test = yield* setup(makeDriver, { concurrency: 1, ...options })
    const proceed = yield* Deferred.make<void>()
    const ran: Array<number> = []
    const ids = yield* test.queue.pushMany(Array.from({ length: jobs }, (_, i) => new Tick({ n: i + 1 })))
    yield* test.queue.registerJob(Tick, ({ n }) =>
      Effect.sync(() => ran.push(n)).pipe(Effect.zipRight(n === 1 ? Deferred.await(proceed) : Effect.void)))
    yield* waitFor(test.events, "Started", ids[0])
    return { ...test, ids, proceed, ran }
  })

export const prefetchCases = (makeDriver: MakeDriverLayer) =>
  describe("prefetch", () => {
    it.scoped("claims ahead only under a backlog, and runs the prefetched jobs in claim order", () =>
      Effect.gen(function*() {
        const { driver, events, ids, proceed, ran } = yield* blockedBacklog(makeDriver, 10, { prefetch: 3 })
        // One running, three held: the other six stay free for any instance.
        yield* activeCount(driver, 4)
        assert.strictEqual((yield* Effect.orDie(driver.counts({ now: yield* Clock.currentTimeMillis }))).pending, 6)
        yield* Deferred.succeed(proceed, undefined)
        yield* waitForAll(events, "Completed", ids)
        assert.deepStrictEqual(ran, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      }))

    it.scoped("hands prefetched jobs back on shutdown without using an attempt", () =>
      Effect.gen(function*() {
        const { close, driver, ids, proceed } = yield* blockedBacklog(makeDriver, 6, { prefetch: 3 })
        yield* activeCount(driver, 4)
        const closing = yield* Effect.fork(close)
        yield* realPause(20)
        yield* Deferred.succeed(proceed, undefined)
        yield* Fiber.join(closing)
        assert.strictEqual((yield* storedJob(driver, ids[0]!)).state, "completed")
        yield* assertReleased(driver, ids.slice(1))
      }))

    it.scoped("a prefetched job that is cancelled never starts", () =>
      Effect.gen(function*() {
        const { driver, events, ids, proceed, queue, ran } = yield* blockedBacklog(makeDriver, 4, { prefetch: 2 })
        yield* activeCount(driver, 3)
        assert.isTrue(yield* queue.cancel(ids[1]!))
        yield* Deferred.succeed(proceed, undefined)
        yield* waitForAll(events, "Completed", [ids[0]!, ids[2]!, ids[3]!])
        assert.deepStrictEqual(ran, [1, 3, 4])
        assert.strictEqual((yield* storedJob(driver, ids[1]!)).state, "cancelled")
      }))

    it.scoped("by default holds jobs ahead once short jobs have run", () =>
      Effect.gen(function*() {
        const { driver, events, queue } = yield* setup(makeDriver, { concurrency: 1 })
        const proceed = yield* Deferred.make<void>()
        const ran: Array<number> = []
        const ids = yield* queue.pushMany(Array.from({ length: 20 }, (_, i) => new Tick({ n: i + 1 })))
        // The first three take no time on the test clock; the fourth waits.
        yield* queue.registerJob(Tick, ({ n }) =>
          Effect.sync(() => ran.push(n)).pipe(Effect.zipRight(n === 4 ? Deferred.await(proceed) : Effect.void)))
        yield* waitFor(events, "Started", ids[3])
        // One running, the sixteen behind it held (the limit is 100).
        yield* activeCount(driver, 17)
        yield* Deferred.succeed(proceed, undefined)
        yield* waitForAll(events, "Completed", ids.slice(3))
        assert.deepStrictEqual(ran, Array.from({ length: 20 }, (_, i) => i + 1))
      }))

    it.scoped("by default holds none ahead while jobs run long", () =>
      Effect.gen(function*() {
        const { driver, events, queue } = yield* setup(makeDriver, { concurrency: 1 })
        const proceed = yield* Deferred.make<void>()
        const ids = yield* queue.pushMany(Array.from({ length: 6 }, (_, i) => new Tick({ n: i + 1 })))
        yield* queue.registerJob(Tick, ({ n }) =>
          n === 1 ? Effect.sleep("1 second") : n === 2 ? Deferred.await(proceed) : Effect.void)
        yield* waitFor(events, "Started", ids[0])
        yield* TestClock.adjust("1 second")
        // Job 1 ran a second: nothing is expected to start within the horizon, so only job 2 is claimed.
        yield* waitFor(events, "Started", ids[1])
        const counts = yield* Effect.orDie(driver.counts({ now: yield* Clock.currentTimeMillis }))
        assert.deepStrictEqual([counts.active, counts.pending], [1, 4])
        yield* Deferred.succeed(proceed, undefined)
        yield* waitForAll(events, "Completed", ids.slice(1))
      }))

    it.scoped("renews the leases of prefetched jobs while they wait", () =>
      Effect.gen(function*() {
        const { driver, events, ids, proceed } = yield* blockedBacklog(makeDriver, 3, {
          prefetch: 2,
          leaseDuration: "3 seconds"
        })
        yield* activeCount(driver, 3)
        for (let second = 0; second < 10; second++) {
          yield* TestClock.adjust("1 second")
          yield* realPause(5)
        }
        const now = yield* Clock.currentTimeMillis
        for (const id of ids.slice(1)) {
          yield* eventually(`lease of ${id} renewed past ${now}`, storedJob(driver, id).pipe(
            Effect.map((job) => (job.leaseExpiresAt ?? 0) > now ? Option.some(job) : Option.none())
          ))
        }
        yield* Deferred.succeed(proceed, undefined)
        const done = yield* Effect.forEach(ids, (id) => waitFor(events, "Completed", id))
        assert.deepStrictEqual(done.map((event) => event.attempt), [1, 1, 1])
      }))
  })
