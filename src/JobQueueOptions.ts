/**
 * The options of a `JobQueue` and of its handlers (defaults in docs/options.md).
 *
 * @since 0.1.0
 */
import type { Duration } from "effect"
import type { Backoff } from "./Backoff.js"
import type { EventsCapacity } from "./internal/events.js"
import type { JobMiddleware } from "./JobMiddleware.js"
import type { JobParametersSchema } from "./JobParameters.js"

/**
 * How long, or how many, finished jobs of one state are kept: a duration, `"forever"`, or limits by age
 * and by count (a job goes when either says so).
 *
 * @since 0.1.0
 */
export type KeepJobs =
  | Duration.DurationInput
  | "forever"
  | { readonly maxAge?: Duration.DurationInput; readonly maxCount?: number }

/**
 * How long, or how many, finished jobs are kept: a duration, `"forever"` (until removed), or
 * `{ maxAge, maxCount }` (a job goes when either says so). Keeping no completed jobs (`0`, or
 * `{ maxCount: 0 }`) deletes jobs as they complete (the fastest setting).
 *
 * @since 0.1.0
 */
export interface RetentionOptions {
  /** Default 1 hour. */
  readonly completed?: KeepJobs
  /** Default forever: failed jobs wait for a person to look at them. */
  readonly failed?: KeepJobs
  /** Default 1 day. */
  readonly cancelled?: KeepJobs
  /**
   * How often, at most, old jobs are removed (default 1 minute): passes run as jobs finished here come due,
   * one interval after start, and at least hourly.
   */
  readonly interval?: Duration.DurationInput
}

/**
 * @since 0.1.0
 */
export interface JobQueueOptions {
  /** Attempts run at once by this instance (default 10). `0` makes a push-only instance. */
  readonly concurrency?: number
  /**
   * Jobs this instance may claim beyond its free places while a backlog lasts. They stay leased here and start
   * as places free, saving round trips for short jobs. The default, `"auto"`, holds only as many as the recent
   * run times say will start within 10 ms (at most 100, none until a job has finished); `0` never claims
   * ahead, so other instances can take every job not yet running.
   */
  readonly prefetch?: number | "auto"
  /** How long a claimed job stays leased without renewal (default 15 seconds). */
  readonly leaseDuration?: Duration.DurationInput
  /** How long shutdown waits for running attempts before releasing them (default 25 seconds). */
  readonly shutdownTimeout?: Duration.DurationInput
  /**
   * Process signals that, received while the queue drains, release the running jobs at once so the process
   * can exit (default `["SIGTERM", "SIGINT"]`: a second Ctrl-C stops now). `[]` leaves signals alone.
   */
  readonly releaseSignals?: ReadonlyArray<string>
  /** The slow fallback poll for missed wake-ups (default 5 seconds). */
  readonly pollInterval?: Duration.DurationInput
  /** Default attempt limit for jobs that set none (default 3). */
  readonly maxAttempts?: number
  /** Default retry delays for jobs that set none (default exponential from 1 second). */
  readonly backoff?: Backoff
  /** Largest encoded payload accepted by push (default 1 MiB). */
  readonly maxPayloadBytes?: number
  readonly retention?: RetentionOptions
  readonly middleware?: ReadonlyArray<JobMiddleware>
  /**
   * Job kinds this instance may push by name without running them, as `define` declares them: a push-only
   * instance (`concurrency: 0`) can then `pushByName` jobs that other instances run.
   */
  readonly jobs?: ReadonlyArray<JobParametersSchema<any, any>>
  /**
   * How many events each `subscribe` (and each run of `events`) holds unread (default 1,000). A subscriber
   * that falls further behind loses its oldest events; the others lose nothing. `"unbounded"` keeps every
   * event until read, however much memory that takes.
   */
  readonly eventsCapacity?: EventsCapacity
  /** Names this instance in leases, logs and its heartbeat (default a random id). */
  readonly workerId?: string
  /**
   * How often the instance records its heartbeat (default 10 seconds); `JobAdmin.instances` lists it until
   * three beats are missed.
   */
  readonly heartbeatInterval?: Duration.DurationInput
}

/**
 * Options for one handler; they override the job's defaults.
 *
 * @since 0.1.0
 */
export interface HandlerOptions {
  readonly maxAttempts?: number
  readonly backoff?: Backoff
  readonly timeout?: Duration.DurationInput
}
