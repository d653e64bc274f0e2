/**
 * effect-jobs: a typed, durable job queue for Effect.
 *
 * @since 0.1.0
 */

/**
 * Retry delay policies.
 *
 * @since 0.1.0
 */
export * as Backoff from "./Backoff.js"

/**
 * What a handler knows about its attempt.
 *
 * @since 0.1.0
 */
export type { JobContext } from "./JobContext.js"

/**
 * The driver port implemented by every storage backend.
 *
 * @since 0.1.0
 */
export * from "./JobDriver.js"

/**
 * The operating part of the driver port: listing, bulk changes, schedules and instances.
 *
 * @since 0.1.0
 */
export * from "./JobDriverAdmin.js"

/**
 * Operating a queue: listings, bulk retry and cancel, cleaning, schedules and instances.
 *
 * @since 0.1.0
 */
export {
  type AdminFilter,
  type CleanOptions,
  JobAdmin,
  type JobAdminShape,
  JobDetails,
  type JobPage,
  type ListOptions,
  type ScheduleInfo,
  type TimeInput
} from "./JobAdmin.js"

/**
 * Errors a handler fails with to steer retries (`HandlerError.permanent`).
 *
 * @since 0.1.0
 */
export * as HandlerError from "./HandlerError.js"

/**
 * @since 0.1.0
 * @deprecated Renamed `HandlerError`; this alias goes in the next release.
 */
export * as JobError from "./HandlerError.js"

/**
 * Typed errors of the queue and its drivers.
 *
 * @since 0.1.0
 */
export * from "./QueueErrors.js"

/**
 * Events about running jobs.
 *
 * @since 0.1.0
 */
export { JobEvent } from "./JobEvent.js"

/**
 * The public view of a stored job, and its JSON schema.
 *
 * @since 0.1.0
 */
export { JobInfo, type JobInfoJson } from "./JobInfo.js"

/**
 * Middleware around handler runs and pushes.
 *
 * @since 0.1.0
 */
export type { JobMiddleware, OutgoingJob } from "./JobMiddleware.js"

/**
 * Typed job parameters.
 *
 * @since 0.1.0
 */
export {
  JobParameters,
  type JobDefaults,
  type JobParametersClass,
  type JobParametersInstance,
  type JobParametersSchema,
  JobParametersTypeId
} from "./JobParameters.js"

/**
 * The queue service and its layers.
 *
 * @since 0.1.0
 */
export {
  type HandlerOptions,
  JobQueue,
  type JobQueueOptions,
  type JobQueueShape,
  type PushOptions,
  type RetentionOptions,
  type ScheduleOptions,
  type CatchUp,
  type EventsCapacity
} from "./JobQueue.js"

/**
 * Cron helpers for `JobQueue.schedule`.
 *
 * @since 0.1.0
 */
export * from "./JobSchedule.js"

/**
 * The pino bridge: `PinoLogger.layer(pino())`.
 *
 * @since 0.1.0
 */
export * as PinoLogger from "./PinoLogger.js"
