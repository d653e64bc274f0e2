/**
 * Events about the jobs this queue instance runs, published on `JobQueue.events`.
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/** What every event says of its job. */
interface AboutJob {
  readonly jobId: string
  readonly jobName: string
  /** @deprecated Use `jobName` (the same value); kept for one release. */
  readonly name: string
  readonly attempt: number
}

/**
 * @since 0.1.0
 */
export type JobEvent = Data.TaggedEnum<{
  /** An attempt started. */
  Started: AboutJob
  /** The handler reported progress. */
  Progress: AboutJob & { readonly progress: number }
  /** The attempt succeeded; the job is completed. */
  Completed: AboutJob & { readonly durationMs: number }
  /** The attempt failed and the job failed for good. */
  Failed: AboutJob & { readonly error: string }
  /** The attempt failed; the job runs again at `nextRunAt`. */
  Retrying: AboutJob & { readonly error: string; readonly nextRunAt: Date }
}>

/**
 * Constructors and matchers: `JobEvent.Started({...})`, `JobEvent.$is("Completed")(event)`, `JobEvent.$match`.
 *
 * @since 0.1.0
 */
export const JobEvent = Data.taggedEnum<JobEvent>()
