/**
 * `postgresDriverConfig` reads `DATABASE_URL` and `JOBS_SCHEMA` (default `effect_jobs`).
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { postgresDriverConfig } from "effect-jobs/postgres"
import { freePort } from "../support/child.js"
import { databaseUrl, sql } from "../support/postgres.js"
import { withSchema } from "./helpers.js"

const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("postgres driver: configured from the environment", () => {
  it.live("creates its tables in JOBS_SCHEMA at DATABASE_URL", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        yield* Layer.build(postgresDriverConfig)
        const tables = yield* Effect.promise(() =>
          sql("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [schema])
        )
        expect(tables.map((row) => row.table_name)).toContain("jobs")
      }).pipe(withEnv({ DATABASE_URL: databaseUrl, JOBS_SCHEMA: schema }), Effect.scoped)))

  it.live("uses the schema effect_jobs when JOBS_SCHEMA is not set", () =>
    Effect.gen(function*() {
      // A server that is not there: the error names the schema it would have prepared, and nothing is written.
      const url = new URL(databaseUrl)
      url.port = String(yield* Effect.promise(freePort))
      const error = yield* Effect.flip(Layer.build(postgresDriverConfig)).pipe(withEnv({ DATABASE_URL: url.toString() }))
      expect(error.message).toContain("Could not prepare schema effect_jobs")
    }).pipe(Effect.scoped))
})
