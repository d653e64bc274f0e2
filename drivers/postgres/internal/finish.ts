/**
 * Recording attempt outcomes: one statement for the whole batch and, only when the server refuses that
 * batch for its data, one statement per outcome, so an outcome the server cannot store never keeps the
 * others from being recorded. A refused outcome fails its job for good with the reason stored instead.
 */
import { Effect } from "effect"
import { type Outcome, outcomeError, outcomeRunAt, storable } from "../../../src/driver/index.js"

/** Runs `finish.sql` with the given parameters; fails with the error pg raised. */
type RunFinishQuery = (values: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<{ readonly id: string }>, unknown>

/**
 * SQLSTATE classes that blame the values sent rather than the connection or the server: 22 (data exception:
 * a character the database encoding lacks, an invalid byte sequence) and 54 (program limit exceeded: a
 * value too large). Sending the same values again fails the same way.
 */
const refusedDataClasses: ReadonlySet<string> = new Set(["22", "54"])

/** Whether pg's error says the server refused the values of a statement (as opposed to a lost connection). */
export const isRefusedData = (error: unknown): boolean => {
  const code = typeof error === "object" && error !== null ? (error as { readonly code?: unknown }).code : undefined
  return typeof code === "string" && code.length === 5 && refusedDataClasses.has(code.slice(0, 2))
}

/** The error stored with a job whose outcome the server refused. */
const refusedOutcomeError = (reason: string): string => `The outcome could not be stored: ${storable(reason)}`

/** Stored when even the reason was refused (it quotes nothing but this text). */
const refusedWithoutReason = "The outcome could not be stored: the database refused it and its reason"

const reasonOf = (error: unknown) => error instanceof Error ? error.message : String(error)

/** The arrays finish.sql takes, one per column. */
const finishParameters = (outcomes: ReadonlyArray<Outcome>, now: number, removeOnComplete: boolean, channel: string) => [
  outcomes.map((outcome) => outcome._tag),
  outcomes.map((outcome) => outcome.id),
  outcomes.map((outcome) => outcome.owner),
  outcomes.map((outcome) => outcomeError(outcome) ?? null),
  outcomes.map((outcome) => outcomeRunAt(outcome) ?? null),
  now,
  removeOnComplete,
  channel
]

/**
 * Records `outcomes` and returns the ids whose lease was no longer held. Fails only when a statement fails
 * for another reason than its data (connection lost, timeout): then nothing of the failed statement is
 * stored, and sending the same outcomes again is safe.
 */
export const storeOutcomes = (
  run: RunFinishQuery,
  outcomes: ReadonlyArray<Outcome>,
  now: number,
  removeOnComplete: boolean,
  channel: string
): Effect.Effect<ReadonlyArray<string>, unknown> => {
  const record = (batch: ReadonlyArray<Outcome>) =>
    run(finishParameters(batch, now, removeOnComplete, channel)).pipe(Effect.map((applied) => {
      const done = new Set(applied.map((row) => row.id))
      return batch.filter((outcome) => !done.has(outcome.id)).map((outcome) => outcome.id)
    }))

  /** One outcome; if refused, its job fails for good with the reason, or with a fixed text if that too is refused. */
  const recordAlone = (outcome: Outcome) =>
    record([outcome]).pipe(
      Effect.catchIf(isRefusedData, (refusal) =>
        Effect.logWarning(`Postgres refused the outcome of job ${outcome.id}; failing the job: ${reasonOf(refusal)}`).pipe(
          Effect.zipRight(record([{ _tag: "Failed", id: outcome.id, owner: outcome.owner, error: refusedOutcomeError(reasonOf(refusal)) }])),
          Effect.catchIf(isRefusedData, () =>
            record([{ _tag: "Failed", id: outcome.id, owner: outcome.owner, error: refusedWithoutReason }]))
        ))
    )

  return outcomes.length === 0
    ? Effect.succeed([])
    : outcomes.length === 1
    ? recordAlone(outcomes[0]!)
    : record(outcomes).pipe(
      // A refused statement stored nothing: record each outcome on its own to find the refused ones.
      Effect.catchIf(isRefusedData, () => Effect.map(Effect.forEach(outcomes, recordAlone), (lost) => lost.flat()))
    )
}
