/**
 * The operating side of the driver port: listing and removing jobs, bulk retry and cancel, schedules and the
 * instances that run the queue. `JobAdmin`, the command line and the dashboard are built on these; every
 * driver implements them and the conformance suite checks them.
 *
 * Listing never counts or skips rows (no offset): a page ends with a cursor, an opaque string made by the
 * driver that names the position after the page's last job. A driver may examine a bounded number of jobs per
 * call, so a page may hold fewer than `limit` jobs while `next` is set; only `next === undefined` means the end.
 *
 * @since 0.1.0
 */
import type { Effect } from "effect"
import type { CountsRequest, FinishedState, JobCounts, JobRecord, JobState } from "./JobDriver.js"
import type { DriverError, InvalidCursor } from "./QueueErrors.js"

/**
 * The most jobs one `list` call returns, and the most one bulk call changes.
 *
 * @since 0.1.0
 */
export const MAX_PAGE_SIZE = 1_000

/**
 * Which jobs of one state an operation looks at.
 *
 * Every job has a **state time**, the time its listing is ordered and ranged by: its `runAt` while
 * `pending`, its `startedAt` while `active`, its `finishedAt` once `completed`, `failed` or `cancelled`.
 *
 * @since 0.1.0
 */
export interface JobFilter {
  readonly state: JobState
  /** Only jobs with one of these names (all names when absent or empty). */
  readonly names?: ReadonlyArray<string> | undefined
  /** Only jobs whose state time is at or after this (epoch ms). */
  readonly from?: number | undefined
  /** Only jobs whose state time is strictly before this (epoch ms). */
  readonly to?: number | undefined
  /**
   * Only jobs whose id, unique key or payload text contains this text (case-sensitive; an empty text matches
   * every job).
   */
  readonly search?: string | undefined
}

/**
 * `newest`: latest state time first (the most recently finished, started, or the furthest run time).
 * `oldest`: earliest state time first (for pending jobs, the next due first).
 * Jobs with equal state times keep one fixed order within a driver, so pages never repeat or skip a job.
 *
 * @since 0.1.0
 */
export type ListOrder = "newest" | "oldest"

/**
 * One page of jobs, for `list`.
 *
 * @since 0.1.0
 */
export interface ListRequest {
  readonly filter: JobFilter
  readonly order: ListOrder
  /** At most this many jobs, in `[1, MAX_PAGE_SIZE]`. */
  readonly limit: number
  /** The `next` of the previous page; absent for the first page. */
  readonly after?: string | undefined
}

/**
 * @since 0.1.0
 */
export interface ListPage {
  readonly jobs: ReadonlyArray<JobRecord>
  /** Where the next page starts; `undefined` when no job follows. */
  readonly next: string | undefined
}

/**
 * The jobs to delete, for `remove`.
 *
 * @since 0.1.0
 */
export interface RemoveRequest {
  readonly ids: ReadonlyArray<string>
}

/**
 * What `remove` did with one id: `removed` (the job and its unique key are gone), `active` (it is running, so
 * it was kept: cancel it first) or `not-found`.
 *
 * @since 0.1.0
 */
export type RemoveResult = "removed" | "active" | "not-found"

/**
 * A bulk change of the jobs one filter matches, in the filter state's `oldest` order, for `retryAll` (state
 * `failed` or `cancelled`) and `cancelAll` (state `pending` or `active`).
 *
 * @since 0.1.0
 */
export interface BulkRequest {
  readonly filter: JobFilter
  /** Change at most this many jobs, in `[1, MAX_PAGE_SIZE]`. */
  readonly limit: number
  /** The `next` of the previous call; absent for the first. */
  readonly after?: string | undefined
  readonly now: number
}

/**
 * @since 0.1.0
 */
export interface BulkResult {
  /** How many jobs changed in this call. */
  readonly changed: number
  /** Where the next call continues; `undefined` when no matching job is left. */
  readonly next: string | undefined
}

/**
 * A schedule as an instance declares it, for `registerSchedule`.
 *
 * @since 0.1.0
 */
export interface ScheduleDefinition {
  /** The schedule's key (see `ScheduledPush.schedule`). */
  readonly schedule: string
  /** The cron expression as written, nicknames included. */
  readonly cron: string
  /** The IANA time zone of the expression; `undefined` for UTC. */
  readonly timeZone: string | undefined
  /** The job name of its slots. */
  readonly name: string
  readonly now: number
}

/**
 * A schedule as stored: its definition (when an instance registered it) and the last slot pushed.
 *
 * @since 0.1.0
 */
export interface ScheduleRecord {
  readonly schedule: string
  /** `undefined` when slots were pushed under the key without a registration. */
  readonly cron: string | undefined
  readonly timeZone: string | undefined
  readonly name: string | undefined
  /** The last slot pushed, epoch ms. */
  readonly lastSlot: number | undefined
  /** When the last slot was pushed. */
  readonly lastPushedAt: number | undefined
  /** When an instance last registered it. */
  readonly registeredAt: number | undefined
}

/**
 * The schedule to remove, for `removeSchedule`.
 *
 * @since 0.1.0
 */
export interface RemoveScheduleRequest {
  readonly schedule: string
}

/**
 * A running `JobQueue` instance, as its heartbeat reports it.
 *
 * @since 0.1.0
 */
