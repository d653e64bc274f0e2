/**
 * The embedded driver: jobs live in this process's memory. The default for development and tests, and fast
 * enough for in-process background work; jobs are lost when the process exits.
 *
 * @since 0.1.0
 */
import { Effect, Layer, Option, PubSub, Stream } from "effect"
import {
  ANY_JOB,
  type CancelRequest,
  type CancelResult,
  type ClaimedJob,
  type ClaimRequest,
  type ClaimResult,
  type CountsRequest,
  type GetRequest,
  identifyJobs,
  isFinishedState,
  type JobCounts,
  JobDriver,
  type JobDriverShape,
  type JobRecord,
  type OutcomeBatch,
  type PruneRequest,
  type PushRequest,
  type RenewRequest,
  type RetryRequest,
  type ScheduledPush,
  type SetProgressRequest
} from "../../src/driver/index.js"
import { makeAdmin, noCounts, tally } from "./internal/admin.js"
import { ScheduleBook } from "./internal/schedules.js"
import { makeStore } from "./internal/store.js"

/**
 * The in-memory driver: the driver port, plus a listing only an in-process store can give cheaply.
 *
 * @since 0.1.0
 */
export interface MemoryDriverShape extends JobDriverShape {
  /** A snapshot of the pending jobs (delayed ones included) with this name, in push order. */
  readonly pendingJobs: (name: string) => Effect.Effect<ReadonlyArray<JobRecord>>
}

