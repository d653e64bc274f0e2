/**
 * The instance heartbeat: every running queue stores a record of itself (host, pid, job names, running jobs)
 * that lapses unless renewed, so operators can see which workers are alive and what they run.
 */
import { Clock, Duration, Effect } from "effect"
import { hostname } from "node:os"
import type { JobDriverShape } from "../JobDriver.js"
import type { InstanceRecord } from "../JobDriverAdmin.js"

/** The most running job ids a heartbeat lists: enough to see what runs, bounded for a busy worker. */
export const MAX_LISTED_RUNNING = 100

/** A record lapses after this many missed beats, so one slow beat never hides a live instance. */
const BEATS_TO_LAPSE = 3

/** The longest a stopping queue waits for its record's removal (it lapses anyway). */
const REMOVAL_TIMEOUT_MS = 500

/**
 * Beats are paced by the wall clock whatever clock the program runs under: a heartbeat tells that a process
 * is alive, and under `TestClock` a periodic wake-up would make every moved hour cost hundreds of steps (and
 * `TestClock.setTime` to a far date run millions). Their times still come from the program's clock.
 */
const wallClock = Clock.make()

/** What stays the same across one instance's beats. */
export interface InstanceIdentity {
  readonly id: string
  readonly host: string
  readonly pid: number
  readonly concurrency: number
  readonly startedAt: number
}

/** The identity of the queue running in this process as `id`. */
export const thisInstance = (id: string, concurrency: number, startedAt: number): InstanceIdentity => ({
  id,
  host: hostname(),
  pid: process.pid,
  concurrency,
  startedAt
})

/** What changes between beats. */
export interface InstanceActivity {
  readonly names: ReadonlyArray<string>
  readonly running: ReadonlyArray<string>
}

/** The record one beat at `now` stores. */
export const describeInstance = (
  identity: InstanceIdentity,
  activity: InstanceActivity,
  now: number,
  intervalMs: number
): InstanceRecord => ({
  ...identity,
  names: [...activity.names].sort(),
  running: activity.running.slice(0, MAX_LISTED_RUNNING),
  lastSeenAt: now,
  expiresAt: now + BEATS_TO_LAPSE * intervalMs
})

/**
 * An instance's heartbeat: `beat` records it once; `loop` beats every `intervalMs` of wall time, until
 * interrupted. A beat the driver refuses is logged at WARN and the next one tries again: a heartbeat never
 * stops the queue.
 */
export const makeHeartbeat = (
  driver: JobDriverShape,
  identity: InstanceIdentity,
  options: { readonly activity: () => InstanceActivity; readonly intervalMs: number }
) => {
  const beat = Effect.flatMap(
    Clock.currentTimeMillis,
    (now) => driver.heartbeat({ instance: describeInstance(identity, options.activity(), now, options.intervalMs) })
  ).pipe(
    Effect.catchAll((error) => Effect.logWarning("Heartbeat not recorded; trying again at the next beat", error))
  )
  const wait = Effect.sleep(Duration.millis(options.intervalMs)).pipe(Effect.withClock(wallClock))
  const loop: Effect.Effect<never> = Effect.forever(Effect.zipRight(wait, beat))
  return { beat, loop }
}

/** Removes the instance's record as it stops; bounded, and logged (not failed) when the driver refuses. */
export const removeInstance = (driver: JobDriverShape, id: string): Effect.Effect<void> =>
  driver.removeInstance({ id }).pipe(
    Effect.timeoutFail({ duration: REMOVAL_TIMEOUT_MS, onTimeout: () => "timed out" }),
    Effect.catchAll((error) => Effect.logDebug("Instance record not removed; it lapses on its own", error))
  )
