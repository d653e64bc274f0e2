/**
 * The job queue service: register handlers, push jobs, inspect and steer them.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const queue = yield* JobQueue
 *   yield* queue.registerJob(SendEmail, (params, ctx) => Effect.log(`to ${params.to}, try ${ctx.attempt}`))
 *   yield* queue.push(new SendEmail({ to: "a@b.c", subject: "hi" }), { delay: "5 seconds" })
 * })
 * Effect.scoped(program).pipe(Effect.provide(JobQueue.layer(memoryDriver, { concurrency: 4 })))
 * ```
 *
 * @since 0.1.0
 */
import { Clock, Config, Context, Duration, Effect, Either, Layer, Option, ParseResult, Schema, Stream } from "effect"
import type { ConfigError, Queue, Runtime, Scope } from "effect"
import type { Backoff } from "./Backoff.js"
import type { JobContext } from "./JobContext.js"
import { type JobCounts, JobDriver } from "./JobDriver.js"
import {
  DuplicateJobName,
  type DriverError,
  type InvalidJobParameters,
  type InvalidOption,
  type InvalidSchedule,
  type PushError,
  UnknownJobName
} from "./QueueErrors.js"
import type { JobEvent } from "./JobEvent.js"
import { fromRecord, type JobInfo } from "./JobInfo.js"
import type { JobMiddleware } from "./JobMiddleware.js"
import type { JobParametersInstance, JobParametersSchema } from "./JobParameters.js"
import type { PushOptions } from "./internal/encode.js"
import { checkEventsCapacity, type EventsCapacity, makeEventHub } from "./internal/events.js"
import { parseCron, refuseUnpushable, runSchedule, type ScheduleOptions, slotId } from "./internal/scheduler.js"
import { durationAtLeast, integerAtLeast, nonNegativeInteger, queueDefaults, resolveJobSetting } from "./internal/options.js"
import { kindOf, makePushPipeline } from "./internal/pushPipeline.js"
import { keepsNone, makePruner, retentionRule } from "./internal/retention.js"
import { makeWorker } from "./internal/worker.js"

export type { PushOptions } from "./internal/encode.js"
export type { EventsCapacity } from "./internal/events.js"
export type { CatchUp, ScheduleOptions } from "./internal/scheduler.js"

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
  /** Names this instance in leases and logs (default a random id). */
  readonly workerId?: string
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

/**
 * @since 0.1.0
 */
export interface JobQueueShape {
  /**
   * Runs `handler` for jobs of this kind while the current scope is open. The handler's requirements become
   * requirements of `registerJob`. Closing the scope stops claiming these jobs and drains the running ones.
   */
  readonly registerJob: <A, I, E, R>(
    params: JobParametersSchema<A, I>,
    handler: (params: A, context: JobContext) => Effect.Effect<void, E, R>,
    options?: HandlerOptions
  ) => Effect.Effect<void, DuplicateJobName, R | Scope.Scope>
  /**
   * Declares a job kind this instance may push by name without running it: `pushByName` validates with its
   * class as for a registered one, and nothing of that kind is claimed. Declaring the same class again does
   * nothing; a different class under a declared name is a defect.
   */
  readonly define: <A, I>(params: JobParametersSchema<A, I>) => Effect.Effect<void>
  /** Validates, encodes and stores one job; returns its id. */
  readonly push: (params: JobParametersInstance, options?: PushOptions) => Effect.Effect<string, PushError>
  /** Stores several jobs atomically (all or none); returns their ids in order. */
  readonly pushMany: (
    params: Iterable<JobParametersInstance>,
    options?: PushOptions
  ) => Effect.Effect<ReadonlyArray<string>, PushError>
  /**
   * Pushes by job name with JSON parameters, validated against the class of the registered handler, else of
   * the declared kind (`define`, or the `jobs` option).
   */
  readonly pushByName: (
    name: string,
    json: unknown,
    options?: PushOptions
  ) => Effect.Effect<string, PushError | UnknownJobName>
  readonly get: (id: string) => Effect.Effect<Option.Option<JobInfo>, DriverError>
  /** Cancels a pending or running job (a running attempt in this process is interrupted at once). */
  readonly cancel: (id: string) => Effect.Effect<boolean, DriverError>
  /** Moves a failed or cancelled job back to pending with fresh attempts. */
  readonly retry: (id: string) => Effect.Effect<boolean, DriverError>
  /** Stops every instance of this queue from starting jobs until `resume`. */
  readonly pause: Effect.Effect<void, DriverError>
  readonly resume: Effect.Effect<void, DriverError>
  readonly isPaused: Effect.Effect<boolean, DriverError>
  readonly counts: Effect.Effect<JobCounts, DriverError>
  /**
   * Events about jobs run by this instance; each run of the stream subscribes as `subscribe` does and holds at
   * most `eventsCapacity` unread events.
   */
  readonly events: Stream.Stream<JobEvent>
  /**
   * Subscribes to `events` now (nothing published after this call is missed). The queue holds at most
   * `eventsCapacity` unread events, dropping the oldest when the subscriber falls further behind.
   */
  readonly subscribe: Effect.Effect<Queue.Dequeue<JobEvent>, never, Scope.Scope>
  /**
   * Pushes `params` at every slot of the cron expression while the scope is open; each slot runs once however
   * many instances run the same schedule.
   */
  readonly schedule: (
    params: JobParametersInstance,
    cron: string,
    options?: ScheduleOptions
  ) => Effect.Effect<void, InvalidSchedule | InvalidJobParameters, Scope.Scope>
}


