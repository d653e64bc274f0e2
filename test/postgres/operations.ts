/**
 * The driver's operations as the worker and the application use them, run against one driver: shared by
 * the tests of settings that change how the driver talks to the server (names, poolers).
 */
import { expect } from "@effect/vitest"
import { type Duration, Effect, Schema } from "effect"
import { JobDriver, type JobDriverShape, JobParameters, JobQueue, type NewJob } from "effect-jobs"

const job = (name: string): NewJob => ({ name, payload: "{}", priority: 0, runAt: 0 })

/**
 * Push, counts, cancel, retry, pause, resume, claim, renew, progress, finish, a claim carrying outcomes,
 * prune and get, on jobs named `name` (other jobs in the schema are left alone and allowed for).
 */
export const exercise = (driver: JobDriverShape, name: string) =>
  Effect.gen(function*() {
    const before = yield* driver.counts({ now: 10 })
    const pushed = yield* driver.push({ jobs: [job(name), job(name), job(name)], now: 10 })
    const [first, second, third] = pushed.map((result) => result.id)
    expect((yield* driver.counts({ now: 10 })).pending).toBe(before.pending + 3)
    expect(yield* driver.cancel({ id: third!, now: 10 })).toBe("cancelled")
    expect(yield* driver.retry({ id: third!, now: 10 })).toBe(true)
    yield* driver.pause
    expect(yield* driver.isPaused).toBe(true)
    yield* driver.resume
    expect(yield* driver.isPaused).toBe(false)
    const request = { names: [name], owner: "worker", leaseMs: 1_000, now: 20 }
    const claimed = yield* driver.claim({ ...request, limit: 2 })
    expect(claimed.jobs.map((claimedJob) => claimedJob.id)).toEqual([first, second])
    expect(yield* driver.renew({ ids: [first!, second!], owner: "worker", leaseMs: 1_000, now: 30 })).toEqual([])
    expect(yield* driver.setProgress({ id: first!, owner: "worker", progress: 50 })).toBe(true)
    const completed = { _tag: "Completed", id: first!, owner: "worker" } as const
    expect(yield* driver.finish({ outcomes: [completed], now: 40, removeOnComplete: false })).toEqual([])
    const next = yield* driver.claim({
      ...request,
      limit: 5,
      now: 50,
      finishing: { outcomes: [{ _tag: "Failed", id: second!, owner: "worker", error: "no" }], removeOnComplete: false }
    })
    expect(next.jobs.map((claimedJob) => claimedJob.id)).toEqual([third])
    expect(yield* driver.counts({ now: 60 })).toMatchObject({
      pending: before.pending,
      active: before.active + 1,
      completed: before.completed + 1,
      failed: before.failed + 1
    })
    expect(yield* driver.prune({ state: "completed", finishedBefore: 100, limit: 10 })).toBe(before.completed + 1)
    expect(yield* driver.prune({ state: "failed", keepNewest: 0, limit: 10 })).toBe(before.failed + 1)
    expect((yield* driver.get({ id: third! }))._tag).toBe("Some")
  })

class Work extends JobParameters<Work>()("Work", { n: Schema.Number }) {}

/** A queue over `driver` that runs `Work` jobs; the poll is an hour away unless given, so only wake-ups start jobs. */
export const startWorker = (driver: JobDriverShape, pollInterval: Duration.DurationInput = "1 hour") =>
  Effect.gen(function*() {
    const queue = yield* JobQueue.make({ concurrency: 4, pollInterval }).pipe(Effect.provideService(JobDriver, driver))
    yield* queue.registerJob(Work, () => Effect.void)
    return queue
  })

/** Pushes `count` `Work` jobs with `pusher` and waits (bounded) until `worker`'s queue completed them all. */
export const pushAndComplete = (pusher: JobDriverShape, count: number, timeoutMs = 10_000) =>
  Effect.gen(function*() {
    const queue = yield* JobQueue.make({ concurrency: 0 }).pipe(Effect.provideService(JobDriver, pusher))
    yield* queue.pushMany(Array.from({ length: count }, (_, n) => new Work({ n })))
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const counts = yield* queue.counts
      if (counts.completed === count) return
      if (Date.now() > deadline) return expect.fail(`not all ${count} jobs completed in ${timeoutMs} ms: ${JSON.stringify(counts)}`)
      yield* Effect.sleep("10 millis")
    }
  })
