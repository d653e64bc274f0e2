/**
 * What the command line prints: aligned tables and key-value blocks for people, and the JSON documents of
 * `--json` (times as ISO 8601 strings, absent values as `null`). Pure functions of the data and `now`.
 *
 * @since 0.1.0
 */
import { Option, Schema } from "effect"
import type { InstanceRecord, JobCounts, JobState, NameCounts, ScheduleInfo } from "../index.js"
import { JobDetails, JobInfo } from "../index.js"

/**
 * A table column: its header and which side its cells line up on.
 *
 * @since 0.1.0
 */
export interface Column {
  readonly header: string
  readonly align?: "left" | "right"
}

/**
 * Rows under their headers, each column as wide as its widest cell, two spaces apart, no trailing blanks.
 *
 * @since 0.1.0
 */
export const table = (columns: ReadonlyArray<Column>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...rows.map((row) => (row[index] ?? "").length))
  )
  const line = (cells: ReadonlyArray<string>) =>
    columns.map((column, index) => {
      const cell = cells[index] ?? ""
      return column.align === "right" ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!)
    }).join("  ").trimEnd()
  return [line(columns.map((column) => column.header)), ...rows.map(line)].join("\n")
}

/**
 * A time in UTC to the second: `2024-05-01T12:00:03Z`.
 *
 * @since 0.1.0
 */
export const timestamp = (millis: number): string => new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")

/**
 * How far `millis` is from `now`, roughly: `5s ago`, `in 3m`, `2h ago`, `4d ago`.
 *
 * @since 0.1.0
 */
export const relative = (millis: number, now: number): string => {
  const seconds = Math.round(Math.abs(millis - now) / 1_000)
  const amount = seconds < 60
    ? `${seconds}s`
    : seconds < 3_600
    ? `${Math.floor(seconds / 60)}m`
    : seconds < 172_800
    ? `${Math.floor(seconds / 3_600)}h`
    : `${Math.floor(seconds / 86_400)}d`
  return millis > now ? `in ${amount}` : `${amount} ago`
}

/**
 * The first line of `text`, cut to `max` characters with an ellipsis.
 *
 * @since 0.1.0
 */
export const oneLine = (text: string, max: number): string => {
  const first = text.trim().split("\n")[0] ?? ""
  return first.length > max ? `${first.slice(0, max - 1)}…` : first
}

const isoOrNull = (millis: number | undefined): string | null => millis === undefined ? null : new Date(millis).toISOString()

const countRows = (counts: JobCounts): Array<Array<string>> => [
  ["pending", String(counts.pending), counts.delayed > 0 ? `(${counts.delayed} delayed)` : ""],
  ["active", String(counts.active), ""],
  ["completed", String(counts.completed), ""],
  ["failed", String(counts.failed), ""],
  ["cancelled", String(counts.cancelled), ""]
]

/**
 * What `status` shows: where the queue is, whether it is paused, the jobs per state and per job name.
 *
 * @since 0.1.0
 */
export interface Status {
  readonly queue: string
  readonly paused: boolean
  readonly counts: JobCounts
  readonly names: ReadonlyArray<NameCounts>
}

/**
 * `status` for people.
 *
 * @since 0.1.0
 */
export const renderStatus = (status: Status): string => {
  const header = `Queue ${status.queue}: ${status.paused ? "PAUSED (no job starts until resume)" : "running"}`
  const states = table([{ header: "STATE" }, { header: "JOBS", align: "right" }, { header: "" }], countRows(status.counts))
  if (status.names.length === 0) return `${header}\n\n${states}\n\nNo jobs stored.`
  const byName = table(
    [
      { header: "NAME" },
      ...["PENDING", "DELAYED", "ACTIVE", "COMPLETED", "FAILED", "CANCELLED"].map((header) => ({
        header,
        align: "right" as const
      }))
    ],
    status.names.map(({ counts, name }) => [
      name,
      ...[counts.pending, counts.delayed, counts.active, counts.completed, counts.failed, counts.cancelled].map(String)
    ])
  )
  return `${header}\n\n${states}\n\n${byName}\n(pending includes delayed)`
}

