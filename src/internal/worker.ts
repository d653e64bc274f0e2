/**
 * The worker pool behind `JobQueue`: one claim loop, one fiber per running job, batched acknowledgements,
 * lease renewal and the graceful drain.
 */
import { Cause, Clock, Duration, Effect, Exit, Fiber, PubSub, Random, Stream } from "effect"
import type { Backoff } from "../Backoff.js"
import type { JobContext } from "../JobContext.js"
import { ANY_JOB, type ClaimedJob, type JobDriverShape, type Outcome } from "../JobDriver.js"
import * as JobError from "../JobError.js"
import { JobEvent } from "../JobEvent.js"
import { wrap, type JobMiddleware } from "../JobMiddleware.js"
import { formatFailure } from "./format.js"
import { makeSignal } from "./signal.js"

/** A handler as the worker runs it: services already provided, parameters already decoded. */
export interface Registration {
  readonly name: string
  /** Decodes the parsed payload; fails with a readable message. */
  readonly decode: (payload: unknown) => Effect.Effect<unknown, string>
  readonly run: (params: unknown, context: JobContext) => Effect.Effect<void, unknown>
  readonly maxAttempts: number
  readonly backoff: Backoff
  readonly timeout: Duration.Duration | undefined
}

export interface WorkerOptions {
  readonly owner: string
  readonly concurrency: number
  readonly leaseMs: number
  readonly pollIntervalMs: number
  readonly shutdownTimeoutMs: number
  readonly removeOnComplete: boolean
  readonly middleware: ReadonlyArray<JobMiddleware>
}

interface Running {
  readonly job: ClaimedJob
  fiber: Fiber.RuntimeFiber<void> | undefined
  /** Why the worker interrupted the attempt; `undefined` while it runs normally. */
  stoppedFor: "shutdown" | "lost" | undefined
}

/** Where a terminal event goes once its outcome is stored. */
interface Settled {
  readonly outcome: Outcome
  readonly event: JobEvent | undefined
}

const retryDelayMs = (failures: number) => Math.min(5_000, 100 * 2 ** Math.min(failures, 6))

