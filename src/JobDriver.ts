/**
 * The driver port: the one narrow interface every storage backend implements.
 *
 * A driver stores jobs and moves them between states atomically. It holds no policy: retry times, attempt
 * limits, timeouts and shutdown are decided by the `JobQueue` worker and handed to the driver as plain values.
 * Drivers never read a clock of their own; every operation that depends on time takes `now` (epoch
 * milliseconds) from the caller, so the same code runs under `TestClock` and on servers whose clocks differ.
 *
 * The state machine and each operation's guarantees are written down in `docs/driver-contract.md`, and
 * the conformance suite (`runConformance` in `effect-jobs/testing`) checks them against every driver.
 *
 * @since 0.1.0
 */
import { Context } from "effect"
import type { Effect, Option, Stream } from "effect"
import type { JobDriverAdminShape } from "./JobDriverAdmin.js"
import type { DriverError, PushOutcomeUnknown } from "./QueueErrors.js"
import { completeDriver, type JobDriverImpl } from "./internal/completeDriver.js"

/**
 * The lifecycle of a job.
 *
 * `pending` (ready or delayed) -> `active` -> `completed` | `failed` | `pending` (retry, release, expired
 * lease); `pending` | `active` -> `cancelled`; `failed` | `cancelled` -> `pending` (retry).
 *
 * @since 0.1.0
 */
export type JobState = "pending" | "active" | "completed" | "failed" | "cancelled"

/**
 * The states a job can end in.
 *
 * @since 0.1.0
 */
export type FinishedState = "completed" | "failed" | "cancelled"

/**
 * Priorities are integers in `[MIN_PRIORITY, MAX_PRIORITY]`; higher runs first.
 *
 * @since 0.1.0
 */
export const MIN_PRIORITY = -1000

/**
 * @since 0.1.0
 */
export const MAX_PRIORITY = 1000

/**
 * Reserved wake-up name meaning "work may be ready for any job name" (after `resume`, say).
 *
 * @since 0.1.0
 */
export const ANY_JOB = "*"

/**
 * A job to insert.
 *
 * @since 0.1.0
 */
export interface NewJob {
  /**
   * A caller-chosen id. A job with this id is inserted at most once: if any job with the id exists, in any
   * state, nothing is written and its id is returned with `inserted: false`.
   *
   * Without one, the driver generates the id (`generateJobId`) when `push` is called, before anything is
   * sent, and writes so that storing the same push twice makes one job: a re-sent command or a second run of
   * the effect `push` returned finds the job under its generated id, writes nothing and reports it
   * `inserted: true`. A generated id never equals an id chosen by anyone who did not copy it.
   */
  readonly id?: string | undefined
  readonly name: string
  /** The encoded parameters as JSON text. Drivers store it verbatim. */
  readonly payload: string
  /** An integer in `[MIN_PRIORITY, MAX_PRIORITY]`. */
  readonly priority: number
  /** Epoch milliseconds; the job is not claimable before this. */
  readonly runAt: number
  /** The attempt limit chosen at push, if any (otherwise the worker's handler options decide). */
  readonly maxAttempts?: number | undefined
  /**
   * While a job with this key is `pending` or `active`, pushing another job with the same key writes nothing
   * and returns the existing job's id with `inserted: false`.
   */
  readonly uniqueKey?: string | undefined
}

/**
 * Jobs to insert, for `push`.
 *
 * @since 0.1.0
 */
export interface PushRequest {
  readonly jobs: ReadonlyArray<NewJob>
  readonly now: number
}

/**
 * @since 0.1.0
 */
export interface PushResult {
  readonly id: string
  /** `false` when an existing job (same `id` or live `uniqueKey`) was returned instead. */
  readonly inserted: boolean
}

/**
 * Everything a driver knows about a job.
 *
 * @since 0.1.0
 */
export interface JobRecord {
  readonly id: string
  readonly name: string
  readonly payload: string
  readonly state: JobState
  readonly priority: number
  /** When the job is (or was) due to run, epoch ms. */
  readonly runAt: number
  /** Attempts started so far (the running attempt included). */
  readonly attempts: number
  readonly maxAttempts: number | undefined
  readonly uniqueKey: string | undefined
  readonly createdAt: number
  /** When the latest attempt started. */
  readonly startedAt: number | undefined
  /** When the job reached `completed`, `failed` or `cancelled`. */
  readonly finishedAt: number | undefined
  /** The latest failure, formatted. */
  readonly lastError: string | undefined
  readonly progress: number | undefined
  readonly leaseOwner: string | undefined
  readonly leaseExpiresAt: number | undefined
}

/**
 * @since 0.1.0
 */
export interface ClaimRequest {
  /** Only jobs with one of these names are claimed. Never empty. */
  readonly names: ReadonlyArray<string>
  /** At most this many jobs (>= 1). */
  readonly limit: number
  /** The lease owner; every later change to a claimed job must present it. */
  readonly owner: string
  /** The lease lasts until `now + leaseMs` unless renewed. */
  readonly leaseMs: number
  readonly now: number
  /**
   * Outcomes to record in the same call, exactly as `finish` would, so a busy worker reports what ended and
   * fetches more in one round trip. Their lost ids come back in `ClaimResult.lost`.
   */
  readonly finishing?: OutcomeBatch
}

