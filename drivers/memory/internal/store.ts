/**
 * The memory driver's store: job records, the indexes claims read (a ready heap per name, one delayed heap,
 * the active set) and unique keys, with the moves between states that keep them in step. The port's
 * operations are built on it in `MemoryDriver.ts` and `admin.ts`.
 */
import { generateJobId, type JobRecord, type NewJob, type PushResult } from "../../../src/driver/index.js"
import { Heap } from "./heap.js"

/** A job record the store changes in place. */
export type StoredJob = { -readonly [K in keyof JobRecord]: JobRecord[K] }

/** Where one stored job lives in memory; heap entries point at it. */
export interface Cell {
  readonly job: StoredJob
  /** Moves on whenever the job leaves a heap, so the heap entries made before are known stale. */
  version: number
  /** Push order: breaks ties in claims and listings. */
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

/** A stale entry is skipped; a removed job's cell moved on when it left, so it is never revived. */
const isLive = (entry: Entry): boolean => entry.cell.version === entry.version && entry.cell.job.state === "pending"

/** Builds an empty store. */
export const makeStore = () => {
  const cells = new Map<string, Cell>()
  const ready = new Map<string, Heap<Entry>>()
  const delayed = new Heap<Entry>(dueOrder)
  const active = new Set<Cell>()
  const uniqueKeys = new Map<string, string>()
  let seq = 0

  const readyHeap = (name: string): Heap<Entry> => {
    let heap = ready.get(name)
    if (heap === undefined) {
      heap = new Heap(readyOrder)
      ready.set(name, heap)
    }
    return heap
  }

  /** Puts a pending job in the ready or delayed heap, invalidating older entries. */
  const enqueue = (cell: Cell, now: number): void => {
    cell.version++
    const entry: Entry = { cell, version: cell.version }
    if (cell.job.runAt <= now) readyHeap(cell.job.name).push(entry)
    else delayed.push(entry)
  }

  const freeUniqueKey = (job: StoredJob): void => {
    if (job.uniqueKey !== undefined && uniqueKeys.get(job.uniqueKey) === job.id) uniqueKeys.delete(job.uniqueKey)
  }

  /** Moves a pending or active job to a final state. */
  const leave = (cell: Cell, state: "completed" | "failed" | "cancelled", now: number): void => {
    const job = cell.job
    job.state = state
    job.finishedAt = now
    job.leaseOwner = undefined
    job.leaseExpiresAt = undefined
    cell.version++
    active.delete(cell)
    freeUniqueKey(job)
  }

  const backToPending = (cell: Cell, now: number): void => {
    cell.job.state = "pending"
    cell.job.leaseOwner = undefined
    cell.job.leaseExpiresAt = undefined
    active.delete(cell)
    enqueue(cell, now)
  }

  /** Moves a failed or cancelled job back to pending, due at `now`, attempts reset. */
  const retry = (cell: Cell, now: number): void => {
    const job = cell.job
    job.state = "pending"
    job.attempts = 0
    job.runAt = now
    job.finishedAt = undefined
    if (job.uniqueKey !== undefined && !uniqueKeys.has(job.uniqueKey)) uniqueKeys.set(job.uniqueKey, job.id)
    enqueue(cell, now)
  }

  /** Deletes a job that is not active, with its unique key; its heap entries go stale. */
  const remove = (cell: Cell): void => {
    cell.version++
    cells.delete(cell.job.id)
    freeUniqueKey(cell.job)
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

  /** The earliest delayed run time or lease expiry, dropping stale delayed entries on the way. */
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

  /** Takes the best ready job across `names` out of its heap, dropping stale entries on the way. */
  const takeBest = (names: ReadonlyArray<string>): Cell | undefined => {
    let winner: Heap<Entry> | undefined
    for (const name of names) {
      const heap = ready.get(name)
      if (heap === undefined) continue
      while (heap.size > 0 && !isLive(heap.peek()!)) heap.pop()
      const top = heap.peek()
      if (top !== undefined && (winner === undefined || readyOrder(top, winner.peek()!))) winner = heap
    }
    return winner === undefined ? undefined : winner.pop()!.cell
  }

  /** Leases a job taken with `takeBest` to `owner`. */
  const start = (cell: Cell, owner: string, leaseMs: number, now: number): void => {
    const job = cell.job
    cell.version++
    job.state = "active"
    job.attempts++
    job.startedAt = now
    job.leaseOwner = owner
    job.leaseExpiresAt = now + leaseMs
    active.add(cell)
  }

  /** The job if `owner` holds its lease. */
  const held = (id: string, owner: string): Cell | undefined => {
    const cell = cells.get(id)
    return cell !== undefined && cell.job.state === "active" && cell.job.leaseOwner === owner ? cell : undefined
  }

  return { cells, insert, leave, backToPending, retry, remove, promote, nextRunAt, takeBest, start, held }
}

/** The memory driver's store (see `makeStore`). */
export type Store = ReturnType<typeof makeStore>
