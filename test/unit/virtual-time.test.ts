/**
 * A virtual day under `TestClock` on the memory driver: delays, retries and an hourly schedule all run, and
 * the worker's loops wake only when there is something to do, so the day costs a fraction of a second.
 */
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Schema, TestClock } from "effect"
import { Backoff, JobDriver, JobParameters, JobQueue, memoryDriver } from "effect-jobs"
import type { JobDriverShape } from "effect-jobs"
import { waitFor } from "../../src/testing/conformance/harness.js"

class Report extends JobParameters<Report>()("Report", { n: Schema.Number }) {}

/** The memory driver, counting the calls the worker makes on its own (claims and lease renewals). */
const countingDriver = (calls: { claim: number; renew: number }) =>
  Layer.effect(
    JobDriver,
    Effect.map(Layer.build(memoryDriver).pipe(Effect.map(Context.get(JobDriver))), (driver): JobDriverShape => ({
      ...driver,
      claim: (request) => Effect.suspend(() => (calls.claim++, driver.claim(request))),
      renew: (request) => Effect.suspend(() => (calls.renew++, driver.renew(request)))
    }))
  )

describe("virtual time", () => {
  it.scoped("a virtual day of delays, retries and an hourly schedule wakes the worker only when due", () =>
    Effect.gen(function*() {
      const calls = { claim: 0, renew: 0 }
      const startedAt = Date.now()
      const runs: Array<number> = []
      yield* Effect.gen(function*() {
        const queue = yield* JobQueue
        const events = yield* queue.subscribe
        yield* queue.registerJob(Report, (params, ctx) =>
          Effect.suspend(() => {
            runs.push(params.n)
            // Job 1 fails twice before it succeeds: its retries wait out a durable backoff.
            return params.n === 1 && ctx.attempt < 3 ? Effect.fail("not yet") : Effect.void
          }), { backoff: Backoff.exponential({ base: "10 minutes", jitter: 0 }), maxAttempts: 3 })
        yield* queue.push(new Report({ n: 1 }), { delay: "2 hours" })
        yield* queue.push(new Report({ n: 2 }), { delay: "13 hours" })
        yield* queue.schedule(new Report({ n: 0 }), "0 * * * *")
        for (let hour = 0; hour < 24; hour++) yield* TestClock.adjust("1 hour")
        const counts = yield* queue.counts
        assert.deepStrictEqual([counts.pending - counts.delayed, counts.active, counts.failed], [0, 0, 0])
        yield* waitFor(events, "Completed")
      }).pipe(Effect.provide(JobQueue.layer(countingDriver(calls), { concurrency: 2 })))
      assert.strictEqual(runs.filter((n) => n === 1).length, 3, "job 1: two failures and a success")
      assert.strictEqual(runs.filter((n) => n === 2).length, 1)
      assert.isAtLeast(runs.filter((n) => n === 0).length, 24, "one scheduled run per hour")
      // About one claim per job run and per wake-up: no claim every poll interval (5 s), no renew tick while idle.
      assert.isBelow(calls.claim, 200, `claims: ${calls.claim}`)
      assert.isBelow(calls.renew, 50, `renewals: ${calls.renew}`)
      assert.isBelow(Date.now() - startedAt, 5_000, "a virtual day takes well under a second of real time")
    }), 10_000)
})
