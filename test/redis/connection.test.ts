/**
 * The Redis driver against connection trouble: a server that is not there, an outage mid-run, killed
 * connections.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { Redis } from "ioredis"
import { JobParameters, JobQueue } from "effect-jobs"
import { redisDriver } from "effect-jobs/redis"
import { startProxy } from "../support/proxy.js"
import { survivesOutage, until } from "../support/outage.js"
import { deletePrefix, redisUrl, uniquePrefix } from "../support/redis.js"

class Ping extends JobParameters<Ping>()("Ping", { n: Schema.Number }) {}

const target = new URL(redisUrl)

const withPrefix = (body: (prefix: string) => Effect.Effect<void, unknown>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => uniquePrefix("conn")),
    body,
    (prefix) => Effect.promise(() => deletePrefix(prefix))
  )

describe("redis driver: connections", () => {
  it.live("fails with a typed, readable error when Redis is not reachable", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(redisDriver({ url: "redis://127.0.0.1:1", prefix: "nowhere" })))
      expect(error._tag).toBe("DriverError")
      expect(error.message).toContain("Redis is not reachable at redis://127.0.0.1:1")
    }).pipe(Effect.scoped))

  it.live("rejects a prefix that would break the key scheme with an InvalidOption naming prefix", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(redisDriver({ prefix: "bad prefix}{" })))
      expect(error._tag === "InvalidOption" ? error.option : error._tag).toBe("prefix")
      expect(error.message).toContain("Invalid Redis key prefix")
    }).pipe(Effect.scoped))

  it.live("survives an outage: pushes fail fast with a typed error, nothing pushed before is lost", () =>
    withPrefix((prefix) =>
      Effect.acquireUseRelease(
        Effect.promise(() => startProxy(target.hostname, Number(target.port || 6379))),
        (proxy) => survivesOutage(redisDriver({ url: `redis://127.0.0.1:${proxy.port}`, prefix, commandTimeout: 2_000 }), proxy),
        (proxy) => Effect.promise(() => proxy.close())
      )))

  it.live("keeps working when its connections are killed with CLIENT KILL", () =>
    withPrefix((prefix) =>
      Effect.gen(function*() {
        const queue = yield* JobQueue
        const done = new Set<number>()
        yield* queue.registerJob(Ping, (params) => Effect.sleep(1).pipe(Effect.zipRight(Effect.sync(() => done.add(params.n)))))
        yield* queue.pushMany(Array.from({ length: 300 }, (_, n) => new Ping({ n })))
        yield* until("some jobs to complete", Effect.sync(() => done.size >= 30))
        const admin = new Redis(redisUrl)
        const clients = yield* Effect.promise(() => admin.client("LIST") as Promise<string>)
        const ours = clients.split("\n").filter((line) => line.includes(`name=effect-jobs:`) && line.includes(prefix))
        expect(ours.length).toBe(2)
        for (const line of ours) {
          const id = /\bid=(\d+)/.exec(line)![1]!
          yield* Effect.promise(() => admin.client("KILL", "ID", id))
        }
        admin.disconnect()
        // A claim whose reply died with the connection leaves its jobs leased: they come back after the lease.
        yield* until("every job to complete after the kill", Effect.sync(() => done.size === 300), 30_000)
        const late = yield* queue.push(new Ping({ n: 300 }))
        yield* until("a job pushed after the kill to run", Effect.sync(() => done.has(300)), 10_000)
        expect(late).toBeTypeOf("string")
      }).pipe(Effect.scoped, Effect.provide(JobQueue.layer(redisDriver({ url: redisUrl, prefix }), { concurrency: 10, leaseDuration: "3 seconds" })))
    ))
})
