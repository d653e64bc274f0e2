/**
 * The operating side of the Redis driver (`JobDriverAdminShape`): listing, removal, bulk retry and cancel,
 * per-name counts, schedules and instances, each one script call (see `scripts/`).
 */
import { Effect } from "effect"
import {
  type BulkRequest,
  type BulkResult,
  decodeCursor,
  type DriverError,
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
  type NameCounts,
  optionalNumber,
  type RemoveResult,
  type ScheduleRecord
} from "../../../src/driver/index.js"
import { hashOf, pairsOf, splitField, toRecord } from "./records.js"
import type { ScriptName } from "./scripts.js"

/** Runs one of the driver's scripts with the queue's prefix as its key, decoding the reply. */
export type RunScript = <A>(
  operation: ScriptName,
  args: ReadonlyArray<string | number>,
  decode: (reply: any) => A
) => Effect.Effect<A, DriverError>

/**
 * A position in a listing as the scripts take it: the score and member of the last index entry a call
 * consumed, as texts (`["", ""]` for the start).
 */
type Position = readonly [string, string]

const start: Position = ["", ""]

/** The position a cursor names; `InvalidCursor` for a cursor of another listing or one no Redis driver made. */
const positionOf = (listing: string, cursor: string | undefined): Effect.Effect<Position, InvalidCursor> =>
  cursor === undefined
    ? Effect.succeed(start)
    : Effect.flatMap(decodeCursor(listing, cursor), (key) =>
      key.length === 2 && typeof key[0] === "number" && typeof key[1] === "string" && key[1] !== ""
        ? Effect.succeed([String(key[0]), key[1]] as const)
        : Effect.fail(
          new InvalidCursor({
            cursor,
            message: `Invalid cursor ${JSON.stringify(cursor)} for ${listing}: it holds no position of this driver`
          })
        ))

/** The cursor of the position a script replied (score and member), `undefined` when nothing follows. */
const cursorOf = (listing: string, score: unknown, member: unknown): string | undefined =>
  score === "" || score === undefined ? undefined : encodeCursor(listing, [Number(score), String(member)])

const bound = (time: number | undefined): string => time === undefined ? "" : String(time)

/** The filter, limit and position as every scanning script reads them (see `list.lua`). */
const scanArgs = (filter: JobFilter, order: ListOrder, limit: number, after: Position) => [
  filter.state,
  order,
  limit,
  bound(filter.from),
  bound(filter.to),
  filter.search ?? "",
  after[0],
  after[1],
  ...(filter.names ?? [])
]

/** `list.lua`'s reply: the next position, then per job its id and its hash. */
const parsePage = (listing: string, reply: ReadonlyArray<unknown>) => {
  const jobs: Array<JobRecord> = []
  for (let i = 2; i + 1 < reply.length; i += 2) {
    jobs.push(toRecord(String(reply[i]), hashOf(reply[i + 1] as ReadonlyArray<unknown>)))
  }
  return { jobs, next: cursorOf(listing, reply[0], reply[1]) }
}

type Counts = { -readonly [K in keyof JobCounts]: JobCounts[K] }

const emptyCounts = (): Counts => ({ pending: 0, delayed: 0, active: 0, completed: 0, failed: 0, cancelled: 0 })

const byText = (a: string, b: string): number => a < b ? -1 : a > b ? 1 : 0

/** `counts-by-name.lua`'s `<state>:<name>`, count pairs, per name, by name; names with no jobs left out. */
export const parseNameCounts = (reply: ReadonlyArray<unknown>): Array<NameCounts> => {
  const byName = new Map<string, Counts>()
  for (const [field, value] of pairsOf(reply)) {
    const [state, name] = splitField(field)
    const number = Number(value)
    if (!(state in emptyCounts()) || !(number > 0)) continue
    let counts = byName.get(name)
    if (counts === undefined) byName.set(name, counts = emptyCounts())
    counts[state as keyof Counts] += number
  }
  const result: Array<NameCounts> = []
  for (const [name, counts] of byName) {
    // Delayed jobs are pending ones: never more of them, even while a counter catches up.
    counts.delayed = Math.min(counts.delayed, counts.pending)
    if (counts.pending + counts.active + counts.completed + counts.failed + counts.cancelled > 0) {
      result.push({ name, counts })
    }
  }
  return result.sort((a, b) => byText(a.name, b.name))
}

type Schedule = { -readonly [K in keyof ScheduleRecord]: ScheduleRecord[K] }

const text = (value: unknown): string | undefined => typeof value === "string" ? value : undefined
const number = (value: unknown): number | undefined => typeof value === "number" ? value : undefined

/** A stored definition's fields (JSON written by `registerSchedule`); none when it does not parse. */
const definitionOf = (json: string): Partial<Schedule> => {
  try {
    const parsed: unknown = JSON.parse(json)
    if (typeof parsed !== "object" || parsed === null) return {}
    const value = parsed as Record<string, unknown>
    return {
      cron: text(value.cron),
      timeZone: text(value.timeZone),
      name: text(value.name),
      registeredAt: number(value.registeredAt)
    }
  } catch {
    return {}
  }
}

