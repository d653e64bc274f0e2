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

interface Slot {
  readonly job: StoredJob
  /** Moves on whenever the job leaves a heap, so the heap entries made before are known stale. */
  version: number
  readonly seq: number
}

/** A heap entry; it is stale once its job has moved on (the slot's `version` changed). */
interface Entry {
  readonly slot: Slot
  readonly version: number
}

const readyOrder = ({ slot: a }: Entry, { slot: b }: Entry): boolean =>
  a.job.priority !== b.job.priority
    ? a.job.priority > b.job.priority
    : a.job.runAt !== b.job.runAt
    ? a.job.runAt < b.job.runAt
    : a.seq < b.seq

const dueOrder = ({ slot: a }: Entry, { slot: b }: Entry): boolean =>
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
  const slots = new Map<string, Slot>()
  const ready = new Map<string, Heap<Entry>>()
  const delayed = new Heap<Entry>(dueOrder)
  const active = new Set<Slot>()
  const uniqueKeys = new Map<string, string>()
  /** The last slot pushed per schedule key. */
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
  const isLive = (entry: Entry): boolean => entry.slot.version === entry.version && entry.slot.job.state === "pending"

  /** Puts a pending job in the ready or delayed heap, invalidating older entries. */
  const enqueue = (slot: Slot, now: number): void => {
    slot.version++
    const entry: Entry = { slot, version: slot.version }
    if (slot.job.runAt <= now) readyHeap(slot.job.name).push(entry)
    else delayed.push(entry)
  }

  const leave = (slot: Slot, state: "completed" | "failed" | "cancelled", now: number): void => {
    const job = slot.job
    job.state = state
    job.finishedAt = now
    job.leaseOwner = undefined
    job.leaseExpiresAt = undefined
    slot.version++
    active.delete(slot)
    if (job.uniqueKey !== undefined && uniqueKeys.get(job.uniqueKey) === job.id) uniqueKeys.delete(job.uniqueKey)
  }

  const backToPending = (slot: Slot, now: number): void => {
    slot.job.state = "pending"
    slot.job.leaseOwner = undefined
    slot.job.leaseExpiresAt = undefined
    active.delete(slot)
    enqueue(slot, now)
  }

  const notify = (names: Iterable<string>) => {
    for (const name of new Set(names)) wakeups.unsafeOffer(name)
  }

  /** A generated id found stored was stored by this same push, run before: that counts as inserted. */
  const insert = (job: NewJob & { readonly generated?: true }, now: number): PushResult => {
    if (job.id !== undefined && slots.has(job.id)) return { id: job.id, inserted: job.generated === true }
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
    const slot: Slot = { job: stored, version: 0, seq: ++seq }
    slots.set(id, slot)
    if (job.uniqueKey !== undefined) uniqueKeys.set(job.uniqueKey, id)
    enqueue(slot, now)
    return { id, inserted: true }
  }

  /** Moves due delayed jobs to their ready heaps and expired leases back to pending. */
  const promote = (now: number): void => {
    for (let top = delayed.peek(); top !== undefined && top.slot.job.runAt <= now; top = delayed.peek()) {
      delayed.pop()
      if (isLive(top)) readyHeap(top.slot.job.name).push(top)
    }
    for (const slot of active) {
      if (slot.job.leaseExpiresAt !== undefined && slot.job.leaseExpiresAt <= now) backToPending(slot, now)
    }
  }

  const nextRunAt = (): number | undefined => {
    let earliest: number | undefined
    for (let top = delayed.peek(); top !== undefined; top = delayed.peek()) {
      if (isLive(top)) {
        earliest = top.slot.job.runAt
        break
      }
      delayed.pop()
    }
    for (const slot of active) {
      const expiry = slot.job.leaseExpiresAt
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
        const slot = heap.pop()!.slot
        const job = slot.job
        slot.version++
        job.state = "active"
        job.attempts++
        job.startedAt = now
        job.leaseOwner = owner
        job.leaseExpiresAt = now + leaseMs
        active.add(slot)
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

  const held = (id: string, owner: string): Slot | undefined => {
    const slot = slots.get(id)
    return slot !== undefined && slot.job.state === "active" && slot.job.leaseOwner === owner ? slot : undefined
  }

  const renew = (request: RenewRequest) =>
    Effect.sync(() => {
      const lost: Array<string> = []
      for (const id of request.ids) {
        const slot = held(id, request.owner)
        if (slot === undefined) lost.push(id)
        else slot.job.leaseExpiresAt = request.now + request.leaseMs
      }
      return lost
    })

  /** Applies outcomes whose lease is held; returns the ids of the others. */
  const record = ({ outcomes, removeOnComplete }: OutcomeBatch, now: number) => {
    const lost: Array<string> = []
    const woken: Array<string> = []
    for (const outcome of outcomes) {
      const slot = held(outcome.id, outcome.owner)
      if (slot === undefined) {
        lost.push(outcome.id)
        continue
      }
      const job = slot.job
      switch (outcome._tag) {
        case "Completed": {
          leave(slot, "completed", now)
          if (removeOnComplete) slots.delete(job.id)
          break
        }
        case "Failed": {
          job.lastError = outcome.error
          leave(slot, "failed", now)
          break
        }
        case "Retry": {
          job.lastError = outcome.error
          job.runAt = outcome.runAt
          backToPending(slot, now)
          woken.push(job.name)
          break
        }
        case "Released": {
          job.attempts = Math.max(0, job.attempts - 1)
          backToPending(slot, now)
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
      const slot = held(id, owner)
      if (slot !== undefined) slot.job.progress = progress
      return slot !== undefined
    })

  const get = ({ id }: GetRequest) =>
    Effect.sync(() => {
      const slot = slots.get(id)
      return slot === undefined ? Option.none<JobRecord>() : Option.some<JobRecord>({ ...slot.job })
    })

  const cancel = ({ id, now }: CancelRequest) =>
    Effect.sync((): CancelResult => {
      const slot = slots.get(id)
      if (slot === undefined) return "not-found"
      if (isFinished(slot.job.state)) return "finished"
      leave(slot, "cancelled", now)
      return "cancelled"
    })

  const retry = ({ id, now }: RetryRequest) =>
    Effect.sync(() => {
      const slot = slots.get(id)
      if (slot === undefined || (slot.job.state !== "failed" && slot.job.state !== "cancelled")) return false
      const job = slot.job
      job.state = "pending"
      job.attempts = 0
      job.runAt = now
      job.finishedAt = undefined
      if (job.uniqueKey !== undefined && !uniqueKeys.has(job.uniqueKey)) uniqueKeys.set(job.uniqueKey, job.id)
      enqueue(slot, now)
      notify([job.name])
      return true
    })

  const counts = ({ now }: CountsRequest) =>
    Effect.sync((): JobCounts => {
      const counts = { pending: 0, delayed: 0, active: 0, completed: 0, failed: 0, cancelled: 0 }
      for (const { job } of slots.values()) {
        counts[job.state]++
        if (job.state === "pending" && job.runAt > now) counts.delayed++
      }
      return counts
    })

  const prune = (request: PruneRequest) =>
    Effect.sync(() => {
      // Oldest finished first; among equal times, the earlier pushed.
      const finished = [...slots.values()]
        .filter((slot) => slot.job.state === request.state)
        .sort((a, b) => (a.job.finishedAt ?? 0) - (b.job.finishedAt ?? 0) || a.seq - b.seq)
      const doomed = "keepNewest" in request
        ? finished.slice(0, Math.max(0, finished.length - request.keepNewest))
        : finished.filter((slot) => (slot.job.finishedAt ?? 0) < request.finishedBefore)
      const removed = doomed.slice(0, request.limit)
      for (const slot of removed) slots.delete(slot.job.id)
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
      for (const { job } of slots.values()) {
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