/**
 * Attempt outcomes to record, and whether completed jobs are deleted instead of kept.
 *
 * @since 0.1.0
 */
export interface OutcomeBatch {
  readonly outcomes: ReadonlyArray<Outcome>
  readonly removeOnComplete: boolean
}

/**
 * Attempt outcomes to record at `now`, for `finish`.
 *
 * @since 0.1.0
 */
export interface FinishRequest extends OutcomeBatch {
  readonly now: number
}

/**
 * A job handed to a worker, now `active` under the worker's lease.
 *
 * @since 0.1.0
 */
export interface ClaimedJob {
  readonly id: string
  readonly name: string
  readonly payload: string
  /** The number of this attempt, starting at 1. */
  readonly attempt: number
  readonly maxAttempts: number | undefined
  readonly createdAt: number
  readonly runAt: number
}

/**
 * @since 0.1.0
 */
export interface ClaimResult {
  /**
   * Claimed jobs, best first: higher priority, then earlier `runAt`, then push order. Jobs whose lease
   * expired count as ready; they come back with their attempt counter moved on.
   */
  readonly jobs: ReadonlyArray<ClaimedJob>
  /**
   * The earliest future time at which more work may become claimable for these names without a wake-up
   * (a delayed job falling due, an active lease expiring), if the driver can tell cheaply. The worker sleeps
   * until then at the latest.
   */
  readonly nextRunAt: number | undefined
  /** The ids of `finishing` outcomes whose lease was no longer held (ignored, as `finish` reports them). */
  readonly lost: ReadonlyArray<string>
}

/**
 * How an attempt ended. Every outcome is applied only if `owner` still holds the job's lease (the job is
 * `active` and its lease owner is `owner`); otherwise it is ignored and reported as lost.
 *
 * - `Completed`: the job is `completed` (or removed at once when `removeOnComplete` is set on the finish call).
 * - `Retry`: back to `pending`, due at `runAt`, with `error` stored as the last error.
 * - `Failed`: `failed` for good, with `error` stored.
 * - `Released`: back to `pending` at once with its original `runAt`; the attempt is not counted.
 *
 * @since 0.1.0
 */
export type Outcome =
  | { readonly _tag: "Completed"; readonly id: string; readonly owner: string }
  | {
    readonly _tag: "Retry"
    readonly id: string
    readonly owner: string
    readonly error: string
    readonly runAt: number
  }
  | { readonly _tag: "Failed"; readonly id: string; readonly owner: string; readonly error: string }
  | { readonly _tag: "Released"; readonly id: string; readonly owner: string }

/**
 * @since 0.1.0
 */
export interface RenewRequest {
  readonly ids: ReadonlyArray<string>
  readonly owner: string
  readonly leaseMs: number
  readonly now: number
}

/**
 * Progress to store on an active job, for `setProgress`.
 *
 * @since 0.1.0
 */
export interface SetProgressRequest {
  readonly id: string
  readonly owner: string
  readonly progress: number
}

/**
 * The job to read, for `get`.
 *
 * @since 0.1.0
 */
export interface GetRequest {
  readonly id: string
}

/**
 * The job to cancel, for `cancel`.
 *
 * @since 0.1.0
 */
export interface CancelRequest {
  readonly id: string
  readonly now: number
}

/**
 * The failed or cancelled job to move back to pending, due at `now`, for `retry`.
 *
 * @since 0.1.0
 */
export interface RetryRequest {
  readonly id: string
  readonly now: number
}

/**
 * The time `delayed` is counted against, for `counts`.
 *
 * @since 0.1.0
 */
export interface CountsRequest {
  readonly now: number
}

/**
 * What `cancel` did: `cancelled` (the job was pending or active and is now cancelled), `finished` (it had
 * already completed, failed or been cancelled; nothing changed) or `not-found`.
 *
 * @since 0.1.0
 */
export type CancelResult = "cancelled" | "finished" | "not-found"

/**
 * Jobs per state. `delayed` is the part of `pending` whose `runAt` is still in the future.
 *
 * @since 0.1.0
 */
export interface JobCounts {
  readonly pending: number
  readonly delayed: number
  readonly active: number
  readonly completed: number
  readonly failed: number
  readonly cancelled: number
}

/**
 * @since 0.1.0
 */
export type PruneRequest =
  & {
    readonly state: FinishedState
    /** Remove at most this many in one call, so a big backlog is trimmed in bounded steps. */
    readonly limit: number
  }
  & (
    /** Jobs that finished strictly before this time, oldest first. */
    | { readonly finishedBefore: number }
    /** Every job of the state but the `keepNewest` that finished last. */
    | { readonly keepNewest: number }
  )

