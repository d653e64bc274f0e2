/**
 * The worker pool behind `JobQueue`: one claim loop, one fiber per running job, batched acknowledgements,
 * lease renewal and the graceful drain.
 */
import { Clock, Effect, Fiber, PubSub, Runtime, Stream } from "effect"
import { ANY_JOB, type ClaimedJob, type JobDriverShape, type Outcome } from "../JobDriver.js"
import { JobEvent } from "../JobEvent.js"
import type { JobMiddleware } from "../JobMiddleware.js"
import { makeAttempt, type Registration } from "./attempt.js"
import { makeSignal } from "./signal.js"

export interface WorkerOptions {
  readonly owner: string
  readonly concurrency: number
  /** Jobs claimed ahead of free slots while a backlog lasts, held leased until a slot frees. */
  readonly prefetch: number
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
    /** Claimed ahead (see `prefetch`), in claim order; leased and renewed like running jobs. */
    let prefetched: Array<ClaimedJob> = []
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

    const attempt = makeAttempt({ driver, owner, publish, settle, runHooks })

    const release = (jobs: ReadonlyArray<ClaimedJob>) => {
      for (const job of jobs) settle({ _tag: "Released", id: job.id, owner })
    }

    /** Removes the prefetched jobs that match and returns them. */
    const takePrefetched = (matches: (job: ClaimedJob) => boolean) => {
      const taken = prefetched.filter(matches)
      prefetched = prefetched.filter((job) => !matches(job))
      return taken
    }

    const finished = (id: string): Effect.Effect<void> =>
      Effect.suspend(() => {
        running.delete(id)
        slotSignal.notify()
        const next = stopping ? undefined : prefetched.shift()
        if (next !== undefined) return start(next)
        if (running.size === 0) idleSignal.notify()
        return Effect.void
      })

    const start = (job: ClaimedJob): Effect.Effect<void> => {
      const registration = registry.get(job.name)
      if (registration === undefined || stopping) {
        // Unregistered (or shutting down) while the claim was in flight: hand it back untouched.
        return Effect.sync(() => release([job]))
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

    const claimThreshold = Math.max(1, Math.floor((options.concurrency + options.prefetch) / 4))

    const claimLoop = Effect.gen(function*() {
      // Whether the last claim filled every free slot: then more work is likely waiting.
      let backlog = false
      let failures = 0
      while (!stopping) {
        const free = options.concurrency - running.size - prefetched.length
        // Claim ahead only once a full claim showed a backlog: an idle queue's jobs stay free for any worker.
        const limit: number = free + (backlog ? options.prefetch : 0)
        const names = [...registry.keys()]
        // Under a backlog, wait for a few free slots so one claim fetches several jobs.
        if (limit <= 0 || (backlog && limit < claimThreshold && running.size > 0)) {
          yield* slotSignal.wait
          continue
        }
        if (names.length === 0) {
          yield* workSignal.wait
          continue
        }
        const now = yield* Clock.currentTimeMillis
        const result = yield* Effect.either(driver.claim({ names, limit, owner, leaseMs, now }))
        if (result._tag === "Left") {
          failures++
          yield* Effect.logWarning(`Claiming jobs failed (retry ${failures}); retrying`, result.left)
          yield* Effect.race(Effect.sleep(retryDelayMs(failures)), workSignal.wait)
          continue
        }
        failures = 0
        const { jobs, nextRunAt } = result.right
        // Slots may have freed while the claim ran; prefetched jobs were claimed earlier, so they go first.
        const queued = prefetched.concat(jobs)
        if (stopping) {
          prefetched = []
          release(queued)
          break
        }
        const startable = Math.max(0, options.concurrency - running.size)
        prefetched = queued.slice(startable)
        for (const job of queued.slice(0, startable)) yield* start(job)
        backlog = jobs.length === limit
        if (!backlog) {
          // Measured after the claim: time passed while it ran counts towards the wait.
          const after = yield* Clock.currentTimeMillis
          const wait = Math.max(0, Math.min(options.pollIntervalMs, (nextRunAt ?? Infinity) - after))
          if (wait > 0) yield* Effect.race(Effect.sleep(wait), workSignal.wait)
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
        if (running.size === 0 && prefetched.length === 0) continue
        const now = yield* Clock.currentTimeMillis
        const ids = [...running.keys(), ...prefetched.map((job) => job.id)]
        const renewed = yield* Effect.either(driver.renew({ ids, owner, leaseMs, now }))
        if (renewed._tag === "Left") {
          yield* Effect.logWarning("Renewing job leases failed", renewed.left)
          continue
        }
        const lostIds = new Set(renewed.right)
        takePrefetched((job) => lostIds.has(job.id))
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
          release(takePrefetched((job) => job.name === name))
          yield* drain((job) => job.name === name)
          yield* flushAll
        }),
      /** Stops a running attempt locally after its job was cancelled (its outcome is not recorded). */
      interruptLocal: (id: string) =>
        Effect.suspend(() => {
          takePrefetched((job) => job.id === id)
          const entry = running.get(id)
          return entry === undefined || entry.stoppedFor !== undefined ? Effect.void : stopAttempts([entry], "lost")
        }),
      shutdown: Effect.gen(function*() {
        stopping = true
        release(takePrefetched(() => true))
        workSignal.notify()
        slotSignal.notify()
        yield* drain(() => true)
        yield* flushAll
        yield* Fiber.interrupt(loops)
      })
    }
  })

export type Worker = Effect.Effect.Success<ReturnType<typeof makeWorker>>
