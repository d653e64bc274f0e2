/**
 * Stored values read back: a job's hash as the port's `JobRecord`, and the flat field/value replies scripts
 * return.
 */
import { type JobRecord, type JobState, optionalNumber } from "../../../src/driver/index.js"

/** A job's hash as a `JobRecord` (missing fields as the port's defaults). */
export const toRecord = (id: string, hash: Readonly<Record<string, string>>): JobRecord => ({
  id,
  name: hash.name ?? "",
  payload: hash.payload ?? "",
  state: (hash.state ?? "pending") as JobState,
  priority: Number(hash.priority ?? 0),
  runAt: Number(hash.runAt ?? 0),
  attempts: Number(hash.attempts ?? 0),
  maxAttempts: optionalNumber(hash.maxAttempts),
  uniqueKey: hash.uniqueKey,
  createdAt: Number(hash.createdAt ?? 0),
  startedAt: optionalNumber(hash.startedAt),
  finishedAt: optionalNumber(hash.finishedAt),
  lastError: hash.lastError,
  progress: optionalNumber(hash.progress),
  leaseOwner: hash.leaseOwner,
  leaseExpiresAt: optionalNumber(hash.leaseExpiresAt)
})

/** The field/value pairs of a flat reply (`HGETALL` inside a script), in order. */
export const pairsOf = (flat: ReadonlyArray<unknown>): Array<readonly [string, string]> => {
  const pairs: Array<readonly [string, string]> = []
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([String(flat[i]), String(flat[i + 1])])
  return pairs
}

/** A hash from a flat field/value reply. */
export const hashOf = (flat: ReadonlyArray<unknown>): Record<string, string> => Object.fromEntries(pairsOf(flat))

/** Splits a `<kind>:<rest>` hash field at its first colon (the rest may hold colons of its own). */
export const splitField = (field: string): readonly [string, string] => {
  const colon = field.indexOf(":")
  return colon < 0 ? [field, ""] : [field.slice(0, colon), field.slice(colon + 1)]
}
