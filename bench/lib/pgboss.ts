/**
 * pg-boss as a benchmarked system: polling every 0.5 s, fetching up to 1,000 jobs per batch.
 */
import PgBoss from "pg-boss"
import { chunks, paced, type QueueSystem, timed, waitForCount, wallMs } from "./system.js"

export const pgBossSystem = (connectionString: string): QueueSystem => {
  const withBoss = async <A>(body: (boss: PgBoss, queue: string) => Promise<A>) => {
    const schema = `pgboss_bench_${Math.random().toString(36).slice(2, 10)}`
    const boss = new PgBoss({ connectionString, schema, supervise: false, schedule: false })
    boss.on("error", () => undefined)
    await boss.start()
    const queue = "noop"
    await boss.createQueue(queue)
    try {
      return await body(boss, queue)
    } finally {
      await boss.stop({ graceful: false, wait: true })
      const cleaner = new PgBoss({ connectionString, schema })
      cleaner.on("error", () => undefined)
      await cleaner.start()
      await cleaner.getDb().executeSql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`, [])
      await cleaner.stop({ graceful: false, wait: true })
    }
  }

  const work = (boss: PgBoss, queue: string, handle: (data: { dueAt: number }) => void) =>
    boss.work<{ dueAt: number }>(queue, { batchSize: 1_000, pollingIntervalSeconds: 0.5 }, async (jobs) => {
      for (const job of jobs) handle(job.data)
    })

  const insertBulk = (boss: PgBoss, queue: string, jobs: number) =>
    Promise.all(chunks(Array.from({ length: jobs }, () => ({ name: queue, data: { dueAt: 0 } })), 1_000)
      .map((batch) => boss.insert(batch)))

  return {
    name: "pg-boss",
    process: (_concurrency, jobs) =>
      withBoss(async (boss, queue) => {
        await insertBulk(boss, queue, jobs)
        let done = 0
        const seconds = await timed(async () => {
          await work(boss, queue, () => void done++)
          await waitForCount(() => done, jobs)
        })
        await boss.offWork(queue)
        return seconds
      }),
    pushSingle: (jobs) =>
      withBoss((boss, queue) =>
        timed(async () => {
          for (let i = 0; i < jobs; i++) await boss.send(queue, { dueAt: 0 })
        })),
    pushBulk: (jobs) => withBoss((boss, queue) => timed(() => insertBulk(boss, queue, jobs))),
    startDelays: (jobs, intervalMs, delays) =>
      withBoss(async (boss, queue) => {
        const samples: Array<number> = []
        await work(boss, queue, (data) => void samples.push(wallMs() - data.dueAt))
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
