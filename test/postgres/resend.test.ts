/**
 * The Postgres driver when a push's reply is lost: the server committed the INSERT, the connection broke
 * before the answer came back. The driver sends the push again (it carries its ids, so that is safe); when
 * no send gets an answer, the push fails saying the outcome is unknown, and pushing again with the same
 * `jobId` leaves one job.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import { JobQueue } from "effect-jobs"
import { postgresDriver } from "effect-jobs/postgres"
import { type Proxy, startProxy } from "../support/proxy.js"
import {
  chosenIdSettledByPushingAgain,
  generatedIdSettledByPushingAgain,
  Ping,
  singlePushStoredOnce,
  type ThroughProxy
} from "../support/resend.js"
import { databaseUrl, sql } from "../support/postgres.js"
import { withSchema } from "./helpers.js"

const target = new URL(databaseUrl)

/** The ids of every job in `schema`, in push order, read without the proxy. */
const storedIds = (schema: string) =>
  Effect.promise(() => sql<{ id: string }>(`SELECT id FROM "${schema}".jobs ORDER BY seq`)).pipe(
    Effect.map((rows) => rows.map((row) => row.id))
  )

/** Runs `body` with a queue whose driver reaches Postgres only through a fresh proxy, in a fresh schema. */
const throughProxy: ThroughProxy = (body: (proxy: Proxy, schema: string) => Effect.Effect<void, unknown, JobQueue | Scope.Scope>) =>
  withSchema((schema) =>
    Effect.acquireUseRelease(
      Effect.promise(() => startProxy(target.hostname, Number(target.port || 5432))),
      (proxy) => {
        const proxied = new URL(databaseUrl)
        proxied.host = `127.0.0.1:${proxy.port}`
        return body(proxy, schema).pipe(
          Effect.provide(JobQueue.layer(postgresDriver({ connectionString: proxied.toString(), schema, poolSize: 2 }))),
          Effect.scoped
        )
      },
      (proxy) => Effect.promise(() => proxy.close())
    ))

describe("postgres driver: a push whose reply was lost", () => {
  it.live("push() is sent again, returns one id, and exactly one job exists", () =>
    singlePushStoredOnce(throughProxy, storedIds))

  it.live("pushMany() is sent again and stores each job once, in push order", () =>
    throughProxy((proxy, schema) =>
      Effect.gen(function*() {
        const queue = yield* JobQueue
        const dropped = proxy.dropReplyTo("lost-reply-batch")
        const ids = yield* queue.pushMany(["a", "b", "lost-reply-batch"].map((tag) => new Ping({ tag })))
        yield* Effect.promise(() => dropped)
        expect(new Set(ids).size).toBe(3)
        expect(yield* storedIds(schema)).toEqual(ids)
      })))

  it.live("with no answer at all the push fails as outcome unknown; the same call again leaves one job", () =>
    chosenIdSettledByPushingAgain(throughProxy, storedIds))

  it.live("a plain push that failed as outcome unknown is settled by pushing again with the id it names", () =>
    generatedIdSettledByPushingAgain(throughProxy, storedIds))
})
