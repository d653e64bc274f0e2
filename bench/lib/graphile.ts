/**
 * graphile-worker as a benchmarked system: defaults, or with its local queue and batched completion.
 */
import { Logger, makeWorkerUtils, run, type Runner, type WorkerUtils } from "graphile-worker"
import pg from "pg"
import { chunks, paced, type QueueSystem, timed, waitForCount, wallMs } from "./system.js"

const quiet = new Logger(() => () => undefined)

export const graphileSystem = (connectionString: string, batching: boolean): QueueSystem => {
  const withSchema = async <A>(body: (utils: WorkerUtils, schema: string) => Promise<A>) => {
    const schema = `gw_bench_${Math.random().toString(36).slice(2, 10)}`
    const utils = await makeWorkerUtils({ connectionString, schema, logger: quiet })
    await utils.migrate()
    try {
      return await body(utils, schema)
    } finally {
      await utils.release()
      const client = new pg.Client({ connectionString })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await client.end()
    }
  }

  const startRunner = (schema: string, concurrency: number, handle: (payload: { dueAt: number }) => void): Promise<Runner> =>
    run({
      connectionString,
      schema,
      concurrency,
      noHandleSignals: true,
      logger: quiet,
      taskList: { noop: async (payload) => handle(payload as { dueAt: number }) },
      ...(batching ? { preset: { worker: { localQueue: { size: concurrency + 1 }, completeJobBatchDelay: 250 } } } : {})
    })

  const addBulk = (utils: WorkerUtils, jobs: number) =>
    Promise.all(chunks(Array.from({ length: jobs }, () => ({ identifier: "noop", payload: { dueAt: 0 } })), 1_000)
      .map((batch) => utils.addJobs(batch)))

  return {
    name: batching ? "graphile-worker (batched)" : "graphile-worker",
    process: (concurrency, jobs) =>
      withSchema(async (utils, schema) => {
        await addBulk(utils, jobs)
        let done = 0
        let runner: Runner | undefined
        const seconds = await timed(async () => {
          runner = await startRunner(schema, concurrency, () => void done++)
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
    pushBulk: (jobs) => withSchema((utils) => timed(() => addBulk(utils, jobs))),
    startDelays: (jobs, intervalMs, delays) =>
      withSchema(async (utils, schema) => {
        const samples: Array<number> = []
        const runner = await startRunner(schema, 10, (payload) => void samples.push(wallMs() - payload.dueAt))
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
