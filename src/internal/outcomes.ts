/**
 * Attempt outcomes on their way to the driver: buffered as attempts end, stored in batches (riding along
 * with a claim, or flushed on their own), and their events published once they are stored.
 */
import { Clock, Effect, Either } from "effect"
import type { JobDriverShape, Outcome, OutcomeBatch } from "../JobDriver.js"
import type { JobEvent } from "../JobEvent.js"
import type { EventHub } from "./events.js"
import { makeSignal } from "./signal.js"

/** An outcome, and the event to publish once it is stored (built then, and only if anyone listens). */
export interface Settled {
  readonly outcome: Outcome
  readonly event: (() => JobEvent) | undefined
}

/** Backoff between retries of a failing driver call. */
export const retryDelayMs = (failures: number) => Math.min(5_000, 100 * 2 ** Math.min(failures, 6))

/**
 * The outcome buffer of one worker: `settle` adds, a claim `take`s a batch along (then `batchEnded` ends it),
 * `flushLoop` writes what no claim took, `flushAll` waits until everything settled so far is stored.
 */
export const makeOutcomes = (
  driver: JobDriverShape,
  options: {
    readonly removeOnComplete: boolean
    readonly events: EventHub<JobEvent>
    /** Told of every batch once stored (lost outcomes left out), at the caller's clock. */
    readonly stored: (outcomes: ReadonlyArray<Outcome>, now: number) => void
  }
) => {
  let buffered: Array<Settled> = []
  /** Batches handed to a driver call that has not answered yet. */
  let inFlight = 0
  const flushSignal = makeSignal()
  const idleSignal = makeSignal()

  const settle = (outcome: Outcome, event?: () => JobEvent) => {
    buffered.push({ outcome, event })
    flushSignal.notify()
  }

  /** Takes the buffered outcomes for one driver call; they count as in flight until `batchEnded`. */
  const take = (): ReadonlyArray<Settled> => {
    const batch = buffered
    buffered = []
    if (batch.length > 0) inFlight++
    return batch
  }

  const request = (batch: ReadonlyArray<Settled>): OutcomeBatch => ({
    outcomes: batch.map((settled) => settled.outcome),
    removeOnComplete: options.removeOnComplete
  })

  /**
   * Ends a driver call that carried `batch`: on success publishes the events of the outcomes stored (the
   * lost ones run again elsewhere); on failure puts the batch back to be retried.
   */
  const batchEnded = (batch: ReadonlyArray<Settled>, result: Either.Either<ReadonlyArray<string>, unknown>) =>
    Effect.clockWith((clock) => {
      if (batch.length === 0) return Effect.void
      inFlight--
      if (Either.isLeft(result)) {
        buffered = batch.concat(buffered)
        flushSignal.notify()
        return Effect.void
      }
      const lost = new Set(result.right)
      const kept: Array<Outcome> = []
      for (const settled of batch) {
        if (lost.has(settled.outcome.id)) continue
        kept.push(settled.outcome)
        if (settled.event !== undefined && options.events.listening()) options.events.publish(settled.event())
      }
      options.stored(kept, clock.unsafeCurrentTimeMillis())
      if (buffered.length === 0 && inFlight === 0) idleSignal.notify()
      return lost.size === 0
        ? Effect.void
        : Effect.logWarning(`Lease lost before ${lost.size} attempt(s) could be stored; they run again`)
    })

  const flushOnce = Effect.gen(function*() {
    const batch = take()
    if (batch.length === 0) return
    const now = yield* Clock.currentTimeMillis
    const { outcomes, removeOnComplete } = request(batch)
    const result = yield* Effect.either(driver.finish({ outcomes, removeOnComplete, now })).pipe(
      // Cut short by a shutdown deadline: the batch is still unstored, and is reported as such.
      Effect.onInterrupt(() => batchEnded(batch, Either.left("interrupted")))
    )
    yield* batchEnded(batch, result)
    if (Either.isLeft(result)) return yield* result.left
  })

  /** Records outcomes that no claim took along, retrying with backoff while the driver fails. */
  const flushLoop = Effect.gen(function*() {
    let failures = 0
    for (;;) {
      yield* flushSignal.wait
      // Let a claim about to start take these outcomes along instead.
      yield* Effect.yieldNow()
      const result = yield* Effect.either(flushOnce)
      if (result._tag === "Left") {
        failures++
        yield* Effect.logWarning("Recording job outcomes failed; retrying", result.left)
        yield* Effect.sleep(retryDelayMs(failures))
        flushSignal.notify()
      } else {
        failures = 0
      }
    }
  })

  /**
   * Returns once every outcome settled so far is stored, or at `until` (epoch ms): then it logs the jobs whose
   * outcome it could not record; they come back through their leases.
   */
  const flushAll = (until: number) =>
    Effect.gen(function*() {
      for (let tries = 0; buffered.length > 0 || inFlight > 0; tries++) {
        const left = until - (yield* Clock.currentTimeMillis)
        if (left <= 0) {
          const ids = buffered.map((settled) => settled.outcome.id)
          const unsent = ids.length === 0 ? "" : `: ${ids.join(", ")}`
          return yield* Effect.logError(
            `Could not record ${ids.length + (inFlight > 0 ? " (and a batch in flight)" : "")} job outcome(s) ` +
              `before the shutdown deadline; their leases will expire${unsent}`
          )
        }
        if (inFlight > 0 || tries > 0) {
          yield* Effect.raceAll([idleSignal.wait, Effect.sleep(Math.min(retryDelayMs(tries), left))])
        }
        if (buffered.length === 0 || inFlight > 0) continue
        yield* flushOnce.pipe(
          Effect.timeoutFail({ duration: left, onTimeout: () => "timed out" }),
          Effect.catchAll((error) => Effect.logWarning("Recording job outcomes failed", error))
        )
      }
    })

  return { settle, take, request, batchEnded, flushLoop, flushAll }
}
