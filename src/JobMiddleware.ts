/**
 * Middleware wraps every handler run and every push of a queue: logging, metrics, tracing, payload checks.
 *
 * @since 0.1.0
 */
import type { Effect } from "effect"
import type { JobContext } from "./JobContext.js"
import type { PushError } from "./QueueErrors.js"

/**
 * A job about to be written by `push`, `pushMany` or `pushByName`.
 *
 * @since 0.1.0
 */
export interface OutgoingJob {
  readonly name: string
  /** The encoded parameters (before JSON serialisation). */
  readonly payload: unknown
  readonly priority: number
  readonly runAt: Date
}

/**
 * Both hooks are optional. `run` receives the attempt's context and the handler effect and must return an
 * effect that runs it (or fails instead). `push` receives the jobs of one push call and the effect that
 * writes them. Middleware listed first is outermost.
 *
 * @since 0.1.0
 */
export interface JobMiddleware {
  readonly run?: (context: JobContext, next: Effect.Effect<void, unknown>) => Effect.Effect<void, unknown>
  readonly push?: (
    jobs: ReadonlyArray<OutgoingJob>,
    next: Effect.Effect<ReadonlyArray<string>, PushError>
  ) => Effect.Effect<ReadonlyArray<string>, PushError>
}

/**
 * Applies middleware hooks around `effect`, the first in the list outermost.
 *
 * @since 0.1.0
 */
export const wrap = <A, E>(
  hooks: ReadonlyArray<(next: Effect.Effect<A, E>) => Effect.Effect<A, E>>,
  effect: Effect.Effect<A, E>
): Effect.Effect<A, E> => hooks.reduceRight((next, hook) => hook(next), effect)
