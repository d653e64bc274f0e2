/**
 * The Postgres driver through its port: migrations under concurrency, configuration errors, a pool handed
 * over by the application, wake-ups from acknowledgements, and bounded pruning.
 */
import { readdirSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Layer, Queue, Stream } from "effect"
import pg from "pg"
import { InvalidOption, type NewJob } from "effect-jobs"
import { postgresDriver } from "effect-jobs/postgres"
import { databaseUrl, sql } from "../support/postgres.js"
import { backends, buildDriver, untilListening, withSchema } from "./helpers.js"

const job = (n: number, overrides: Partial<NewJob> = {}): NewJob => ({
  name: "Tick",
  payload: JSON.stringify({ n }),
  priority: 0,
  runAt: 0,
  ...overrides
})

const claimRequest = { names: ["Tick"], owner: "worker-a", leaseMs: 10_000, now: 1 }

/** The versions of the migration files the driver ships, in order. */
const migrationVersions = readdirSync(new URL("../../drivers/postgres/migrations", import.meta.url))
  .filter((file) => file.endsWith(".sql"))
  .map((file) => Number.parseInt(file, 10))
  .sort((a, b) => a - b)

describe("postgres driver", () => {
  it.live("migrates once when several instances start at the same moment", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        yield* Effect.all(
          Array.from({ length: 6 }, () => Layer.build(postgresDriver({ connectionString: databaseUrl, schema }))),
          { concurrency: "unbounded" }
        )
        const versions = yield* Effect.promise(() => sql<{ version: number }>(`SELECT version FROM "${schema}".migrations`))
        expect(versions.map((row) => row.version)).toEqual(migrationVersions)
        const tables = yield* Effect.promise(() =>
          sql<{ table_name: string }>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
            [schema]
          )
        )
        expect(tables.map((row) => row.table_name)).toEqual(["instances", "jobs", "migrations", "queue_state", "schedules"])
      }).pipe(Effect.scoped)))

  it.live("applies only the migrations a schema has not recorded yet", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        yield* Effect.scoped(buildDriver(schema))
        // Take the schema back to version 1, with a job in it.
        yield* Effect.promise(() =>
          sql(`DROP INDEX "${schema}".jobs_due; DELETE FROM "${schema}".migrations WHERE version = 2;
               INSERT INTO "${schema}".jobs (id, seq, name, payload, state, priority, run_at, created_at)
               VALUES ('kept', 0, 'Tick', '{}', 'pending', 0, 500, 0)`)
        )
        const driver = yield* buildDriver(schema)
        const versions = yield* Effect.promise(() => sql<{ version: number }>(`SELECT version FROM "${schema}".migrations ORDER BY version`))
        expect(versions.map((row) => row.version)).toEqual(migrationVersions)
        const indexes = yield* Effect.promise(() => sql("SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = 'jobs_due'", [schema]))
        expect(indexes.length).toBe(1)
        expect((yield* driver.claim({ ...claimRequest, limit: 1, now: 500 })).jobs.map((claimed) => claimed.id)).toEqual(["kept"])
      }).pipe(Effect.scoped)))

  it.live("rejects schema names that are not plain identifiers, or reserved, with an InvalidOption naming schema", () =>
    Effect.gen(function*() {
      for (const schema of ["jobs; DROP TABLE x", "", "1jobs", "pg_jobs", "x".repeat(64), "jobs\"x"]) {
        const error = yield* Effect.flip(Layer.build(postgresDriver({ connectionString: databaseUrl, schema })))
        expect(error).toBeInstanceOf(InvalidOption)
        expect(error._tag === "InvalidOption" ? error.option : undefined).toBe("schema")
        expect(error.message).toContain("Invalid Postgres schema name")
      }
    }).pipe(Effect.scoped))

  it.live("fails to start with a typed, readable error when the database is not reachable", () =>
    Effect.gen(function*() {
      const started = Date.now()
      const error = yield* Effect.flip(
        Layer.build(postgresDriver({ connectionString: "postgres://postgres:secret@127.0.0.1:1/test", schema: "nowhere" }))
      )
      expect(error._tag).toBe("DriverError")
      expect(error.message).toContain("Could not prepare schema nowhere at postgres://postgres:***@127.0.0.1:1/test")
      expect(error.message).not.toContain("secret")
      expect(Date.now() - started).toBeLessThan(6_000)
    }).pipe(Effect.scoped))

  it.live("uses a pool handed over by the application (configured without a connection string) and leaves it open", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const url = new URL(databaseUrl)
        const pool = new pg.Pool({
          host: url.hostname,
          port: Number(url.port || 5432),
          user: decodeURIComponent(url.username),
          password: decodeURIComponent(url.password),
          database: url.pathname.slice(1),
          max: 2
        })
        yield* Effect.addFinalizer(() => Effect.promise(() => pool.end()))
        yield* Effect.scoped(Effect.gen(function*() {
          const driver = yield* buildDriver(schema, { pool })
          const woken = yield* driver.wakeups.pipe(Stream.take(1), Stream.runCollect, Effect.fork)
          yield* untilListening(schema)
          const [pushed] = yield* driver.push({ jobs: [job(1)], now: 0 })
          expect(Chunk.toArray(yield* Fiber.join(woken))).toEqual(["Tick"])
          const claimed = yield* driver.claim({ ...claimRequest, limit: 5 })
          expect(claimed.jobs.map((claimedJob) => claimedJob.id)).toEqual([pushed!.id])
          expect((yield* backends(schema, "worker")).length).toBeGreaterThan(0)
        }))
        // The driver's own connections are gone; the application's pool still works.
        expect((yield* backends(schema)).length).toBe(0)
        const rows = yield* Effect.promise(() => pool.query(`SELECT count(*)::int AS n FROM "${schema}".jobs`))
        expect(rows.rows[0].n).toBe(1)
      }).pipe(Effect.scoped)))

  it.live("works with a schema name of the longest length Postgres allows (wake-ups included)", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        expect(schema.length).toBe(63)
        const driver = yield* buildDriver(schema)
        const wakeups = yield* Queue.unbounded<string>()
        yield* driver.wakeups.pipe(Stream.runForEach((name) => Queue.offer(wakeups, name)), Effect.forkScoped)
        yield* untilListening(schema)
        yield* driver.push({ jobs: [job(1)], now: 0 })
        expect(yield* Queue.take(wakeups).pipe(Effect.timeout("5 seconds"))).toBe("Tick")
        expect((yield* driver.claim({ ...claimRequest, limit: 1 })).jobs.length).toBe(1)
      }).pipe(Effect.scoped), 63))

  it.live("claims in batches in priority, run time, push order; a short claim reports the next run time", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(schema)
        const ids = (yield* driver.push({
          jobs: [
            job(1),
            job(2, { priority: 5 }),
            job(3, { runAt: -5 }),
            job(4),
            job(5, { runAt: 500 }),
            job(6, { name: "Other" })
          ],
          now: 0
        })).map((result) => result.id)
        const first = yield* driver.claim({ ...claimRequest, limit: 2 })
        expect(first.jobs.map((claimed) => claimed.id)).toEqual([ids[1], ids[2]])
        expect(first.nextRunAt).toBeUndefined()
        const second = yield* driver.claim({ ...claimRequest, limit: 10 })
        expect(second.jobs.map((claimed) => claimed.id)).toEqual([ids[0], ids[3]])
        expect(second.nextRunAt).toBe(500)
        // Nothing delayed left: the next thing to happen is the first lease running out (claimed at 1).
        const third = yield* driver.claim({ ...claimRequest, limit: 10, now: 600 })
        expect(third.jobs.map((claimed) => claimed.id)).toEqual([ids[4]])
        expect(third.nextRunAt).toBe(1 + claimRequest.leaseMs)
        // Past the leases: the expired jobs are claimed again, attempt 2. Nothing else is due; the claimer's
        // own new leases are its to renew, so they set no wake-up time.
        const recovered = yield* driver.claim({ ...claimRequest, limit: 10, now: 20_000 })
        expect(recovered.jobs.map((claimed) => claimed.attempt)).toEqual([2, 2, 2, 2, 2])
        expect(recovered.nextRunAt).toBeUndefined()
      }).pipe(Effect.scoped)))

  it.live("a batch push returns the holder's id for a held chosen id or live unique key, inside the batch too", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(schema)
        const [held] = yield* driver.push({ jobs: [job(0, { uniqueKey: "live" })], now: 0 })
        const results = yield* driver.push({
          jobs: [
            job(1, { uniqueKey: "k" }),
            job(2, { uniqueKey: "k" }),
            job(3, { id: "x" }),
            job(4, { id: "x" }),
            job(5, { uniqueKey: "live" }),
            job(6)
          ],
          now: 0
        })
        expect(results.map((result) => result.inserted)).toEqual([true, false, true, false, false, true])
        expect(results[1]!.id).toBe(results[0]!.id)
        expect(results[2]!.id).toBe("x")
        expect(results[3]!.id).toBe("x")
        expect(results[4]!.id).toBe(held!.id)
        expect((yield* driver.counts({ now: 0 })).pending).toBe(4)
      }).pipe(Effect.scoped)))

  it.live("wakes workers when acknowledgements put jobs back to pending, in the same statement", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(schema)
        const wakeups = yield* Queue.unbounded<string>()
        yield* driver.wakeups.pipe(Stream.runForEach((name) => Queue.offer(wakeups, name)), Effect.forkScoped)
        yield* untilListening(schema)
        yield* driver.push({ jobs: [job(1), job(2)], now: 0 })
        expect(yield* Queue.take(wakeups)).toBe("Tick") // one notification for the batch's one name
        const claimed = yield* driver.claim({ ...claimRequest, limit: 2 })
        yield* Effect.sleep("100 millis")
        expect(yield* Queue.size(wakeups)).toBe(0)
        const lost = yield* driver.finish({
          outcomes: [
            { _tag: "Released", id: claimed.jobs[0]!.id, owner: "worker-a" },
            { _tag: "Completed", id: claimed.jobs[1]!.id, owner: "someone-else" }
          ],
          now: 2,
          removeOnComplete: false
        })
        expect(lost).toEqual([claimed.jobs[1]!.id])
        expect(yield* Queue.take(wakeups).pipe(Effect.timeout("5 seconds"))).toBe("Tick")
      }).pipe(Effect.scoped)))

  it.live("a statement the server refuses fails with a DriverError whose cause carries pg's SQLSTATE", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(schema)
        yield* Effect.promise(() => sql(`DROP TABLE "${schema}".jobs`))
        const error = yield* Effect.flip(driver.get({ id: "any" }))
        expect(error).toMatchObject({ _tag: "DriverError", driver: "postgres", operation: "get" })
        expect(error.message).toContain("does not exist")
        expect(error.cause).toMatchObject({ code: "42P01", severity: "ERROR", message: error.message })
      }).pipe(Effect.scoped)))

  it.live("removeOnComplete deletes completed jobs; prune trims finished jobs in bounded batches", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(schema)
        const total = 2_500
        yield* driver.push({ jobs: Array.from({ length: total }, (_, n) => job(n)), now: 0 })
        const claimed = yield* driver.claim({ ...claimRequest, limit: total })
        expect(claimed.jobs.length).toBe(total)
        const [removed, ...kept] = claimed.jobs
        yield* driver.finish({
          outcomes: [{ _tag: "Completed", id: removed!.id, owner: "worker-a" }],
          now: 10,
          removeOnComplete: true
        })
        expect((yield* driver.get({ id: removed!.id }))._tag).toBe("None")
        yield* driver.finish({
          outcomes: kept.map((claimedJob) => ({ _tag: "Completed" as const, id: claimedJob.id, owner: "worker-a" })),
          now: 20,
          removeOnComplete: false
        })
        expect((yield* driver.counts({ now: 20 })).completed).toBe(total - 1)
        expect(yield* driver.prune({ state: "completed", finishedBefore: 20, limit: 1_000 })).toBe(0)
        const batches: Array<number> = []
        for (;;) {
          const pruned = yield* driver.prune({ state: "completed", finishedBefore: 21, limit: 1_000 })
          if (pruned === 0) break
          batches.push(pruned)
        }
        expect(batches).toEqual([1_000, 1_000, total - 1 - 2_000])
        expect((yield* driver.counts({ now: 30 })).completed).toBe(0)
      }).pipe(Effect.scoped)))
})
