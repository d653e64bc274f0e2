/**
 * The Postgres driver never shows a password: not in the error of a failed start (server not there, a login
 * the server refuses, a URL that does not parse), not in what it logs through an outage, not in any span.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Schema } from "effect"
import pg from "pg"
import { JobParameters, JobQueue } from "effect-jobs"
import { postgresDriver, postgresDriverConfig } from "effect-jobs/postgres"
import { freePort } from "../support/child.js"
import { until } from "../support/outage.js"
import { databaseUrl } from "../support/postgres.js"
import { startProxy } from "../support/proxy.js"
import { describeAll, expectNoSecret, failedStart, recording, testSecret } from "../support/secrets.js"
import { withSchema } from "./helpers.js"

class Note extends JobParameters<Note>()("Note", { n: Schema.Number }) {}

const server = new URL(databaseUrl)

/** `databaseUrl` pointed elsewhere and logging in with `user` and `password`. */
const urlWith = (changes: { user?: string; password?: string; port?: number }) => {
  const url = new URL(databaseUrl)
  if (changes.user !== undefined) url.username = changes.user
  if (changes.password !== undefined) url.password = changes.password
  if (changes.port !== undefined) url.port = String(changes.port)
  return url.toString()
}

describe("postgres driver: credentials stay out of errors, logs and spans", () => {
  it.live("a server that is not there, with the password in each place it can be given", () =>
    Effect.gen(function*() {
      const secret = testSecret("unreachable")
      const port = yield* Effect.promise(freePort)
      for (const connectionString of [
        urlWith({ password: secret, port }),
        `${urlWith({ port })}?password=${secret}`,
        `${urlWith({ port })}?sslpassword=${secret}&application_name=x`
      ]) {
        const { error, texts } = yield* failedStart(postgresDriver({ connectionString, schema: "redaction" }))
        expect(error.message).toContain(`127.0.0.1:${port}`)
        expect(error.message).toContain("ECONNREFUSED")
        expectNoSecret(texts, secret)
      }
      const pool = new pg.Pool({ host: "127.0.0.1", port, user: "postgres", password: secret, database: "test" })
      yield* Effect.addFinalizer(() => Effect.promise(() => pool.end()))
      const { error, texts } = yield* failedStart(postgresDriver({ pool, schema: "redaction" }))
      expect(error.message).toContain(`127.0.0.1:${port}`)
      expectNoSecret(texts, secret)
    }).pipe(Effect.scoped))

  it.live("a login the server refuses", () =>
    Effect.gen(function*() {
      const secret = testSecret("refused")
      const connectionString = urlWith({ user: "no_such_role_redaction", password: secret })
      const { error, texts } = yield* failedStart(postgresDriver({ connectionString, schema: "redaction" }))
      expect(error.message).toContain("no_such_role_redaction")
      expect(error.message).toContain(server.host)
      expectNoSecret(texts, secret)
    }))

  it.live("URLs that do not parse", () =>
    Effect.gen(function*() {
      const secret = testSecret("unparsable")
      for (const connectionString of [
        `postgres://postgres:${secret}@127.0.0.1:99999/test`,
        `postgres://postgres:${secret}@[::1/test`,
        `postgres://postgres:pass/${secret}@127.0.0.1:5432/test`,
        `postgres://postgres:${secret}@host with spaces/test`
      ]) {
        const { error, texts } = yield* failedStart(postgresDriver({ connectionString, schema: "redaction" }))
        expect(error._tag).toBe("DriverError")
        expectNoSecret(texts, secret)
      }
    }))

  it.live("the layer configured from DATABASE_URL", () =>
    Effect.gen(function*() {
      const secret = testSecret("config")
      const port = yield* Effect.promise(freePort)
      const { error, texts } = yield* failedStart(postgresDriverConfig).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["DATABASE_URL", urlWith({ password: secret, port })]])))
      )
      expect(error.message).toContain(`127.0.0.1:${port}`)
      expectNoSecret(texts, secret)
    }))

  it.live("an outage and the recovery after it", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        // The shared server trusts local logins, so the password is carried and ignored.
        const secret = testSecret("outage")
        const proxy = yield* Effect.acquireRelease(
          Effect.promise(() => startProxy(server.hostname, Number(server.port || 5432))),
          (proxy) => Effect.promise(() => proxy.close())
        )
        const { record, recorded } = recording()
        const failure = yield* record(Effect.gen(function*() {
          const queue = yield* JobQueue
          const done = new Set<number>()
          yield* queue.registerJob(Note, (params) => Effect.sync(() => done.add(params.n)))
          yield* queue.push(new Note({ n: 1 }))
          yield* until("the first job to complete", Effect.sync(() => done.has(1)))
          yield* Effect.promise(() => proxy.cut())
          const failure = yield* Effect.flip(queue.push(new Note({ n: 2 })))
          // Cut mid-send: the push may or may not have reached the server, and says so.
          expect(["DriverError", "PushOutcomeUnknown"]).toContain(failure._tag)
          yield* until("the driver to log the outage", Effect.sync(() => recorded.lines.some((line) => /level=WARN/.test(line))))
          yield* Effect.promise(() => proxy.restore())
          yield* until("a push to succeed after the outage", queue.push(new Note({ n: 3 })).pipe(Effect.isSuccess))
          yield* until("a job pushed after the outage to run", Effect.sync(() => done.has(3)))
          return failure
        }).pipe(
          Effect.scoped,
          Effect.provide(JobQueue.layer(
            postgresDriver({
              connectionString: urlWith({ password: secret, port: proxy.port }).replace(server.hostname, "127.0.0.1"),
              schema,
              queryTimeout: "2 seconds"
            }),
            { retention: { completed: "1 hour" } }
          ))
        ))
        const said = [describeAll(failure), ...recorded.texts()]
        expect(said.length).toBeGreaterThan(1)
        expectNoSecret(said, secret)
      }).pipe(Effect.scoped)), 60_000)
})
