/**
 * Claim planning: how many jobs the worker asks the driver for next, or why it waits. Pure functions of the
 * worker's counters, so the admission rules read (and are tested) apart from the fibers that apply them.
 * A "place" is one of the `concurrency` attempts that may run at once.
 */

/** `prefetch: "auto"` holds only jobs expected to start within this many milliseconds... */
const AUTO_PREFETCH_HORIZON_MS = 10
/** ...and never more than this many. */
export const AUTO_PREFETCH_MAX = 100

/**
 * How many jobs `prefetch: "auto"` holds ahead of the places: as many as the smoothed run time says will start
 * within `AUTO_PREFETCH_HORIZON_MS`, none before an attempt has finished.
 */
export const autoPrefetch = (concurrency: number, meanRunMs: number | undefined): number => {
  if (meanRunMs === undefined) return 0
  const startingSoon = concurrency * AUTO_PREFETCH_HORIZON_MS / Math.max(meanRunMs, 0.01)
  return Math.min(AUTO_PREFETCH_MAX, Math.floor(startingSoon))
}

/** The smoothed run time after an attempt of `runMs`: a moving average over about the last eight. */
export const smoothRunTime = (meanRunMs: number | undefined, runMs: number): number =>
  meanRunMs === undefined ? runMs : meanRunMs + (runMs - meanRunMs) / 8

/** Under a backlog this many claims run at once, each for half the places (one at concurrency 1). */
const claimsAtOnce = (concurrency: number): number => concurrency > 1 ? 2 : 1

/** What the claim loop knows when it decides. */
export interface ClaimCounters {
  readonly concurrency: number
  /** Jobs to hold ahead of the places while a backlog lasts (resolved from `prefetch`). */
  readonly prefetch: number
  /** Whether the last claim filled its limit: then more work is likely waiting. */
  readonly backlog: boolean
  readonly running: number
  /** Jobs claimed ahead and not started yet. */
  readonly prefetched: number
  /** Slots that the claims in flight may fill. */
  readonly reserved: number
  readonly claimsInFlight: number
  /** Claims failed in a row. */
  readonly failures: number
  /** After a short or failed claim: no claim before this time (epoch ms; 0 for none) unless a wake-up comes. */
  readonly restUntil: number
}

/**
 * The next step of the claim loop: claim `limit` jobs (carrying the outcomes waiting to be recorded, or not),
 * wait for a place to free, or rest until a time (or a wake-up).
 */
export type ClaimPlan =
  | { readonly _tag: "Claim"; readonly limit: number; readonly carryOutcomes: boolean }
  | { readonly _tag: "AwaitPlace" }
  | { readonly _tag: "Rest"; readonly until: number }

const awaitPlace: ClaimPlan = { _tag: "AwaitPlace" }

/** Decides the claim loop's next step from its counters. */
export const planClaim = (counters: ClaimCounters): ClaimPlan => {
  const { backlog, claimsInFlight, concurrency, running } = counters
  if (claimsInFlight === 0 && counters.restUntil > 0) return { _tag: "Rest", until: counters.restUntil }
  // Claim ahead only once a full claim showed a backlog: an idle queue's jobs stay free for any worker.
  const capacity = concurrency + (backlog ? counters.prefetch : 0)
  const free = capacity - running - counters.prefetched - counters.reserved
  const atOnce = claimsAtOnce(concurrency)
  const limit = backlog ? Math.min(free, Math.ceil(capacity / atOnce)) : free
  if (limit <= 0 || claimsInFlight >= (backlog ? atOnce : 1)) return awaitPlace
  // Under a backlog, wait for a few free places so each claim fetches several jobs.
  const enough = Math.max(1, Math.floor(capacity / 4))
  if (backlog && limit < enough && (running > 0 || claimsInFlight > 0)) return awaitPlace
  // Outcomes waiting to be recorded ride along, so one round trip reports them and fetches more work. A claim
  // for a single job goes alone: the flush records them meanwhile without delaying it. After a failed claim
  // they go apart too, so outcomes the driver cannot store never hold up claiming.
  return { _tag: "Claim", limit, carryOutcomes: limit > 1 && counters.failures === 0 }
}

/**
 * After a claim that got `claimed` of `limit` jobs at `now`: a full claim means a backlog (claim again at
 * once); a short one rests until the next job falls due (`nextRunAt`), or the fallback poll at the latest.
 */
export const afterClaim = (
  claimed: number,
  limit: number,
  nextRunAt: number | undefined,
  now: number,
  pollIntervalMs: number
): { readonly backlog: true } | { readonly backlog: false; readonly restUntil: number } =>
  claimed === limit
    ? { backlog: true }
    : { backlog: false, restUntil: now + Math.max(0, Math.min(pollIntervalMs, (nextRunAt ?? Infinity) - now)) }
