/**
 * graphile-worker as a benchmarked system: defaults, or with its local queue and batched completion.
 */
import { Logger, makeWorkerUtils, run, type Runner, type WorkerUtils } from "graphile-worker"
import { dropSchema } from "./servers.js"
import { chunks, paced, type Payload, type QueueSystem, type SplitSystem, timed, waitForCount, wallMs } from "./system.js"

const quiet = new Logger(() => () => undefined)

const systemName = (batching: boolean) => (batching ? "graphile-worker (batched)" : "graphile-worker")

/** Worker utilities on a fresh, migrated schema. */
const openSchema = async (connectionString: string) => {
  const schema = `gw_bench_${Math.random().toString(36).slice(2, 10)}`
  const utils = await makeWorkerUtils({ connectionString, schema, logger: quiet })
  await utils.migrate()
  return { schema, utils }
}

const closeSchema = async (connectionString: string, schema: string, utils: WorkerUtils) => {
  await utils.release()
  await dropSchema(connectionString, schema)
}

/** A running worker on `schema` whose one task is an async function. */
const startRunner = <A>(
  connectionString: string,
  batching: boolean,
  schema: string,
  concurrency: number,
  handle: (payload: A) => void
): Promise<Runner> =>
  run({
    connectionString,
    schema,
    concurrency,
    noHandleSignals: true,
    logger: quiet,
    taskList: { noop: async (payload) => handle(payload as A) },
    ...(batching ? { preset: { worker: { localQueue: { size: concurrency + 1 }, completeJobBatchDelay: 250 } } } : {})
  })

const addBulk = (utils: WorkerUtils, payloads: ReadonlyArray<unknown>) =>
  Promise.all(chunks(payloads.map((payload) => ({ identifier: "noop", payload })), 1_000)
    .map((batch) => utils.addJobs(batch)))

export const graphileSystem = (connectionString: string, batching: boolean): QueueSystem => {
  const withSchema = async <A>(body: (utils: WorkerUtils, schema: string) => Promise<A>) => {
    const { schema, utils } = await openSchema(connectionString)
    try {
      return await body(utils, schema)
    } finally {
      await closeSchema(connectionString, schema, utils)
    }
  }

  const noops = (jobs: number) => Array.from({ length: jobs }, () => ({ dueAt: 0 }))

  return {
    name: systemName(batching),
    process: (concurrency, jobs) =>
      withSchema(async (utils, schema) => {
        await addBulk(utils, noops(jobs))
        let done = 0
        let runner: Runner | undefined
        const seconds = await timed(async () => {
          runner = await startRunner(connectionString, batching, schema, concurrency, () => void done++)
          await waitForCount(() => done, jobs)
        })
        await runner?.stop()
        return seconds
      }),
    pushSingle: (jobs) =>
      withSchema((utils) =>
        timed(async () => {
          for (let i = 0; i < jobs; i++) await utils.addJob("noop", { dueAt: 0 })
        })),
    pushBulk: (jobs) => withSchema((utils) => timed(() => addBulk(utils, noops(jobs)))),
    startDelays: (jobs, intervalMs, delays) =>
      withSchema(async (utils, schema) => {
        const samples: Array<number> = []
        const runner = await startRunner<{ dueAt: number }>(
          connectionString,
          batching,
          schema,
          10,
          (payload) => void samples.push(wallMs() - payload.dueAt)
        )
        await paced(jobs, intervalMs, (i) => {
          const delay = delays?.[i] ?? 0
          const dueAt = wallMs() + delay
          return utils.addJob("noop", { dueAt }, delay > 0 ? { runAt: new Date(dueAt) } : {})
        })
        await waitForCount(() => samples.length, jobs)
        await runner.stop()
        return samples
      })
  }
}

/** graphile-worker with the producer (worker utilities) and the runner apart, for the separate-process scenarios. */
export const graphileSplit = (connectionString: string, batching: boolean): SplitSystem => ({
  name: systemName(batching),
  shared: true,
  open: async () => {
    const { schema, utils } = await openSchema(connectionString)
    return {
      namespace: schema,
      push: (payload, delayMs) =>
        utils.addJob("noop", { ...payload }, delayMs > 0 ? { runAt: new Date(payload.dueAt) } : {}),
      pushBulk: (payloads) => addBulk(utils, payloads),
      close: () => closeSchema(connectionString, schema, utils)
    }
  },
  work: async (schema, concurrency, handle) => {
    const runner = await startRunner<Payload>(connectionString, batching, schema, concurrency, handle)
    return () => runner.stop()
  }
})
