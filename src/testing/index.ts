/**
 * `effect-jobs/testing`: the driver conformance suite, for authors of drivers, and `JobQueueTest`, for
 * testing your own jobs. Needs `vitest` and `@effect/vitest` (optional peer dependencies of `effect-jobs`).
 *
 * @since 0.1.0
 */

/**
 * The driver conformance suite: `runConformance("sqlite", () => sqliteDriver(...))` in a vitest file.
 *
 * @since 0.1.0
 */
export { type MakeDriverLayer, runConformance } from "./conformance/suite.js"

/**
 * A queue whose jobs run when the test says: `JobQueueTest.layer()`, `drain`, `enqueued`.
 *
 * @since 0.1.0
 */
export { type EnqueuedJob, JobQueueTest, type JobQueueTestShape } from "./JobQueueTest.js"
