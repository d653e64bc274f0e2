/**
 * Typed errors raised by the queue and its drivers.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The storage behind the queue failed or could not be reached (server down, connection lost, timeout,
 * a reply it could not read). A push that fails with it wrote nothing; one whose request was sent but whose
 * answer never came fails with `PushOutcomeUnknown` instead.
 *
 * `cause` is what the client library raised, when there was such an error (a `pg` error with its SQLSTATE
 * `code`, an ioredis `ReplyError`), with any credential in its texts masked. Encoded, it keeps its name and
 * message.
 *
 * @since 0.1.0
 */
export class DriverError extends Schema.TaggedError<DriverError>()("DriverError", {
  driver: Schema.String,
  operation: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * A push was sent but its answer never came (the connection dropped, the server stopped): its jobs may or may
 * not be stored. Pushing each again with its id as `jobId` settles it, storing it at most once; `jobIds` are
 * the ids the push used (generated ones included).
 *
 * @since 0.1.0
 */
export class PushOutcomeUnknown extends Schema.TaggedError<PushOutcomeUnknown>()("PushOutcomeUnknown", {
  driver: Schema.String,
  jobIds: Schema.Array(Schema.String),
  message: Schema.String
}) {}

/**
 * Parameters that do not match their job's schema (at push, or `pushByName` with bad JSON).
 *
 * @since 0.1.0
 */
export class InvalidJobParameters extends Schema.TaggedError<InvalidJobParameters>()("InvalidJobParameters", {
  jobName: Schema.String,
  message: Schema.String
}) {}

/**
 * Push options out of range: a priority outside `[-1000, 1000]`, a negative delay, `maxAttempts` below 1.
 *
 * @since 0.1.0
 */
export class InvalidPushOptions extends Schema.TaggedError<InvalidPushOptions>()("InvalidPushOptions", {
  jobName: Schema.String,
  message: Schema.String
}) {}

/**
 * `pushByName` named a job this instance has no registered schema for.
 *
 * @since 0.1.0
 */
export class UnknownJobName extends Schema.TaggedError<UnknownJobName>()("UnknownJobName", {
  jobName: Schema.String
}) {
  override get message() {
    return `No job named "${this.jobName}" is registered or declared on this queue`
  }
}

/**
 * The encoded parameters are larger than the queue's `maxPayloadBytes`.
 *
 * @since 0.1.0
 */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  jobName: Schema.String,
  bytes: Schema.Number,
  maxBytes: Schema.Number
}) {
  override get message() {
    return `Payload of "${this.jobName}" is ${this.bytes} bytes; the limit is ${this.maxBytes}`
  }
}

/**
 * A job name was registered twice on the same queue.
 *
 * @since 0.1.0
 */
export class DuplicateJobName extends Schema.TaggedError<DuplicateJobName>()("DuplicateJobName", {
  jobName: Schema.String
}) {
  override get message() {
    return `A handler for "${this.jobName}" is already registered`
  }
}

/**
 * An option that makes no sense (a negative `concurrency`, a Redis prefix that breaks the key scheme, a
 * Postgres schema name that is not a plain identifier). `option` names it as it is written
 * (`"retention.failed.maxCount"`); the queue or driver layer fails with it and starts nothing.
 *
 * @since 0.1.0
 */
export class InvalidOption extends Schema.TaggedError<InvalidOption>()("InvalidOption", {
  option: Schema.String,
  message: Schema.String
}) {}

/**
 * A cron expression that does not parse.
 *
 * @since 0.1.0
 */
export class InvalidSchedule extends Schema.TaggedError<InvalidSchedule>()("InvalidSchedule", {
  expression: Schema.String,
  message: Schema.String
}) {}

/**
 * A listing cursor that is not one the driver made for the same state and order (mistyped, or from another
 * listing).
 *
 * @since 0.1.0
 */
export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()("InvalidCursor", {
  cursor: Schema.String,
  message: Schema.String
}) {}

/**
 * Any error `push` can fail with.
 *
 * @since 0.1.0
 */
export type PushError = DriverError | PushOutcomeUnknown | InvalidJobParameters | InvalidPushOptions | PayloadTooLarge
