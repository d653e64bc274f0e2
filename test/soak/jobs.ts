/**
 * The job the soak pushes and its workers run.
 */
import { Schema } from "effect"
import { JobParameters } from "effect-jobs"

/**
 * Job number `n`, sleeping `millis`. Attempts are not the point of the soak: a job held by workers killed
 * several times in a row must still complete, so the limit is far above what the soak can use.
 */
export class SoakJob extends JobParameters<SoakJob>()("SoakJob", {
  n: Schema.Number,
  millis: Schema.Number
}, { maxAttempts: 1_000 }) {}
