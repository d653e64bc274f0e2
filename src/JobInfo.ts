/**
 * The public view of a stored job, returned by `JobQueue.get`.
 *
 * @since 0.1.0
 */
import { Option } from "effect"
import type { JobRecord, JobState } from "./JobDriver.js"

/**
 * @since 0.1.0
 */
export interface JobInfo {
  readonly id: string
  readonly name: string
  readonly state: JobState
  /** The encoded parameters, as stored. */
  readonly payload: unknown
  readonly priority: number
  /** Attempts started so far. */
  readonly attempts: number
  /** The attempt limit set at push, if any. */
  readonly maxAttempts: Option.Option<number>
  readonly uniqueKey: Option.Option<string>
  readonly createdAt: Date
  /** When the job is (or was) due to run. */
  readonly runAt: Date
  readonly startedAt: Option.Option<Date>
  readonly finishedAt: Option.Option<Date>
  /** The latest failure, formatted as the worker saw it. */
  readonly lastError: Option.Option<string>
  readonly progress: Option.Option<number>
}

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
