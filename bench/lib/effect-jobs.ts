/**
 * effect-jobs as a benchmarked system, over any driver.
 */
import { Effect, type Layer, ManagedRuntime, Schema } from "effect"
import { JobParameters, JobQueue, type JobQueueOptions } from "effect-jobs"
import type { JobDriver } from "effect-jobs"
import { chunks, paced, type QueueSystem, timed, waitForCount, wallMs } from "./system.js"

class Noop extends JobParameters<Noop>()("Noop", { dueAt: Schema.Number }) {}

/** A fresh namespace's driver, and how to remove the namespace afterwards. */
export interface Namespace {
  readonly driver: Layer.Layer<JobDriver, unknown>
  readonly cleanup: () => Promise<void>
}

/**
 * `options` adds queue settings per concurrency (completed jobs are always deleted at once, as the peers'
 * settings do).
 */
export const effectJobsSystem = (
  name: string,
  namespace: () => Namespace,
  options: (concurrency: number) => JobQueueOptions = () => ({})
): QueueSystem => {
  /** Runs `body` with a queue of the given concurrency over a fresh namespace, then removes it. */
  const withQueue = async <A>(concurrency: number, body: (run: <B>(effect: Effect.Effect<B, unknown, JobQueue>) => Promise<B>) => Promise<A>) => {
    const { cleanup, driver } = namespace()
    const runtime = ManagedRuntime.make(JobQueue.layer(driver, { ...options(concurrency), concurrency, retention: { completed: 0 } }))
    try {
      return await body((effect) => runtime.runPromise(effect))
    } finally {
      await runtime.dispose()
      await cleanup()
    }
  }

  const pushBulk = (run: <B>(effect: Effect.Effect<B, unknown, JobQueue>) => Promise<B>, jobs: number) =>
    run(Effect.flatMap(JobQueue, (queue) =>
      Effect.forEach(chunks(Array.from({ length: jobs }, () => new Noop({ dueAt: 0 })), 1_000), (batch) => queue.pushMany(batch))))

  /** Registers a handler in a scope that stays open until the returned close function is called. */
  const register = async (
    run: <B>(effect: Effect.Effect<B, unknown, JobQueue>) => Promise<B>,
    handler: (params: Noop) => void
  ) => {
    let close: () => void = () => undefined
    const closed = new Promise<void>((resolve) => (close = resolve))
    const registered = new Promise<void>((resolve) => {
      void run(Effect.scoped(Effect.gen(function*() {
        const queue = yield* JobQueue
        yield* queue.registerJob(Noop, (params) => Effect.sync(() => handler(params)))
        resolve()
        yield* Effect.promise(() => closed)
      })))
    })
    await registered
    return close
  }

  return {
    name,
    process: (concurrency, jobs) =>
      withQueue(concurrency, async (run) => {
        await pushBulk(run, jobs)
        let done = 0
        let close = () => {}
        const seconds = await timed(async () => {
          close = await register(run, () => void done++)
          await waitForCount(() => done, jobs)
        })
        close()
        return seconds
      }),
    pushSingle: (jobs) =>
      withQueue(0, (run) =>
        timed(() => run(Effect.flatMap(JobQueue, (queue) => Effect.forEach(Array.from({ length: jobs }), () => queue.push(new Noop({ dueAt: 0 }))))))),
    pushBulk: (jobs) => withQueue(0, (run) => timed(() => pushBulk(run, jobs))),
    startDelays: (jobs, intervalMs, delays) =>
      withQueue(10, async (run) => {
        const samples: Array<number> = []
        const close = await register(run, (params) => void samples.push(wallMs() - params.dueAt))
        await paced(jobs, intervalMs, (i) => {
          const delay = delays?.[i] ?? 0
          return run(Effect.flatMap(JobQueue, (queue) =>
            queue.push(new Noop({ dueAt: wallMs() + delay }), delay > 0 ? { delay } : {})))
        })
        await waitForCount(() => samples.length, jobs)
        close()
        return samples
      })
  }
}
