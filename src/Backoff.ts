/**
 * How long a failed job waits before its next attempt.
 *
 * @since 0.1.0
 */
import { Duration } from "effect"
import { InvalidOption } from "./QueueErrors.js"

/**
 * A retry delay policy. `delay(attempt, random)` gives the wait after failed attempt number `attempt`
 * (1-based), where `random` is a uniform number in `[0, 1)` used for jitter.
 *
 * @since 0.1.0
 */
export interface Backoff {
  readonly _tag: "Backoff"
  readonly delay: (attempt: number, random: number) => Duration.Duration
}

const make = (delay: (attempt: number, random: number) => Duration.Duration): Backoff => ({ _tag: "Backoff", delay })

/**
 * Options are code, not data: a nonsensical one throws (an `InvalidOption` naming it, as the queue reports
 * its own) at construction rather than retrying oddly.
 */
const check = (name: string, value: number, min: number) => {
  if (!(Number.isFinite(value) && value >= min)) {
    throw new InvalidOption({ option: name, message: `Backoff ${name} must be a finite number >= ${min}, got ${value}` })
  }
  return value
}

/** Spreads `millis` by up to ±`jitter` (a fraction) so failing jobs do not retry in lockstep. */
const withJitter = (millis: number, jitter: number, random: number): number =>
  Math.max(0, Math.round(millis * (1 + jitter * (2 * random - 1))))

/**
 * Exponential backoff: `base * factor^(attempt - 1)`, capped at `max`, spread by `jitter`.
 * Defaults: base 1 second, factor 2, max 1 hour, jitter 0.2 (±20%). Throws an `InvalidOption` for a factor
 * below 1, a negative jitter, or an infinite base or max.
 *
 * @since 0.1.0
 */
export const exponential = (options: {
  readonly base?: Duration.DurationInput
  readonly factor?: number
  readonly max?: Duration.DurationInput
  readonly jitter?: number
} = {}): Backoff => {
  const base = check("base", Duration.toMillis(options.base ?? "1 second"), 0)
  const factor = check("factor", options.factor ?? 2, 1)
  const max = check("max", Duration.toMillis(options.max ?? "1 hour"), 0)
  const jitter = check("jitter", options.jitter ?? 0.2, 0)
  return make((attempt, random) =>
    Duration.millis(withJitter(Math.min(max, base * Math.pow(factor, Math.max(0, attempt - 1))), jitter, random))
  )
}

/**
 * The same delay after every failure, spread by `jitter` (default 0).
 *
 * @since 0.1.0
 */
export const fixed = (delay: Duration.DurationInput, options: { readonly jitter?: number } = {}): Backoff => {
  const millis = check("delay", Duration.toMillis(delay), 0)
  const jitter = check("jitter", options.jitter ?? 0, 0)
  return make((_attempt, random) => Duration.millis(withJitter(millis, jitter, random)))
}

/**
 * Retry at once.
 *
 * @since 0.1.0
 */
export const immediate: Backoff = make(() => Duration.zero)

/**
 * The default policy: exponential from 1 second, doubling, capped at 1 hour, ±20% jitter.
 *
 * @since 0.1.0
 */
export const defaultBackoff: Backoff = exponential()