export interface InstanceRecord {
  /** The instance id; also the lease owner of the jobs it runs. */
  readonly id: string
  readonly host: string
  readonly pid: number
  /** The job names it has handlers for. */
  readonly names: ReadonlyArray<string>
  readonly concurrency: number
  /** The ids of the jobs it is running (at most 100). */
  readonly running: ReadonlyArray<string>
  readonly startedAt: number
  readonly lastSeenAt: number
  /** Its record expires then unless it beats again. */
  readonly expiresAt: number
}

/**
 * @since 0.1.0
 */
export interface HeartbeatRequest {
  /** Stored as given; `lastSeenAt` is the heartbeat's time and `expiresAt` when it lapses. */
  readonly instance: InstanceRecord
}

/**
 * The instances whose heartbeat has not lapsed at `now`, for `instances`.
 *
 * @since 0.1.0
 */
export interface InstancesRequest {
  readonly now: number
}

/**
 * The instance that stopped, for `removeInstance`.
 *
 * @since 0.1.0
 */
export interface RemoveInstanceRequest {
  readonly id: string
}

/**
 * The jobs of one name per state, for `countsByName`.
 *
 * @since 0.1.0
 */
export interface NameCounts {
  readonly name: string
  readonly counts: JobCounts
}

/**
 * The operating part of the port (see the module description). Part of `JobDriverShape`.
 *
 * @since 0.1.0
 */
export interface JobDriverAdminShape {
  /**
   * One page of the jobs `filter` matches, in `order`. Fails with `InvalidCursor` when `after` is not a cursor
   * this driver made for the same state and order.
   */
  readonly list: (request: ListRequest) => Effect.Effect<ListPage, DriverError | InvalidCursor>
  /**
   * `counts` per job name, by name, for every name that has at least one job. Kept cheap on a big store
   * (counters, an index), as dashboards ask every few seconds.
   */
  readonly countsByName: (request: CountsRequest) => Effect.Effect<ReadonlyArray<NameCounts>, DriverError>
  /** Deletes jobs that are not active, with their unique keys; one result per id, in input order. */
  readonly remove: (request: RemoveRequest) => Effect.Effect<ReadonlyArray<RemoveResult>, DriverError>
  /** Moves up to `limit` matching `failed` or `cancelled` jobs back to pending, as `retry` does. */
  readonly retryAll: (request: BulkRequest) => Effect.Effect<BulkResult, DriverError | InvalidCursor>
  /** Cancels up to `limit` matching `pending` or `active` jobs, as `cancel` does. */
  readonly cancelAll: (request: BulkRequest) => Effect.Effect<BulkResult, DriverError | InvalidCursor>
  /**
   * Stores a schedule's definition, replacing an earlier one under its key, and ends a removal: slots are
   * pushed under the key again. The last slot pushed is kept.
   */
  readonly registerSchedule: (definition: ScheduleDefinition) => Effect.Effect<void, DriverError>
  /** Every schedule not removed, by key. */
  readonly schedules: Effect.Effect<ReadonlyArray<ScheduleRecord>, DriverError>
  /**
   * Removes a schedule: it is no longer listed and `pushScheduled` refuses its slots until an instance
   * registers it again. Its last slot is kept, so a slot still never runs twice. `false` when no schedule
   * had the key.
   */
  readonly removeSchedule: (request: RemoveScheduleRequest) => Effect.Effect<boolean, DriverError>
  /** Records an instance's heartbeat, replacing its earlier one. */
  readonly heartbeat: (request: HeartbeatRequest) => Effect.Effect<void, DriverError>
  /** The live instances, by id. Lapsed records may be deleted here. */
  readonly instances: (request: InstancesRequest) => Effect.Effect<ReadonlyArray<InstanceRecord>, DriverError>
  /** Deletes an instance's record (it stopped). */
  readonly removeInstance: (request: RemoveInstanceRequest) => Effect.Effect<void, DriverError>
}

/**
 * The finished states, as a guard.
 *
 * @since 0.1.0
 */
export const isFinishedState = (state: JobState): state is FinishedState =>
  state === "completed" || state === "failed" || state === "cancelled"

/**
 * A job's state time (see `JobFilter`): `runAt` while pending, `startedAt` while active, `finishedAt` once
 * finished (`runAt` when a record lacks the time its state should have).
 *
 * @since 0.1.0
 */
export const stateTime = (job: JobRecord): number =>
  job.state === "pending" ? job.runAt : (job.state === "active" ? job.startedAt : job.finishedAt) ?? job.runAt

/**
 * Whether `job` matches `filter` (state, names, state-time range and text): the reference every driver's
 * listing agrees with.
 *
 * @since 0.1.0
 */
export const matchesFilter = (job: JobRecord, filter: JobFilter): boolean => {
  if (job.state !== filter.state) return false
  if (filter.names !== undefined && filter.names.length > 0 && !filter.names.includes(job.name)) return false
  const time = stateTime(job)
  if (filter.from !== undefined && time < filter.from) return false
  if (filter.to !== undefined && time >= filter.to) return false
  const search = filter.search
  return search === undefined || job.id.includes(search) || job.payload.includes(search) ||
    (job.uniqueKey !== undefined && job.uniqueKey.includes(search))
}
