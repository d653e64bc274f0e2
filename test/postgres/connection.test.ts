/**
 * Connection handling: the LISTEN connection is watched and reconnected, the pools survive their backends
 * being terminated, and an outage makes pushes fail fast with a typed error while nothing is lost.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import pg from "pg"
import { JobParameters, JobQueue } from "effect-jobs"
import { postgresDriver } from "effect-jobs/postgres"
import { survivesOutage, until } from "../support/outage.js"
import { startProxy } from "../support/proxy.js"
import { databaseUrl } from "../support/postgres.js"
import { buildDriver, terminate, untilListening, withSchema } from "./helpers.js"

class Invoice extends JobParameters<Invoice>()("Invoice", { amount: Schema.Number }) {}

/** Far beyond every test's deadline: a job that starts in time was woken, not polled. */
const noPolling = { pollInterval: "1 hour" } as const

const startedWithin = (ran: ReadonlyArray<number>, count: number, sinceMs: number, boundMs: number) =>
  until(`${count} job(s) to start`, Effect.sync(() => ran.length >= count), boundMs).pipe(
    Effect.map(() => Date.now() - sinceMs)
  )

describe("postgres connection handling", () => {
  it.live("reconnects LISTEN after its backend is terminated; jobs pushed meanwhile and after start promptly", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const queue = yield* JobQueue
        const ran: Array<number> = []
        yield* queue.registerJob(Invoice, (params) => Effect.sync(() => ran.push(params.amount)))
        yield* untilListening(schema)

        // Pushed while nobody listens: its NOTIFY is lost; the reconnection's catch-up wake-up starts it.
        expect(yield* terminate(schema, "listen")).toBe(1)
        const duringAt = Date.now()
        yield* queue.push(new Invoice({ amount: 1 }))
        expect(yield* startedWithin(ran, 1, duringAt, 3_000)).toBeLessThan(2_000)

        yield* untilListening(schema)
        const afterAt = Date.now()
        yield* queue.push(new Invoice({ amount: 2 }))
        expect(yield* startedWithin(ran, 2, afterAt, 3_000)).toBeLessThan(500)

        // A second drop reconnects as quickly as the first (the backoff starts over per connection).
        expect(yield* terminate(schema, "listen")).toBe(1)
        const againAt = Date.now()
        yield* untilListening(schema)
        expect(Date.now() - againAt).toBeLessThan(1_000)
        yield* queue.push(new Invoice({ amount: 3 }))
        yield* startedWithin(ran, 3, againAt, 3_000)
        expect(ran).toEqual([1, 2, 3])
      }).pipe(
        Effect.scoped,
        Effect.provide(JobQueue.layer(postgresDriver({ connectionString: databaseUrl, schema }), noPolling))
      )))

  it.live("keeps working when every backend of the driver is terminated mid-run; nothing is lost", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const queue = yield* JobQueue
        const done = new Set<number>()
        yield* queue.registerJob(Invoice, (params) => Effect.sleep(1).pipe(Effect.zipRight(Effect.sync(() => done.add(params.amount)))))
        yield* queue.pushMany(Array.from({ length: 500 }, (_, amount) => new Invoice({ amount })))
        yield* until("some jobs to complete", Effect.sync(() => done.size >= 30))
        expect(yield* terminate(schema)).toBeGreaterThanOrEqual(2)
        yield* until("some more jobs to complete", Effect.sync(() => done.size >= 100))
        expect(yield* terminate(schema)).toBeGreaterThanOrEqual(1)
        yield* until("every job to complete", Effect.sync(() => done.size === 500), 30_000)
        yield* until("every outcome to be recorded", queue.counts.pipe(Effect.map((counts) => counts.completed === 500)))
      }).pipe(
        Effect.scoped,
        Effect.provide(JobQueue.layer(postgresDriver({ connectionString: databaseUrl, schema }), {
          concurrency: 10,
          leaseDuration: "3 seconds",
          retention: { completed: "1 hour" }
        }))
      )))

  it.live("a query that gets no answer fails with DriverError after queryTimeout; the driver carries on", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(schema, { connectionString: databaseUrl, queryTimeout: "300 millis" })
        // Another session holds the queue's state row, so pausing waits on its lock and gets no answer.
        const blocker = new pg.Client({ connectionString: databaseUrl })
        yield* Effect.promise(() => blocker.connect())
        yield* Effect.addFinalizer(() => Effect.promise(() => blocker.end()))
        yield* Effect.promise(() => blocker.query(`BEGIN; SELECT * FROM "${schema}".queue_state FOR UPDATE`))
        const started = Date.now()
        const error = yield* Effect.flip(driver.pause)
        expect(error._tag).toBe("DriverError")
        expect(Date.now() - started).toBeLessThan(2_000)
        yield* Effect.promise(() => blocker.query("ROLLBACK"))
        yield* driver.pause
        expect(yield* driver.isPaused).toBe(true)
      }).pipe(Effect.scoped)))

  it.live("survives an outage: pushes fail fast with a typed error, nothing pushed before is lost", () =>
    withSchema((schema) =>
      Effect.acquireUseRelease(
        Effect.promise(() => {
          const target = new URL(databaseUrl)
          return startProxy(target.hostname, Number(target.port || 5432))
        }),
        (proxy) => {
          const proxied = new URL(databaseUrl)
          proxied.hostname = "127.0.0.1"
          proxied.port = String(proxy.port)
          return survivesOutage(postgresDriver({ connectionString: proxied.toString(), schema }), proxy)
        },
        (proxy) => Effect.promise(() => proxy.close())
      )))
})
