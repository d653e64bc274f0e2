/**
 * Events about the jobs this queue instance runs, published on `JobQueue.events`.
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/**
 * @since 0.1.0
 */
export type JobEvent = Data.TaggedEnum<{
  /** An attempt started. */
  Started: { readonly jobId: string; readonly name: string; readonly attempt: number }
  /** The handler reported progress. */
  Progress: { readonly jobId: string; readonly name: string; readonly attempt: number; readonly progress: number }
  /** The attempt succeeded; the job is completed. */
  Completed: { readonly jobId: string; readonly name: string; readonly attempt: number; readonly durationMs: number }
  /** The attempt failed and the job failed for good. */
  Failed: { readonly jobId: string; readonly name: string; readonly attempt: number; readonly error: string }
  /** The attempt failed; the job runs again at `nextRunAt`. */
  Retrying: {
    readonly jobId: string
    readonly name: string
    readonly attempt: number
    readonly error: string
    readonly nextRunAt: Date
  }
}>

/**
 * Constructors and matchers: `JobEvent.Started({...})`, `JobEvent.$is("Completed")(event)`, `JobEvent.$match`.
 *
 * @since 0.1.0
 */
export const JobEvent = Data.taggedEnum<JobEvent>()
