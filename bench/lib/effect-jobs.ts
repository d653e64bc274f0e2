/**
 * effect-jobs as a benchmarked system, over any driver.
 */
import { Effect, Layer, ManagedRuntime, Schema } from "effect"
import {
  JobDriver,
  type JobDriverShape,
  JobParameters,
  type JobParametersSchema,
  JobQueue,
  type JobQueueOptions,
  makeMemoryDriver
} from "effect-jobs"
import { postgresDriver } from "effect-jobs/postgres"
import { redisDriver } from "effect-jobs/redis"
import { deletePrefix } from "../../test/support/redis.js"
import { dropSchema } from "./servers.js"
import { chunks, paced, type QueueSystem, type SplitSystem, timed, waitForCount, wallMs } from "./system.js"

class Noop extends JobParameters<Noop>()("Noop", { dueAt: Schema.Number }) {}

/** The job of the separate-process scenarios: the three numbers of a `Payload`. */
class Tick extends JobParameters<Tick>()("Tick", { seq: Schema.Number, sentAt: Schema.Number, dueAt: Schema.Number }) {}

/** Where namespaces live: a fresh name, the driver of a named namespace (in any process) and its removal. */
export interface Backend {
  readonly name: string
  /** False when only this process can reach a namespace (the memory driver). */
  readonly shared: boolean
  readonly freshName: () => string
  readonly driver: (name: string) => Layer.Layer<JobDriver, unknown>
  readonly remove: (name: string) => Promise<void>
}

const randomSuffix = () => Math.random().toString(36).slice(2, 10)

/** Namespaces under fresh key prefixes on one Redis server. */
export const redisBackend = (url: string): Backend => ({
  name: "redis",
  shared: true,
  freshName: () => `bench-${randomSuffix()}`,
  driver: (prefix) => redisDriver({ url, prefix }),
  remove: deletePrefix
})

/** Namespaces in fresh schemas on one Postgres database. */
export const postgresBackend = (connectionString: string): Backend => ({
  name: "postgres",
  shared: true,
  freshName: () => `ej_bench_${randomSuffix()}`,
  driver: (schema) => postgresDriver({ connectionString, schema }),
  remove: (schema) => dropSchema(connectionString, schema)
})

/** Namespaces as in-memory stores of this process: every queue given the same name shares one store. */
export const memoryBackend = (): Backend => {
  const stores = new Map<string, JobDriverShape>()
  return {
    name: "memory",
    shared: false,
    freshName: () => {
      const name = `memory-${randomSuffix()}`
      stores.set(name, Effect.runSync(makeMemoryDriver))
      return name
    },
    driver: (name) => Layer.succeed(JobDriver, stores.get(name)!),
    remove: async (name) => void stores.delete(name)
  }
}

/** A fresh namespace's driver, and how to remove the namespace afterwards. */
export interface Namespace {
  readonly driver: Layer.Layer<JobDriver, unknown>
  readonly cleanup: () => Promise<void>
}

/** Fresh namespaces of `backend`, one per call. */
export const freshNamespaces = (backend: Backend) => (): Namespace => {
  const name = backend.freshName()
  return { driver: backend.driver(name), cleanup: () => backend.remove(name) }
}

type Run = <B>(effect: Effect.Effect<B, unknown, JobQueue>) => Promise<B>

/**
 * Registers a handler in a scope that stays open until the returned function is called; that function
 * resolves once the scope has closed (running jobs drained).
 */
const register = async <A, I>(
  run: Run,
  job: JobParametersSchema<A, I>,
  handler: (params: A) => Effect.Effect<void>
): Promise<() => Promise<void>> => {
  let close: () => void = () => undefined
  const closed = new Promise<void>((resolve) => (close = resolve))
  let running: Promise<void> = Promise.resolve()
  await new Promise<void>((registered) => {
    running = run(Effect.scoped(Effect.gen(function*() {
      const queue = yield* JobQueue
      yield* queue.registerJob(job, handler)
      registered()
      yield* Effect.promise(() => closed)
    })))
  })
  return () => {
    close()
    return running
  }
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
  const withQueue = async <A>(concurrency: number, body: (run: Run) => Promise<A>) => {
    const { cleanup, driver } = namespace()
    const runtime = ManagedRuntime.make(JobQueue.layer(driver, { ...options(concurrency), concurrency, retention: { completed: 0 } }))
    try {
      return await body((effect) => runtime.runPromise(effect))
    } finally {
      await runtime.dispose()
      await cleanup()
    }
  }

  const pushBulk = (run: Run, jobs: number) =>
    run(Effect.flatMap(JobQueue, (queue) =>
      Effect.forEach(chunks(Array.from({ length: jobs }, () => new Noop({ dueAt: 0 })), 1_000), (batch) => queue.pushMany(batch))))

  const registerSync = (run: Run, handler: (params: Noop) => void) =>
    register(run, Noop, (params) => Effect.sync(() => handler(params)))

  return {
    name,
    process: (concurrency, jobs) =>
      withQueue(concurrency, async (run) => {
        await pushBulk(run, jobs)
        let done = 0
        let close = () => {}
        const seconds = await timed(async () => {
          const stop = await registerSync(run, () => void done++)
          close = () => void stop()
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
        const close = await registerSync(run, (params) => void samples.push(wallMs() - params.dueAt))
        await paced(jobs, intervalMs, (i) => {
          const delay = delays?.[i] ?? 0
          return run(Effect.flatMap(JobQueue, (queue) =>
            queue.push(new Noop({ dueAt: wallMs() + delay }), delay > 0 ? { delay } : {})))
        })
        await waitForCount(() => samples.length, jobs)
        void close()
        return samples
      })
  }
}

/**
 * effect-jobs as users deploy it, for the separate-process scenarios: a push-only queue
 * (`concurrency: 0`) in the producer and `JobQueue.layer(driver, { concurrency })` with every other option
 * at its default in the worker, whose handler is `Effect.promise` of an async function.
 */
export const effectJobsSplit = (backend: Backend): SplitSystem => ({
  name: `effect-jobs ${backend.name}`,
  shared: backend.shared,
  open: async () => {
    const namespace = backend.freshName()
    const runtime = ManagedRuntime.make(JobQueue.layer(backend.driver(namespace), { concurrency: 0 }))
    const queue = await runtime.runPromise(JobQueue)
    return {
      namespace,
      push: (payload, delayMs) => runtime.runPromise(queue.push(new Tick(payload), delayMs > 0 ? { delay: delayMs } : {})),
      pushBulk: (payloads) =>
        runtime.runPromise(Effect.forEach(chunks(payloads, 1_000), (batch) => queue.pushMany(batch.map((payload) => new Tick(payload))))),
      close: async () => {
        await runtime.dispose()
        await backend.remove(namespace)
      }
    }
  },
  work: async (namespace, concurrency, handle) => {
    const runtime = ManagedRuntime.make(JobQueue.layer(backend.driver(namespace), { concurrency }))
    const stop = await register((effect) => runtime.runPromise(effect), Tick, (params) =>
      Effect.promise(async () => handle(params)))
    return async () => {
      await stop()
      await runtime.dispose()
    }
  }
})
