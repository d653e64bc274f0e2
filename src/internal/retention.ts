/**
 * Retention: which finished jobs the queue removes, and the pruning pass that removes them.
 */
import { Clock, Duration, Effect } from "effect"
import type { FinishedState, JobDriverShape } from "../JobDriver.js"
import type { KeepJobs } from "../JobQueue.js"
import { nonNegativeInteger } from "./options.js"

/** One state's rule, resolved: jobs older than `maxAgeMs` or beyond the newest `maxCount` go. */
export interface RetentionRule {
  readonly state: FinishedState
  readonly maxAgeMs: number | undefined
  readonly maxCount: number | undefined
}

const isLimits = (keep: KeepJobs): keep is { readonly maxAge?: Duration.DurationInput; readonly maxCount?: number } =>
  typeof keep === "object" && keep !== null && !Array.isArray(keep) && !Duration.isDuration(keep)

/** Resolves one state's option; a bad `maxCount` is a defect (see `nonNegativeInteger`). */
export const retentionRule = (
  state: FinishedState,
  keep: KeepJobs | undefined,
  fallbackMs: number | undefined
): Effect.Effect<RetentionRule> => {
  if (keep === undefined) return Effect.succeed({ state, maxAgeMs: fallbackMs, maxCount: undefined })
  if (keep === "forever") return Effect.succeed({ state, maxAgeMs: undefined, maxCount: undefined })
  if (!isLimits(keep)) return Effect.succeed({ state, maxAgeMs: Duration.toMillis(keep), maxCount: undefined })
  const { maxAge, maxCount } = keep
  const maxAgeMs = maxAge === undefined ? undefined : Duration.toMillis(maxAge)
  return maxCount === undefined
    ? Effect.succeed({ state, maxAgeMs, maxCount })
    : Effect.map(nonNegativeInteger(`retention.${state}.maxCount`, maxCount), (count) => ({ state, maxAgeMs, maxCount: count }))
}

/** Whether finished jobs of the rule's state are kept not at all: they can be deleted as they finish. */
export const keepsNone = (rule: RetentionRule): boolean => rule.maxAgeMs === 0 || rule.maxCount === 0

const pruneBatch = 1_000

/** Removes, in bounded batches, every finished job the rules no longer keep. */
export const pruneOnce = (driver: JobDriverShape, rules: ReadonlyArray<RetentionRule>) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    for (const rule of rules) {
      const { maxAgeMs, maxCount, state } = rule
      const requests = [
        ...(maxAgeMs === undefined ? [] : [{ state, finishedBefore: now - maxAgeMs, limit: pruneBatch }]),
        ...(maxCount === undefined ? [] : [{ state, keepNewest: maxCount, limit: pruneBatch }])
      ]
      for (const request of requests) {
        let removed = pruneBatch
        while (removed === pruneBatch) removed = yield* driver.prune(request)
      }
    }
  })