export const makeWorker = (
  driver: JobDriverShape,
  events: PubSub.PubSub<JobEvent>,
  options: WorkerOptions
) =>
  Effect.gen(function*() {
    const registry = new Map<string, Registration>()
    const running = new Map<string, Running>()
    const workSignal = makeSignal()
    const slotSignal = makeSignal()
    const flushSignal = makeSignal()
    const idleSignal = makeSignal()
    let buffered: Array<Settled> = []
    let flushing = 0
    let stopping = false
    const { leaseMs, owner } = options
    const runHooks = options.middleware.flatMap((middleware) => middleware.run === undefined ? [] : [middleware.run])

    const publish = (event: JobEvent) => {
      events.unsafeOffer(event)
    }

    const settle = (outcome: Outcome, event?: JobEvent) => {
      buffered.push({ outcome, event })
      flushSignal.notify()
    }

    /** Runs one attempt to its outcome; never fails. Interruption by the worker is handled by the caller. */
    const attempt = (job: ClaimedJob, registration: Registration): Effect.Effect<void> =>
      Effect.gen(function*() {
        const startedAt = yield* Clock.currentTimeMillis
        const maxAttempts = job.maxAttempts ?? registration.maxAttempts
        publish(JobEvent.Started({ jobId: job.id, name: job.name, attempt: job.attempt }))
        const fail = (error: string) =>
          settle(
            { _tag: "Failed", id: job.id, owner, error },
            JobEvent.Failed({ jobId: job.id, name: job.name, attempt: job.attempt, error })
          )
        if (job.attempt > maxAttempts) {
          return fail(
            `Attempt ${job.attempt} exceeds maxAttempts (${maxAttempts}): the previous attempt's lease expired ` +
              `before it finished (its worker stopped or lost contact)`
          )
        }
        const params = yield* Effect.either(
          Effect.try({
            try: () => JSON.parse(job.payload) as unknown,
            catch: (error) => `payload is not JSON: ${String(error)}`
          }).pipe(Effect.flatMap(registration.decode))
        )
        if (params._tag === "Left") {
          return fail(
            new JobError.UndecodablePayload({
              jobId: job.id,
              jobName: job.name,
              message: `Payload of ${job.name} (${job.id}) does not decode: ${params.left}`
            }).message
          )
        }
        const context: JobContext = {
          jobId: job.id,
          name: job.name,
          attempt: job.attempt,
          maxAttempts,
          queuedAt: new Date(job.createdAt),
          progress: (value) =>
            driver.setProgress(job.id, owner, value).pipe(
              Effect.tap(() => publish(JobEvent.Progress({ jobId: job.id, name: job.name, attempt: job.attempt, progress: value }))),
              Effect.catchAll((error) => Effect.logWarning("Could not store job progress", error)),
              Effect.asVoid
            )
        }
        let handler: Effect.Effect<void, unknown> = registration.run(params.right, context)
        if (registration.timeout !== undefined) {
          const millis = Duration.toMillis(registration.timeout)
          handler = Effect.timeoutFail(handler, {
            duration: registration.timeout,
            onTimeout: () => new JobError.Timeout({ jobId: job.id, jobName: job.name, millis })
          })
        }
        const exit = yield* Effect.exit(wrap(runHooks.map((hook) => (next: Effect.Effect<void, unknown>) => hook(context, next)), handler))
        if (Exit.isSuccess(exit)) {
          const durationMs = (yield* Clock.currentTimeMillis) - startedAt
          return settle(
            { _tag: "Completed", id: job.id, owner },
            JobEvent.Completed({ jobId: job.id, name: job.name, attempt: job.attempt, durationMs })
          )
        }
        const error = formatFailure(exit.cause)
        const permanent = Cause.failureOption(exit.cause).pipe((failure) =>
          failure._tag === "Some" && JobError.isPermanent(failure.value)
        )
        if (permanent || job.attempt >= maxAttempts) return fail(error)
        const random = yield* Random.next
        const now = yield* Clock.currentTimeMillis
        const runAt = now + Duration.toMillis(registration.backoff.delay(job.attempt, random))
        settle(
          { _tag: "Retry", id: job.id, owner, error, runAt },
          JobEvent.Retrying({ jobId: job.id, name: job.name, attempt: job.attempt, error, nextRunAt: new Date(runAt) })
        )
      }).pipe(
        Effect.annotateLogs({ jobId: job.id, jobName: job.name, attempt: job.attempt })
      )

    const start = (job: ClaimedJob) =>
      Effect.gen(function*() {
        const registration = registry.get(job.name)
        if (registration === undefined || stopping) {
          // Unregistered while the claim was in flight: hand it back untouched.
          return settle({ _tag: "Released", id: job.id, owner })
        }
        const entry: Running = { job, fiber: undefined, stoppedFor: undefined }
        running.set(job.id, entry)
        entry.fiber = yield* Effect.forkDaemon(
          attempt(job, registration).pipe(
            Effect.ensuring(Effect.sync(() => {
              running.delete(job.id)
              slotSignal.notify()
              if (running.size === 0) idleSignal.notify()
            }))
          )
        )
      })

    /** Interrupts attempts the worker gives up; shutdown hands them back without using an attempt. */
    const stopAttempts = (entries: ReadonlyArray<Running>, reason: "shutdown" | "lost") =>
      Effect.forEach(entries, (entry) => {
        entry.stoppedFor = reason
        const fiber = entry.fiber
        return (fiber === undefined ? Effect.void : Fiber.interrupt(fiber)).pipe(
          Effect.andThen(() => {
            if (reason === "shutdown") settle({ _tag: "Released", id: entry.job.id, owner })
          })
        )
      }, { concurrency: "unbounded", discard: true })

    const claimLoop = Effect.gen(function*() {
      let drained = false
      let failures = 0
      while (!stopping) {
        const free = options.concurrency - running.size
        const names = [...registry.keys()]
        if (free <= 0) {
          yield* slotSignal.wait
          continue
        }
        if (names.length === 0 || drained) {
          yield* workSignal.wait
          drained = false
          continue
        }
        const now = yield* Clock.currentTimeMillis
        const result = yield* Effect.either(driver.claim({ names, limit: free, owner, leaseMs, now }))
        if (result._tag === "Left") {
          failures++
          yield* Effect.logWarning(`Claiming jobs failed (retry ${failures}); retrying`, result.left)
          yield* Effect.race(Effect.sleep(retryDelayMs(failures)), workSignal.wait)
          continue
        }
        failures = 0
        const { jobs, nextRunAt } = result.right
        for (const job of jobs) yield* start(job)
        if (jobs.length < free) {
          const wait = Math.max(0, Math.min(options.pollIntervalMs, (nextRunAt ?? Infinity) - now))
          if (wait === 0) continue
          yield* Effect.race(Effect.sleep(wait), workSignal.wait)
        }
      }
    })

    const flushOnce = Effect.gen(function*() {
      if (buffered.length === 0) return
      const batch = buffered
      buffered = []
      flushing++
      const now = yield* Clock.currentTimeMillis
      const lost = yield* driver.finish(batch.map((settled) => settled.outcome), now, {
        removeOnComplete: options.removeOnComplete
      }).pipe(
        Effect.tapError(() =>
          Effect.sync(() => {
            buffered = batch.concat(buffered)
          })
        ),
        Effect.ensuring(Effect.sync(() => flushing--))
      )
      const lostIds = new Set(lost)
      for (const settled of batch) {
        if (settled.event !== undefined && !lostIds.has(settled.outcome.id)) publish(settled.event)
      }
      if (lost.length > 0) {
        yield* Effect.logWarning(`Lease lost before ${lost.length} attempt(s) could be recorded; they run again`)
      }
    })

    const flushLoop = Effect.gen(function*() {
      let failures = 0
      for (;;) {
        yield* flushSignal.wait
        const result = yield* Effect.either(flushOnce)
        if (result._tag === "Left") {
          failures++
          yield* Effect.logWarning("Recording job outcomes failed; retrying", result.left)
          yield* Effect.sleep(retryDelayMs(failures))
          flushSignal.notify()
        } else {
          failures = 0
          if (buffered.length === 0 && flushing === 0) idleSignal.notify()
        }
      }
    })

    const renewLoop = Effect.gen(function*() {
      for (;;) {
        yield* Effect.sleep(Math.max(10, Math.floor(leaseMs / 3)))
        if (running.size === 0) continue
        const now = yield* Clock.currentTimeMillis
        const renewed = yield* Effect.either(driver.renew({ ids: [...running.keys()], owner, leaseMs, now }))
        if (renewed._tag === "Left") {
          yield* Effect.logWarning("Renewing job leases failed", renewed.left)
          continue
        }
        const lost = renewed.right.flatMap((id) => {
          const entry = running.get(id)
          return entry === undefined || entry.stoppedFor !== undefined ? [] : [entry]
        })
        if (lost.length > 0) {
          yield* Effect.logWarning(`Lost the lease of ${lost.length} job(s) (cancelled or expired); stopping them`)
          yield* Effect.fork(stopAttempts(lost, "lost"))
        }
      }
    })

    const wakeupLoop = driver.wakeups.pipe(
      Stream.runForEach((name) =>
        Effect.sync(() => {
          if (name === ANY_JOB || registry.has(name)) workSignal.notify()
        })
      )
    )

    /**
     * Waits for the matching attempts to finish until `deadline`, then interrupts and releases the rest.
     */
    const drain = (matches: (job: ClaimedJob) => boolean) =>
      Effect.gen(function*() {
        const deadline = (yield* Clock.currentTimeMillis) + options.shutdownTimeoutMs
        const pending = () => [...running.values()].filter((entry) => matches(entry.job))
        for (let left = pending(); left.length > 0; left = pending()) {
          const now = yield* Clock.currentTimeMillis
          if (now >= deadline) {
            yield* Effect.logInfo(`Shutdown deadline reached: releasing ${left.length} unfinished job(s)`)
            yield* stopAttempts(left, "shutdown")
            break
          }
          yield* Effect.race(slotSignal.wait, Effect.sleep(deadline - now))
        }
      })

    const flushAll = Effect.gen(function*() {
      for (let tries = 0; buffered.length > 0 || flushing > 0; tries++) {
        if (flushing > 0 || tries > 0) yield* Effect.race(idleSignal.wait, Effect.sleep(retryDelayMs(tries)))
        if (buffered.length > 0 && flushing === 0) {
          yield* flushOnce.pipe(Effect.catchAll((error) => Effect.logWarning("Recording job outcomes failed", error)))
        }
        if (tries > 50) {
          yield* Effect.logError(`Could not record ${buffered.length} job outcome(s); their leases will expire`)
          return
        }
      }
    })

    const loops = yield* Effect.forkDaemon(
      Effect.all([claimLoop, flushLoop, renewLoop, wakeupLoop], { concurrency: "unbounded", discard: true })
    )
    void loops

    return {
      registry,
      running,
      isRegistered: (name: string) => registry.has(name),
      register: (registration: Registration) => {
        registry.set(registration.name, registration)
        workSignal.notify()
      },
      unregister: (name: string) =>
        Effect.gen(function*() {
          registry.delete(name)
          yield* drain((job) => job.name === name)
        }),
      /** Stops a running attempt locally after its job was cancelled (its outcome is not recorded). */
      interruptLocal: (id: string) =>
        Effect.suspend(() => {
          const entry = running.get(id)
          return entry === undefined || entry.stoppedFor !== undefined ? Effect.void : stopAttempts([entry], "lost")
        }),
      shutdown: Effect.gen(function*() {
        stopping = true
        workSignal.notify()
        slotSignal.notify()
        yield* drain(() => true)
        yield* flushAll
        yield* Fiber.interrupt(loops)
      })
    }
  })

export type Worker = Effect.Effect.Success<ReturnType<typeof makeWorker>>
