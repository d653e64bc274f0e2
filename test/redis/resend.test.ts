/**
 * The Redis driver when a push's reply is lost: the server ran push.lua, the connection broke before the
 * answer came back, and ioredis sent the command again after reconnecting. The push must still make each of
 * its jobs once; when the command cannot be sent again, it fails saying the outcome is unknown.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import { Redis } from "ioredis"
import { JobQueue } from "effect-jobs"
import { redisDriver } from "effect-jobs/redis"
import { startProxy } from "../support/proxy.js"
import {
  chosenIdSettledByPushingAgain,
  generatedIdSettledByPushingAgain,
  Ping,
  singlePushStoredOnce,
  type ThroughProxy
} from "../support/resend.js"
import { deletePrefix, redisUrl, uniquePrefix } from "../support/redis.js"

const target = new URL(redisUrl)

/** The ids of every job stored under `prefix`, read straight from the server. */
const storedIds = (prefix: string) =>
  Effect.promise(async () => {
    const admin = new Redis(redisUrl)
    try {
      const keys = await admin.keys(`{${prefix}}:job:*`)
      return keys.map((key) => key.slice(`{${prefix}}:job:`.length)).sort()
    } finally {
      admin.disconnect()
    }
  })

/** Runs `body` with a queue whose driver talks to Redis through a fresh proxy, under a fresh prefix. */
const throughProxy: ThroughProxy = (body: (proxy: Awaited<ReturnType<typeof startProxy>>, prefix: string) => Effect.Effect<void, unknown, JobQueue | Scope.Scope>) =>
  Effect.acquireUseRelease(
    Effect.promise(async () => ({ prefix: uniquePrefix("resend"), proxy: await startProxy(target.hostname, Number(target.port || 6379)) })),
    ({ prefix, proxy }) =>
      body(proxy, prefix).pipe(
        Effect.provide(JobQueue.layer(redisDriver({ url: `redis://127.0.0.1:${proxy.port}`, prefix }))),
        Effect.scoped
      ),
    ({ prefix, proxy }) => Effect.promise(() => proxy.close().then(() => deletePrefix(prefix)))
  )

describe("redis driver: a push whose reply was lost", () => {
  it.live("push() returns one id and exactly one job exists", () =>
    singlePushStoredOnce(throughProxy, storedIds))

  it.live("pushMany() returns its ids once and exactly those jobs exist", () =>
    throughProxy((proxy, prefix) =>
      Effect.gen(function*() {
        const queue = yield* JobQueue
        const dropped = proxy.dropReplyTo("lost-reply-batch")
        const ids = yield* queue.pushMany(["a", "b", "lost-reply-batch"].map((tag) => new Ping({ tag })))
        yield* Effect.promise(() => dropped)
        expect(new Set(ids).size).toBe(3)
        expect(yield* storedIds(prefix)).toEqual([...ids].sort())
        // Push order holds across the re-send.
        const events = yield* queue.subscribe
        yield* queue.registerJob(Ping, () => Effect.void, { maxAttempts: 1 })
        const order: Array<string> = []
        while (order.length < 3) {
          const event = yield* events.take
          if (event._tag === "Started") order.push(event.jobId)
        }
        expect(order).toEqual(ids)
      })))

  it.live("with no answer at all the push fails as outcome unknown; the same call again leaves one job", () =>
    chosenIdSettledByPushingAgain(throughProxy, storedIds))

  it.live("a plain push that failed as outcome unknown is settled by pushing again with the id it names", () =>
    generatedIdSettledByPushingAgain(throughProxy, storedIds))
})
