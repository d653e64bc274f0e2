/**
 * Rows read back as the port's records. pg returns bigint columns as text, so every time is converted here.
 */
import {
  type InstanceRecord,
  type JobCounts,
  type JobRecord,
  type JobState,
  optionalNumber,
  type ScheduleRecord
} from "../../../src/driver/index.js"

/** A nullable text column. */
export const optionalString = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : String(value)

/** A row of the jobs table as `get` and `list` return it. */
export const toRecord = (row: Record<string, unknown>): JobRecord => ({
  id: String(row.id),
  name: String(row.name),
  payload: String(row.payload),
  state: row.state as JobState,
  priority: Number(row.priority),
  runAt: Number(row.run_at),
  attempts: Number(row.attempts),
  maxAttempts: optionalNumber(row.max_attempts),
  uniqueKey: optionalString(row.unique_key),
  createdAt: Number(row.created_at),
  startedAt: optionalNumber(row.started_at),
  finishedAt: optionalNumber(row.finished_at),
  lastError: optionalString(row.last_error),
  progress: optionalNumber(row.progress),
  leaseOwner: optionalString(row.lease_owner),
  leaseExpiresAt: optionalNumber(row.lease_expires_at)
})

/** A row of counts.sql or counts-by-name.sql: the jobs of one state (of one name), counts as text. */
export interface StateCountRow {
  readonly state: JobState
  readonly jobs: string
  readonly delayed: string
}

/** Counts with nothing in them, to add rows to. */
export const noCounts = (): { -readonly [K in keyof JobCounts]: number } => ({
  pending: 0,
  delayed: 0,
  active: 0,
  completed: 0,
  failed: 0,
  cancelled: 0
})

/** Adds one row's jobs to `counts`. */
export const addCountRow = (counts: { -readonly [K in keyof JobCounts]: number }, row: StateCountRow): void => {
  counts[row.state] += Number(row.jobs)
  counts.delayed += Number(row.delayed)
}

/** The counts of the rows of counts.sql. */
export const toCounts = (rows: ReadonlyArray<StateCountRow>): JobCounts => {
  const counts = noCounts()
  for (const row of rows) addCountRow(counts, row)
  return counts
}

/** A row of the schedules table; what was never stored under the key reads `undefined`. */
export const toSchedule = (row: Record<string, unknown>): ScheduleRecord => ({
  schedule: String(row.key),
  cron: optionalString(row.cron),
  timeZone: optionalString(row.time_zone),
  name: optionalString(row.name),
  lastSlot: optionalNumber(row.last_slot),
  lastPushedAt: optionalNumber(row.pushed_at),
  registeredAt: optionalNumber(row.registered_at)
})

/** A row of the instances table. */
export const toInstance = (row: Record<string, unknown>): InstanceRecord => ({
  id: String(row.id),
  host: String(row.host),
  pid: Number(row.pid),
  names: row.names as ReadonlyArray<string>,
  concurrency: Number(row.concurrency),
  running: row.running as ReadonlyArray<string>,
  startedAt: Number(row.started_at),
  lastSeenAt: Number(row.last_seen_at),
  expiresAt: Number(row.expires_at)
})
