/**
 * The operating side of the driver (`JobDriverAdminShape`): listings and bulk changes, removal, schedules
 * and instances, one query from `sql/` each.
 *
 * Listings and bulk changes walk one state's index in (state time, seq) order from a position, the
 * (state time, seq) of the last job seen, never counting rows: a page costs the same however deep it is,
 * and a position keeps its meaning while jobs come and go. Cursors carry that position.
 */
import { Effect } from "effect"
import {
  type BulkRequest,
  type BulkResult,
  decodeCursor,
  type DriverError,
  encodeCursor,
  InvalidCursor,
  type JobDriverAdminShape,
  type JobFilter,
  type JobState,
  listingOf,
  type ListOrder,
  type ListPage,
  type NameCounts,
  type RemoveResult,
  storable
} from "../../../src/driver/index.js"
import { addCountRow, noCounts, type StateCountRow, toInstance, toRecord, toSchedule } from "./records.js"
import type { QueryName } from "./sql.js"

/** Runs one of the driver's queries and returns its rows. */
export type RunQuery = <Row extends Record<string, unknown>>(
  name: QueryName,
  values: ReadonlyArray<unknown>
) => Effect.Effect<ReadonlyArray<Row>, DriverError>

/** The ends of bigint's range as parameters: the positions before the first job and after the last. */
const lowest = "-9223372036854775808"
const highest = "9223372036854775807"

/** A job's place in a listing: its state time and seq (numbers from a cursor, or one end of the range). */
type Position = readonly [time: number | string, seq: number | string]

/** Where the jobs of one state are listed from: the state time column, and the query for each order. */
interface Walk {
  readonly time: "run_at" | "started_at" | "finished_at"
  readonly newest: QueryName
  readonly oldest: QueryName
}

const pendingWalk: Walk = { time: "run_at", newest: "list-pending-newest", oldest: "list-pending-oldest" }
const activeWalk: Walk = { time: "started_at", newest: "list-active-newest", oldest: "list-active-oldest" }
const finishedWalk: Walk = { time: "finished_at", newest: "list-finished-newest", oldest: "list-finished-oldest" }

const walkOf = (state: JobState): Walk =>
  state === "pending" ? pendingWalk : state === "active" ? activeWalk : finishedWalk

/** The finished states share their queries, which take the state as their last parameter. */
const stateParameter = (state: JobState): ReadonlyArray<string> =>
  state === "pending" || state === "active" ? [] : [state]

const isWholeNumber = (part: unknown): part is number => typeof part === "number" && Number.isSafeInteger(part)

const notACursor = (cursor: string, listing: string) =>
  new InvalidCursor({ cursor, message: `Invalid cursor ${JSON.stringify(cursor)} for ${listing}: it is not a cursor` })

/**
 * The position `after` names in `listing`, or, for the first page, the end of the range the listing starts
 * from. A cursor of another listing, or one not holding a (state time, seq) pair, is an `InvalidCursor`.
 */
const positionOf = (listing: string, order: ListOrder, after: string | undefined): Effect.Effect<Position, InvalidCursor> =>
  after === undefined
    ? Effect.succeed(order === "newest" ? [highest, highest] : [lowest, lowest])
    : Effect.flatMap(decodeCursor(listing, after), ([time, seq, ...rest]) =>
      isWholeNumber(time) && isWholeNumber(seq) && rest.length === 0
        ? Effect.succeed([time, seq] as const)
        : Effect.fail(notACursor(after, listing)))

/**
 * A state-time bound as a bigint parameter. State times are whole milliseconds, so rounding a bound up keeps
 * both `>= from` and `< to` exact; a bound beyond bigint's range is its end.
 */
const timeBound = (value: number | undefined, missing: string): string =>
  value === undefined || Number.isNaN(value)
    ? missing
    : value >= 2 ** 63
    ? highest
    : value < -(2 ** 63)
    ? lowest
    : BigInt(Math.ceil(value)).toString()

/** Text the store refuses (NUL, lone surrogates) is in no stored job, so a filter naming it matches nothing. */
const isStorable = (text: string) => storable(text) === text

/**
 * A filter's parameters after the position: state-time range, names (`null`: all), search text (`null`:
 * any); `undefined` when no stored job can match it.
 */
const filterParameters = (filter: JobFilter): ReadonlyArray<unknown> | undefined => {
  const names = filter.names !== undefined && filter.names.length > 0 ? filter.names.filter(isStorable) : undefined
  const search = filter.search === undefined || filter.search === "" ? undefined : filter.search
  if (names?.length === 0 || (search !== undefined && !isStorable(search))) return undefined
  return [timeBound(filter.from, lowest), timeBound(filter.to, highest), names ?? null, search ?? null]
}

/**
 * The results of `remove` in input order from the states of the jobs found: an id given twice is removed
 * once, then not found.
 */
const removeResults = (
  ids: ReadonlyArray<string>,
  found: ReadonlyMap<string, string>
): ReadonlyArray<RemoveResult> => {
  const removed = new Set<string>()
  return ids.map((id): RemoveResult => {
    const state = found.get(id)
    if (state === undefined || removed.has(id)) return "not-found"
    if (state === "active") return "active"
    removed.add(id)
    return "removed"
  })
}

