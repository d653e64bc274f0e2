/**
 * The operator's view of a queue: counts, listings, single-job and bulk actions, schedules and the instances
 * running it. The `effect-jobs` command line and dashboards are built on it.
 *
 * `JobAdmin` only calls the driver: it starts no worker, no retention pass and no wake-up subscription, so a
 * tool can open it next to a busy queue without taking part in it.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const admin = yield* JobAdmin
 *   const { jobs, next } = yield* admin.list({ state: "failed", limit: 20 })
 *   const retried = yield* admin.retryAll({ state: "failed", names: ["SendEmail"] })
 * })
 * program.pipe(Effect.provide(JobAdmin.layer(redisDriver({ url, prefix: "myapp" }))))
 * ```
 *
 * @since 0.1.0
 */
import { Clock, Context, Cron, Duration, Effect, Layer, Option, Schema } from "effect"
import type { CancelResult, FinishedState, JobCounts, JobRecord, JobState } from "./JobDriver.js"
import { JobDriver } from "./JobDriver.js"
import {
  type BulkResult,
  type InstanceRecord,
  type JobFilter,
  type ListOrder,
  MAX_PAGE_SIZE,
  type NameCounts,
  type RemoveResult,
  type ScheduleRecord
} from "./JobDriverAdmin.js"
import { fromRecord, JobInfo } from "./JobInfo.js"
import { type DriverError, type InvalidCursor, InvalidOption } from "./QueueErrors.js"
import { durationAtLeast, integerAtLeast } from "./internal/options.js"
import { parseCron } from "./internal/scheduler.js"

/**
 * A job's public view with its lease: who runs it and until when the lease holds (both `None` unless the job
 * is active). `get` returns it; its encoded side is plain JSON, like `JobInfo`'s.
 *
 * @since 0.1.0
 */
export const JobDetails = Schema.Struct({
  ...JobInfo.fields,
  /** The instance running the job (its `workerId`). */
  leaseOwner: Schema.OptionFromNullOr(Schema.String),
  /** The job runs again elsewhere if its lease is not renewed by then. */
  leaseExpiresAt: Schema.OptionFromNullOr(Schema.Date)
}).annotations({ identifier: "JobDetails" })

/**
 * @since 0.1.0
 */
export interface JobDetails extends Schema.Schema.Type<typeof JobDetails> {}

/**
 * A point in time for a filter: a `Date` or epoch milliseconds.
 *
 * @since 0.1.0
 */
export type TimeInput = Date | number

/**
 * Which jobs of one state an operation looks at (see `JobFilter` for the state time `from` and `to` bound).
 *
 * @since 0.1.0
 */
export interface AdminFilter<S extends JobState = JobState> {
  readonly state: S
  /** Only jobs with one of these names (all names when absent or empty). */
  readonly names?: ReadonlyArray<string> | undefined
  /** Only jobs whose state time is at or after this. */
  readonly from?: TimeInput | undefined
  /** Only jobs whose state time is before this. */
  readonly to?: TimeInput | undefined
  /** Only jobs whose id, unique key or payload text contains this text (case-sensitive). */
  readonly search?: string | undefined
}

/**
 * One page of a listing, for `list`.
 *
 * @since 0.1.0
 */
export interface ListOptions extends AdminFilter {
  /** Default `"newest"`: the latest state time first. */
  readonly order?: ListOrder | undefined
  /** At most this many jobs, in `[1, MAX_PAGE_SIZE]` (default 50). */
  readonly limit?: number | undefined
  /** The `next` of the previous page. */
  readonly after?: string | undefined
}

/**
 * @since 0.1.0
 */
export interface JobPage {
  readonly jobs: ReadonlyArray<JobInfo>
  /** Pass it as `after` for the next page; `undefined` when no job follows. */
  readonly next: string | undefined
}

/**
 * Finished jobs to delete, for `clean`: those of `state` that finished more than `olderThan` ago.
 *
 * @since 0.1.0
 */
export interface CleanOptions {
  readonly state: FinishedState
  readonly olderThan: Duration.DurationInput
}

/**
 * A stored schedule with the next slot its cron expression gives after now (epoch ms; `undefined` when the
 * schedule was never registered, so its expression is unknown).
 *
 * @since 0.1.0
 */
export interface ScheduleInfo extends ScheduleRecord {
  readonly nextSlot: number | undefined
}

/**
 * @since 0.1.0
 */
