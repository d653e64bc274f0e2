/**
 * Pushing a batch: one INSERT for the whole batch, and only when some jobs were not inserted (an id or live
 * unique key already held) one read to find the jobs holding them. Shared by the driver's `push` and
 * `pushInTransaction`, which differ only in the connection that runs the queries.
 *
 * Every job carries its id before anything is sent (generated when not chosen), so the INSERT can run twice
 * and still make one job: a push whose reply was lost is sent again at once, which is safe.
 */
import { Data, Effect } from "effect"
import pg from "pg"
import {
  coalescePushes,
  DriverError,
  type IdentifiedJob,
  identifyJobs,
  type PushOutcomeUnknown,
  pushOutcomeUnknown,
  type PushRequest,
  type PushResult
} from "../../../src/driver/index.js"

/** Runs one of the push queries (`push.sql`, `existing.sql`) and returns its rows. */
export type RunPushQuery<E = DriverError> = <Row extends Record<string, unknown>>(
  name: "push" | "existing",
  values: ReadonlyArray<unknown>
) => Effect.Effect<ReadonlyArray<Row>, E>

/** A push query was sent but no answer came back (the connection broke or timed out): it may have run. */
export class ReplyLost extends Data.TaggedError("ReplyLost")<{ readonly error: DriverError }> {}

/**
 * Whether a failed query may still have been applied. Only an error the server reported about the statement
 * itself (an SQLSTATE outside connection failure and shutdown) proves it was not.
 */
export const mayHaveRun = (error: unknown): boolean =>
  !(error instanceof pg.DatabaseError) || /^(08|57P)/.test(error.code ?? "")

/** A holder can finish and be removed between the two statements; then the job is simply pushed again. */
const maxRounds = 3

/** A push whose reply was lost is sent again at once this many times before the caller hears of it. */
const resends = 2

/** The arrays push.sql takes, one per column. */
const pushParameters = (jobs: ReadonlyArray<IdentifiedJob>, now: number, channel: string) => [
  jobs.map((job) => job.id),
  jobs.map((job) => job.name),
  jobs.map((job) => job.payload),
  jobs.map((job) => job.priority),
  jobs.map((job) => job.runAt),
  jobs.map((job) => job.maxAttempts ?? null),
  jobs.map((job) => job.uniqueKey ?? null),
  now,
  channel
]

/**
 * Inserts `jobs` (all or none of the inserts, in one statement) and returns one result per job, in order. A
 * job found under its own generated id was written by an earlier send of this same push: it counts as
 * inserted.
 */
export const pushJobs = <E>(
  run: RunPushQuery<E>,
  jobs: ReadonlyArray<IdentifiedJob>,
  now: number,
  channel: string
): Effect.Effect<ReadonlyArray<PushResult>, E | DriverError> =>
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
        held.map((index) => jobs[index]!.id),
        held.map((index) => jobs[index]!.uniqueKey ?? null)
      ])
      for (const row of existing) {
        const index = held[Number(row.ord) - 1]!
        const job = jobs[index]!
        if (row.id !== null) results[index] = { id: row.id, inserted: job.generated === true && row.id === job.id }
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

/**
 * The driver's push: ids fixed when it is called, before the first send (so running the returned effect again
 * is the same push, too); pushes made in one event-loop turn share one statement (`coalescePushes`); a
 * statement whose reply was lost is sent again at once (up to `resends` times), which cannot duplicate a job.
 * When every send lost its reply, each caller fails with `PushOutcomeUnknown`, naming its own ids.
 */
export const makePush = (run: RunPushQuery<DriverError | ReplyLost>, channel: string) => {
  const resending: RunPushQuery<DriverError | ReplyLost> = <Row extends Record<string, unknown>>(
    name: "push" | "existing",
    values: ReadonlyArray<unknown>
  ) => run<Row>(name, values).pipe(Effect.retry({ while: (error) => error._tag === "ReplyLost", times: resends }))
  const send = coalescePushes(
    (jobs, now: number) => pushJobs(resending, jobs, now, channel),
    (error, jobs): DriverError | PushOutcomeUnknown =>
      error._tag === "ReplyLost"
        ? pushOutcomeUnknown("postgres", `${resends + 1} sends; the last: ${error.error.message}`, jobs)
        : error
  )
  return ({ jobs, now }: PushRequest): Effect.Effect<ReadonlyArray<PushResult>, DriverError | PushOutcomeUnknown> =>
    send(identifyJobs(jobs, now), now)
}
