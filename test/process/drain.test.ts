/**
 * Graceful shutdown with real processes, whatever closes the queue's scope: each composition of
 * test/process/fixtures/drain.ts on each driver drains the same way. Running jobs finish; jobs past the
 * deadline are released (pending, no attempt used); a busy worker leaves every job it touched completed or
 * released; the process exits soon after, by itself.
 *
 * Job states are read through a driver of the test's own on Redis and Postgres; the memory store lives only
 * in the child, which logs every planned job's state as it exits (after the queue's scope has closed).
 */
import { describe, expect, it } from "@effect/vitest"
import { vi } from "vitest"
import { Effect, Layer, ManagedRuntime, Option } from "effect"
import { JobDriver } from "effect-jobs"
import { once } from "node:events"
import { postgresDriver } from "effect-jobs/postgres"
import { redisDriver } from "effect-jobs/redis"
import { type Child, startChild, until } from "../support/child.js"
import { databaseUrl, sql, uniqueSchema } from "../support/postgres.js"
import { deletePrefix, redisUrl, uniquePrefix } from "../support/redis.js"

type DriverName = "memory" | "redis" | "postgres"
type Composition = "chain" | "merge" | "scoped" | "managed" | "fork" | "timeout"

/** What a test needs to know of a job after the run. */
interface Stored {
  readonly state: string | undefined
  readonly attempts: number | undefined
  readonly leaseOwner: string | undefined
}

/** Where the child's jobs live, and how the test reads them. */
interface Store {
  readonly env: Record<string, string>
  /** The jobs' states now (servers) or as the child logged them when it exited (memory). */
  readonly read: (child: Child, ids: ReadonlyArray<string>) => Promise<Map<string, Stored>>
  /** Whether `read` works while the child still runs. */
  readonly live: boolean
  readonly cleanup: () => Promise<void>
}

/** Reads jobs through a driver of the test process over the child's queue. */
const serverStore = (
  env: Record<string, string>,
  driver: Layer.Layer<JobDriver, unknown>,
  remove: () => Promise<unknown>
): Store => {
  const runtime = ManagedRuntime.make(driver)
  return {
    env,
    live: true,
    read: async (_child, ids) => {
      const entries = await runtime.runPromise(Effect.flatMap(JobDriver, (store) =>
        Effect.forEach(ids, (id) =>
          Effect.map(store.get({ id }), (found) => {
            const job = Option.getOrUndefined(found)
            return [id, { state: job?.state, attempts: job?.attempts, leaseOwner: job?.leaseOwner }] as const
          }))))
      return new Map(entries)
    },
    cleanup: () => runtime.dispose().finally(remove)
  }
}

const stores: Record<DriverName, () => Store> = {
  memory: () => ({
    env: { JOBS_DRIVER: "memory" },
    live: false,
    read: async (child, ids) => {
      const finals = new Map(child.lines.filter((line) => line.event === "final").map((line) => [
        String(line.id),
        { state: line.state as string, attempts: line.attempts as number, leaseOwner: line.leaseOwner as string | undefined }
      ]))
      const missing = ids.filter((id) => !finals.has(id))
      if (missing.length > 0) {
        throw new Error(`No final state logged for ${missing.length} of ${ids.length} jobs (${finals.size} logged; exit ${
          child.lines.some((line) => line.event === "exit") ? "" : "not "}logged):\n${child.output().slice(-3_000)}`)
      }
      return finals
    },
    cleanup: async () => {}
  }),
  redis: () => {
    const prefix = uniquePrefix("drain")
    return serverStore(
      { JOBS_DRIVER: "redis", REDIS_URL: redisUrl, REDIS_PREFIX: prefix },
      redisDriver({ url: redisUrl, prefix }),
      () => deletePrefix(prefix)
    )
  },
  postgres: () => {
    const schema = uniqueSchema("drain")
    return serverStore(
      { JOBS_DRIVER: "postgres", DATABASE_URL: databaseUrl, JOBS_SCHEMA: schema },
      postgresDriver({ connectionString: databaseUrl, schema, poolSize: 2 }),
      () => sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    )
  }
}

interface Scenario {
  /** Run time of each job, in milliseconds. */
  readonly plan: ReadonlyArray<number>
  readonly concurrency: number
  readonly shutdownTimeoutMs: number
  readonly prefetch?: number
  /** When the `timeout` composition ends its program, counted from its start. */
  readonly timeoutMs: number
}

