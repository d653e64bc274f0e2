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
  generateJobId,
  type GetRequest,
  identifyJobs,
  type JobCounts,
  JobDriver,
  type JobDriverShape,
  type JobRecord,
  type JobState,
  type NewJob,
  type OutcomeBatch,
  type PruneRequest,
  type PushRequest,
  type PushResult,
  type RenewRequest,
  type RetryRequest,
  type ScheduledPush,
  type SetProgressRequest
} from "../../src/driver/index.js"
import { Heap } from "./internal/heap.js"

type StoredJob = { -readonly [K in keyof JobRecord]: JobRecord[K] }

/** Where one stored job lives in memory; heap entries point at it. */
interface Cell {
  readonly job: StoredJob
  /** Moves on whenever the job leaves a heap, so the heap entries made before are known stale. */
  version: number
  readonly seq: number
}

/** A heap entry; it is stale once its job has moved on (the cell's `version` changed). */
interface Entry {
  readonly cell: Cell
  readonly version: number
}

const readyOrder = ({ cell: a }: Entry, { cell: b }: Entry): boolean =>
  a.job.priority !== b.job.priority
    ? a.job.priority > b.job.priority
    : a.job.runAt !== b.job.runAt
    ? a.job.runAt < b.job.runAt
    : a.seq < b.seq

const dueOrder = ({ cell: a }: Entry, { cell: b }: Entry): boolean =>
  a.job.runAt !== b.job.runAt ? a.job.runAt < b.job.runAt : a.seq < b.seq