export interface JobAdminShape {
  /** Jobs per state (`delayed` is the part of `pending` not yet due). */
  readonly counts: Effect.Effect<JobCounts, DriverError>
  /** `counts` per job name, by name, for every name with at least one job. */
  readonly countsByName: Effect.Effect<ReadonlyArray<NameCounts>, DriverError>
  readonly isPaused: Effect.Effect<boolean, DriverError>
  /** Stops every instance of the queue from starting jobs until `resume`. */
  readonly pause: Effect.Effect<void, DriverError>
  readonly resume: Effect.Effect<void, DriverError>
  /**
   * One page of the jobs of one state, newest first unless `order` says `"oldest"`. A `limit` outside
   * `[1, MAX_PAGE_SIZE]` fails with `InvalidOption`, an `after` from another listing with `InvalidCursor`.
   */
  readonly list: (options: ListOptions) => Effect.Effect<JobPage, DriverError | InvalidCursor | InvalidOption>
  /** A job with its lease, if it exists. */
  readonly get: (id: string) => Effect.Effect<Option.Option<JobDetails>, DriverError>
  /** Moves a failed or cancelled job back to pending with fresh attempts; `false` when it is neither. */
  readonly retry: (id: string) => Effect.Effect<boolean, DriverError>
  /** Cancels a pending or active job (an active one's lease is revoked, so its worker stops it). */
  readonly cancel: (id: string) => Effect.Effect<CancelResult, DriverError>
  /** Deletes a job that is not active, with its unique key. */
  readonly remove: (id: string) => Effect.Effect<RemoveResult, DriverError>
  /** Retries every failed or cancelled job the filter matches, in bounded batches; returns how many. */
  readonly retryAll: (
    filter: AdminFilter<"failed" | "cancelled">
  ) => Effect.Effect<number, DriverError | InvalidCursor>
  /** Cancels every pending or active job the filter matches, in bounded batches; returns how many. */
  readonly cancelAll: (
    filter: AdminFilter<"pending" | "active">
  ) => Effect.Effect<number, DriverError | InvalidCursor>
  /**
   * Deletes the jobs of a finished state that finished more than `olderThan` ago, in bounded batches; returns
   * how many. An infinite `olderThan` fails with `InvalidOption`.
   */
  readonly clean: (options: CleanOptions) => Effect.Effect<number, DriverError | InvalidOption>
  /** Every schedule not removed, by key, with its next slot. */
  readonly schedules: Effect.Effect<ReadonlyArray<ScheduleInfo>, DriverError>
  /**
   * Removes a schedule: no slot is pushed under its key until an instance registers it again (a deploy
   * that still schedules it does). `false` when there was none.
   */
  readonly removeSchedule: (key: string) => Effect.Effect<boolean, DriverError>
  /** The instances whose heartbeat has not lapsed, by id. */
  readonly instances: Effect.Effect<ReadonlyArray<InstanceRecord>, DriverError>
}

/** How many jobs one driver call of `retryAll`, `cancelAll` or `clean` changes at most. */
const batchSize = MAX_PAGE_SIZE

const millis = (time: TimeInput | undefined): number | undefined => time instanceof Date ? time.getTime() : time

/** The driver's filter for an admin filter. */
const toJobFilter = (filter: AdminFilter): JobFilter => ({
  state: filter.state,
  names: filter.names,
  from: millis(filter.from),
  to: millis(filter.to),
  search: filter.search
})

/** A driver record as `get` shows it: the public view and the lease. */
const toDetails = (record: JobRecord): JobDetails => ({
  ...fromRecord(record),
  leaseOwner: Option.fromNullable(record.leaseOwner),
  leaseExpiresAt: Option.map(Option.fromNullable(record.leaseExpiresAt), (at) => new Date(at))
})

/** The first slot of a schedule's expression after `now`, when the schedule has a valid one. */
const nextSlot = (schedule: ScheduleRecord, now: number): Effect.Effect<number | undefined> =>
  schedule.cron === undefined
    ? Effect.succeed(undefined)
    : parseCron(schedule.cron, schedule.timeZone).pipe(
      Effect.map((cron) => Cron.next(cron, now).getTime()),
      Effect.orElseSucceed(() => undefined)
    )

