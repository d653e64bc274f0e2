/**
 * The Redis driver never shows a password: not in the error of a failed connect (server not there, wrong
 * password, a URL that does not parse), not in what it logs through an outage, not in any span.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Option, Schema } from "effect"
import { Redis } from "ioredis"
import { spawn } from "node:child_process"
import { JobParameters, JobQueue } from "effect-jobs"
import { redisDriver, redisDriverConfig } from "effect-jobs/redis"
import { freePort } from "../support/child.js"
import { until } from "../support/outage.js"
import { startProxy } from "../support/proxy.js"
import { describeAll, expectNoSecret, failedStart, recording, testSecret } from "../support/secrets.js"

class Note extends JobParameters<Note>()("Note", { n: Schema.Number }) {}

/** A throwaway redis-server on a spare port that requires `password`, stopped when the scope closes. */
const passwordServer = (password: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const port = await freePort()
      const server = spawn("redis-server", [
        "--port", String(port), "--bind", "127.0.0.1", "--requirepass", password, "--save", "", "--appendonly", "no"
      ], { stdio: "ignore" })
      const admin = new Redis({ port, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      admin.on("error", () => undefined)
      const deadline = Date.now() + 10_000
      for (;;) {
        const ready = await admin.connect().then(() => admin.ping()).then(() => true, () => false)
        admin.disconnect()
        if (ready) break
        if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return { port, server }
    }),
    ({ server }) => Effect.sync(() => server.kill("SIGKILL"))
  )

describe("redis driver: credentials stay out of errors, logs and spans", () => {
  it.live("a server that is not there, with the password in each place a URL can hold it", () =>
    Effect.gen(function*() {
      const secret = testSecret("unreachable")
      const port = yield* Effect.promise(freePort)
      for (const url of [
        `redis://:${secret}@127.0.0.1:${port}/`,
        `redis://default:${secret}@127.0.0.1:${port}/0`,
        `redis://127.0.0.1:${port}/?password=${secret}`
      ]) {
        const { error, texts } = yield* failedStart(redisDriver({ url, prefix: "redaction" }))
        expect(error.message).toContain(`Redis is not reachable at redis://`)
        expect(error.message).toContain(`127.0.0.1:${port}`)
        expect(error.message).toContain("***")
        expectNoSecret(texts, secret)
      }
    }))

  it.live("a wrong password", () =>
    Effect.gen(function*() {
      const right = testSecret("right")
      const wrong = testSecret("wrong")
      const { port } = yield* passwordServer(right)
      for (const url of [`redis://:${wrong}@127.0.0.1:${port}`, `redis://default:${wrong}@127.0.0.1:${port}`]) {
        const { error, texts } = yield* failedStart(redisDriver({ url, prefix: "redaction" }))
        expect(error.message).toMatch(/WRONGPASS|invalid password/i)
        expectNoSecret(texts, wrong)
        expectNoSecret(texts, right)
      }
      const missing = yield* failedStart(redisDriver({ url: `redis://127.0.0.1:${port}`, prefix: "redaction" }))
      expect(missing.error.message).toMatch(/NOAUTH/)
      expectNoSecret(missing.texts, right)
    }).pipe(Effect.scoped))

  it.live("URLs that do not parse", () =>
    Effect.gen(function*() {
      const secret = testSecret("unparsable")
      for (const url of [
        `redis://:${secret}@127.0.0.1:99999/`,
        `redis://user:${secret}@[::1/`,
        `redis://:pass/${secret}@127.0.0.1:6379/`,
        `redis://:${secret}@host with spaces:6379/`
      ]) {
        const { error, texts } = yield* failedStart(redisDriver({ url, prefix: "redaction" }))
        expect(error._tag).toBe("DriverError")
        expectNoSecret(texts, secret)
      }
    }))

  it.live("the layer configured from REDIS_URL", () =>
    Effect.gen(function*() {
      const secret = testSecret("config")
      const port = yield* Effect.promise(freePort)
      const { error, texts } = yield* failedStart(redisDriverConfig).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["REDIS_URL", `redis://:${secret}@127.0.0.1:${port}`]])))
      )
      expect(error.message).toContain(`127.0.0.1:${port}`)
      expectNoSecret(texts, secret)
    }))

  it.live("an outage and the recovery after it", () =>
    Effect.gen(function*() {
      const secret = testSecret("outage")
      const { port } = yield* passwordServer(secret)
      const proxy = yield* Effect.acquireRelease(
        Effect.promise(() => startProxy("127.0.0.1", port)),
        (proxy) => Effect.promise(() => proxy.close())
      )
      const { record, recorded } = recording()
      const texts = yield* record(Effect.gen(function*() {
        const queue = yield* JobQueue
        const done = new Set<number>()
        yield* queue.registerJob(Note, (params) => Effect.sync(() => done.add(params.n)))
        const first = yield* queue.push(new Note({ n: 1 }))
        yield* until("the first job to complete", Effect.sync(() => done.has(1)))
        yield* Effect.promise(() => proxy.cut())
        const failure = yield* Effect.flip(queue.push(new Note({ n: 2 })))
        // Cut mid-send: the push may or may not have reached the server, and says so.
        expect(["DriverError", "PushOutcomeUnknown"]).toContain(failure._tag)
        yield* until("the worker to log the outage", Effect.sync(() => recorded.lines.some((line) => /level=WARN/.test(line))))
        yield* Effect.promise(() => proxy.restore())
        yield* until("a push to succeed after the outage", queue.push(new Note({ n: 3 })).pipe(Effect.isSuccess))
        yield* until("a job pushed after the outage to run", Effect.sync(() => done.has(3)))
        expect(Option.isSome(yield* queue.get(first))).toBe(true)
        return [describeAll(failure)]
      }).pipe(
        Effect.scoped,
        Effect.provide(JobQueue.layer(
          redisDriver({ url: `redis://:${secret}@127.0.0.1:${proxy.port}`, prefix: "redaction", commandTimeout: 1_000 }),
          { retention: { completed: "1 hour" } }
        ))
      ))
      const said = [...texts, ...recorded.texts()]
      expect(said.length).toBeGreaterThan(1)
      expectNoSecret(said, secret)
    }).pipe(Effect.scoped), 60_000)
})