const isFinished = (state: JobState): boolean => state === "completed" || state === "failed" || state === "cancelled"

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
  const cells = new Map<string, Cell>()
  const ready = new Map<string, Heap<Entry>>()
  const delayed = new Heap<Entry>(dueOrder)
  const active = new Set<Cell>()
  const uniqueKeys = new Map<string, string>()
  /** The last slot (cron time) pushed per schedule key. */
  const lastSlots = new Map<string, number>()
  let paused = false
  let seq = 0

  const readyHeap = (name: string): Heap<Entry> => {
    let heap = ready.get(name)
    if (heap === undefined) {
      heap = new Heap(readyOrder)
      ready.set(name, heap)
    }
    return heap
  }

  // A removed job was finished, so the version check alone never revives it.
  const isLive = (entry: Entry): boolean => entry.cell.version === entry.version && entry.cell.job.state === "pending"

  /** Puts a pending job in the ready or delayed heap, invalidating older entries. */
  const enqueue = (cell: Cell, now: number): void => {
    cell.version++
    const entry: Entry = { cell, version: cell.version }
    if (cell.job.runAt <= now) readyHeap(cell.job.name).push(entry)
    else delayed.push(entry)
  }

  const leave = (cell: Cell, state: "completed" | "failed" | "cancelled", now: number): void => {
    const job = cell.job
    job.state = state
    job.finishedAt = now
    job.leaseOwner = undefined
    job.leaseExpiresAt = undefined
    cell.version++
    active.delete(cell)
    if (job.uniqueKey !== undefined && uniqueKeys.get(job.uniqueKey) === job.id) uniqueKeys.delete(job.uniqueKey)
  }

  const backToPending = (cell: Cell, now: number): void => {
    cell.job.state = "pending"
    cell.job.leaseOwner = undefined
    cell.job.leaseExpiresAt = undefined
    active.delete(cell)
    enqueue(cell, now)
  }

  const notify = (names: Iterable<string>) => {
    for (const name of new Set(names)) wakeups.unsafeOffer(name)
  }

  /** A generated id found stored was stored by this same push, run before: that counts as inserted. */
  const insert = (job: NewJob & { readonly generated?: true }, now: number): PushResult => {
    if (job.id !== undefined && cells.has(job.id)) return { id: job.id, inserted: job.generated === true }
    if (job.uniqueKey !== undefined) {
      const holder = uniqueKeys.get(job.uniqueKey)
      if (holder !== undefined) return { id: holder, inserted: false }
    }
    const id = job.id ?? generateJobId(now)
    const stored: StoredJob = {
      id,
      name: job.name,
      payload: job.payload,
      state: "pending",
      priority: job.priority,
      runAt: job.runAt,
      attempts: 0,
      maxAttempts: job.maxAttempts,
      uniqueKey: job.uniqueKey,
      createdAt: now,
      startedAt: undefined,
      finishedAt: undefined,
      lastError: undefined,
      progress: undefined,
      leaseOwner: undefined,
      leaseExpiresAt: undefined
    }
    const cell: Cell = { job: stored, version: 0, seq: ++seq }
    cells.set(id, cell)
    if (job.uniqueKey !== undefined) uniqueKeys.set(job.uniqueKey, id)
    enqueue(cell, now)
    return { id, inserted: true }
  }

  /** Moves due delayed jobs to their ready heaps and expired leases back to pending. */
  const promote = (now: number): void => {
    for (let top = delayed.peek(); top !== undefined && top.cell.job.runAt <= now; top = delayed.peek()) {
      delayed.pop()
      if (isLive(top)) readyHeap(top.cell.job.name).push(top)
    }
    for (const cell of active) {
      if (cell.job.leaseExpiresAt !== undefined && cell.job.leaseExpiresAt <= now) backToPending(cell, now)
    }
  }

  const nextRunAt = (): number | undefined => {
    let earliest: number | undefined
    for (let top = delayed.peek(); top !== undefined; top = delayed.peek()) {
      if (isLive(top)) {
        earliest = top.cell.job.runAt
        break
      }
      delayed.pop()
    }
    for (const cell of active) {
      const expiry = cell.job.leaseExpiresAt
      if (expiry !== undefined && (earliest === undefined || expiry < earliest)) earliest = expiry
    }
    return earliest
  }

  /** The best live ready entry across `names`, dropping stale entries on the way. */
  const best = (names: ReadonlyArray<string>): Heap<Entry> | undefined => {
    let winner: Heap<Entry> | undefined
    for (const name of names) {
      const heap = ready.get(name)
      if (heap === undefined) continue
      while (heap.size > 0 && !isLive(heap.peek()!)) heap.pop()
      const top = heap.peek()
      if (top !== undefined && (winner === undefined || readyOrder(top, winner.peek()!))) winner = heap
    }
    return winner
  }

  const claim = (request: ClaimRequest) =>
    Effect.sync((): ClaimResult => {
      const { finishing, leaseMs, limit, names, now, owner } = request
      const lost = finishing === undefined ? [] : record(finishing, now)
      if (paused) return { jobs: [], nextRunAt: undefined, lost }
      promote(now)
      const jobs: Array<ClaimedJob> = []
      while (jobs.length < limit) {
        const heap = best(names)
        if (heap === undefined) break
        const cell = heap.pop()!.cell
        const job = cell.job
        cell.version++
        job.state = "active"
        job.attempts++
        job.startedAt = now
        job.leaseOwner = owner
        job.leaseExpiresAt = now + leaseMs
        active.add(cell)
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

  const held = (id: string, owner: string): Cell | undefined => {
    const cell = cells.get(id)
    return cell !== undefined && cell.job.state === "active" && cell.job.leaseOwner === owner ? cell : undefined
  }

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
      if (isFinished(cell.job.state)) return "finished"
      leave(cell, "cancelled", now)
      return "cancelled"
    })

  const retry = ({ id, now }: RetryRequest) =>
    Effect.sync(() => {
      const cell = cells.get(id)
      if (cell === undefined || (cell.job.state !== "failed" && cell.job.state !== "cancelled")) return false
      const job = cell.job
      job.state = "pending"
      job.attempts = 0
      job.runAt = now
      job.finishedAt = undefined
      if (job.uniqueKey !== undefined && !uniqueKeys.has(job.uniqueKey)) uniqueKeys.set(job.uniqueKey, job.id)
      enqueue(cell, now)
      notify([job.name])
      return true
    })

  const counts = ({ now }: CountsRequest) =>
    Effect.sync((): JobCounts => {
      const counts = { pending: 0, delayed: 0, active: 0, completed: 0, failed: 0, cancelled: 0 }
      for (const { job } of cells.values()) {
        counts[job.state]++
        if (job.state === "pending" && job.runAt > now) counts.delayed++
      }
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
      for (const cell of removed) cells.delete(cell.job.id)
      return removed.length
    })

  const pushScheduled = ({ job, now, schedule, slot }: ScheduledPush) =>
    Effect.sync(() => {
      const last = lastSlots.get(schedule)
      if (last !== undefined && slot <= last) return false
      lastSlots.set(schedule, slot)
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
    pushScheduled
  })
  return { ...driver, pendingJobs } satisfies MemoryDriverShape
})

/**
 * The in-memory driver as a layer; every build starts empty.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<JobDriver> = Layer.effect(JobDriver, make)
