/**
 * Shared pieces of the Postgres driver's own tests: a fresh schema per test, the driver's service built
 * over it, and the driver's backends as seen by the server.
 */
import { Context, Effect, Layer, type Scope } from "effect"
import { JobDriver, type JobDriverShape } from "effect-jobs"
import { postgresDriver, type PostgresDriverOptions } from "effect-jobs/postgres"
import { databaseUrl, sql, uniqueSchema } from "../support/postgres.js"

/** Fails the test with a clear message when the server is not there (tests never skip). */
const requireServer = Effect.tryPromise({
  try: () => sql("SELECT 1"),
  catch: (error) =>
    new Error(`PostgreSQL is not reachable at ${databaseUrl} (set DATABASE_URL, or start the server): ${String(error)}`)
}).pipe(Effect.orDie)

/** Runs `body` with a fresh schema name (padded to `length` characters if given), dropping the schema afterwards. */
export const withSchema = <A, E, R>(body: (schema: string) => Effect.Effect<A, E, R>, length?: number) =>
  Effect.acquireUseRelease(
    requireServer.pipe(
      Effect.as(length === undefined ? uniqueSchema("pgdriver") : uniqueSchema("pgdriver").padEnd(length, "x"))
    ),
    body,
    (schema) => Effect.promise(() => sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined))
  )

/** The driver service over `schema`, open for the current scope. */
export const buildDriver = (
  schema: string,
  options: Omit<PostgresDriverOptions, "schema"> = { connectionString: databaseUrl }
): Effect.Effect<JobDriverShape, unknown, Scope.Scope> =>
  Layer.build(postgresDriver({ ...options, schema })).pipe(
    Effect.map((context) => Context.get(context, JobDriver))
  )

/** The server processes of the driver's connections of one role (`push`, `worker`, `listen`) or all. */
export const backends = (schema: string, role = "%") =>
  Effect.promise(() =>
    sql<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name LIKE $1", [
      `effect-jobs:${role}:${schema}`.slice(0, 63)
    ])
  )

/** Terminates the driver's connections of one role (or all); returns how many were terminated. */
export const terminate = (schema: string, role = "%") =>
  Effect.promise(() =>
    sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE $1", [
      `effect-jobs:${role}:${schema}`.slice(0, 63)
    ]).then((rows) => rows.length)
  )

/** Waits (bounded) until the driver's LISTEN connection for `schema` is up and has run its LISTEN. */
export const untilListening = (schema: string, timeoutMs = 10_000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const rows = yield* Effect.promise(() =>
        sql("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN %'", [
          `effect-jobs:listen:${schema}`.slice(0, 63)
        ])
      )
      if (rows.length === 1) return
      if (Date.now() > deadline) return yield* Effect.dieMessage(`LISTEN connection for ${schema} not up after ${timeoutMs} ms`)
      yield* Effect.sleep("10 millis")
    }
  })
