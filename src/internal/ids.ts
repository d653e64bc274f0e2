/**
 * Job ids chosen before a push is sent, so a push sent twice makes one job, and the error of a push whose
 * answer never came.
 */
import type { NewJob } from "../JobDriver.js"
import { PushOutcomeUnknown } from "../QueueErrors.js"

/** Crockford's base32: URL-safe, case-insensitive to read aloud, and in ASCII order, so ids sort by time. */
const idDigitCodes = Uint8Array.from("0123456789ABCDEFGHJKMNPQRSTVWXYZ", (digit) => digit.charCodeAt(0))
const timeDigits = 10
const randomDigits = 16
/** Random bytes fetched 256 ids at a time: one call to the system's generator per batch keeps an id cheap. */
const randomPool = new Uint8Array(randomDigits * 256)
let randomOffset = randomPool.length
/**
 * The character codes of the id being made, built into one flat string at the end: an id appended piece by
 * piece is a rope, which costs an extra copy and garbage the first time it is hashed as a key.
 */
const idCodes: Array<number> = new Array(timeDigits + randomDigits).fill(idDigitCodes[0])
let codedTime = Number.NaN

/** Writes `time` (epoch ms, clamped to 48 bits) as the id's first 10 digits, most significant first. */
const codeTime = (time: number): void => {
  if (time === codedTime) return
  let rest = Math.min(Math.max(Math.floor(time), 0), 2 ** 48 - 1)
  for (let i = timeDigits - 1; i >= 0; i--) {
    idCodes[i] = idDigitCodes[rest % 32]!
    rest = Math.floor(rest / 32)
  }
  codedTime = time
}

/**
 * A new job id: 26 base32 characters, the push time `now` (10) then 80 random bits (16), so ids of later
 * pushes sort after earlier ones and no chosen id can be hit except by copying a generated one. Drivers call
 * it for a job without a chosen id before sending the push, so a push sent twice carries the same id.
 */
export const generateJobId = (now: number): string => {
  codeTime(now)
  if (randomOffset === randomPool.length) {
    globalThis.crypto.getRandomValues(randomPool)
    randomOffset = 0
  }
  for (let i = 0; i < randomDigits; i++) idCodes[timeDigits + i] = idDigitCodes[randomPool[randomOffset + i]! & 31]!
  randomOffset += randomDigits
  return String.fromCharCode.apply(null, idCodes)
}

/** A job as a driver sends it: its id fixed, and marked `generated` when no caller chose it. */
export type IdentifiedJob = NewJob & { readonly id: string; readonly generated?: true }

/**
 * `job` under a generated id. Every field is spelled out (the compiler names any field added to `NewJob`
 * later): on the push path a literal costs a small fraction of `{ ...job, id }`.
 */
const withGeneratedId = (job: NewJob, id: string): IdentifiedJob => ({
  id,
  generated: true,
  name: job.name,
  payload: job.payload,
  priority: job.priority,
  runAt: job.runAt,
  maxAttempts: job.maxAttempts,
  uniqueKey: job.uniqueKey
}) satisfies { readonly [Field in keyof Required<NewJob>]: NewJob[Field] } & { readonly generated: true }

/** Gives each job without a chosen id a generated one, so the push can be sent twice and make one job. */
export const identifyJobs = (jobs: ReadonlyArray<NewJob>, now: number): ReadonlyArray<IdentifiedJob> =>
  jobs.map((job) => job.id === undefined ? withGeneratedId(job, generateJobId(now)) : job as IdentifiedJob)

/** Ids an outcome-unknown error names; a bigger batch is named by its first ones. */
const namedIds = 100

/**
 * The error of a push that was sent but got no answer (`reason`): its jobs may or may not be stored. It names
 * their ids, since pushing a job again with its id as `jobId` settles it: one job either way.
 */
export const pushOutcomeUnknown = (
  driver: string,
  reason: string,
  jobs: ReadonlyArray<IdentifiedJob>
): PushOutcomeUnknown => {
  const ids = jobs.slice(0, namedIds).map((job) => job.id).join(", ")
  const more = jobs.length > namedIds ? ` and ${jobs.length - namedIds} more` : ""
  return new PushOutcomeUnknown({
    driver,
    jobIds: jobs.map((job) => job.id),
    message: `Outcome unknown: no answer came to the push (${reason}), so its ${jobs.length} job(s) may or may ` +
      `not be stored (ids ${ids}${more}). Pushing a job again with its id as jobId stores it at most once.`
  })
}
