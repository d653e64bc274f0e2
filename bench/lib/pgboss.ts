/**
 * pg-boss as a benchmarked system: polling every 0.5 s, fetching up to 1,000 jobs per batch.
 */
import PgBoss from "pg-boss"
import { chunks, paced, type Payload, type QueueSystem, type SplitSystem, timed, waitForCount, wallMs } from "./system.js"

const queue = "noop"

/** A started instance on `schema`, without the maintenance and cron loops a benchmark does not need. */
const startBoss = async (connectionString: string, schema: string) => {
  const boss = new PgBoss({ connectionString, schema, supervise: false, schedule: false })
  boss.on("error", () => undefined)
  await boss.start()
  return boss
}

const stopBoss = (boss: PgBoss) => boss.stop({ graceful: false, wait: true })

/** An instance on a fresh schema with the queue created. */
const openSchema = async (connectionString: string) => {
  const schema = `pgboss_bench_${Math.random().toString(36).slice(2, 10)}`
  const boss = await startBoss(connectionString, schema)
  await boss.createQueue(queue)
  return { schema, boss }
}

const closeSchema = async (connectionString: string, schema: string, boss: PgBoss) => {
  await stopBoss(boss)
  const cleaner = new PgBoss({ connectionString, schema })
  cleaner.on("error", () => undefined)
  await cleaner.start()
  await cleaner.getDb().executeSql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`, [])
  await stopBoss(cleaner)
}

/** Works the queue with an async handler that takes each batch job by job. */
const work = <A extends object>(boss: PgBoss, handle: (data: A) => void) =>
  boss.work<A>(queue, { batchSize: 1_000, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    for (const job of jobs) handle(job.data)
  })

const insertBulk = (boss: PgBoss, data: ReadonlyArray<object>) =>
  Promise.all(chunks(data.map((item) => ({ name: queue, data: item })), 1_000)
    .map((batch) => boss.insert(batch)))

export const pgBossSystem = (connectionString: string): QueueSystem => {
  const withBoss = async <A>(body: (boss: PgBoss) => Promise<A>) => {
    const { boss, schema } = await openSchema(connectionString)
    try {
      return await body(boss)
    } finally {
      await closeSchema(connectionString, schema, boss)
    }
  }

  const noops = (jobs: number) => Array.from({ length: jobs }, () => ({ dueAt: 0 }))

  return {
    name: "pg-boss",
    process: (_concurrency, jobs) =>
      withBoss(async (boss) => {
        await insertBulk(boss, noops(jobs))
        let done = 0
        const seconds = await timed(async () => {
          await work(boss, () => void done++)
          await waitForCount(() => done, jobs)
        })
        await boss.offWork(queue)
        return seconds
      }),
    pushSingle: (jobs) =>
      withBoss((boss) =>
        timed(async () => {
          for (let i = 0; i < jobs; i++) await boss.send(queue, { dueAt: 0 })
        })),
    pushBulk: (jobs) => withBoss((boss) => timed(() => insertBulk(boss, noops(jobs)))),
    startDelays: (jobs, intervalMs, delays) =>
      withBoss(async (boss) => {
        const samples: Array<number> = []
        await work<{ dueAt: number }>(boss, (data) => void samples.push(wallMs() - data.dueAt))
        await paced(jobs, intervalMs, (i) => {
          const delay = delays?.[i] ?? 0
          const dueAt = wallMs() + delay
          return boss.send(queue, { dueAt }, delay > 0 ? { startAfter: new Date(dueAt) } : {})
        })
        await waitForCount(() => samples.length, jobs)
        await boss.offWork(queue)
        return samples
      })
  }
}

/**
 * pg-boss with the producer and the worker apart, for the separate-process scenarios. It fetches batches of
 * 1,000 whatever the concurrency, so `concurrency` does not apply.
 */
export const pgBossSplit = (connectionString: string): SplitSystem => ({
  name: "pg-boss",
  shared: true,
  open: async () => {
    const { boss, schema } = await openSchema(connectionString)
    return {
      namespace: schema,
      push: (payload, delayMs) =>
        boss.send(queue, { ...payload }, delayMs > 0 ? { startAfter: new Date(payload.dueAt) } : {}),
      pushBulk: (payloads) => insertBulk(boss, payloads),
      close: () => closeSchema(connectionString, schema, boss)
    }
  },
  work: async (schema, _concurrency, handle) => {
    const boss = await startBoss(connectionString, schema)
    await work<Payload>(boss, handle)
    return async () => {
      await boss.offWork(queue)
      await stopBoss(boss)
    }
  }
})