/**
 * Builds a fresh in-memory driver.
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<MemoryDriverShape> = Effect.gen(function*() {
  const wakeups = yield* PubSub.unbounded<string>()
  const store = makeStore()
  const { backToPending, cells, held, insert, leave, nextRunAt, promote, start, takeBest } = store
  const schedules = new ScheduleBook()
  let paused = false

  const notify = (names: Iterable<string>) => {
    for (const name of new Set(names)) wakeups.unsafeOffer(name)
  }

  const claim = (request: ClaimRequest) =>
    Effect.sync((): ClaimResult => {
      const { finishing, leaseMs, limit, names, now, owner } = request
      const lost = finishing === undefined ? [] : record(finishing, now)
      if (paused) return { jobs: [], nextRunAt: undefined, lost }
      promote(now)
      const jobs: Array<ClaimedJob> = []
      while (jobs.length < limit) {
        const cell = takeBest(names)
        if (cell === undefined) break
        start(cell, owner, leaseMs, now)
        const job = cell.job
        jobs.push({
          id: job.id,
          name: job.name,
          payload: job.payload,
          attempt: job.attempts,
          maxAttempts: job.maxAttempts,
          createdAt: job.createdAt,
          runAt: job.runAt
        })
      }
      return { jobs, nextRunAt: nextRunAt(), lost }
    })

  const renew = (request: RenewRequest) =>
    Effect.sync(() => {
      const lost: Array<string> = []
      for (const id of request.ids) {
        const cell = held(id, request.owner)
        if (cell === undefined) lost.push(id)
        else cell.job.leaseExpiresAt = request.now + request.leaseMs
      }
      return lost
    })

  /** Applies outcomes whose lease is held; returns the ids of the others. */
  const record = ({ outcomes, removeOnComplete }: OutcomeBatch, now: number) => {
    const lost: Array<string> = []
    const woken: Array<string> = []
    for (const outcome of outcomes) {
      const cell = held(outcome.id, outcome.owner)
      if (cell === undefined) {
        lost.push(outcome.id)
        continue
      }
      const job = cell.job
      switch (outcome._tag) {
        case "Completed": {
          leave(cell, "completed", now)
          if (removeOnComplete) cells.delete(job.id)
          break
        }
        case "Failed": {
          job.lastError = outcome.error
          leave(cell, "failed", now)
          break
        }
        case "Retry": {
          job.lastError = outcome.error
          job.runAt = outcome.runAt
          backToPending(cell, now)
          woken.push(job.name)
          break
        }
        case "Released": {
          job.attempts = Math.max(0, job.attempts - 1)
          backToPending(cell, now)
          woken.push(job.name)
          break
        }
      }
    }
    notify(woken)
    return lost
  }

  const setProgress = ({ id, owner, progress }: SetProgressRequest) =>
    Effect.sync(() => {
      const cell = held(id, owner)
      if (cell !== undefined) cell.job.progress = progress
      return cell !== undefined
    })

  const get = ({ id }: GetRequest) =>
    Effect.sync(() => {
      const cell = cells.get(id)
      return cell === undefined ? Option.none<JobRecord>() : Option.some<JobRecord>({ ...cell.job })
    })

  const cancel = ({ id, now }: CancelRequest) =>
    Effect.sync((): CancelResult => {
      const cell = cells.get(id)
      if (cell === undefined) return "not-found"
      if (isFinishedState(cell.job.state)) return "finished"
      leave(cell, "cancelled", now)
      return "cancelled"
    })

  const retry = ({ id, now }: RetryRequest) =>
    Effect.sync(() => {
      const cell = cells.get(id)
      if (cell === undefined || (cell.job.state !== "failed" && cell.job.state !== "cancelled")) return false
      store.retry(cell, now)
      notify([cell.job.name])
      return true
    })

  const counts = ({ now }: CountsRequest) =>
    Effect.sync((): JobCounts => {
      const counts = noCounts()
      for (const { job } of cells.values()) tally(counts, job, now)
      return counts
    })

  const prune = (request: PruneRequest) =>
    Effect.sync(() => {
      // Oldest finished first; among equal times, the earlier pushed.
      const finished = [...cells.values()]
        .filter((cell) => cell.job.state === request.state)
        .sort((a, b) => (a.job.finishedAt ?? 0) - (b.job.finishedAt ?? 0) || a.seq - b.seq)
      const doomed = "keepNewest" in request
        ? finished.slice(0, Math.max(0, finished.length - request.keepNewest))
        : finished.filter((cell) => (cell.job.finishedAt ?? 0) < request.finishedBefore)
      const removed = doomed.slice(0, request.limit)
      for (const cell of removed) store.remove(cell)
      return removed.length
    })

  const pushScheduled = ({ job, now, schedule, slot }: ScheduledPush) =>
    Effect.sync(() => {
      if (!schedules.take(schedule, slot, now)) return false
      insert(job, now)
      notify([job.name])
      return true
    })

  const pendingJobs = (name: string) =>
    Effect.sync(() => {
      const pending: Array<JobRecord> = []
      // A Map iterates in insertion order, which is push order.
      for (const { job } of cells.values()) {
        if (job.name === name && job.state === "pending") pending.push({ ...job })
      }
      return pending
    })

  const driver = JobDriver.make({
    name: "memory",
    push: ({ jobs, now }: PushRequest) => {
      // Ids are fixed when the push is made, so running the same push again stores nothing new.
      const identified = identifyJobs(jobs, now)
      return Effect.sync(() => {
        const results = identified.map((job) => insert(job, now))
        notify(jobs.map((job) => job.name))
        return results
      })
    },
    claimRecordsOutcomes: true,
    claim,
    finish: (request) => Effect.sync(() => record(request, request.now)),
    renew,
    setProgress,
    get,
    cancel,
    retry,
    pause: Effect.sync(() => {
      paused = true
    }),
    resume: Effect.sync(() => {
      paused = false
      notify([ANY_JOB])
    }),
    isPaused: Effect.sync(() => paused),
    counts,
    prune,
    wakeups: Stream.fromPubSub(wakeups),
    reliableWakeups: true,
    pushScheduled,
    ...makeAdmin(store, schedules, notify)
  })
  return { ...driver, pendingJobs } satisfies MemoryDriverShape
})

/**
 * The in-memory driver as a layer; every build starts empty.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<JobDriver> = Layer.effect(JobDriver, make)
