/**
 * Postgres-specific behaviour: migrations under concurrency, transactional push, LISTEN reconnection,
 * connection loss, and bad configuration.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Schema } from "effect"
import pg from "pg"
import { JobParameters, JobQueue } from "effect-jobs"
import { postgresDriver, pushInTransaction } from "effect-jobs/postgres"
import { survivesOutage, until } from "../support/outage.js"
import { startProxy } from "../support/proxy.js"
import { databaseUrl, sql, uniqueSchema } from "../support/postgres.js"

class Invoice extends JobParameters<Invoice>()("Invoice", { amount: Schema.Number }) {}

/** Runs `body` with a fresh schema name, dropping the schema afterwards. */
const withSchema = <A, E, R>(body: (schema: string) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => uniqueSchema("pgdriver")),
    body,
    (schema) => Effect.promise(() => sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))
  )

const target = new URL(databaseUrl)

describe("postgres driver", () => {
  it.live("migrates once when several instances start at the same moment", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        yield* Effect.all(
          Array.from({ length: 5 }, () => Layer.build(postgresDriver({ connectionString: databaseUrl, schema }))),
          { concurrency: "unbounded" }
        )
        const versions = yield* Effect.promise(() => sql<{ version: number }>(`SELECT version FROM "${schema}".migrations`))
        expect(versions.map((row) => row.version)).toEqual([1])
      }).pipe(Effect.scoped)))

  it.live("rejects a schema name that is not a plain identifier", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(postgresDriver({ connectionString: databaseUrl, schema: "jobs; DROP TABLE x" })))
      expect(error._tag).toBe("DriverError")
      expect(error.message).toContain("Invalid Postgres schema name")
    }).pipe(Effect.scoped))

  it.live("fails with a typed, readable error when the database is not reachable", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(postgresDriver({ connectionString: "postgres://postgres@127.0.0.1:1/test", schema: "nowhere" })))
      expect(error._tag).toBe("DriverError")
      expect(error.message).toContain("Could not prepare schema nowhere")
    }).pipe(Effect.scoped))

  it.live("a job pushed in a transaction exists only if the transaction commits", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const queue = yield* JobQueue
        const ran: Array<number> = []
        yield* queue.registerJob(Invoice, (params) => Effect.sync(() => ran.push(params.amount)))
        const client = new pg.Client({ connectionString: databaseUrl })
        yield* Effect.promise(() => client.connect())
        yield* Effect.addFinalizer(() => Effect.promise(() => client.end()))

        yield* Effect.promise(() => client.query("BEGIN"))
        const [rolledBack] = yield* pushInTransaction(client, { schema }, [new Invoice({ amount: 1 })])
        yield* Effect.promise(() => client.query("ROLLBACK"))
        expect(Option.isNone(yield* queue.get(rolledBack!))).toBe(true)

        yield* Effect.promise(() => client.query("BEGIN"))
        const [committed] = yield* pushInTransaction(client, { schema }, [new Invoice({ amount: 2 })])
        expect(Option.isNone(yield* queue.get(committed!))).toBe(true)
        yield* Effect.promise(() => client.query("COMMIT"))
        yield* until("the committed job to run", Effect.sync(() => ran.length === 1))
        expect(ran).toEqual([2])
        expect((yield* queue.counts).pending).toBe(0)
      }).pipe(
        Effect.scoped,
        Effect.provide(JobQueue.layer(postgresDriver({ connectionString: databaseUrl, schema }), { pollInterval: "1 hour" }))
      )))

  it.live("reconnects LISTEN after its backend is terminated and wakes without waiting for the poll", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const queue = yield* JobQueue
        const ran: Array<number> = []
        yield* queue.registerJob(Invoice, (params) => Effect.sync(() => ran.push(params.amount)))
        const listener = `effect-jobs:listen:effect_jobs_${schema}`.slice(0, 63)
        const killed = yield* Effect.promise(() =>
          sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [listener])
        )
        expect(killed.length).toBe(1)
        yield* until("LISTEN to come back", Effect.promise(() =>
          sql("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [listener]).then((rows) => rows.length === 1)
        ))
        const pushedAt = Date.now()
        yield* queue.push(new Invoice({ amount: 7 }))
        yield* until("the job to start", Effect.sync(() => ran.length === 1), 5_000)
        expect(Date.now() - pushedAt).toBeLessThan(2_000)
      }).pipe(
        Effect.scoped,
        Effect.provide(JobQueue.layer(postgresDriver({ connectionString: databaseUrl, schema }), { pollInterval: "1 hour" }))
      )))

  it.live("keeps working when the pool's backends are terminated mid-run", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const queue = yield* JobQueue
        const done = new Set<number>()
        yield* queue.registerJob(Invoice, (params) => Effect.sleep(1).pipe(Effect.zipRight(Effect.sync(() => done.add(params.amount)))))
        yield* queue.pushMany(Array.from({ length: 300 }, (_, amount) => new Invoice({ amount })))
        yield* until("some jobs to complete", Effect.sync(() => done.size >= 30))
        yield* Effect.promise(() =>
          sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE $1", [`effect-jobs:%:${schema}`])
        )
        yield* until("every job to complete", Effect.sync(() => done.size === 300), 30_000)
        yield* until("every outcome to be recorded", queue.counts.pipe(Effect.map((counts) => counts.completed === 300)))
      }).pipe(
        Effect.scoped,
        Effect.provide(JobQueue.layer(postgresDriver({ connectionString: databaseUrl, schema }), { leaseDuration: "3 seconds" }))
      )))

  it.live("survives an outage: pushes fail fast with DriverError, nothing pushed before is lost", () =>
    withSchema((schema) =>
      Effect.acquireUseRelease(
        Effect.promise(() => startProxy(target.hostname, Number(target.port || 5432))),
        (proxy) => {
          const proxied = new URL(databaseUrl)
          proxied.hostname = "127.0.0.1"
          proxied.port = String(proxy.port)
          return survivesOutage(postgresDriver({ connectionString: proxied.toString(), schema }), proxy)
        },
        (proxy) => Effect.promise(() => proxy.close())
      )))
})
