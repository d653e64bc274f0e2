/**
 * `effect-jobs/driver`: the driver port and the kit for writing a driver. A driver implements the
 * operations of `JobDriverShape`, builds the port with `JobDriver.make`, provides it as a
 * `Layer<JobDriver>`, and proves it with `runConformance` from `effect-jobs/testing`. The memory, Redis and
 * Postgres drivers are written against this module and the public core alone.
 *
 * @since 0.1.0
 */

/**
 * The port: `JobDriver` (the service tag, and `JobDriver.make`), `JobDriverShape`, one request type per
 * operation, and the job and outcome types they carry.
 *
 * @since 0.1.0
 */
export * from "../JobDriver.js"

/**
 * The operating part of the port: `list`, `remove`, `retryAll`, `cancelAll`, schedules and instances, with
 * their request and record types and `MAX_PAGE_SIZE`.
 *
 * @since 0.1.0
 */
export * from "../JobDriverAdmin.js"

/**
 * Listing cursors: `encodeCursor(listing, key)` makes the opaque cursor of a position (the sort key of the
 * last job returned) in one listing, `listingOf(state, order)` names the listing, and
 * `decodeCursor(listing, cursor)` reads it back or fails with `InvalidCursor`.
 *
 * @since 0.1.0
 */
export { type CursorKey, decodeCursor, encodeCursor, listingOf } from "../internal/cursor.js"

/**
 * The errors a driver fails with: `DriverError` (storage failed; build it with `driverError`),
 * `PushOutcomeUnknown` (a push got no answer; build it with `pushOutcomeUnknown`) and `InvalidOption` (an
 * option the driver refuses, such as a key prefix or schema name it cannot use).
 *
 * @since 0.1.0
 */
export { DriverError, InvalidCursor, InvalidOption, PushOutcomeUnknown } from "../QueueErrors.js"

/**
 * `driverError(driver, operation, cause, context?)`: the `DriverError` of a failed operation, with the
 * client library's error as its cause and credentials masked in both.
 *
 * @since 0.1.0
 */
export { driverError } from "../internal/driverError.js"

/**
 * Job ids: `generateJobId(now)` makes one (time-ordered, 80 random bits); `identifyJobs(jobs, now)` gives
 * every job without a chosen id a generated one before a push is sent, so the same push stored twice makes
 * each job once; `pushOutcomeUnknown(driver, reason, jobs)` is the error of a push whose answer never came.
 *
 * @since 0.1.0
 */
export { generateJobId, type IdentifiedJob, identifyJobs, pushOutcomeUnknown } from "../internal/ids.js"

/**
 * Push coalescing: `coalescePushes(send, onError)` makes the pushes of one event-loop turn one write, each
 * caller getting its own jobs' results (at most `MAX_COALESCED_JOBS` jobs per write).
 *
 * @since 0.1.0
 */
export { coalescePushes, MAX_COALESCED_JOBS, type SendPush } from "../internal/coalesce.js"

/**
 * Storable text: `storable(text)` replaces what some store refuses (NUL, unpaired UTF-16 surrogates) with
 * U+FFFD, so every driver stores and returns the same text.
 *
 * @since 0.1.0
 */
export { storable } from "../internal/format.js"

/**
 * Credentials kept out of what a driver says: `redactUrl(url)` masks a connection URL's password and secret
 * parameters, `redactText(text)` those of any URL or `name=value` pair in free text, `redactError(error)` a
 * client library's error; `reveal(url)` reads a URL given plain or `Redacted`.
 *
 * @since 0.1.0
 */
export { redactError, redactText, redactUrl, reveal } from "../internal/redact.js"

/**
 * Stored values: `outcomeError` and `outcomeRunAt` (the fields an outcome stores with its job) and
 * `optionalNumber` (a number read back from a store, `undefined` when unset).
 *
 * @since 0.1.0
 */
export { optionalNumber, outcomeError, outcomeRunAt } from "../internal/storedValues.js"

/**
 * The push pipeline `JobQueue` pushes through, for a driver's own way of pushing (such as inside the
 * application's transaction): `makePushPipeline({ maxPayloadBytes, middleware })` validates, encodes, applies
 * the limits, the batch rules and the push middleware, and writes with the store it is given.
 *
 * @since 0.1.0
 */
export {
  DEFAULT_MAX_PAYLOAD_BYTES,
  makePushPipeline,
  type PushPipeline,
  type PushPipelineOptions,
  type StoreJobs
} from "../internal/pushPipeline.js"
