/**
 * Postgres for tests: a driver in a fresh schema that is dropped when the layer's scope closes.
 */
import { Effect, Layer } from "effect"
import pg from "pg"
import { postgresDriver } from "../../drivers/postgres/index.js"

export const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"

/** A schema name no other test uses. */
export const uniqueSchema = (label = "test") => `${label}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`

/** Runs one statement on a short-lived connection. */
export const sql = async <Row extends Record<string, unknown> = Record<string, unknown>>(
  text: string,
  values: Array<unknown> = []
): Promise<Array<Row>> => {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    return (await client.query<Row>(text, values)).rows
  } finally {
    await client.end()
  }
}

const unreachable = (error: unknown) =>
  new Error(
    `PostgreSQL is not reachable at ${databaseUrl} (set DATABASE_URL, or start it with: ` +
      `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start): ${String(error)}`
  )

/** The Postgres driver in a fresh schema, dropped when the layer's scope closes. */
export const postgresTestDriver = (schema = uniqueSchema()) =>
  Layer.scopedContext(
    Effect.gen(function*() {
      yield* Effect.addFinalizer(() => Effect.promise(() => sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)))
      return yield* Layer.build(postgresDriver({ connectionString: databaseUrl, schema, poolSize: 4 })).pipe(
        Effect.mapError(unreachable)
      )
    })
  )