/** Orders by a text as JavaScript compares strings, whatever the database's collation. */
const byText = <A>(text: (a: A) => string) => (a: A, b: A): number => {
  const x = text(a)
  const y = text(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** A row of counts-by-name.sql: the jobs of one name in one state. */
interface NameStateRow extends StateCountRow {
  readonly name: string
}

/** Folds the rows of counts-by-name.sql into counts per name, by name. */
const countsPerName = (rows: ReadonlyArray<NameStateRow>): ReadonlyArray<NameCounts> => {
  const names = new Map<string, ReturnType<typeof noCounts>>()
  for (const row of rows) {
    let counts = names.get(row.name)
    if (counts === undefined) {
      counts = noCounts()
      names.set(row.name, counts)
    }
    addCountRow(counts, row)
  }
  return [...names].map(([name, counts]) => ({ name, counts })).sort(byText((entry) => entry.name))
}

const emptyPage: ListPage = { jobs: [], next: undefined }
const nothingChanged: BulkResult = { changed: 0, next: undefined }

/** The admin operations over the driver's queries; `channel` is the queue's wake-up channel. */
export const makeAdmin = (query: RunQuery, channel: string): JobDriverAdminShape => {
  /**
   * One batch of a bulk change in the `oldest` order of the filter's state. The query returns the positions
   * it examined: the jobs it changed and, when more follow, one more.
   */
  const bulk = (name: QueryName, request: BulkRequest, extra: ReadonlyArray<unknown>) =>
    Effect.gen(function*() {
      const listing = listingOf(request.filter.state, "oldest")
      const position = yield* positionOf(listing, "oldest", request.after)
      const matching = filterParameters(request.filter)
      if (matching === undefined) return nothingChanged
      const { limit } = request
      const rows = yield* query<{ state_time: string; seq: string }>(name, [...position, ...matching, limit, ...extra])
      const last = rows[limit - 1]
      return {
        changed: Math.min(rows.length, limit),
        next: rows.length > limit && last !== undefined
          ? encodeCursor(listing, [Number(last.state_time), Number(last.seq)])
          : undefined
      }
    })

  return {
    list: ({ after, filter, limit, order }) =>
      Effect.gen(function*() {
        const listing = listingOf(filter.state, order)
        const position = yield* positionOf(listing, order, after)
        const matching = filterParameters(filter)
        if (matching === undefined) return emptyPage
        const walk = walkOf(filter.state)
        const rows = yield* query(walk[order], [...position, ...matching, limit, ...stateParameter(filter.state)])
        const page = rows.slice(0, limit)
        const last = page[page.length - 1]
        return {
          jobs: page.map(toRecord),
          next: rows.length > limit && last !== undefined
            ? encodeCursor(listing, [Number(last[walk.time]), Number(last.seq)])
            : undefined
        }
      }),
    countsByName: ({ now }) => query<NameStateRow & Record<string, unknown>>("counts-by-name", [now]).pipe(Effect.map(countsPerName)),
    remove: ({ ids }) => {
      const stored = ids.filter(isStorable)
      return (stored.length === 0 ? Effect.succeed([]) : query<{ id: string; state: string }>("remove", [stored])).pipe(
        Effect.map((rows) => removeResults(ids, new Map(rows.map((row) => [row.id, row.state]))))
      )
    },
    retryAll: (request) =>
      request.filter.state === "failed" || request.filter.state === "cancelled"
        ? bulk("retry-all", request, [request.filter.state, request.now, channel])
        : Effect.succeed(nothingChanged),
    cancelAll: (request) =>
      request.filter.state === "pending"
        ? bulk("cancel-all-pending", request, [request.now])
        : request.filter.state === "active"
        ? bulk("cancel-all-active", request, [request.now])
        : Effect.succeed(nothingChanged),
    registerSchedule: ({ cron, name, now, schedule, timeZone }) =>
      query("register-schedule", [schedule, cron, timeZone ?? null, name, now]).pipe(Effect.asVoid),
    schedules: query("schedules", []).pipe(
      Effect.map((rows) => rows.map(toSchedule).sort(byText((record) => record.schedule)))
    ),
    removeSchedule: ({ schedule }) => query("remove-schedule", [schedule]).pipe(Effect.map((rows) => rows.length === 1)),
    heartbeat: ({ instance }) =>
      query("heartbeat", [
        instance.id,
        instance.host,
        instance.pid,
        instance.names,
        instance.concurrency,
        instance.running,
        instance.startedAt,
        instance.lastSeenAt,
        instance.expiresAt
      ]).pipe(Effect.asVoid),
    instances: ({ now }) =>
      query("instances", [now]).pipe(Effect.map((rows) => rows.map(toInstance).sort(byText((instance) => instance.id)))),
    removeInstance: ({ id }) => query("remove-instance", [id]).pipe(Effect.asVoid)
  }
}