/**
 * `status --json`.
 *
 * @since 0.1.0
 */
export const statusJson = (status: Status) => ({
  paused: status.paused,
  counts: status.counts,
  names: status.names.map(({ counts, name }) => ({ name, counts }))
})

/** The time a listing of `state` is ordered by, and its column title. */
const stateTimeColumn: Record<JobState, { readonly header: string; readonly of: (job: JobInfo) => Date | undefined }> = {
  pending: { header: "RUN AT", of: (job) => job.runAt },
  active: { header: "STARTED", of: (job) => Option.getOrUndefined(job.startedAt) },
  completed: { header: "FINISHED", of: (job) => Option.getOrUndefined(job.finishedAt) },
  failed: { header: "FINISHED", of: (job) => Option.getOrUndefined(job.finishedAt) },
  cancelled: { header: "FINISHED", of: (job) => Option.getOrUndefined(job.finishedAt) }
}

/**
 * Attempts made and allowed: `2/5`, or just `2` when the handler's limit applies.
 *
 * @since 0.1.0
 */
export const attempts = (job: JobInfo): string =>
  Option.match(job.maxAttempts, { onNone: () => String(job.attempts), onSome: (max) => `${job.attempts}/${max}` })

/**
 * One page of `list` for people: a row per job, then how to get the next page.
 *
 * @since 0.1.0
 */
export const renderList = (state: JobState, jobs: ReadonlyArray<JobInfo>, next: string | undefined): string => {
  if (jobs.length === 0) return `No ${state} jobs${next === undefined ? "." : " on this page."}${nextPage(next)}`
  const time = stateTimeColumn[state]
  const last = state === "active" ? "PROGRESS" : "LAST ERROR"
  const rows = jobs.map((job) => {
    const at = time.of(job)
    const detail = state === "active"
      ? Option.match(job.progress, { onNone: () => "", onSome: String })
      : Option.match(job.lastError, { onNone: () => "", onSome: (error) => oneLine(error, 60) })
    return [job.id, job.name, attempts(job), at === undefined ? "-" : timestamp(at.getTime()), detail]
  })
  const columns: Array<Column> = [{ header: "ID" }, { header: "NAME" }, { header: "ATTEMPTS", align: "right" }, {
    header: time.header
  }]
  // The last column only when some job has something to show in it.
  const body = rows.some((row) => row[4] !== "")
    ? table([...columns, { header: last }], rows)
    : table(columns, rows.map((row) => row.slice(0, 4)))
  return `${body}\n${jobs.length} ${state} job${jobs.length === 1 ? "" : "s"}${nextPage(next)}`
}

const nextPage = (next: string | undefined) => next === undefined ? "" : `\nNext page: --after ${next}`

/**
 * `list --json`: the jobs as `JobInfo` JSON and the next cursor (`null` at the end).
 *
 * @since 0.1.0
 */
export const listJson = (jobs: ReadonlyArray<JobInfo>, next: string | undefined) => ({
  jobs: jobs.map((job) => Schema.encodeSync(JobInfo)(job)),
  next: next ?? null
})

const indent = (text: string, by: string) => text.split("\n").map((line) => `${by}${line}`).join("\n")

const when = (date: Option.Option<Date>, now: number): string =>
  Option.match(date, { onNone: () => "-", onSome: (at) => `${timestamp(at.getTime())} (${relative(at.getTime(), now)})` })

/**
 * `show` for people: every field of the job, its lease, its last error and its payload.
 *
 * @since 0.1.0
 */
