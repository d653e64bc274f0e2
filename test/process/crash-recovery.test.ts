/**
 * Crash recovery with real processes: a worker killed with SIGKILL mid-job has its job finished by another
 * worker once the lease expires, and nothing pushed is lost. Runs on each server driver.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, Layer, ManagedRuntime, Option } from "effect"
import { JobQueue } from "effect-jobs"
import type { JobDriver } from "effect-jobs"
import { SendEmail } from "../../examples/shared/jobs.js"
import { type Child, startChild, until } from "../support/child.js"
import { databaseUrl, postgresTestDriver, uniqueSchema } from "../support/postgres.js"
import { redisTestDriver, redisUrl, uniquePrefix } from "../support/redis.js"

const leaseMs = 2_000

interface Target {
  readonly name: string
  /** The environment that points an example worker at the same queue. */
  readonly env: Record<string, string>
  /** The same queue for the test process, removed when it is disposed. */
  readonly driver: Layer.Layer<JobDriver, unknown>
}

const targets = (): ReadonlyArray<Target> => {
  const prefix = uniquePrefix("crash")
  const schema = uniqueSchema("crash")
  return [
    { name: "redis", env: { JOBS_DRIVER: "redis", REDIS_URL: redisUrl, REDIS_PREFIX: prefix }, driver: redisTestDriver(prefix) },
    {
      name: "postgres",
      env: { JOBS_DRIVER: "postgres", DATABASE_URL: databaseUrl, JOBS_SCHEMA: schema },
      driver: postgresTestDriver(schema)
    }
  ]
}

const children: Array<Child> = []
afterEach(() => {
  for (const child of children.splice(0)) if (child.process.exitCode === null) child.process.kill("SIGKILL")
})

const startWorker = async (target: Target) => {
  const child = startChild("examples/worker/main.ts", {
    ...target.env,
    JOBS_CONCURRENCY: "1",
    JOBS_LEASE_MS: String(leaseMs)
  })
  children.push(child)
  await child.waitForLine("the worker to start", (line) => line.msg === "worker ready")
  return child
}

describe.each(targets())("kill -9 on $name", (target) => {
  it("another worker completes the killed worker's job within seconds; nothing is lost", async () => {
    const runtime = ManagedRuntime.make(JobQueue.layer(target.driver, { concurrency: 0 }))
    try {
      const run = <A, E>(effect: Effect.Effect<A, E, JobQueue>) => runtime.runPromise(effect)
      const info = (id: string) => run(Effect.flatMap(JobQueue, (queue) => queue.get(id)).pipe(Effect.map(Option.getOrThrow)))
      const first = await startWorker(target)
      const slow = await run(Effect.flatMap(JobQueue, (queue) =>
        queue.push(new SendEmail({ to: "slow@example.com", subject: "crash", workMillis: 3_000 }))))
      await first.waitForLine("the slow job to start", (line) => line.jobId === slow && String(line.msg).startsWith("sending"))
      const quick = await run(Effect.flatMap(JobQueue, (queue) =>
        queue.pushMany([1, 2, 3].map((n) => new SendEmail({ to: `quick${n}@example.com`, subject: "after", workMillis: 1 })))))
      first.process.kill("SIGKILL")
      const killedAt = Date.now()
      await first.exited(5_000).catch(() => undefined)
      expect((await info(slow)).state).toBe("active")

      const second = await startWorker(target)
      await until("every job to complete", async () => {
        for (const id of [slow, ...quick]) if ((await info(id)).state !== "completed") return false
        return true
      }, 20_000)
      const recoveredIn = Date.now() - killedAt
      const slowInfo = await info(slow)
      expect(slowInfo.attempts).toBe(2)
      expect(recoveredIn).toBeLessThan(leaseMs + 8_000)
      expect(second.lines.some((line) => line.jobId === slow && line.msg === "sent to slow@example.com")).toBe(true)
      second.process.kill("SIGTERM")
      expect(await second.exited(10_000)).toBe(0)
    } finally {
      await runtime.dispose()
    }
  })
})
