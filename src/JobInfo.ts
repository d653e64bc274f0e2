/**
 * The public view of a stored job, returned by `JobQueue.get`, and its schema.
 *
 * `JobInfo` is both the type and a `Schema` whose encoded side is plain JSON: absent values are `null` and
 * times are ISO 8601 strings, so job info can leave the process as is.
 *
 * ```ts
 * const info = yield* queue.get(id)                     // Option<JobInfo>
 * const json = Schema.encodeSync(JobInfo)(job)          // JobInfoJson, ready for JSON.stringify
 * HttpServerResponse.schemaJson(JobInfo)(job)           // in an @effect/platform route
 * ```
 *
 * @since 0.1.0
 */
import { Option, Schema } from "effect"
import type { JobRecord, JobState } from "./JobDriver.js"

/** Checked against `JobState` by the annotation: the schema accepts exactly the states a driver stores. */
const State: Schema.Schema<JobState> = Schema.Literal("pending", "active", "completed", "failed", "cancelled")

/**
 * The schema of a job's public view: `Schema.encode(JobInfo)` gives plain JSON, `Schema.decode(JobInfo)` reads
 * it back.
 *
 * @since 0.1.0
 */
export const JobInfo = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  state: State,
  /** The encoded parameters, as stored. */
  payload: Schema.Unknown,
  priority: Schema.Number,
  /** Attempts started so far. */
  attempts: Schema.Number,
  /** The attempt limit set at push, if any. */
  maxAttempts: Schema.OptionFromNullOr(Schema.Number),
  uniqueKey: Schema.OptionFromNullOr(Schema.String),
  createdAt: Schema.Date,
  /** When the job is (or was) due to run. */
  runAt: Schema.Date,
  startedAt: Schema.OptionFromNullOr(Schema.Date),
  finishedAt: Schema.OptionFromNullOr(Schema.Date),
  /** The latest failure, formatted as the worker saw it. */
  lastError: Schema.OptionFromNullOr(Schema.String),
  progress: Schema.OptionFromNullOr(Schema.Number)
}).annotations({ identifier: "JobInfo" })

/**
 * A stored job as the queue shows it: optional values as `Option`, times as `Date`.
 *
 * @since 0.1.0
 */
export interface JobInfo extends Schema.Schema.Type<typeof JobInfo> {}

/**
 * The JSON form of a `JobInfo`: every key present, `null` for an absent value, times as ISO 8601 strings.
 *
 * @since 0.1.0
 */
export interface JobInfoJson extends Schema.Schema.Encoded<typeof JobInfo> {}

const date = (millis: number | undefined): Option.Option<Date> =>
  millis === undefined ? Option.none() : Option.some(new Date(millis))

/** JSON text as a value; a payload that is not JSON is shown as the raw text. */
const parsePayload = (payload: string): unknown => {
  try {
    return JSON.parse(payload)
  } catch {
    return payload
  }
}

/**
 * Converts a driver record to the public view.
 *
 * @since 0.1.0
 */
export const fromRecord = (record: JobRecord): JobInfo => ({
  id: record.id,
  name: record.name,
  state: record.state,
  payload: parsePayload(record.payload),
  priority: record.priority,
  attempts: record.attempts,
  maxAttempts: Option.fromNullable(record.maxAttempts),
  uniqueKey: Option.fromNullable(record.uniqueKey),
  createdAt: new Date(record.createdAt),
  runAt: new Date(record.runAt),
  startedAt: date(record.startedAt),
  finishedAt: date(record.finishedAt),
  lastError: Option.fromNullable(record.lastError),
  progress: Option.fromNullable(record.progress)
})