/** `schedules.lua`'s two hashes as records: every key with a slot or a definition that is not removed, by key. */
export const parseSchedules = ([slots, info]: readonly [ReadonlyArray<unknown>, ReadonlyArray<unknown>]) => {
  const records = new Map<string, Schedule>()
  const record = (schedule: string): Schedule => {
    let found = records.get(schedule)
    if (found === undefined) {
      found = {
        schedule,
        cron: undefined,
        timeZone: undefined,
        name: undefined,
        lastSlot: undefined,
        lastPushedAt: undefined,
        registeredAt: undefined
      }
      records.set(schedule, found)
    }
    return found
  }
  for (const [schedule, slot] of pairsOf(slots)) record(schedule).lastSlot = optionalNumber(slot)
  const fields = pairsOf(info).map(([field, value]) => [...splitField(field), value] as const)
  for (const [kind, schedule, value] of fields) {
    if (kind === "def") Object.assign(record(schedule), definitionOf(value))
  }
  for (const [kind, schedule, value] of fields) {
    const found = records.get(schedule)
    if (kind === "pushed" && found !== undefined) found.lastPushedAt = optionalNumber(value)
    if (kind === "removed") records.delete(schedule)
  }
  return [...records.values()].sort((a, b) => byText(a.schedule, b.schedule)) as ReadonlyArray<ScheduleRecord>
}

/** An instance record read back; `undefined` for one that does not parse. */
const instanceOf = (json: string): InstanceRecord | undefined => {
  try {
    const parsed = JSON.parse(json) as InstanceRecord
    return typeof parsed === "object" && parsed !== null && typeof parsed.id === "string" &&
        typeof parsed.expiresAt === "number"
      ? parsed
      : undefined
  } catch {
    return undefined
  }
}

/** The stored form of an instance record: its fields, nothing else the caller's object carried. */
const storedInstance = (instance: InstanceRecord): string =>
  JSON.stringify({
    id: instance.id,
    host: instance.host,
    pid: instance.pid,
    names: instance.names,
    concurrency: instance.concurrency,
    running: instance.running,
    startedAt: instance.startedAt,
    lastSeenAt: instance.lastSeenAt,
    expiresAt: instance.expiresAt
  })

const nothingChanged: BulkResult = { changed: 0, next: undefined }

/**
 * The admin operations over the scripts `run` calls.
 */
export const makeAdmin = (run: RunScript): JobDriverAdminShape => {
  /** A bulk change over the filter's state, oldest first, when the state is one of `states`. */
  const bulk = (operation: "retry-all" | "cancel-all", states: ReadonlyArray<JobState>) => (request: BulkRequest) => {
    const listing = listingOf(request.filter.state, "oldest")
    return Effect.flatMap(positionOf(listing, request.after), (after) =>
      states.includes(request.filter.state)
        ? run(
          operation,
          [request.now, ...scanArgs(request.filter, "oldest", request.limit, after)],
          (reply: ReadonlyArray<unknown>): BulkResult => ({
            changed: Number(reply[0]),
            next: cursorOf(listing, reply[1], reply[2])
          })
        )
        : Effect.succeed(nothingChanged))
  }

  return {
    list: ({ after, filter, limit, order }) => {
      const listing = listingOf(filter.state, order)
      return Effect.flatMap(
        positionOf(listing, after),
        (position) =>
          run("list", scanArgs(filter, order, limit, position), (reply: ReadonlyArray<unknown>) => parsePage(listing, reply))
      )
    },
    countsByName: ({ now }) => run("counts-by-name", [now], parseNameCounts),
    remove: ({ ids }) => run("remove", ids, (reply: ReadonlyArray<RemoveResult>) => [...reply]),
    retryAll: bulk("retry-all", ["failed", "cancelled"]),
    cancelAll: bulk("cancel-all", ["pending", "active"]),
    registerSchedule: ({ cron, name, now, schedule, timeZone }) =>
      run("register-schedule", [schedule, JSON.stringify({ cron, timeZone, name, registeredAt: now })], () => undefined),
    schedules: run("schedules", [], parseSchedules),
    removeSchedule: ({ schedule }) => run("remove-schedule", [schedule], (reply) => Number(reply) === 1),
    heartbeat: ({ instance }) =>
      run("heartbeat", [instance.id, instance.expiresAt, storedInstance(instance)], () => undefined),
    instances: ({ now }) =>
      run("instances", [now], (reply: ReadonlyArray<string>) =>
        reply
          .map(instanceOf)
          .filter((instance): instance is InstanceRecord => instance !== undefined && instance.expiresAt > now)
          .sort((a, b) => byText(a.id, b.id))),
    removeInstance: ({ id }) => run("remove-instance", [id], () => undefined)
  }
}