/** `limit` as a page size: an integer in `[1, MAX_PAGE_SIZE]`. */
const pageSize = (limit: number): Effect.Effect<number, InvalidOption> =>
  integerAtLeast("limit", limit, 1).pipe(
    Effect.filterOrFail(
      (size) => size <= MAX_PAGE_SIZE,
      (size) => new InvalidOption({ option: "limit", message: `limit must be at most ${MAX_PAGE_SIZE}, got ${size}` })
    )
  )

/**
 * Calls `step` with the previous call's `next` until it is `undefined`; returns the total changed.
 */
const untilDone = <E>(step: (after: string | undefined) => Effect.Effect<BulkResult, E>): Effect.Effect<number, E> =>
  Effect.iterate({ changed: 0, next: undefined as string | undefined, done: false }, {
    while: (state) => !state.done,
    body: (state) =>
      Effect.map(step(state.next), (result) => ({
        changed: state.changed + result.changed,
        next: result.next,
        done: result.next === undefined
      }))
  }).pipe(Effect.map((state) => state.changed))

/**
 * Builds the admin over the `JobDriver` in context.
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<JobAdminShape, never, JobDriver> = Effect.gen(function*() {
  const driver = yield* JobDriver
  const now = Clock.currentTimeMillis

  const bulk = (
    operation: typeof driver.retryAll,
    filter: AdminFilter
  ): Effect.Effect<number, DriverError | InvalidCursor> => {
    const jobFilter = toJobFilter(filter)
    return untilDone((after) =>
      Effect.flatMap(now, (at) => operation({ filter: jobFilter, limit: batchSize, after, now: at }))
    )
  }

  const clean = (options: CleanOptions): Effect.Effect<number, DriverError | InvalidOption> =>
    Effect.gen(function*() {
      const age = yield* durationAtLeast("olderThan", options.olderThan, 0)
      // One cut-off for the whole pass, so jobs finishing meanwhile are left alone.
      const finishedBefore = (yield* now) - age
      let removed = 0
      for (;;) {
        const batch = yield* driver.prune({ state: options.state, finishedBefore, limit: batchSize })
        removed += batch
        if (batch < batchSize) return removed
      }
    })

  return {
    counts: Effect.flatMap(now, (at) => driver.counts({ now: at })),
    countsByName: Effect.flatMap(now, (at) => driver.countsByName({ now: at })),
    isPaused: driver.isPaused,
    pause: driver.pause,
    resume: driver.resume,
    list: (options) =>
      Effect.gen(function*() {
        const limit = yield* pageSize(options.limit ?? 50)
        const page = yield* driver.list({
          filter: toJobFilter(options),
          order: options.order ?? "newest",
          limit,
          after: options.after
        })
        return { jobs: page.jobs.map(fromRecord), next: page.next }
      }),
    get: (id) => driver.get({ id }).pipe(Effect.map(Option.map(toDetails))),
    retry: (id) => Effect.flatMap(now, (at) => driver.retry({ id, now: at })),
    cancel: (id) => Effect.flatMap(now, (at) => driver.cancel({ id, now: at })),
    remove: (id) => driver.remove({ ids: [id] }).pipe(Effect.map((results) => results[0] ?? "not-found")),
    retryAll: (filter) => bulk(driver.retryAll, filter),
    cancelAll: (filter) => bulk(driver.cancelAll, filter),
    clean,
    schedules: Effect.gen(function*() {
      const records = yield* driver.schedules
      const at = yield* now
      return yield* Effect.forEach(records, (record) =>
        Effect.map(nextSlot(record, at), (slot): ScheduleInfo => ({ ...record, nextSlot: slot })))
    }),
    removeSchedule: (key) => driver.removeSchedule({ schedule: key }),
    instances: Effect.flatMap(now, (at) => driver.instances({ now: at }))
  } satisfies JobAdminShape
})

/**
 * The admin as a layer over a driver layer: `JobAdmin.layer(redisDriver({ url, prefix: "myapp" }))`.
 *
 * @since 0.1.0
 */
export const layer = <E, R>(driver: Layer.Layer<JobDriver, E, R>): Layer.Layer<JobAdmin, E, R> =>
  Layer.effect(JobAdmin, make).pipe(Layer.provide(driver))

/**
 * Operating a queue: `yield* JobAdmin` in a program, `JobAdmin.layer(driver)` to provide it.
 *
 * @since 0.1.0
 */
export class JobAdmin extends Context.Tag("effect-jobs/JobAdmin")<JobAdmin, JobAdminShape>() {
  static readonly make = make
  static readonly layer = layer
}
