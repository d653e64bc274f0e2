/**
 * A driver of your own, proven with the conformance suite: this one wraps the memory driver and counts the
 * calls the queue makes to each operation (where a metrics or tracing driver would start). It uses only
 * what the package exports (the port from `effect-jobs/driver`), as a driver published on its own would.
 */
import { Effect, Layer } from "effect"
import { makeMemoryDriver } from "effect-jobs"
import { JobDriver, type JobDriverShape } from "effect-jobs/driver"

/** How many times each driver operation ran, by operation name. */
export type CallCounts = Map<string, number>

/** `inner`, with each run of an operation counted in `calls` before it starts. */
export const countCalls = (inner: JobDriverShape, calls: CallCounts): JobDriverShape => {
  const count = (operation: string) => {
    calls.set(operation, (calls.get(operation) ?? 0) + 1)
  }
  const counted = <Args extends ReadonlyArray<unknown>, A, E>(
    operation: string,
    run: (...args: Args) => Effect.Effect<A, E>
  ) =>
  (...args: Args) => Effect.zipRight(Effect.sync(() => count(operation)), run(...args))
  const countedValue = <A, E>(operation: string, run: Effect.Effect<A, E>) =>
    Effect.zipRight(Effect.sync(() => count(operation)), run)
  return {
    // What is not counted (the wake-up stream, flags) is the inner driver's own.
    ...inner,
    name: `counting ${inner.name}`,
    push: counted("push", inner.push),
    claim: counted("claim", inner.claim),
    renew: counted("renew", inner.renew),
    finish: counted("finish", inner.finish),
    setProgress: counted("setProgress", inner.setProgress),
    get: counted("get", inner.get),
    cancel: counted("cancel", inner.cancel),
    retry: counted("retry", inner.retry),
    pause: countedValue("pause", inner.pause),
    resume: countedValue("resume", inner.resume),
    isPaused: countedValue("isPaused", inner.isPaused),
    counts: counted("counts", inner.counts),
    prune: counted("prune", inner.prune),
    pushScheduled: counted("pushScheduled", inner.pushScheduled)
  }
}

/** A fresh memory driver whose calls are counted in `calls`: `JobQueue.layer(countingDriver(calls))`. */
export const countingDriver = (calls: CallCounts): Layer.Layer<JobDriver> =>
  Layer.effect(JobDriver, Effect.map(makeMemoryDriver, (memory) => countCalls(memory, calls)))