/**
 * Builds the queue over the `JobDriver` in context. The worker pool stops, drains and releases when the
 * scope closes. An option that makes no sense fails it with `InvalidOption` before anything starts.
 *
 * @since 0.1.0
 */
export const make = (
  options: JobQueueOptions = {}
): Effect.Effect<JobQueueShape, InvalidOption, JobDriver | Scope.Scope> =>
  Effect.gen(function*() {
    const driver = yield* JobDriver
    const checked = {
      concurrency: yield* nonNegativeInteger("concurrency", options.concurrency ?? queueDefaults.concurrency),
      prefetch: options.prefetch === undefined || options.prefetch === "auto"
        ? "auto" as const
        : yield* nonNegativeInteger("prefetch", options.prefetch),
      maxAttempts: yield* integerAtLeast("maxAttempts", options.maxAttempts ?? queueDefaults.maxAttempts, 1),
      maxPayloadBytes: yield* integerAtLeast("maxPayloadBytes", options.maxPayloadBytes ?? queueDefaults.maxPayloadBytes, 1),
      eventsCapacity: yield* checkEventsCapacity(options.eventsCapacity ?? queueDefaults.eventsCapacity)
    }
    const events = yield* makeEventHub<JobEvent>(checked.eventsCapacity)
    const retention = options.retention ?? {}
    const rules = [
      yield* retentionRule("completed", retention.completed, queueDefaults.retention.completedMs),
      yield* retentionRule("failed", retention.failed, queueDefaults.retention.failedMs),
      yield* retentionRule("cancelled", retention.cancelled, queueDefaults.retention.cancelledMs)
    ]
    const removeOnComplete = keepsNone(rules[0]!)
    // Completed jobs kept by none are deleted as they complete: nothing to prune.
    const pruner = makePruner(
      driver,
      removeOnComplete ? rules.slice(1) : rules,
      yield* durationAtLeast("retention.interval", retention.interval ?? queueDefaults.retention.interval, 1)
    )
    const pipeline = makePushPipeline({ maxPayloadBytes: checked.maxPayloadBytes, middleware: options.middleware })
    const queueSettings = { maxAttempts: checked.maxAttempts, backoff: options.backoff ?? queueDefaults.backoff }
    const schemas = new Map<string, JobParametersSchema<unknown>>()
    /** Kinds this instance may push by name without a handler. */
    const declared = new Map<string, JobParametersSchema<unknown>>()
    const define = <A, I>(params: JobParametersSchema<A, I>): Effect.Effect<void> =>
      Effect.suspend(() => {
        const known = declared.get(params.jobName)
        if (known === undefined) declared.set(params.jobName, params as JobParametersSchema<unknown>)
        return known === undefined || known === params
          ? Effect.void
          : Effect.die(new TypeError(`Two different job classes are named "${params.jobName}"; job names must be unique`))
      })
    yield* Effect.forEach(options.jobs ?? [], define, { discard: true })
    const worker = yield* makeWorker(driver, events, {
      owner: options.workerId ?? `worker-${globalThis.crypto.randomUUID()}`,
      concurrency: checked.concurrency,
      prefetch: checked.prefetch,
      leaseMs: yield* durationAtLeast("leaseDuration", options.leaseDuration ?? queueDefaults.leaseDuration, 1),
      pollIntervalMs: yield* durationAtLeast("pollInterval", options.pollInterval ?? queueDefaults.pollInterval, 1),
      shutdownTimeoutMs: yield* durationAtLeast(
        "shutdownTimeout",
        options.shutdownTimeout ?? queueDefaults.shutdownTimeout,
        0
      ),
      removeOnComplete,
      middleware: options.middleware ?? [],
      stored: pruner.stored,
      releaseSignals: options.releaseSignals ?? queueDefaults.releaseSignals
    })
    yield* Effect.addFinalizer(() => worker.shutdown)

    const pushMany = (params: Iterable<JobParametersInstance>, pushOptions: PushOptions = {}) =>
      pipeline.pushMany(params, pushOptions, driver.push)

    const push = (params: JobParametersInstance, pushOptions: PushOptions = {}) =>
      pipeline.push(params, pushOptions, driver.push)

    yield* Effect.forkScoped(pruner.loop)

    const registerJob = <A, I, E, R>(
      params: JobParametersSchema<A, I>,
      handler: (params: A, context: JobContext) => Effect.Effect<void, E, R>,
      handlerOptions: HandlerOptions = {}
    ): Effect.Effect<void, DuplicateJobName, R | Scope.Scope> =>
      Effect.gen(function*() {
        const name = params.jobName
        if (worker.isRegistered(name)) return yield* new DuplicateJobName({ jobName: name })
        const runtime = yield* Effect.runtime<R>()
        const decode = Schema.decodeUnknownEither(params)
        const levels = { handler: handlerOptions, jobClass: params.jobDefaults, queue: queueSettings }
        const timeout = resolveJobSetting("timeout", levels)
        schemas.set(name, params as JobParametersSchema<unknown>)
        worker.register({
          name,
          decode: (payload) =>
            Either.mapLeft(decode(payload), (error) => ParseResult.TreeFormatter.formatErrorSync(error)),
          runtime: runtime as Runtime.Runtime<never>,
          run: (value, jobContext) => handler(value as A, jobContext) as Effect.Effect<void, E>,
          maxAttempts: resolveJobSetting("maxAttempts", levels),
          backoff: resolveJobSetting("backoff", levels),
          timeout: timeout === undefined ? undefined : Duration.decode(timeout)
        })
        yield* Effect.addFinalizer(() =>
          worker.unregister(name).pipe(Effect.ensuring(Effect.sync(() => schemas.delete(name))))
        )
      })

    return {
      registerJob,
      define,
      push,
      pushMany,
      pushByName: (name, json, pushOptions = {}) => {
        const schema = schemas.get(name) ?? declared.get(name)
        return schema === undefined
          ? Effect.fail(new UnknownJobName({ jobName: name }))
          : pipeline.pushByName(schema, json, pushOptions, driver.push)
      },
      get: (id) => driver.get({ id }).pipe(Effect.map(Option.map(fromRecord))),
      cancel: (id) =>
        Effect.gen(function*() {
          const result = yield* driver.cancel({ id, now: yield* Clock.currentTimeMillis })
          if (result !== "cancelled") return false
          pruner.cancelled(yield* Clock.currentTimeMillis)
          yield* worker.interruptLocal(id)
          return true
        }),
      retry: (id) => Clock.currentTimeMillis.pipe(Effect.flatMap((now) => driver.retry({ id, now }))),
      pause: driver.pause,
      resume: driver.resume,
      isPaused: driver.isPaused,
      counts: Clock.currentTimeMillis.pipe(Effect.flatMap((now) => driver.counts({ now }))),
      events: Stream.unwrapScoped(Effect.map(events.subscribe, (subscription) => Stream.fromQueue(subscription))),
      subscribe: events.subscribe,
      schedule: (params, cron, scheduleOptions = {}) =>
        Effect.gen(function*() {
          const schema = yield* kindOf(params)
          const parsed = yield* parseCron(cron, scheduleOptions.timeZone)
          const key = scheduleOptions.key ?? `${schema.jobName}:${cron}`
          const encodeSlot = (slot: number, now: number) =>
            pipeline.encode(params, {
              jobId: slotId(key, slot),
              runAt: new Date(slot),
              ...(scheduleOptions.priority === undefined ? {} : { priority: scheduleOptions.priority }),
              ...(scheduleOptions.maxAttempts === undefined ? {} : { maxAttempts: scheduleOptions.maxAttempts })
            }, now)
          // Whatever would stop every slot from being pushed is refused now, not in the schedule's fiber.
          const now = yield* Clock.currentTimeMillis
          yield* refuseUnpushable(cron, key, encodeSlot(now, now))
          const pushSlot = (slot: number) =>
            Effect.gen(function*() {
              const pushedAt = yield* Clock.currentTimeMillis
              const { job, outgoing } = yield* encodeSlot(slot, pushedAt)
              const write = driver.pushScheduled({ schedule: key, slot, job, now: pushedAt }).pipe(
                Effect.as([slotId(key, slot)])
              )
              return yield* pipeline.throughMiddleware(() => [outgoing], write)
            })
          yield* Effect.forkScoped(runSchedule(parsed, scheduleOptions, key, pushSlot))
        })
    } satisfies JobQueueShape
  })

