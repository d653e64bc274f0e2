/**
 * One attempt of one job: decode the payload, run the handler under its timeout and middleware, and turn
 * the result into an outcome for the driver.
 */
import { Cause, Duration, Effect, Either, Exit, FiberRef, HashMap, Option, Random } from "effect"
import type { Runtime } from "effect"
import type { Backoff } from "../Backoff.js"
import type { JobContext } from "../JobContext.js"
import type { ClaimedJob, JobDriverShape, Outcome } from "../JobDriver.js"
import * as HandlerError from "../HandlerError.js"
import { JobEvent } from "../JobEvent.js"
import { type JobMiddleware, wrap } from "../JobMiddleware.js"
import type { EventHub } from "./events.js"
import { formatFailure, storable } from "./format.js"

/** A handler as the worker runs it, with the runtime (services, logger, clock) it was registered in. */
export interface Registration {
  readonly name: string
  readonly runtime: Runtime.Runtime<never>
  /** Decodes the parsed payload; a `Left` is a readable message. */
  readonly decode: (payload: unknown) => Either.Either<unknown, string>
  readonly run: (params: unknown, context: JobContext) => Effect.Effect<void, unknown>
  readonly maxAttempts: number
  readonly backoff: Backoff
  readonly timeout: Duration.Duration | undefined
}

interface AttemptDeps {
  readonly driver: JobDriverShape
  readonly owner: string
  /** Where events go; they are built only while someone listens. */
  readonly events: EventHub<JobEvent>
  /** Buffers an outcome for the driver; its event is published once the outcome is stored. */
  readonly settle: (outcome: Outcome, event?: () => JobEvent) => void
  readonly runHooks: ReadonlyArray<NonNullable<JobMiddleware["run"]>>
}

/** What every event says of the job and attempt it is about. */
const aboutJob = (job: ClaimedJob) => ({ jobId: job.id, jobName: job.name, name: job.name, attempt: job.attempt })

/** Builds the function that runs one attempt to its outcome; it never fails. */
export const makeAttempt = ({ driver, events, owner, runHooks, settle }: AttemptDeps) => {
  const lostLeaseMessage = (attempt: number, maxAttempts: number) =>
    `Attempt ${attempt} exceeds maxAttempts (${maxAttempts}): the previous attempt's lease expired ` +
    `before it finished (its worker stopped or lost contact)`

  /** Parses and decodes the payload; a string is the reason it cannot run. */
  const decodePayload = (job: ClaimedJob, registration: Registration): Either.Either<unknown, string> => {
    let json: unknown
    try {
      json = JSON.parse(job.payload)
    } catch (error) {
      return Either.left(`payload is not JSON: ${String(error)}`)
    }
    return registration.decode(json)
  }

  const makeContext = (job: ClaimedJob, maxAttempts: number): JobContext => ({
    jobId: job.id,
    jobName: job.name,
    name: job.name,
    attempt: job.attempt,
    maxAttempts,
    queuedAt: new Date(job.createdAt),
    progress: (progress) =>
      driver.setProgress({ id: job.id, owner, progress }).pipe(
        Effect.tap(() => {
          if (events.listening()) {
            events.publish(JobEvent.Progress({ ...aboutJob(job), progress }))
          }
        }),
        Effect.catchAll((error) => Effect.logWarning("Could not store job progress", error)),
        Effect.asVoid
      )
  })

  const withTimeout = (job: ClaimedJob, registration: Registration, handler: Effect.Effect<void, unknown>) => {
    const timeout = registration.timeout
    if (timeout === undefined) return handler
    const millis = Duration.toMillis(timeout)
    return Effect.timeoutFail(handler, {
      duration: timeout,
      onTimeout: () => new HandlerError.Timeout({ jobId: job.id, jobName: job.name, millis })
    })
  }

  /** Turns the handler's exit into an outcome: completed, retry later, or failed for good. */
  const settleExit = (
    job: ClaimedJob,
    registration: Registration,
    maxAttempts: number,
    startedAt: number,
    exit: Exit.Exit<void, unknown>
  ) =>
    Effect.clockWith((clock) => {
      const now = clock.unsafeCurrentTimeMillis()
      if (Exit.isSuccess(exit)) {
        return Effect.sync(() =>
          settle(
            { _tag: "Completed", id: job.id, owner },
            () => JobEvent.Completed({ ...aboutJob(job), durationMs: now - startedAt })
          )
        )
      }
      const error = formatFailure(exit.cause)
      const failure = Cause.failureOption(exit.cause)
      if ((Option.isSome(failure) && HandlerError.isPermanent(failure.value)) || job.attempt >= maxAttempts) {
        return Effect.sync(() => settleFailed(job, error))
      }
      return Effect.map(Random.next, (random) => {
        const runAt = now + Duration.toMillis(registration.backoff.delay(job.attempt, random))
        settle(
          { _tag: "Retry", id: job.id, owner, error, runAt },
          () => JobEvent.Retrying({ ...aboutJob(job), error, nextRunAt: new Date(runAt) })
        )
      })
    })

  // The message may quote the stored payload, so it is made storable like formatted failures.
  const settleFailed = (job: ClaimedJob, message: string) => {
    const error = storable(message)
    return settle(
      { _tag: "Failed", id: job.id, owner, error },
      () => JobEvent.Failed({ ...aboutJob(job), error })
    )
  }

  /** Runs one attempt to its outcome; never fails. Interruption by the worker is handled by the caller. */
  const attempt = (job: ClaimedJob, registration: Registration): Effect.Effect<void> =>
    Effect.suspend(() => {
      const maxAttempts = job.maxAttempts ?? registration.maxAttempts
      if (events.listening()) events.publish(JobEvent.Started(aboutJob(job)))
      if (job.attempt > maxAttempts) {
        settleFailed(job, lostLeaseMessage(job.attempt, maxAttempts))
        return Effect.void
      }
      const params = decodePayload(job, registration)
      if (Either.isLeft(params)) {
        const message = `Payload of ${job.name} (${job.id}) does not decode: ${params.left}`
        settleFailed(job, new HandlerError.UndecodablePayload({ jobId: job.id, jobName: job.name, message }).message)
        return Effect.void
      }
      const context = makeContext(job, maxAttempts)
      const handler = withTimeout(job, registration, registration.run(params.right, context))
      const wrapped = runHooks.length === 0
        ? handler
        : wrap(runHooks.map((hook) => (next: Effect.Effect<void, unknown>) => hook(context, next)), handler)
      // The fiber runs this job only, so the annotations are set once rather than scoped.
      const annotate = FiberRef.update(FiberRef.currentLogAnnotations, (annotations) =>
        HashMap.mutate(annotations, (draft) => {
          HashMap.set(draft, "jobId", job.id)
          HashMap.set(draft, "jobName", job.name)
          HashMap.set(draft, "attempt", job.attempt)
        })
      )
      return Effect.zipRight(
        annotate,
        Effect.clockWith((clock) => {
          const startedAt = clock.unsafeCurrentTimeMillis()
          return Effect.flatMap(
            Effect.exit(wrapped),
            (exit) => settleExit(job, registration, maxAttempts, startedAt, exit)
          )
        })
      )
    })

  return attempt
}