export const renderJob = (job: JobDetails, now: number): string => {
  const lease = Option.match(job.leaseOwner, {
    onNone: () => "-",
    onSome: (owner) => `${owner} until ${when(job.leaseExpiresAt, now)}`
  })
  const fields: Array<[string, string]> = [
    ["name", job.name],
    ["state", job.state],
    ["attempts", attempts(job)],
    ["priority", String(job.priority)],
    ["unique key", Option.getOrElse(job.uniqueKey, () => "-")],
    ["created", when(Option.some(job.createdAt), now)],
    ["run at", when(Option.some(job.runAt), now)],
    ["started", when(job.startedAt, now)],
    ["finished", when(job.finishedAt, now)],
    ["progress", Option.match(job.progress, { onNone: () => "-", onSome: String })],
    ["lease", lease]
  ]
  const width = Math.max(...fields.map(([key]) => key.length))
  const lines = [`Job ${job.id}`, ...fields.map(([key, value]) => `  ${key.padEnd(width)}  ${value}`)]
  const error = Option.match(job.lastError, { onNone: () => "  last error: -", onSome: (text) => `  last error:\n${indent(text, "    ")}` })
  const payload = typeof job.payload === "string" ? job.payload : JSON.stringify(job.payload, null, 2)
  return [...lines, error, `  payload:\n${indent(payload, "    ")}`].join("\n")
}

/**
 * `show --json`: the job as `JobDetails` JSON.
 *
 * @since 0.1.0
 */
export const jobJson = (job: JobDetails) => Schema.encodeSync(JobDetails)(job)

/**
 * `schedules` for people.
 *
 * @since 0.1.0
 */
export const renderSchedules = (schedules: ReadonlyArray<ScheduleInfo>, now: number): string => {
  if (schedules.length === 0) return "No schedules."
  const at = (millis: number | undefined) => millis === undefined ? "-" : `${timestamp(millis)} (${relative(millis, now)})`
  return table(
    [{ header: "KEY" }, { header: "NAME" }, { header: "CRON" }, { header: "TIME ZONE" }, { header: "LAST SLOT" }, {
      header: "NEXT SLOT"
    }],
    schedules.map((schedule) => [
      schedule.schedule,
      schedule.name ?? "-",
      schedule.cron ?? "(not registered)",
      schedule.cron === undefined ? "-" : schedule.timeZone ?? "UTC",
      at(schedule.lastSlot),
      at(schedule.nextSlot)
    ])
  )
}

/**
 * `schedules --json`.
 *
 * @since 0.1.0
 */
export const schedulesJson = (schedules: ReadonlyArray<ScheduleInfo>) =>
  schedules.map((schedule) => ({
    schedule: schedule.schedule,
    name: schedule.name ?? null,
    cron: schedule.cron ?? null,
    timeZone: schedule.timeZone ?? null,
    lastSlot: isoOrNull(schedule.lastSlot),
    lastPushedAt: isoOrNull(schedule.lastPushedAt),
    registeredAt: isoOrNull(schedule.registeredAt),
    nextSlot: isoOrNull(schedule.nextSlot)
  }))

/**
 * `instances` for people.
 *
 * @since 0.1.0
 */
export const renderInstances = (instances: ReadonlyArray<InstanceRecord>, now: number): string => {
  if (instances.length === 0) return "No running instances."
  return table(
    [{ header: "ID" }, { header: "HOST" }, { header: "PID", align: "right" }, { header: "CONCURRENCY", align: "right" }, {
      header: "RUNNING",
      align: "right"
    }, { header: "STARTED" }, { header: "LAST SEEN" }, { header: "JOBS" }],
    instances.map((instance) => [
      instance.id,
      instance.host,
      String(instance.pid),
      String(instance.concurrency),
      String(instance.running.length),
      relative(instance.startedAt, now),
      relative(instance.lastSeenAt, now),
      instance.names.join(", ")
    ])
  )
}

/**
 * `instances --json`.
 *
 * @since 0.1.0
 */
export const instancesJson = (instances: ReadonlyArray<InstanceRecord>) =>
  instances.map((instance) => ({
    ...instance,
    startedAt: new Date(instance.startedAt).toISOString(),
    lastSeenAt: new Date(instance.lastSeenAt).toISOString(),
    expiresAt: new Date(instance.expiresAt).toISOString()
  }))
