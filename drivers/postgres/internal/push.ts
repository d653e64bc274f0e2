/**
 * Pushing a batch: one INSERT for the whole batch, and only when some jobs were not inserted (a chosen id
 * or live unique key already held) one read to find the jobs holding them. Shared by the driver's `push`
 * and `pushInTransaction`, which differ only in the connection that runs the queries.
 */
import { Effect } from "effect"
import type { NewJob, PushResult } from "../../../src/JobDriver.js"
import { DriverError } from "../../../src/JobErrors.js"

/** Runs one of the push queries (`push.sql`, `existing.sql`) and returns its rows. */
export type RunPushQuery = <Row extends Record<string, unknown>>(
  name: "push" | "existing",
  values: ReadonlyArray<unknown>
) => Effect.Effect<ReadonlyArray<Row>, DriverError>

/** A holder can finish and be removed between the two statements; then the job is simply pushed again. */
const maxRounds = 3

/** The arrays push.sql takes, one per column. */
const pushParameters = (jobs: ReadonlyArray<NewJob>, now: number, channel: string) => [
  jobs.map((job) => job.id ?? null),
  jobs.map((job) => job.name),
  jobs.map((job) => job.payload),
  jobs.map((job) => job.priority),
  jobs.map((job) => job.runAt),
  jobs.map((job) => job.maxAttempts ?? null),
  jobs.map((job) => job.uniqueKey ?? null),
  now,
  channel
]

/** Inserts `jobs` (all or none of the inserts, in one statement) and returns one result per job, in order. */
export const pushJobs = (
  run: RunPushQuery,
  jobs: ReadonlyArray<NewJob>,
  now: number,
  channel: string
): Effect.Effect<ReadonlyArray<PushResult>, DriverError> =>
  Effect.gen(function*() {
    const results = new Array<PushResult | undefined>(jobs.length)
    let waiting = jobs.map((_, index) => index)
    for (let round = 0; round < maxRounds && waiting.length > 0; round++) {
      const batch = waiting.map((index) => jobs[index]!)
      const inserted = yield* run<{ ord: string; id: string }>("push", pushParameters(batch, now, channel))
      for (const row of inserted) results[waiting[Number(row.ord) - 1]!] = { id: row.id, inserted: true }
      const held = waiting.filter((index) => results[index] === undefined)
      waiting = held
      if (held.length === 0) break
      const existing = yield* run<{ ord: string; id: string | null }>("existing", [
        held.map((_, position) => position + 1),
        held.map((index) => jobs[index]!.id ?? null),
        held.map((index) => jobs[index]!.uniqueKey ?? null)
      ])
      for (const row of existing) {
        if (row.id !== null) results[held[Number(row.ord) - 1]!] = { id: row.id, inserted: false }
      }
      waiting = held.filter((index) => results[index] === undefined)
    }
    if (waiting.length > 0) {
      // Only if the jobs holding these ids or keys kept vanishing between the statements, round after round.
      return yield* new DriverError({
        driver: "postgres",
        operation: "push",
        message: `Could not settle ${waiting.length} job(s) whose id or unique key was held, then released, ${maxRounds} times`
      })
    }
    return results as ReadonlyArray<PushResult>
  })
