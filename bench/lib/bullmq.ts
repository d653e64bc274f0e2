/**
 * BullMQ as a benchmarked system, with removeOnComplete { count: 1000 }.
 */
import { Queue, Worker } from "bullmq"
import { Redis } from "ioredis"
import { chunks, paced, type QueueSystem, timed, waitForCount, wallMs } from "./system.js"

export const bullmqSystem = (redisUrl: string): QueueSystem => {
  const connection = () => new Redis(redisUrl, { maxRetriesPerRequest: null })
  const jobOptions = { removeOnComplete: { count: 1_000 } }

  const withQueue = async <A>(body: (queue: Queue, name: string) => Promise<A>) => {
    const name = `bench-${Math.random().toString(36).slice(2, 10)}`
    const queue = new Queue(name, { connection: connection(), prefix: "bullbench" })
    try {
      return await body(queue, name)
    } finally {
      await queue.obliterate({ force: true })
      await queue.close()
    }
  }

  const startWorker = async (name: string, concurrency: number, handle: (data: { dueAt: number }) => void) => {
    const worker = new Worker(name, async (job) => handle(job.data as { dueAt: number }), {
      connection: connection(),
      prefix: "bullbench",
      concurrency,
      autorun: false
    })
    void worker.run()
    await worker.waitUntilReady()
    return worker
  }

  const addBulk = (queue: Queue, jobs: number) =>
    Promise.all(chunks(Array.from({ length: jobs }, () => ({ name: "noop", data: { dueAt: 0 }, opts: jobOptions })), 1_000)
      .map((batch) => queue.addBulk(batch)))

  return {
    name: "BullMQ",
    process: (concurrency, jobs) =>
      withQueue(async (queue, name) => {
        await addBulk(queue, jobs)
        let done = 0
        let worker: Worker | undefined
        const seconds = await timed(async () => {
          worker = await startWorker(name, concurrency, () => void done++)
          await waitForCount(() => done, jobs)
        })
        await worker?.close()
        return seconds
      }),
    pushSingle: (jobs) =>
      withQueue(async (queue) =>
        timed(async () => {
          for (let i = 0; i < jobs; i++) await queue.add("noop", { dueAt: 0 }, jobOptions)
        })),
    pushBulk: (jobs) => withQueue((queue) => timed(() => addBulk(queue, jobs))),
    startDelays: (jobs, intervalMs, delays) =>
      withQueue(async (queue, name) => {
        const samples: Array<number> = []
        const worker = await startWorker(name, 10, (data) => void samples.push(wallMs() - data.dueAt))
        await paced(jobs, intervalMs, (i) => {
          const delay = delays?.[i] ?? 0
          return queue.add("noop", { dueAt: wallMs() + delay }, { ...jobOptions, ...(delay > 0 ? { delay } : {}) })
        })
        await waitForCount(() => samples.length, jobs)
        await worker.close()
        return samples
      })
  }
}
