/**
 * The worker pool behind `JobQueue`: the claim loop, one fiber per running job, lease renewal and the
 * graceful drain (outcomes are stored by `outcomes.ts`).
 */
import { Clock, Deferred, Effect, Either, Fiber, FiberId, Runtime, Stream } from "effect"
import { ANY_JOB, type ClaimedJob, type JobDriverShape, type Outcome } from "../JobDriver.js"
import type { JobEvent } from "../JobEvent.js"
import type { JobMiddleware } from "../JobMiddleware.js"
import { makeAttempt, type Registration } from "./attempt.js"
import type { EventHub } from "./events.js"
import { afterClaim, autoPrefetch, planClaim, smoothRunTime } from "./claimPlan.js"
import { closeDrain, type DrainWindow, listeningTo, openDrain, RELEASE_MARGIN_MS } from "./drain.js"
import { makeOutcomes, retryDelayMs, type Settled } from "./outcomes.js"
import { makeSignal } from "./signal.js"

interface WorkerOptions {
  readonly owner: string
  readonly concurrency: number
  /**
   * Jobs claimed ahead of free places while a backlog lasts, held leased until a place frees; `"auto"` holds
   * what the recent run times say will start within `AUTO_PREFETCH_HORIZON_MS`, up to `AUTO_PREFETCH_MAX`.
   */
  readonly prefetch: number | "auto"
  readonly leaseMs: number
  readonly pollIntervalMs: number
  readonly shutdownTimeoutMs: number
  readonly removeOnComplete: boolean
  readonly middleware: ReadonlyArray<JobMiddleware>
  /** Told of outcomes once stored (see `makeOutcomes`). */
  readonly stored: (outcomes: ReadonlyArray<Outcome>, now: number) => void
  /** Signals that, received during a drain, release the running jobs at once. */
  readonly releaseSignals: ReadonlyArray<string>
}

interface Running {
  readonly job: ClaimedJob
  /** When the attempt started (the worker's clock), for the run times `prefetch: "auto"` goes by. */
  readonly startedAt: number
  fiber: Fiber.RuntimeFiber<void> | undefined
  /** Why the worker interrupted the attempt; `undefined` while it runs normally. */
  stoppedFor: "shutdown" | "lost" | undefined
}


