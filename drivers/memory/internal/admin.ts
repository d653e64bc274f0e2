/**
 * The operating side of the memory driver: listing by state time, removal, bulk retry and cancel, counts per
 * name, schedule records and instance heartbeats. Listings sort a scan of the store per call, which keeps
 * push, claim and finish free of any index kept for them.
 */
import { Effect } from "effect"
import {
  type BulkRequest,
  type BulkResult,
  type CountsRequest,
  decodeCursor,
  encodeCursor,
  type InstanceRecord,
  InvalidCursor,
  type JobCounts,
  type JobDriverAdminShape,
  type JobFilter,
  type JobRecord,
  type JobState,
  listingOf,
  type ListOrder,
  type ListRequest,
  matchesFilter,
  type NameCounts,
  type RemoveRequest,
  type RemoveResult,
  stateTime
} from "../../../src/driver/index.js"
import type { ScheduleBook } from "./schedules.js"
import type { Cell, Store } from "./store.js"

/** A job's place in a listing: its state time, then push order. */
type Position = readonly [time: number, seq: number]

const positionOf = (cell: Cell): Position => [stateTime(cell.job), cell.seq]

const compare = (a: Position, b: Position): number => a[0] - b[0] || a[1] - b[1]

/** The cells `filter` matches past `after` in `order`, sorted in that order, each with its position. */
const select = (
  cells: Iterable<Cell>,
  filter: JobFilter,
  order: ListOrder,
  after: Position | undefined
): Array<readonly [Position, Cell]> => {
  const sign = order === "oldest" ? 1 : -1
  const matching: Array<readonly [Position, Cell]> = []
  for (const cell of cells) {
    if (!matchesFilter(cell.job, filter)) continue
    const position = positionOf(cell)
    if (after === undefined || sign * compare(position, after) > 0) matching.push([position, cell])
  }
  return matching.sort(([a], [b]) => sign * compare(a, b))
}

/** The position a cursor of `listing` names; `InvalidCursor` for one this driver did not make. */
const positionAfter = (listing: string, after: string | undefined): Effect.Effect<Position | undefined, InvalidCursor> =>
  after === undefined
    ? Effect.succeed(undefined)
    : Effect.flatMap(decodeCursor(listing, after), (key) =>
      key.length === 2 && typeof key[0] === "number" && typeof key[1] === "number"
        ? Effect.succeed([key[0], key[1]] as const)
        : Effect.fail(
          new InvalidCursor({ cursor: after, message: `Invalid cursor ${JSON.stringify(after)} for ${listing}` })
        ))

/** The cursor after the last of `taken`, when more of `matching` follow. */
const nextCursor = (
  listing: string,
  matching: ReadonlyArray<readonly [Position, Cell]>,
  taken: number
): string | undefined => matching.length > taken && taken > 0 ? encodeCursor(listing, matching[taken - 1]![0]) : undefined

/** Adds a job to per-state counts as `counts` does: `delayed` is the part of `pending` due after `now`. */
export const tally = (counts: { -readonly [K in keyof JobCounts]: number }, job: JobRecord, now: number): void => {
  counts[job.state]++
  if (job.state === "pending" && job.runAt > now) counts.delayed++
}

export const noCounts = (): { -readonly [K in keyof JobCounts]: number } => ({
  pending: 0,
  delayed: 0,
  active: 0,
  completed: 0,
  failed: 0,
  cancelled: 0
})

const unchanged: BulkResult = { changed: 0, next: undefined }

/** The operating side over `store` and `schedules`; `notify` wakes the workers of the names given. */
export const makeAdmin = (
  store: Store,
  schedules: ScheduleBook,
  notify: (names: Iterable<string>) => void
): JobDriverAdminShape => {
  const instances = new Map<string, InstanceRecord>()

  /** Changes up to `limit` matching jobs of `states`, oldest first, with `change`. */
  const bulk = (states: ReadonlyArray<JobState>, change: (cells: ReadonlyArray<Cell>, now: number) => void) =>
  ({ after, filter, limit, now }: BulkRequest): Effect.Effect<BulkResult, InvalidCursor> => {
    if (!states.includes(filter.state)) return Effect.succeed(unchanged)
    const listing = listingOf(filter.state, "oldest")
    return Effect.map(positionAfter(listing, after), (from) => {
      const matching = select(store.cells.values(), filter, "oldest", from)
      const taken = matching.slice(0, limit)
      change(taken.map(([, cell]) => cell), now)
      return { changed: taken.length, next: nextCursor(listing, matching, taken.length) }
    })
  }

  const list = ({ after, filter, limit, order }: ListRequest) => {
    const listing = listingOf(filter.state, order)
    return Effect.map(positionAfter(listing, after), (from) => {
      const matching = select(store.cells.values(), filter, order, from)
      const page = matching.slice(0, limit)
      return { jobs: page.map(([, cell]): JobRecord => ({ ...cell.job })), next: nextCursor(listing, matching, page.length) }
    })
  }

  const countsByName = ({ now }: CountsRequest) =>
    Effect.sync((): ReadonlyArray<NameCounts> => {
      const byName = new Map<string, ReturnType<typeof noCounts>>()
      for (const { job } of store.cells.values()) {
        let counts = byName.get(job.name)
        if (counts === undefined) {
          counts = noCounts()
          byName.set(job.name, counts)
        }
        tally(counts, job, now)
      }
      return [...byName.keys()].sort().map((name) => ({ name, counts: byName.get(name)! }))
    })

  const remove = ({ ids }: RemoveRequest) =>
    Effect.sync(() =>
      ids.map((id): RemoveResult => {
        const cell = store.cells.get(id)
        if (cell === undefined) return "not-found"
        if (cell.job.state === "active") return "active"
        store.remove(cell)
        return "removed"
      })
    )

  const retryAll = bulk(["failed", "cancelled"], (cells, now) => {
    for (const cell of cells) store.retry(cell, now)
    notify(cells.map((cell) => cell.job.name))
  })

  const cancelAll = bulk(["pending", "active"], (cells, now) => {
    for (const cell of cells) store.leave(cell, "cancelled", now)
  })

  const liveInstances = (now: number): ReadonlyArray<InstanceRecord> => {
    const live: Array<InstanceRecord> = []
    for (const [id, instance] of instances) {
      if (instance.expiresAt > now) live.push({ ...instance, names: [...instance.names], running: [...instance.running] })
      else instances.delete(id)
    }
    return live.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  }

  return {
    list,
    countsByName,
    remove,
    retryAll,
    cancelAll,
    registerSchedule: (definition) => Effect.sync(() => schedules.register(definition)),
    schedules: Effect.sync(() => schedules.list()),
    removeSchedule: ({ schedule }) => Effect.sync(() => schedules.remove(schedule)),
    heartbeat: ({ instance }) =>
      Effect.sync(() => {
        instances.set(instance.id, { ...instance, names: [...instance.names], running: [...instance.running] })
      }),
    instances: ({ now }) => Effect.sync(() => liveInstances(now)),
    removeInstance: ({ id }) =>
      Effect.sync(() => {
        instances.delete(id)
      })
  }
}
