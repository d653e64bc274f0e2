/**
 * Checks of numeric options. Options are code, not data: a bad one is a programming error, reported as a
 * defect when the queue starts.
 */
import { Effect } from "effect"

/** `value` if it is a non-negative integer; otherwise a defect saying which option (`label`) is wrong. */
export const nonNegativeInteger = (label: string, value: number): Effect.Effect<number> =>
  Number.isInteger(value) && value >= 0
    ? Effect.succeed(value)
    : Effect.die(new RangeError(`${label} must be a non-negative integer, got ${value}`))