/**
 * The driver port: one request object per operation. Drivers build it with `JobDriver.make`, which fills in
 * what a driver may leave out. The operations behind `JobAdmin` (listing, bulk changes, schedules, instances)
 * are described in `JobDriverAdmin`.
 *
 * @since 0.1.0
 */
export interface JobDriverShape extends JobDriverAdminShape {
  /** A short name for logs and errors: `memory`, `redis`, `postgres`. */
  readonly name: string
  /** Inserts jobs atomically (all or none) and wakes workers. Results are in input order. */
  readonly push: (request: PushRequest) => Effect.Effect<ReadonlyArray<PushResult>, DriverError | PushOutcomeUnknown>
  /**
   * Records the `finishing` outcomes (even while paused), then claims up to `limit` ready jobs under a lease.
   * Claims nothing while the queue is paused.
   */
  readonly claim: (request: ClaimRequest) => Effect.Effect<ClaimResult, DriverError>
  /** Extends the leases `owner` still holds; returns the ids it no longer holds (lost, cancelled, gone). */
  readonly renew: (request: RenewRequest) => Effect.Effect<ReadonlyArray<string>, DriverError>
  /**
   * Applies attempt outcomes in one round trip; returns the ids whose lease was no longer held (ignored).
   * `removeOnComplete` deletes completed jobs instead of keeping them.
   */
  readonly finish: (request: FinishRequest) => Effect.Effect<ReadonlyArray<string>, DriverError>
  /** Stores progress on an active job; `false` when `owner` no longer holds its lease. */
  readonly setProgress: (request: SetProgressRequest) => Effect.Effect<boolean, DriverError>
  readonly get: (request: GetRequest) => Effect.Effect<Option.Option<JobRecord>, DriverError>
  /** Cancels a pending or active job. An active job's lease is revoked: its next renew reports it lost. */
  readonly cancel: (request: CancelRequest) => Effect.Effect<CancelResult, DriverError>
  /** Moves a `failed` or `cancelled` job back to `pending`, due at `now`, with its attempt count reset. */
  readonly retry: (request: RetryRequest) => Effect.Effect<boolean, DriverError>
  /** While paused, `claim` hands out nothing to any worker of this queue. */
  readonly pause: Effect.Effect<void, DriverError>
  /** Ends a pause and wakes workers. */
  readonly resume: Effect.Effect<void, DriverError>
  readonly isPaused: Effect.Effect<boolean, DriverError>
  readonly counts: (request: CountsRequest) => Effect.Effect<JobCounts, DriverError>
  /** Removes up to `limit` finished jobs; returns how many were removed. */
  readonly prune: (request: PruneRequest) => Effect.Effect<number, DriverError>
  /**
   * Wake-up signals: emits a job name (or `ANY_JOB`) whenever jobs may have become claimable (push, release,
   * retry, resume), including pushes made by other processes. Best effort: a missed signal costs latency,
   * never a job, because workers also poll slowly and sleep until `nextRunAt`.
   */
  readonly wakeups: Stream.Stream<string>
  /**
   * `true` when `wakeups` never misses a change (an in-process driver): workers then skip the fallback poll and
   * sleep until `nextRunAt` or the next wake-up.
   */
  readonly reliableWakeups: boolean
  /**
   * Pushes the job of one schedule slot, unless a slot at or after `slot` was already pushed under `schedule`,
   * and records `slot` as that schedule's last slot, in one atomic step. Returns whether the slot was taken
   * (`false`: an equal or later slot came first, nothing was written). The record outlives the slot's job, so
   * a slot never runs twice however soon its job is removed. `job` carries a chosen `id` and no `uniqueKey`.
   * A schedule removed with `removeSchedule` takes no slot (`false`) until it is registered again.
   */
  readonly pushScheduled: (request: ScheduledPush) => Effect.Effect<boolean, DriverError>
}

/**
 * One slot of a recurring schedule, for `pushScheduled`.
 *
 * @since 0.1.0
 */
export interface ScheduledPush {
  /** The schedule's key: any text the application chose (drivers store it as data, never in a name). */
  readonly schedule: string
  /** The slot's time, epoch ms. */
  readonly slot: number
  /** The slot's job: a chosen `id`, no `uniqueKey`. */
  readonly job: NewJob
  readonly now: number
}

export type { JobDriverImpl }

/**
 * The driver service. Drivers are provided as layers: `memoryDriver`, `redisDriver(options)`,
 * `postgresDriver(options)`.
 *
 * @since 0.1.0
 */
export class JobDriver extends Context.Tag("effect-jobs/JobDriver")<JobDriver, JobDriverShape>() {
  /**
   * Builds the port from what a driver implements, filling in what it may leave out: a claim that records
   * the outcomes it carries (from `finish`, then `claim`) unless `claimRecordsOutcomes` says the driver's own
   * claim does, `wakeups` (none: workers poll), `reliableWakeups` (`false`), and empty batches (`push`,
   * `renew` and `finish` with nothing to do answer without calling the driver).
   *
   * @since 0.1.0
   */
  static readonly make: (impl: JobDriverImpl) => JobDriverShape = completeDriver
}