/** One child process running `scenario`, with the lines it logged sorted by kind. */
const launch = (driver: DriverName, composition: Composition, scenario: Scenario) => {
  const store = stores[driver]()
  const child = startChild("test/process/fixtures/drain.ts", {
    ...store.env,
    COMPOSITION: composition,
    PLAN: JSON.stringify(scenario.plan),
    JOBS_CONCURRENCY: String(scenario.concurrency),
    JOBS_SHUTDOWN_TIMEOUT_MS: String(scenario.shutdownTimeoutMs),
    TIMEOUT_MS: String(scenario.timeoutMs),
    ...(scenario.prefetch === undefined ? {} : { JOBS_PREFETCH: String(scenario.prefetch) })
  })
  const events = (event: "start" | "finish") => child.lines.filter((line) => line.event === event)
  const countBy = (event: "start" | "finish") => {
    const counts = new Map<string, Array<number>>()
    for (const line of events(event)) counts.set(String(line.id), [...counts.get(String(line.id)) ?? [], Number(line.attempt)])
    return counts
  }
  const ready = child.waitForLine("the jobs to be pushed", (line) => line.event === "ready")
  // "close" comes once the output is read to its end, which "exit" may precede.
  const closed = once(child.process, "close").catch(() => undefined)
  return {
    store,
    child,
    /** The planned jobs' ids, in plan order. */
    ids: async () => (await ready).ids as ReadonlyArray<string>,
    starts: () => countBy("start"),
    finishes: () => countBy("finish"),
    /**
     * Closes the scope: SIGTERM, or for `timeout` waiting until the program's time is up. Returns when the
     * closing began (epoch ms).
     */
    close: async (): Promise<number> => {
      if (composition !== "timeout") {
        child.process.kill("SIGTERM")
        return Date.now()
      }
      const closing = await child.waitForLine("the timeout to end the program", (line) => line.event === "closing")
      return Number(closing.t)
    },
    /**
     * Waits for the exit; returns its code, when it came (as the child logged it, or as seen from here if
     * it logged nothing) and how long after `closedAt`.
     */
    exit: async (closedAt: number, withinMs: number) => {
      const code = await child.exited(withinMs)
      await closed
      const exitedAt = Number(child.lines.find((line) => line.event === "exit")?.t ?? Date.now())
      return { code, exitedAt, elapsed: exitedAt - closedAt }
    }
  }
}

type Launched = ReturnType<typeof launch>

/** Runs `body` with a fresh child, then kills it if it is still there and removes its jobs. */
const withChild = async (
  driver: DriverName,
  composition: Composition,
  scenario: Scenario,
  body: (launched: Launched) => Promise<void>
) => {
  const launched = launch(driver, composition, scenario)
  try {
    await launched.ids()
    await body(launched)
    // Warnings the queue logs when it keeps working on closed connections, or cannot record outcomes.
    expect(launched.child.output()).not.toMatch(/Claiming jobs failed|Recording job outcomes failed|Renewing job leases failed/)
  } finally {
    if (launched.child.process.exitCode === null && launched.child.process.signalCode === null) {
      launched.child.process.kill("SIGKILL")
    }
    await launched.store.cleanup()
  }
}

const waitForStarts = (launched: Launched, count: number) =>
  launched.child.waitForLine(`${count} jobs to start`, () => launched.starts().size >= count)

/** Checks that `id` is back to pending with no attempt used and no lease. */
const expectReleased = (stored: Map<string, Stored>, id: string) =>
  expect(stored.get(id), id).toEqual({ state: "pending", attempts: 0, leaseOwner: undefined })

const slowMs = 4_000
/** Two slow jobs run, two more are claimed ahead of them; the deadline is far. */
const slowJobs: Scenario = {
  plan: [slowMs, slowMs, slowMs, slowMs],
  concurrency: 2,
  prefetch: 2,
  shutdownTimeoutMs: 15_000,
  timeoutMs: 2_000
}
/** Two jobs that would run a minute; the deadline is 1.5 s. */
const pastDeadline: Scenario = { plan: [60_000, 60_000], concurrency: 2, shutdownTimeoutMs: 1_500, timeoutMs: 1_500 }
/** 400 jobs at concurrency 10: mostly short, every tenth longer than the 1 s deadline. */
const backlog: Scenario = {
  plan: Array.from({ length: 400 }, (_, index) => index % 10 === 9 ? 3_000 : 20 + (index % 5) * 10),
  concurrency: 10,
  shutdownTimeoutMs: 1_000,
  timeoutMs: 2_000
}

// 57 child processes start at once (each needs a few seconds of CPU under tsx): on a 2-core machine busy with
// other test files, starting can take most of a minute, so the cases get room beyond the default 30 s.
vi.setConfig({ testTimeout: 120_000 })

const drivers: ReadonlyArray<DriverName> = ["memory", "redis", "postgres"]
const compositions: ReadonlyArray<Composition> = ["chain", "merge", "scoped", "managed", "fork", "timeout"]

