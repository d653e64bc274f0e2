/**
 * kill -9 with two real worker processes on one queue: the job the killed worker was running is taken over
 * by the survivor once its 2 s lease expires (the survivor sleeps until that expiry, no wake-up needed), and
 * every job pushed completes exactly as expected.
 */
import { afterEach, describe, expect, it } from "vitest"
import { Effect, ManagedRuntime, Option } from "effect"
import { JobQueue } from "effect-jobs"
import { type Child, startChild, until } from "../support/child.js"
import { databaseUrl, postgresTestDriver, uniqueSchema } from "../support/postgres.js"
import { Work } from "./fixtures/jobs.js"

const leaseMs = 2_000
const children: Array<Child> = []

afterEach(() => {
  for (const child of children.splice(0)) if (child.process.exitCode === null) child.process.kill("SIGKILL")
})

const startWorker = (name: string, schema: string) => {
  const child = startChild("test/postgres/fixtures/worker.ts", {
    DATABASE_URL: databaseUrl,
    JOBS_SCHEMA: schema,
    WORKER_NAME: name,
    LEASE_MS: String(leaseMs)
  })
  children.push(child)
  return child
}

describe("postgres kill -9", () => {
  it("the surviving worker completes the killed worker's job after its lease expires; nothing is lost", async () => {
    const schema = uniqueSchema("pgcrash")
    const runtime = ManagedRuntime.make(JobQueue.layer(postgresTestDriver(schema), { concurrency: 0 }))
    try {
      const run = <A, E>(effect: Effect.Effect<A, E, JobQueue>) => runtime.runPromise(effect)
      const info = (id: string) =>
        run(Effect.flatMap(JobQueue, (queue) => queue.get(id)).pipe(Effect.map(Option.getOrThrow)))
      await run(JobQueue) // the schema exists before the workers start
      const workers = { a: startWorker("a", schema), b: startWorker("b", schema) }
      await Promise.all(Object.values(workers).map((child) => child.waitForLine("a worker to start", (line) => line.event === "ready")))

      const slow = await run(Effect.flatMap(JobQueue, (queue) => queue.push(new Work({ label: "slow", workMillis: 4_000 }))))
      const started = await Promise.race(Object.values(workers).map((child) =>
        child.waitForLine("the slow job to start", (line) => line.event === "started" && line.id === slow)
      ))
      const victim = started.worker === "a" ? workers.a : workers.b
      const survivor = started.worker === "a" ? workers.b : workers.a
      victim.process.kill("SIGKILL")
      const killedAt = Date.now()
      await victim.exited(5_000).catch(() => undefined)
      expect((await info(slow)).state).toBe("active")

      const quick = await run(Effect.flatMap(JobQueue, (queue) =>
        queue.pushMany([1, 2, 3, 4, 5].map((n) => new Work({ label: `quick${n}`, workMillis: 1 })))))
      await until("every job to complete", async () => {
        for (const id of [slow, ...quick]) if ((await info(id)).state !== "completed") return false
        return true
      }, 20_000)

      const takeover = survivor.lines.find((line) => line.event === "started" && line.id === slow)
      expect(takeover?.attempt).toBe(2)
      expect(survivor.lines.some((line) => line.event === "completed" && line.id === slow)).toBe(true)
      expect((await info(slow)).attempts).toBe(2)
      // Taken over once the lease ran out (it was renewed every lease/3 until the kill), not before, and
      // without waiting for the 5 s fallback poll.
      const takenOverAfter = Number(takeover?.at) - killedAt
      expect(takenOverAfter).toBeGreaterThan(leaseMs / 2)
      expect(takenOverAfter).toBeLessThan(leaseMs + 1_500)
      for (const id of quick) expect((await info(id)).attempts).toBe(1)

      survivor.process.kill("SIGTERM")
      expect(await survivor.exited(10_000)).toBe(0)
    } finally {
      await runtime.dispose()
    }
  }, 40_000)
})
