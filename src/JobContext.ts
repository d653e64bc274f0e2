/**
 * What a handler knows about the attempt it is running.
 *
 * @since 0.1.0
 */
import type { Effect } from "effect"

/**
 * Passed to every handler as its second argument.
 *
 * @since 0.1.0
 */
export interface JobContext {
  readonly jobId: string
  readonly jobName: string
  /** @deprecated Use `jobName` (the same value); kept for one release. */
  readonly name: string
  /** This attempt's number, starting at 1. */
  readonly attempt: number
  readonly maxAttempts: number
  /** When the job was pushed. */
  readonly queuedAt: Date
  /** Stores progress (any number, typically 0-100) with the job and emits a `Progress` event. */
  readonly progress: (value: number) => Effect.Effect<void>
}
