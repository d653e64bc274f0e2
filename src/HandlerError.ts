/**
 * Errors a handler can fail with to steer retries.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A failure that retrying cannot fix (a bad address, a deleted record): the job fails for good at once.
 *
 * @since 0.1.0
 */
export class Permanent extends Schema.TaggedError<Permanent>()("JobError/Permanent", {
  message: Schema.String,
  cause: Schema.optional(Schema.Unknown)
}) {}

/**
 * Fails the job for good, skipping the remaining attempts.
 *
 * ```ts
 * Effect.fail(HandlerError.permanent("unknown recipient"))
 * ```
 *
 * @since 0.1.0
 */
export const permanent = (message: string, cause?: unknown): Permanent =>
  new Permanent(cause === undefined ? { message } : { message, cause })

/**
 * An attempt ran past its handler's `timeout` and was interrupted.
 *
 * @since 0.1.0
 */
export class Timeout extends Schema.TaggedError<Timeout>()("JobError/Timeout", {
  jobId: Schema.String,
  jobName: Schema.String,
  millis: Schema.Number
}) {
  override get message() {
    return `Job ${this.jobName} (${this.jobId}) timed out after ${this.millis} ms`
  }
}

/**
 * The stored payload no longer decodes with the job's schema; the job fails for good.
 *
 * @since 0.1.0
 */
export class UndecodablePayload extends Schema.TaggedError<UndecodablePayload>()("JobError/UndecodablePayload", {
  jobId: Schema.String,
  jobName: Schema.String,
  message: Schema.String
}) {}

/**
 * `true` for failures that must not be retried.
 *
 * @since 0.1.0
 */
export const isPermanent = (error: unknown): boolean =>
  error instanceof Permanent || error instanceof UndecodablePayload
