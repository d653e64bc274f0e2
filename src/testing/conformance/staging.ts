/**
 * Jobs put in the state a case of the operating side needs, through the port alone (push, claim, finish,
 * cancel) and at explicit times, and ways to read a whole listing or run a bulk change to its end.
 */
import { assert } from "@effect/vitest"
import { Effect } from "effect"
import type {
  BulkRequest,
  BulkResult,
  DriverError,
  InvalidCursor,
  JobDriverShape,
  JobFilter,
  JobRecord,
  ListOrder,
  NewJob
} from "../../index.js"

/** The time cases start at (epoch ms); every `now` of a case is given relative to it. */
export const t0 = Date.UTC(2024, 0, 1)

export const hour = 3_600_000

/** The lease owner of every job a case claims. */
export const owner = "conformance-worker"

/** Leases long enough never to lapse within a case. */
export const leaseMs = 24 * hour

/** A job to push: `name` defaults to `Tick`, `runAt` to `t0`, `payload` to a JSON text naming the id. */
export interface JobSpec {
  readonly id: string
  readonly name?: string
  readonly runAt?: number
  readonly payload?: string
  readonly uniqueKey?: string
}

export const newJob = (spec: JobSpec): NewJob => ({
  id: spec.id,
  name: spec.name ?? "Tick",
  payload: spec.payload ?? JSON.stringify({ job: spec.id }),
  priority: 0,
  runAt: spec.runAt ?? t0,
  uniqueKey: spec.uniqueKey
})

/** Pushes the jobs in one call at `now`; each must be inserted. */
export const pushJobs = (driver: JobDriverShape, specs: ReadonlyArray<JobSpec>, now = t0): Effect.Effect<void> =>
  Effect.gen(function*() {
    const results = yield* driver.push({ jobs: specs.map(newJob), now }).pipe(Effect.orDie)
    assert.deepStrictEqual(results, specs.map((spec) => ({ id: spec.id, inserted: true })))
  })

/** Claims up to `limit` ready jobs of `name` at `now` under a long lease; they must be `expected`, in order. */
export const claimJobs = (
  driver: JobDriverShape,
  expected: ReadonlyArray<string>,
  now: number,
  name = "Tick"
): Effect.Effect<void> =>
  Effect.gen(function*() {
    const claimed = yield* driver.claim({ names: [name], limit: expected.length, owner, leaseMs, now }).pipe(
      Effect.orDie
    )
    assert.deepStrictEqual(claimed.jobs.map((job) => job.id), expected)
  })

/** Records one outcome of a job claimed by `claimJobs` at `now`; it must be applied. */
export const finishJob = (
  driver: JobDriverShape,
  id: string,
  outcome: "Completed" | "Failed" | { readonly retryAt: number },
  now: number,
  removeOnComplete = false
): Effect.Effect<void> =>
  Effect.gen(function*() {
    const lost = yield* driver.finish({
      outcomes: [
        outcome === "Completed"
          ? { _tag: "Completed", id, owner }
          : outcome === "Failed"
          ? { _tag: "Failed", id, owner, error: "failed on purpose" }
          : { _tag: "Retry", id, owner, error: "retried on purpose", runAt: outcome.retryAt }
      ],
      removeOnComplete,
      now
    }).pipe(Effect.orDie)
    assert.deepStrictEqual(lost, [])
  })

/** Cancels a pending or active job at `now`. */
export const cancelJob = (driver: JobDriverShape, id: string, now: number): Effect.Effect<void> =>
  Effect.gen(function*() {
    assert.strictEqual(yield* driver.cancel({ id, now }).pipe(Effect.orDie), "cancelled")
  })

export const idsOf = (jobs: ReadonlyArray<JobRecord>): ReadonlyArray<string> => jobs.map((job) => job.id)

/** Bounds every paging loop, so a driver that never ends a listing fails the case instead of hanging it. */
const maxCalls = 1_000

/**
 * Every page of a listing, from `after` (the start when absent) until `next` is undefined. Checks that no page
 * holds more than `limit` jobs.
 */
export const pagesOf = (
  driver: JobDriverShape,
  filter: JobFilter,
  order: ListOrder,
  limit: number,
  after?: string
): Effect.Effect<ReadonlyArray<ReadonlyArray<JobRecord>>, DriverError | InvalidCursor> =>
  Effect.gen(function*() {
    const pages: Array<ReadonlyArray<JobRecord>> = []
    let cursor = after
    for (let call = 0; call < maxCalls; call++) {
      const page = yield* driver.list({ filter, order, limit, after: cursor })
      assert.isAtMost(page.jobs.length, limit, "a page holds at most `limit` jobs")
      pages.push(page.jobs)
      if (page.next === undefined) return pages
      cursor = page.next
    }
    return assert.fail(`the listing did not end within ${maxCalls} pages`)
  })

/** Every job of a listing, paging with `limit` (default: one page of up to 100). */
export const listAll = (
  driver: JobDriverShape,
  filter: JobFilter,
  order: ListOrder = "oldest",
  limit = 100
): Effect.Effect<ReadonlyArray<JobRecord>> =>
  pagesOf(driver, filter, order, limit).pipe(Effect.map((pages) => pages.flat()), Effect.orDie)

/** The ids of a listing, in order. */
export const listIds = (
  driver: JobDriverShape,
  filter: JobFilter,
  order: ListOrder = "oldest",
  limit = 100
): Effect.Effect<ReadonlyArray<string>> => Effect.map(listAll(driver, filter, order, limit), idsOf)

/**
 * Runs a bulk change (`retryAll` or `cancelAll`) from the start, continuing with `next` until it is undefined.
 * Checks that no call changes more than `limit`; returns how many changed per call.
 */
export const bulkAll = (
  change: (request: BulkRequest) => Effect.Effect<BulkResult, DriverError | InvalidCursor>,
  request: Omit<BulkRequest, "after">
): Effect.Effect<ReadonlyArray<number>> =>
  Effect.gen(function*() {
    const changed: Array<number> = []
    let after: string | undefined
    for (let call = 0; call < maxCalls; call++) {
      const result = yield* change({ ...request, after }).pipe(Effect.orDie)
      assert.isAtMost(result.changed, request.limit, "a bulk call changes at most `limit` jobs")
      changed.push(result.changed)
      if (result.next === undefined) return changed
      after = result.next
    }
    return assert.fail(`the bulk change did not end within ${maxCalls} calls`)
  })

/** The job's state, or `"gone"` when the driver has no record of it. */
export const stateOf = (driver: JobDriverShape, id: string): Effect.Effect<string> =>
  driver.get({ id }).pipe(
    Effect.orDie,
    Effect.map((job) => job._tag === "Some" ? job.value.state : "gone")
  )

/** The states of several jobs, in order. */
export const statesOf = (driver: JobDriverShape, ids: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<string>> =>
  Effect.forEach(ids, (id) => stateOf(driver, id))