/**
 * The queue as a layer over a driver layer: `JobQueue.layer(memoryDriver, { concurrency: 4 })`.
 *
 * @since 0.1.0
 */
export const layer = <E, R>(
  driver: Layer.Layer<JobDriver, E, R>,
  options: JobQueueOptions = {}
): Layer.Layer<JobQueue, E | InvalidOption, R> => Layer.scoped(JobQueue, make(options)).pipe(Layer.provide(driver))

/**
 * Like `layer`, with the options read from effect's `Config` (environment variables by default).
 *
 * @since 0.1.0
 */
export const layerConfig = <E, R>(
  driver: Layer.Layer<JobDriver, E, R>,
  options: Config.Config<JobQueueOptions>
): Layer.Layer<JobQueue, E | InvalidOption | ConfigError.ConfigError, R> =>
  Layer.unwrapEffect(Effect.map(options, (resolved) => layer(driver, resolved)))

/**
 * The job queue service: `yield* JobQueue` in a program, `JobQueue.layer(driver, options)` to provide it.
 *
 * @since 0.1.0
 */
export class JobQueue extends Context.Tag("effect-jobs/JobQueue")<JobQueue, JobQueueShape>() {
  static readonly make = make
  static readonly layer = layer
  static readonly layerConfig = layerConfig
}
