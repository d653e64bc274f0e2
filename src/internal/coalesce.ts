/**
 * Coalescing of concurrent pushes: pushes made during one turn of the event loop go to the store as one
 * write, and each caller gets its own jobs' results. Many callers pushing one job each then cost about what
 * one `pushMany` costs.
 */
import { Effect, Exit } from "effect"
import type { PushResult } from "../JobDriver.js"
import type { IdentifiedJob } from "./ids.js"

/** A write of several callers' jobs at once: results in input order. It needs no services. */
export type SendPush<E> = (jobs: ReadonlyArray<IdentifiedJob>, now: number) => Effect.Effect<ReadonlyArray<PushResult>, E>

/** Calls joining one batch stop here: a batch of this many jobs goes out with the next call on its own. */
export const MAX_COALESCED_JOBS = 1_000

interface Waiting<E> {
  readonly jobs: ReadonlyArray<IdentifiedJob>
  readonly resume: (effect: Effect.Effect<ReadonlyArray<PushResult>, E>) => void
}

/**
 * Wraps `send` so that calls made in the same event-loop turn share one write (at the latest `now` of them,
 * which every job's run time is compared with, so none runs earlier than asked). When the write fails, each
 * caller fails with `onError` of its own jobs.
 */
export const coalescePushes = <E0, E>(
  send: SendPush<E0>,
  onError: (error: E0, jobs: ReadonlyArray<IdentifiedJob>) => E
) => {
  let waiting: Array<Waiting<E>> = []
  let size = 0
  let now = 0

  const flush = () => {
    if (waiting.length === 0) return
    const batch = waiting
    const sentAt = now
    waiting = []
    size = 0
    now = 0
    const jobs = batch.length === 1 ? batch[0]!.jobs : batch.flatMap((call) => call.jobs)
    Effect.runFork(send(jobs, sentAt)).addObserver((exit) => {
      if (Exit.isSuccess(exit)) {
        let offset = 0
        for (const call of batch) {
          call.resume(Effect.succeed(exit.value.slice(offset, offset + call.jobs.length)))
          offset += call.jobs.length
        }
        return
      }
      for (const call of batch) {
        // A typed failure is each caller's, told in terms of its own jobs; a defect stays a defect.
        call.resume(Exit.mapError(exit, (error) => onError(error, call.jobs)))
      }
    })
  }

  return (jobs: ReadonlyArray<IdentifiedJob>, callNow: number): Effect.Effect<ReadonlyArray<PushResult>, E> =>
    Effect.async<ReadonlyArray<PushResult>, E>((resume) => {
      if (size > 0 && size + jobs.length > MAX_COALESCED_JOBS) flush()
      if (waiting.length === 0) setImmediate(flush)
      waiting.push({ jobs, resume })
      size += jobs.length
      now = Math.max(now, callNow)
    })
}
