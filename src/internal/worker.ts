/**
 * The worker pool behind `JobQueue`: one claim loop, one fiber per running job, batched acknowledgements,
 * lease renewal and the graceful drain.
 */
import { Cause, Clock, Duration, Effect, Either, Exit, Fiber, FiberRef, HashMap, Option, PubSub, Random, Runtime, Stream } from "effect"
import type { Backoff } from "../Backoff.js"
import type { JobContext } from "../JobContext.js"
import { ANY_JOB, type ClaimedJob, type JobDriverShape, type Outcome } from "../JobDriver.js"
import * as JobError from "../JobError.js"
import { JobEvent } from "../JobEvent.js"
import { wrap, type JobMiddleware } from "../JobMiddleware.js"
import { formatFailure } from "./format.js"
import { makeSignal } from "./signal.js"

/** A handler as the worker runs it, with the runtime (services, logger, clock) it was registered in. */
export interface Registration {
  readonly name: string
  readonly runtime: Runtime.Runtime<never>
  /** Decodes the parsed payload; a `Left` is a readable message. */
  readonly decode: (payload: unknown) => Either.Either<unknown, string>
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

    const lostLeaseMessage = (attempt: number, maxAttempts: number) =>
      `Attempt ${attempt} exceeds maxAttempts (${maxAttempts}): the previous attempt's lease expired ` +
      `before it finished (its worker stopped or lost contact)`

    /** Parses and decodes the payload; a string is the reason it cannot run. */
    const decodePayload = (job: ClaimedJob, registration: Registration): Either.Either<unknown, string> => {
      let json: unknown
      try {
        json = JSON.parse(job.payload)
      } catch (error) {
        return Either.left(`payload is not JSON: ${String(error)}`)
      }
      return registration.decode(json)
    }

    const makeContext = (job: ClaimedJob, maxAttempts: number): JobContext => ({
      jobId: job.id,
      name: job.name,
      attempt: job.attempt,
      maxAttempts,
      queuedAt: new Date(job.createdAt),
      progress: (progress) =>
        driver.setProgress(job.id, owner, progress).pipe(
          Effect.tap(() => publish(JobEvent.Progress({ jobId: job.id, name: job.name, attempt: job.attempt, progress }))),
          Effect.catchAll((error) => Effect.logWarning("Could not store job progress", error)),
          Effect.asVoid
        )
    })

    const withTimeout = (job: ClaimedJob, registration: Registration, handler: Effect.Effect<void, unknown>) => {
      const timeout = registration.timeout
      if (timeout === undefined) return handler
      const millis = Duration.toMillis(timeout)
      return Effect.timeoutFail(handler, {
        duration: timeout,
        onTimeout: () => new JobError.Timeout({ jobId: job.id, jobName: job.name, millis })
      })
    }

    /** Turns the handler's exit into an outcome: completed, retry later, or failed for good. */
    const settleExit = (
      job: ClaimedJob,
      registration: Registration,
      maxAttempts: number,
      startedAt: number,
      exit: Exit.Exit<void, unknown>
    ) =>
      Effect.clockWith((clock) => {
        const now = clock.unsafeCurrentTimeMillis()
        if (Exit.isSuccess(exit)) {
          return Effect.sync(() =>
            settle(
              { _tag: "Completed", id: job.id, owner },
              JobEvent.Completed({ jobId: job.id, name: job.name, attempt: job.attempt, durationMs: now - startedAt })
            )
          )
        }
        const error = formatFailure(exit.cause)
        const failure = Cause.failureOption(exit.cause)
        if ((Option.isSome(failure) && JobError.isPermanent(failure.value)) || job.attempt >= maxAttempts) {
          return Effect.sync(() => settleFailed(job, error))
        }
        return Effect.map(Random.next, (random) => {
          const runAt = now + Duration.toMillis(registration.backoff.delay(job.attempt, random))
          settle(
            { _tag: "Retry", id: job.id, owner, error, runAt },
            JobEvent.Retrying({ jobId: job.id, name: job.name, attempt: job.attempt, error, nextRunAt: new Date(runAt) })
          )
        })
      })

    const settleFailed = (job: ClaimedJob, error: string) =>
      settle(
        { _tag: "Failed", id: job.id, owner, error },
        JobEvent.Failed({ jobId: job.id, name: job.name, attempt: job.attempt, error })
      )

    /** Runs one attempt to its outcome; never fails. Interruption by the worker is handled by the caller. */
    const attempt = (job: ClaimedJob, registration: Registration): Effect.Effect<void> =>
      Effect.suspend(() => {
        const maxAttempts = job.maxAttempts ?? registration.maxAttempts
        publish(JobEvent.Started({ jobId: job.id, name: job.name, attempt: job.attempt }))
        if (job.attempt > maxAttempts) {
          settleFailed(job, lostLeaseMessage(job.attempt, maxAttempts))
          return Effect.void
        }
        const params = decodePayload(job, registration)
        if (Either.isLeft(params)) {
          const message = `Payload of ${job.name} (${job.id}) does not decode: ${params.left}`
          settleFailed(job, new JobError.UndecodablePayload({ jobId: job.id, jobName: job.name, message }).message)
          return Effect.void
        }
        const context = makeContext(job, maxAttempts)
        const handler = withTimeout(job, registration, registration.run(params.right, context))
        const wrapped = runHooks.length === 0
          ? handler
          : wrap(runHooks.map((hook) => (next: Effect.Effect<void, unknown>) => hook(context, next)), handler)
        // The fiber runs this job only, so the annotations are set once rather than scoped.
        const annotate = FiberRef.update(FiberRef.currentLogAnnotations, (annotations) =>
          HashMap.set(HashMap.set(HashMap.set(annotations, "jobId", job.id), "jobName", job.name), "attempt", job.attempt)
        )
        return Effect.zipRight(
          annotate,
          Effect.clockWith((clock) => {
            const startedAt = clock.unsafeCurrentTimeMillis()
            return Effect.flatMap(
              Effect.exit(wrapped),
              (exit) => settleExit(job, registration, maxAttempts, startedAt, exit)
            )
          })
        )
      })

    const finished = (id: string) =>
      Effect.sync(() => {
        running.delete(id)
        slotSignal.notify()
        if (running.size === 0) idleSignal.notify()
      })

    const start = (job: ClaimedJob): Effect.Effect<void> => {
      const registration = registry.get(job.name)
      if (registration === undefined || stopping) {
        // Unregistered (or shutting down) while the claim was in flight: hand it back untouched.
        return Effect.sync(() => settle({ _tag: "Released", id: job.id, owner }))
      }
      const entry: Running = { job, fiber: undefined, stoppedFor: undefined }
      running.set(job.id, entry)
      return Effect.sync(() => {
        // A root fiber in the handler's own runtime: its services, logger and clock, without per-job provides.
        entry.fiber = Runtime.runFork(registration.runtime)(Effect.ensuring(attempt(job, registration), finished(job.id)))
      })
    }

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

    const claimThreshold = Math.max(1, Math.floor(options.concurrency / 4))

    const claimLoop = Effect.gen(function*() {
      let drained = false
      let failures = 0
      while (!stopping) {
        const free = options.concurrency - running.size
        const names = [...registry.keys()]
        // When busy, wait for a few free slots so one claim fetches several jobs.
        if (free <= 0 || (free < claimThreshold && running.size > 0 && !drained)) {
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
            const ids = left.map((entry) => entry.job.id).join(", ")
            yield* Effect.logInfo(`Shutdown deadline reached: releasing ${left.length} unfinished job(s): ${ids}`)
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
          yield* flushAll
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