describe.concurrent.each(drivers)("shutdown on %s", (driver) => {
  describe.each(compositions)("closed by %s", (composition) => {
    it("running jobs finish on attempt 1, jobs claimed ahead go back at once, and the exit comes well before the deadline", async () => {
      await withChild(driver, composition, slowJobs, async (launched) => {
        const { store } = launched
        const ids = await launched.ids()
        const [running, heldAhead] = [ids.slice(0, 2), ids.slice(2)]
        await waitForStarts(launched, 2)
        if (store.live && composition !== "timeout") {
          await until("the worker to claim two jobs ahead", async () =>
            [...(await store.read(launched.child, heldAhead)).values()].every((job) => job.state === "active"), 10_000)
          expect(heldAhead.filter((id) => launched.starts().has(id)), "held, not running").toEqual([])
        }
        const closedAt = await launched.close()
        if (store.live) {
          await until("the jobs claimed ahead to be handed back", async () => {
            const stored = await store.read(launched.child, heldAhead)
            return heldAhead.every((id) => stored.get(id)?.state === "pending")
          }, 1_500)
          // Handed back while the running jobs were still draining, not after.
          expect(launched.finishes().size).toBe(0)
        }
        const { code, elapsed, exitedAt } = await launched.exit(closedAt, slowJobs.shutdownTimeoutMs + 10_000)
        expect(code).toBe(0)
        expect(elapsed).toBeLessThan(slowMs + 1_500)
        // Shutdown returns as soon as nothing runs, not at the deadline.
        const lastFinish = Math.max(...launched.child.lines.filter((line) => line.event === "finish").map((line) => Number(line.t)))
        expect(exitedAt - lastFinish).toBeLessThan(1_000)
        const stored = await store.read(launched.child, ids)
        for (const id of running) {
          expect(launched.finishes().get(id), id).toEqual([1])
          expect(stored.get(id), id).toEqual({ state: "completed", attempts: 1, leaseOwner: undefined })
        }
        for (const id of heldAhead) {
          expect(launched.starts().has(id), id).toBe(false)
          expectReleased(stored, id)
        }
      })
    })

    it("jobs still running at the deadline are released with no attempt used; the exit comes within a second of it", async () => {
      await withChild(driver, composition, pastDeadline, async (launched) => {
        const started = await waitForStarts(launched, 2)
        const closedAt = await launched.close()
        expect(closedAt, "both jobs started before the scope closed").toBeGreaterThan(Number(started.t))
        const { code, elapsed } = await launched.exit(closedAt, pastDeadline.shutdownTimeoutMs + 10_000)
        expect(code).toBe(0)
        expect(elapsed).toBeGreaterThanOrEqual(pastDeadline.shutdownTimeoutMs - 100)
        expect(elapsed).toBeLessThan(pastDeadline.shutdownTimeoutMs + 1_000)
        expect(launched.finishes().size).toBe(0)
        const ids = await launched.ids()
        const stored = await launched.store.read(launched.child, ids)
        for (const id of ids) expectReleased(stored, id)
      })
    })

    it("a busy worker leaves every job it started completed or released, nothing leased, nothing run twice", async () => {
      await withChild(driver, composition, backlog, async (launched) => {
        const finishedBefore = await launched.child.waitForLine("40 jobs to finish", () => launched.finishes().size >= 40)
        const closedAt = await launched.close()
        expect(closedAt, "40 jobs finished before the scope closed").toBeGreaterThanOrEqual(Number(finishedBefore.t))
        const { code, elapsed } = await launched.exit(closedAt, backlog.shutdownTimeoutMs + 10_000)
        expect(code).toBe(0)
        expect(elapsed).toBeLessThan(backlog.shutdownTimeoutMs + 1_000)
        const starts = launched.starts()
        const finishes = launched.finishes()
        const ids = await launched.ids()
        const stored = await launched.store.read(launched.child, ids)
        let released = 0
        for (const id of ids) {
          expect(starts.get(id)?.length ?? 0, `${id} ran at most once`).toBeLessThanOrEqual(1)
          const job = stored.get(id)
          expect(job?.leaseOwner, id).toBeUndefined()
          if (finishes.has(id)) {
            expect(job, id).toEqual({ state: "completed", attempts: 1, leaseOwner: undefined })
          } else {
            if (starts.has(id)) released++
            expectReleased(stored, id)
          }
        }
        // Both ends of the drain were exercised: jobs finished, and jobs ran past the deadline.
        expect(finishes.size).toBeGreaterThanOrEqual(40)
        expect(released).toBeGreaterThan(0)
      })
    })
  })

  it("a second SIGTERM during a long drain releases the running jobs at once and the process exits", async () => {
    const scenario: Scenario = { plan: [60_000, 60_000], concurrency: 2, shutdownTimeoutMs: 30_000, timeoutMs: 0 }
    await withChild(driver, "chain", scenario, async (launched) => {
      const { child } = launched
      await waitForStarts(launched, 2)
      await launched.close()
      await child.waitForLine("the drain to begin", (line) => line.event === "closing")
      // Well into the drain, which would otherwise wait 30 s for the jobs.
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(child.process.exitCode).toBeNull()
      child.process.kill("SIGTERM")
      const { elapsed } = await launched.exit(Date.now(), 5_000)
      expect(elapsed).toBeLessThan(1_500)
      expect(launched.finishes().size).toBe(0)
      // A memory store can be read only if the process exited on its own path (it logs the jobs then).
      if (launched.store.live || child.lines.some((line) => line.event === "final")) {
        const ids = await launched.ids()
        const stored = await launched.store.read(child, ids)
        for (const id of ids) expectReleased(stored, id)
      }
    })
  })
})
