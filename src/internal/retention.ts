/**
 * Retention: which finished jobs the queue removes, and the pruning pass that removes them.
 */
import { Clock, Duration, Effect } from "effect"
import type { FinishedState, JobDriverShape, Outcome } from "../JobDriver.js"
import type { KeepJobs } from "../JobQueue.js"
import type { InvalidOption } from "../QueueErrors.js"
import { nonNegativeInteger } from "./options.js"
import { makeSignal } from "./signal.js"

/** One state's rule, resolved: jobs older than `maxAgeMs` or beyond the newest `maxCount` go. */
export interface RetentionRule {
  readonly state: FinishedState
  readonly maxAgeMs: number | undefined
  readonly maxCount: number | undefined
}

const isLimits = (keep: KeepJobs): keep is { readonly maxAge?: Duration.DurationInput; readonly maxCount?: number } =>
  typeof keep === "object" && keep !== null && !Array.isArray(keep) && !Duration.isDuration(keep)

/** Resolves one state's option; a bad `maxCount` is an `InvalidOption` (see `nonNegativeInteger`). */
export const retentionRule = (
  state: FinishedState,
  keep: KeepJobs | undefined,
  fallbackMs: number | undefined
): Effect.Effect<RetentionRule, InvalidOption> => {
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
const pruneOnce = (driver: JobDriverShape, rules: ReadonlyArray<RetentionRule>) =>
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

/** The state an outcome leaves its job in, if it is a finished one. */
const finishedStateOf = (outcome: Outcome): FinishedState | undefined =>
  outcome._tag === "Completed" ? "completed" : outcome._tag === "Failed" ? "failed" : undefined

/**
 * When a job that reached `state` at `now` may first be removed by `rules`: at once under a count limit, just
 * past the maximum age under an age limit, never (`Infinity`) when its state is kept forever or not pruned.
 */
export const expiresAt = (rules: ReadonlyArray<RetentionRule>, state: FinishedState, now: number): number => {
  const rule = rules.find((candidate) => candidate.state === state)
  if (rule === undefined) return Infinity
  if (rule.maxCount !== undefined) return now
  // A pass removes jobs that finished strictly before its time minus the age: one millisecond more.
  return rule.maxAgeMs === undefined ? Infinity : now + rule.maxAgeMs + 1
}

/**
 * When the next pruning pass is due: when the earliest job this instance finished may go, but never sooner
 * than `intervalMs` after the last pass, and no later than `fallbackMs` after it (jobs finished by instances
 * that stopped, or before this one started).
 */
export const nextPassAt = (lastPass: number, earliestExpiry: number, intervalMs: number, fallbackMs: number): number =>
  Math.max(lastPass + intervalMs, Math.min(earliestExpiry, lastPass + fallbackMs))

/** The longest an instance goes without a pruning pass while it finishes nothing itself. */
const PRUNE_FALLBACK_MS = 3_600_000

/**
 * The pruning loop: passes run as jobs this instance finished come due under `rules` (told through `stored`
 * and `cancelled`), at most every `intervalMs`, and at least every `PRUNE_FALLBACK_MS`. An idle queue thus
 * costs no timer wake-ups in between (under `TestClock` too).
 */
export const makePruner = (driver: JobDriverShape, rules: ReadonlyArray<RetentionRule>, intervalMs: number) => {
  /** When jobs finished here come due, rounded up to whole intervals (so a busy queue adds no entries). */
  const dueTimes = new Set<number>()
  let plannedAt = Infinity
  const expirySignal = makeSignal()
  const note = (state: FinishedState, now: number) => {
    const expiry = expiresAt(rules, state, now)
    if (expiry === Infinity) return
    const due = Math.ceil(expiry / intervalMs) * intervalMs
    if (dueTimes.has(due)) return
    dueTimes.add(due)
    if (due < plannedAt) expirySignal.notify()
  }
  const earliestDue = () => {
    let earliest = Infinity
    for (const due of dueTimes) earliest = Math.min(earliest, due)
    return earliest
  }
  const pass = pruneOnce(driver, rules).pipe(
    Effect.catchAll((error) => Effect.logWarning("Removing old jobs failed", error))
  )
  const loop = Effect.gen(function*() {
    let lastPass = yield* Clock.currentTimeMillis
    // The first pass comes one interval after start, for jobs finished before this instance ran.
    dueTimes.add(lastPass + intervalMs)
    for (;;) {
      plannedAt = nextPassAt(lastPass, earliestDue(), intervalMs, Math.max(intervalMs, PRUNE_FALLBACK_MS))
      const wait = plannedAt - (yield* Clock.currentTimeMillis)
      if (wait > 0) {
        const woken = yield* Effect.raceFirst(Effect.as(expirySignal.wait, true), Effect.as(Effect.sleep(wait), false))
        if (woken) continue
      }
      const passAt = yield* Clock.currentTimeMillis
      for (const due of dueTimes) if (due <= passAt) dueTimes.delete(due)
      yield* pass
      lastPass = yield* Clock.currentTimeMillis
    }
  })
  return {
    loop,
    stored: (outcomes: ReadonlyArray<Outcome>, now: number) => {
      for (const outcome of outcomes) {
        const state = finishedStateOf(outcome)
        if (state !== undefined) note(state, now)
      }
    },
    cancelled: (now: number) => note("cancelled", now)
  }
}
