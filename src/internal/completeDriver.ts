/**
 * `JobDriver.make`: the port built from what a driver implements, with what it may leave out filled in.
 */
import { Effect, Stream } from "effect"
import type { ClaimRequest, ClaimResult, JobDriverShape } from "../JobDriver.js"
import type { DriverError } from "../QueueErrors.js"

/**
 * What a claim returns when the driver records carried outcomes itself: everything `ClaimResult` says,
 * `lost` included.
 */
interface ClaimRecordingOutcomes {
  /** The driver's `claim` records `finishing` in the same round trip (see `ClaimRequest.finishing`). */
  readonly claimRecordsOutcomes: true
  readonly claim: (request: ClaimRequest) => Effect.Effect<ClaimResult, DriverError>
}

/**
 * A claim that never sees `finishing`: `JobDriver.make` records carried outcomes with `finish` first, and
 * claims only if that succeeded, so no job is leased to a worker whose outcomes could not be stored.
 */
interface ClaimOnly {
  readonly claimRecordsOutcomes?: false
  readonly claim: (request: Omit<ClaimRequest, "finishing">) => Effect.Effect<Omit<ClaimResult, "lost">, DriverError>
}

/**
 * What a driver implements for `JobDriver.make`: every operation of `JobDriverShape`, with `wakeups`,
 * `reliableWakeups` and the outcomes a claim carries optional.
 *
 * @since 0.1.0
 */
export type JobDriverImpl =
  & Omit<JobDriverShape, "claim" | "wakeups" | "reliableWakeups">
  & (ClaimRecordingOutcomes | ClaimOnly)
  & {
    /** Wake-up signals (see `JobDriverShape.wakeups`); without them workers find work by polling. */
    readonly wakeups?: Stream.Stream<string>
    /** Default `false` (see `JobDriverShape.reliableWakeups`). */
    readonly reliableWakeups?: boolean
  }

const noIds: ReadonlyArray<string> = []
const nothingPushed = Effect.succeed([])
const nothingLost = Effect.succeed(noIds)
const nothingRemoved = Effect.succeed([])

/**
 * The claim of a driver whose own claim records no outcomes: `finish` first (at the claim's `now`), then
 * `claim` without `finishing`.
 */
const recordThenClaim = (impl: JobDriverImpl & ClaimOnly): JobDriverShape["claim"] => (request) => {
  const finishing = request.finishing
  if (finishing === undefined) {
    return Effect.map(impl.claim(request), (claimed) => ({ jobs: claimed.jobs, nextRunAt: claimed.nextRunAt, lost: noIds }))
  }
  const { leaseMs, limit, names, now, owner } = request
  const claim = (lost: ReadonlyArray<string>) =>
    Effect.map(
      impl.claim({ names, limit, owner, leaseMs, now }),
      (claimed) => ({ jobs: claimed.jobs, nextRunAt: claimed.nextRunAt, lost })
    )
  return finishing.outcomes.length === 0
    ? claim(noIds)
    : Effect.flatMap(impl.finish({ outcomes: finishing.outcomes, removeOnComplete: finishing.removeOnComplete, now }), claim)
}

/** Builds the port from `impl` (see `JobDriver.make`). */
export const completeDriver = (impl: JobDriverImpl): JobDriverShape => ({
  name: impl.name,
  push: (request) => request.jobs.length === 0 ? nothingPushed : impl.push(request),
  claim: impl.claimRecordsOutcomes === true ? impl.claim : recordThenClaim(impl),
  renew: (request) => request.ids.length === 0 ? nothingLost : impl.renew(request),
  finish: (request) => request.outcomes.length === 0 ? nothingLost : impl.finish(request),
  setProgress: impl.setProgress,
  get: impl.get,
  cancel: impl.cancel,
  retry: impl.retry,
  pause: impl.pause,
  resume: impl.resume,
  isPaused: impl.isPaused,
  counts: impl.counts,
  prune: impl.prune,
  wakeups: impl.wakeups ?? Stream.never,
  reliableWakeups: impl.reliableWakeups ?? false,
  pushScheduled: impl.pushScheduled,
  countsByName: impl.countsByName,
  list: impl.list,
  remove: (request) => request.ids.length === 0 ? nothingRemoved : impl.remove(request),
  retryAll: impl.retryAll,
  cancelAll: impl.cancelAll,
  registerSchedule: impl.registerSchedule,
  schedules: impl.schedules,
  removeSchedule: impl.removeSchedule,
  heartbeat: impl.heartbeat,
  instances: impl.instances,
  removeInstance: impl.removeInstance
})
