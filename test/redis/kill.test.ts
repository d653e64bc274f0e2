/**
 * Two real worker processes share a queue; one is killed with SIGKILL mid-run. The survivor finishes
 * everything within about one lease, and only the jobs the dead worker was running run twice.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, ManagedRuntime, Option } from "effect"
import { Redis } from "ioredis"
import { JobQueue } from "../../src/index.js"
import { type Child, startChild, until } from "../support/child.js"
import { redisTestDriver, redisUrl, uniquePrefix } from "../support/redis.js"
import { Slow } from "./fixtures/jobs.js"

const leaseMs = 2_000
const jobs = 60

const children: Array<Child> = []
afterEach(() => {
  for (const child of children.splice(0)) if (child.process.exitCode === null) child.process.kill("SIGKILL")
})

const startWorker = async (prefix: string, worker: string) => {
  const child = startChild("test/redis/fixtures/worker.ts", {
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    WORKER: worker,
    CONCURRENCY: "5",
    LEASE_MS: String(leaseMs)
  })
  children.push(child)
  await child.waitForLine(`worker ${worker} to start`, (line) => line.msg === "ready")
  return child
}

/** Entries "<n>:<worker>:<attempt>" parsed. */
const parse = (entries: ReadonlyArray<string>) =>
  entries.map((entry) => {
    const [n, worker, attempt] = entry.split(":")
    return { n: Number(n), worker: worker!, attempt: Number(attempt) }
  })

describe("redis driver: kill -9 with two worker processes", () => {
  it("the surviving worker completes everything within about a lease; only the dead worker's jobs rerun", async () => {
    const prefix = uniquePrefix("kill")
    const runtime = ManagedRuntime.make(JobQueue.layer(redisTestDriver(prefix), { concurrency: 0 }))
    const admin = new Redis(redisUrl)
    const list = async (name: "started" | "done") => parse(await admin.lrange(`{${prefix}}:test:${name}`, 0, -1))
    try {
      const [a] = await Promise.all([startWorker(prefix, "a"), startWorker(prefix, "b")])
      const ids = await runtime.runPromise(Effect.flatMap(JobQueue, (queue) =>
        queue.pushMany(Array.from({ length: jobs }, (_, n) => new Slow({ n, millis: 150 })))))
      await until("worker a to be running jobs", async () => {
        const started = await list("started")
        const done = await list("done")
        return started.filter((entry) => entry.worker === "a").length > done.filter((entry) => entry.worker === "a").length &&
          done.length >= 10
      }, 20_000)
      a!.process.kill("SIGKILL")
      const killedAt = Date.now()
      await a!.exited(5_000).catch(() => undefined)
      // The jobs a held when it died: every job still leased to a's owner. They include the ones it started
      // and never finished, and maybe some it finished whose acknowledgement died with it.
      const doneOnA = new Set((await list("done")).filter((entry) => entry.worker === "a").map((entry) => entry.n))
      const inFlightOnA = (await list("started")).filter((entry) => entry.worker === "a" && !doneOnA.has(entry.n))
        .map((entry) => entry.n)
      expect(inFlightOnA.length).toBeGreaterThan(0)
      const leases = await Promise.all(ids.map((id) => admin.hmget(`{${prefix}}:job:${id}`, "state", "leaseOwner")))
      const ownerOfA = leases[inFlightOnA[0]!]![1]
      const heldByA = new Set(
        leases.flatMap(([state, owner], n) => state === "active" && owner === ownerOfA ? [n] : [])
      )
      for (const n of inFlightOnA) expect(heldByA.has(n)).toBe(true)

      const states = () =>
        runtime.runPromise(Effect.flatMap(JobQueue, (queue) =>
          Effect.forEach(ids, (id) => queue.get(id).pipe(Effect.map((info) => Option.getOrThrow(info))))))
      await until("every job to complete", async () => (await states()).every((info) => info.state === "completed"), 20_000)
      expect(Date.now() - killedAt).toBeLessThan(leaseMs + 8_000)

      const done = await list("done")
      for (let n = 0; n < jobs; n++) expect(done.some((entry) => entry.n === n)).toBe(true)
      // The dead worker's jobs ran again on b as attempt 2; nothing else ran twice.
      for (const n of heldByA) expect(done).toContainEqual({ n, worker: "b", attempt: 2 })
      const ranTwice = [...new Set(done.map((entry) => entry.n))].filter((n) => done.filter((entry) => entry.n === n).length > 1)
      for (const n of ranTwice) expect(heldByA.has(n)).toBe(true)
      const infos = await states()
      for (const [n, info] of infos.entries()) expect(info.attempts).toBe(heldByA.has(n) ? 2 : 1)
    } finally {
      admin.disconnect()
      await runtime.dispose()
    }
  })
})