export const makeWorker = (
  driver: JobDriverShape,
  events: EventHub<JobEvent>,
  options: WorkerOptions
) =>
  Effect.gen(function*() {
    const registry = new Map<string, Registration>()
    const running = new Map<string, Running>()
    /** Claimed ahead (see `prefetch`), in claim order; leased and renewed like running jobs. */
    let prefetched: Array<ClaimedJob> = []
    const workSignal = makeSignal()
    const placeSignal = makeSignal()
    /** Notified when a job becomes leased here, so an idle renew loop starts ticking again. */
    const leasedSignal = makeSignal()
    let stopping = false
    const { leaseMs, owner } = options
    const clock = yield* Effect.clock
    /** Attempt run times, smoothed; `undefined` until one finished. */
    let meanRunMs: number | undefined
    /** How many jobs to hold ahead of the places now. */
    const prefetch = (): number =>
      options.prefetch === "auto" ? autoPrefetch(options.concurrency, meanRunMs) : options.prefetch
    const runHooks = options.middleware.flatMap((middleware) => middleware.run === undefined ? [] : [middleware.run])


    const outcomes = makeOutcomes(driver, {
      removeOnComplete: options.removeOnComplete,
      events,
      stored: options.stored
    })
    const { settle } = outcomes

    const attempt = makeAttempt({ driver, owner, events, settle, runHooks })

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
        const entry = running.get(id)
        if (entry !== undefined && entry.stoppedFor === undefined) {
          meanRunMs = smoothRunTime(meanRunMs, clock.unsafeCurrentTimeMillis() - entry.startedAt)
        }
        running.delete(id)
        placeSignal.notify()
        const next = stopping ? undefined : prefetched.shift()
        return next === undefined ? Effect.void : start(next)
      })

    const start = (job: ClaimedJob): Effect.Effect<void> => {
      const registration = registry.get(job.name)
      if (registration === undefined || stopping) {
        // Unregistered (or shutting down) while the claim was in flight: hand it back untouched.
        return Effect.sync(() => release([job]))
      }
      const entry: Running = { job, startedAt: clock.unsafeCurrentTimeMillis(), fiber: undefined, stoppedFor: undefined }
      running.set(job.id, entry)
      leasedSignal.notify()
      return Effect.sync(() => {
        // A root fiber in the handler's own runtime: its services, logger and clock, without per-job provides.
        entry.fiber = Runtime.runFork(registration.runtime)(Effect.ensuring(attempt(job, registration), finished(job.id)))
      })
    }

    /**
     * Interrupts attempts the worker gives up; shutdown hands them back without using an attempt. Waits for
     * the interrupted handlers until `waitUntil` at most: one stuck in an uninterruptible step is released
     * anyway (whatever it records later is refused, its lease being gone).
     */
    const stopAttempts = (entries: ReadonlyArray<Running>, reason: "shutdown" | "lost", waitUntil = Infinity) =>
      Effect.forEach(entries, (entry) => {
        entry.stoppedFor = reason
        const fiber = entry.fiber
        const interrupted = fiber === undefined ? Effect.void : Effect.asVoid(Fiber.interrupt(fiber))
        const bounded = waitUntil === Infinity ? interrupted : Effect.flatMap(
          Clock.currentTimeMillis,
          (now) => Effect.raceFirst(interrupted, Effect.sleep(Math.max(0, waitUntil - now)))
        )
        return bounded.pipe(
          Effect.andThen(() => {
            if (reason === "shutdown") settle({ _tag: "Released", id: entry.job.id, owner })
          })
        )
      }, { concurrency: "unbounded", discard: true })

    // The claim loop's counters (see `ClaimCounters`). Under a backlog two claims run at once, each for half
    // the places, so the driver works on one while the worker runs the jobs of the other; together they never
    // lease more than the free places (and `prefetch`).
    let backlog = false
    let claimsInFlight = 0
    let reserved = 0
    let failures = 0
    let restUntil = 0
    const pollIntervalMs = driver.reliableWakeups === true ? Infinity : options.pollIntervalMs

    /** One claim: records the outcomes it carries, starts the jobs it got, and says when to claim again. */
    const claimOnce = (names: ReadonlyArray<string>, limit: number, carried: ReadonlyArray<Settled>) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const result = yield* Effect.either(driver.claim({
          names,
          limit,
          owner,
          leaseMs,
          now,
          ...(carried.length === 0 ? {} : { finishing: outcomes.request(carried) })
        }))
        yield* outcomes.batchEnded(carried, Either.map(result, (claimed) => claimed.lost))
        reserved -= limit
        if (Either.isLeft(result)) {
          failures++
          backlog = false
          restUntil = now + retryDelayMs(failures)
          return yield* Effect.logWarning(`Claiming jobs failed (retry ${failures}); retrying`, result.left)
        }
        failures = 0
        const { jobs, nextRunAt } = result.right
        // Slots may have freed while the claim ran; prefetched jobs were claimed earlier, so they go first.
        const queued = prefetched.concat(jobs)
        if (stopping) {
          prefetched = []
          return release(queued)
        }
        const startable = Math.max(0, options.concurrency - running.size)
        prefetched = queued.slice(startable)
        if (prefetched.length > 0) leasedSignal.notify()
        for (const job of queued.slice(0, startable)) yield* start(job)
        // Measured after the claim: time passed while it ran counts towards the rest.
        const next = afterClaim(jobs.length, limit, nextRunAt, yield* Clock.currentTimeMillis, pollIntervalMs)
        backlog = next.backlog
        if (!next.backlog) restUntil = next.restUntil
      }).pipe(Effect.ensuring(Effect.sync(() => {
        claimsInFlight--
        placeSignal.notify()
      })))

    const claimLoop = Effect.gen(function*() {
      while (!stopping) {
        const names = [...registry.keys()]
        if (names.length === 0) {
          yield* workSignal.wait
          continue
        }
        const plan = planClaim({
          concurrency: options.concurrency,
          prefetch: backlog ? prefetch() : 0,
          backlog,
          running: running.size,
          prefetched: prefetched.length,
          reserved,
          claimsInFlight,
          failures,
          restUntil
        })
        if (plan._tag === "Rest") {
          restUntil = 0
          const wait = plan.until - (yield* Clock.currentTimeMillis)
          if (wait === Infinity) yield* workSignal.wait
          else if (wait > 0) yield* Effect.race(Effect.sleep(wait), workSignal.wait)
        } else if (plan._tag === "AwaitPlace") {
          yield* placeSignal.wait
        } else {
          claimsInFlight++
          reserved += plan.limit
          yield* Effect.fork(claimOnce(names, plan.limit, plan.carryOutcomes ? outcomes.take() : []))
        }
      }
      // Claims in flight hand their jobs back (see `stopping` in claimOnce) before the loop ends.
      while (claimsInFlight > 0) yield* placeSignal.wait
    })

    const renewLoop = Effect.gen(function*() {
      for (;;) {
        // Idle workers do not tick: a queue with nothing leased costs no timer wake-ups (under TestClock too).
        if (running.size === 0 && prefetched.length === 0) yield* leasedSignal.wait
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

    /** The drains of the scope now closing, sharing one deadline (see `openDrain`). */
    let window: DrainWindow | undefined
    /** Completed with a signal's name when one arrives during a drain: release what runs, now. */
    const hurry = Deferred.unsafeMake<string>(FiberId.none)
    const onSignal = (signal: string) => {
      Deferred.unsafeDone(hurry, Effect.succeed(signal))
    }

    /**
     * Waits for the matching attempts to finish until the window's deadline (or a signal), then interrupts
     * and releases the rest; returns when the releases may still be recorded.
     */
    const drainUntil = (matches: (job: ClaimedJob) => boolean, deadline: number) =>
      Effect.gen(function*() {
        const pending = () => [...running.values()].filter((entry) => entry.stoppedFor === undefined && matches(entry.job))
        for (let left = pending(); left.length > 0; left = pending()) {
          const now = yield* Clock.currentTimeMillis
          const signal = yield* Deferred.poll(hurry)
          if (now >= deadline || signal._tag === "Some") {
            const ids = left.map((entry) => entry.job.id).join(", ")
            const why = signal._tag === "Some" ? `Received ${yield* signal.value} while draining` : "Shutdown deadline reached"
            yield* Effect.logInfo(`${why}: releasing ${left.length} unfinished job(s): ${ids}`)
            yield* stopAttempts(left, "shutdown", Math.min(now, deadline) + RELEASE_MARGIN_MS / 2)
            break
          }
          yield* Effect.raceAll([placeSignal.wait, Effect.sleep(deadline - now), Effect.asVoid(Deferred.await(hurry))])
        }
      })

    /**
     * One drain, run to its end on a fiber of its own: the fiber closing the scope may itself be interrupted
     * (SIGTERM under `runMain`, `Fiber.interrupt`, a timeout), and the drain must neither be cut short by that
     * nor wait on timers it can no longer interrupt.
     */
    const drain = (matches: (job: ClaimedJob) => boolean, beforeFlush: Effect.Effect<void>) =>
      Effect.gen(function*() {
        const started = yield* Clock.currentTimeMillis
        window = openDrain(window, started, options.shutdownTimeoutMs)
        const { deadline } = window
        yield* listeningTo(options.releaseSignals as ReadonlyArray<NodeJS.Signals>, onSignal, Effect.all([
          drainUntil(matches, deadline),
          beforeFlush
        ], { concurrency: "unbounded", discard: true }))
        const now = yield* Clock.currentTimeMillis
        // Outcomes and releases get until the deadline plus a margin; after a signal, only the margin.
        const flushBy = Math.min(deadline, (yield* Deferred.isDone(hurry)) ? now : Infinity) + RELEASE_MARGIN_MS
        yield* outcomes.flushAll(Math.max(flushBy, now + RELEASE_MARGIN_MS / 2))
        window = closeDrain(window, yield* Clock.currentTimeMillis)
      }).pipe(Effect.interruptible, Effect.forkDaemon, Effect.flatMap(Fiber.join))

    const claiming = yield* Effect.forkDaemon(claimLoop)
    const loops = yield* Effect.forkDaemon(
      Effect.all([outcomes.flushLoop, renewLoop, wakeupLoop], { concurrency: "unbounded", discard: true })
    )

    return {
      isRegistered: (name: string) => registry.has(name),
      /** The job names with a handler here, and the jobs running now (for the heartbeat). */
      activity: () => ({ names: [...registry.keys()], running: [...running.keys()] }),
      register: (registration: Registration) => {
        registry.set(registration.name, registration)
        workSignal.notify()
      },
      /** Stops claiming `name`, hands back its held jobs and drains its running ones (see `drain`). */
      unregister: (name: string) =>
        Effect.suspend(() => {
          registry.delete(name)
          release(takePrefetched((job) => job.name === name))
          return drain((job) => job.name === name, Effect.void)
        }),
      /** Stops a running attempt locally after its job was cancelled (its outcome is not recorded). */
      interruptLocal: (id: string) =>
        Effect.suspend(() => {
          takePrefetched((job) => job.id === id)
          const entry = running.get(id)
          return entry === undefined || entry.stoppedFor !== undefined ? Effect.void : stopAttempts([entry], "lost")
        }),
      /**
       * Stops claiming, hands back held jobs, drains every running attempt, records what ended, and stops the
       * worker's fibers. Bounded by `shutdownTimeout` plus `RELEASE_MARGIN_MS`.
       */
      shutdown: Effect.suspend(() => {
        stopping = true
        release(takePrefetched(() => true))
        workSignal.notify()
        placeSignal.notify()
        // A claim in flight still hands its jobs back and records the outcomes it carried; one that hangs
        // past the deadline is abandoned (its jobs come back through their leases).
        const claimsEnded = Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Fiber.await(claiming).pipe(
            Effect.timeout(Math.max(0, (window?.deadline ?? now) - now)),
            Effect.ignore
          ))
        return drain(() => true, claimsEnded).pipe(
          Effect.ensuring(Fiber.interrupt(claiming)),
          Effect.ensuring(Fiber.interrupt(loops))
        )
      })
    }
  })

export type Worker = Effect.Effect.Success<ReturnType<typeof makeWorker>>
