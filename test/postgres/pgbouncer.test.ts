/**
 * The driver behind a real PgBouncer: refused without the `pooler` setting, working with it in session and
 * transaction mode (wake-ups by LISTEN through the pooler, past it, or by polling), and the conformance
 * suite passing in transaction mode.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { postgresDriver } from "effect-jobs/postgres"
import { runConformance } from "effect-jobs/testing"
import { databaseUrl, sql, uniqueSchema } from "../support/postgres.js"
import { buildDriver } from "./helpers.js"
import { exercise, pushAndComplete, startWorker } from "./operations.js"
import { launchPgBouncer, type RunningPgBouncer, startPgBouncer } from "./pgbouncer.js"

/** A fresh schema for the current scope, dropped when it closes. */
const freshSchema = Effect.acquireRelease(
  Effect.sync(() => uniqueSchema("bouncer")),
  (schema) => Effect.promise(() => sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))
)

describe("postgres driver behind PgBouncer", () => {
  it.live("without the pooler setting the worker's connections are refused (PgBouncer takes no startup options)", () =>
    Effect.gen(function*() {
      const bouncer = yield* startPgBouncer("session", 4)
      const schema = yield* freshSchema
      const driver = yield* buildDriver(schema, { connectionString: bouncer.url, poolSize: 2 })
      const error = yield* Effect.flip(driver.claim({ names: ["Tick"], owner: "w", leaseMs: 1_000, now: 0, limit: 1 }))
      expect(error.message).toContain("unsupported startup parameter: options")
    }).pipe(Effect.scoped))

  it.live("session mode: every operation, and LISTEN through the pooler wakes another instance's worker", () =>
    Effect.gen(function*() {
      const bouncer = yield* startPgBouncer("session", 20)
      const schema = yield* freshSchema
      const options = { connectionString: bouncer.url, pooler: "session", poolSize: 4 } as const
      const pusher = yield* buildDriver(schema, options)
      yield* exercise(pusher, "Session")
      yield* startWorker(yield* buildDriver(schema, options))
      yield* pushAndComplete(pusher, 50)
    }).pipe(Effect.scoped))

  it.live("transaction mode: three queues share two server connections; LISTEN past the pooler wakes a worker", () =>
    Effect.gen(function*() {
      const bouncer = yield* startPgBouncer("transaction", 2)
      const schemas = [yield* freshSchema, yield* freshSchema, yield* freshSchema]
      const options = { connectionString: bouncer.url, pooler: "transaction", poolSize: 4 } as const
      const drivers = yield* Effect.forEach(schemas, (schema) => buildDriver(schema, options))
      yield* Effect.forEach(drivers, (driver, index) => exercise(driver, `Tx${index}`), { concurrency: "unbounded" })
      const worker = yield* buildDriver(schemas[0]!, { ...options, listenConnectionString: databaseUrl })
      yield* startWorker(worker)
      yield* pushAndComplete(drivers[0]!, 100)
    }).pipe(Effect.scoped))

  it.live("transaction mode without LISTEN: a worker finds other instances' jobs when it polls", () =>
    Effect.gen(function*() {
      const bouncer = yield* startPgBouncer("transaction", 2)
      const schema = yield* freshSchema
      const options = { connectionString: bouncer.url, pooler: "transaction", poolSize: 4 } as const
      const pusher = yield* buildDriver(schema, options)
      yield* startWorker(yield* buildDriver(schema, options), "100 millis")
      yield* pushAndComplete(pusher, 20)
    }).pipe(Effect.scoped))
})

let bouncer: RunningPgBouncer | undefined
beforeAll(async () => {
  bouncer = await launchPgBouncer("transaction", 4)
})
afterAll(() => bouncer?.stop())

runConformance("postgres through PgBouncer in transaction mode", () => {
  const schema = uniqueSchema("conf_bouncer")
  return Layer.scopedContext(
    Effect.gen(function*() {
      yield* Effect.addFinalizer(() => Effect.promise(() => sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)))
      return yield* Layer.build(postgresDriver({
        connectionString: bouncer!.url,
        pooler: "transaction",
        listenConnectionString: databaseUrl,
        schema,
        poolSize: 4
      }))
    })
  )
})
