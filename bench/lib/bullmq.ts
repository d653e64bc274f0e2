/**
 * BullMQ as a benchmarked system, with removeOnComplete { count: 1000 } and connections that retry forever
 * (`maxRetriesPerRequest: null`), as its production guide sets them.
 */
import { Queue, Worker } from "bullmq"
import { Redis } from "ioredis"
import {
  chunks,
  paced,
  type Payload,
  type QueueSystem,
  type SplitSystem,
  timed,
  waitForCount,
  wallMs
} from "./system.js"

const prefix = "bullbench"
const jobOptions = { removeOnComplete: { count: 1_000 } }

const connection = (redisUrl: string) => new Redis(redisUrl, { maxRetriesPerRequest: null })

const freshName = () => `bench-${Math.random().toString(36).slice(2, 10)}`

const openQueue = (redisUrl: string, name: string) => new Queue(name, { connection: connection(redisUrl), prefix })

const removeQueue = async (queue: Queue) => {
  await queue.obliterate({ force: true })
  await queue.close()
}

/** A running worker on queue `name`; its processor is an async function. */
const startWorker = async <A>(redisUrl: string, name: string, concurrency: number, handle: (data: A) => void) => {
  const worker = new Worker(name, async (job) => handle(job.data as A), {
    connection: connection(redisUrl),
    prefix,
    concurrency,
    autorun: false
  })
  void worker.run()
  await worker.waitUntilReady()
  return worker
}

const addBulk = <A>(queue: Queue, data: ReadonlyArray<A>) =>
  Promise.all(chunks(data.map((item) => ({ name: "noop", data: item, opts: jobOptions })), 1_000)
    .map((batch) => queue.addBulk(batch)))

export const bullmqSystem = (redisUrl: string): QueueSystem => {
  const withQueue = async <A>(body: (queue: Queue, name: string) => Promise<A>) => {
    const name = freshName()
    const queue = openQueue(redisUrl, name)
    try {
      return await body(queue, name)
    } finally {
      await removeQueue(queue)
    }
  }

  const noops = (jobs: number) => Array.from({ length: jobs }, () => ({ dueAt: 0 }))

  return {
    name: "BullMQ",
    process: (concurrency, jobs) =>
      withQueue(async (queue, name) => {
        await addBulk(queue, noops(jobs))
        let done = 0
        let worker: Worker | undefined
        const seconds = await timed(async () => {
          worker = await startWorker(redisUrl, name, concurrency, () => void done++)
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
    pushBulk: (jobs) => withQueue((queue) => timed(() => addBulk(queue, noops(jobs)))),
    startDelays: (jobs, intervalMs, delays) =>
      withQueue(async (queue, name) => {
        const samples: Array<number> = []
        const worker = await startWorker<{ dueAt: number }>(
          redisUrl,
          name,
          10,
          (data) => void samples.push(wallMs() - data.dueAt)
        )
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

/** BullMQ with the queue (producer) and the worker apart, for the separate-process scenarios. */
export const bullmqSplit = (redisUrl: string): SplitSystem => ({
  name: "BullMQ",
  shared: true,
  open: async () => {
    const name = freshName()
    const queue = openQueue(redisUrl, name)
    return {
      namespace: name,
      push: (payload, delayMs) => queue.add("noop", payload, delayMs > 0 ? { ...jobOptions, delay: delayMs } : jobOptions),
      pushBulk: (payloads) => addBulk(queue, payloads),
      close: () => removeQueue(queue)
    }
  },
  work: async (name, concurrency, handle) => {
    const worker = await startWorker<Payload>(redisUrl, name, concurrency, handle)
    return () => worker.close()
  }
})
