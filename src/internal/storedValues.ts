/**
 * Values as drivers write and read them: the fields an outcome carries, and optional numbers read back from
 * a store (where an unset field comes back as nothing, `null` or an empty string).
 */
import type { Outcome } from "../JobDriver.js"

/** The error an outcome stores with its job (`Retry` and `Failed`), or `undefined`. */
export const outcomeError = (outcome: Outcome): string | undefined =>
  outcome._tag === "Retry" || outcome._tag === "Failed" ? outcome.error : undefined

/** The time a `Retry` outcome makes its job due again, or `undefined` for the other outcomes. */
export const outcomeRunAt = (outcome: Outcome): number | undefined => outcome._tag === "Retry" ? outcome.runAt : undefined

/** A stored number, or `undefined` when the field is unset (`undefined`, `null` or `""`). */
export const optionalNumber = (value: unknown): number | undefined =>
  value === undefined || value === null || value === "" ? undefined : Number(value)
