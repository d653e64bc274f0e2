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
import type { JobParametersInstance, JobParametersSchema } from "./JobParameters.js"
import type { HandlerOptions, JobQueueOptions } from "./JobQueueOptions.js"
import type { PushOptions } from "./internal/encode.js"
import { checkEventsCapacity, makeEventHub } from "./internal/events.js"
import { makeHeartbeat, removeInstance, thisInstance } from "./internal/heartbeat.js"
import { parseCron, refuseUnpushable, runSchedule, type ScheduleOptions, slotId } from "./internal/scheduler.js"
import { durationAtLeast, integerAtLeast, nonNegativeInteger, queueDefaults, resolveJobSetting } from "./internal/options.js"
import { kindOf, makePushPipeline } from "./internal/pushPipeline.js"
import { keepsNone, makePruner, retentionRule } from "./internal/retention.js"
import { makeWorker } from "./internal/worker.js"

export type { PushOptions } from "./internal/encode.js"
export type { EventsCapacity } from "./internal/events.js"
export type { CatchUp, ScheduleOptions } from "./internal/scheduler.js"
export type { HandlerOptions, JobQueueOptions, KeepJobs, RetentionOptions } from "./JobQueueOptions.js"

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
    const owner = options.workerId ?? `worker-${globalThis.crypto.randomUUID()}`
    const heartbeatMs = yield* durationAtLeast(
      "heartbeatInterval",
      options.heartbeatInterval ?? queueDefaults.heartbeatInterval,
      1
    )
    // Removed after the drain (finalizers run in reverse), so a draining instance stays listed.
    yield* Effect.addFinalizer(() => removeInstance(driver, owner))
    const worker = yield* makeWorker(driver, events, {
      owner,
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
    const heartbeat = makeHeartbeat(driver, thisInstance(owner, checked.concurrency, yield* Clock.currentTimeMillis), {
      activity: worker.activity,
      intervalMs: heartbeatMs
    })
    // The first beat before the queue is handed out, so an instance is listed as soon as it runs.
    yield* heartbeat.beat
    yield* Effect.forkScoped(heartbeat.loop)

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
        // Beat at once, so operators see the new job name without waiting for the next beat.
        yield* heartbeat.beat
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
          const register = Effect.flatMap(Clock.currentTimeMillis, (registeredAt) =>
            driver.registerSchedule({
              schedule: key,
              cron,
              timeZone: scheduleOptions.timeZone,
              name: schema.jobName,
              now: registeredAt
            }))
          yield* Effect.forkScoped(runSchedule(parsed, scheduleOptions, key, pushSlot, register))
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
