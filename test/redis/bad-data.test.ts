/**
 * The Redis driver with data damaged behind its back: the damaged job fails (or is skipped) with a readable
 * error and the worker goes on.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { Redis } from "ioredis"
import { JobParameters, JobQueue } from "effect-jobs"
import { redisDriver } from "effect-jobs/redis"
import { until } from "../support/outage.js"
import { deletePrefix, redisUrl, uniquePrefix } from "../support/redis.js"

class Order extends JobParameters<Order>()("Order", { sku: Schema.String, quantity: Schema.Number }) {}

describe("redis driver: bad data", () => {
  it.live("a corrupted payload fails that job, a vanished job is skipped, the rest run", () => {
    const prefix = uniquePrefix("bad")
    return Effect.gen(function*() {
      const queue = yield* JobQueue
      const [corrupted, vanished, ...healthy] = yield* queue.pushMany(
        Array.from({ length: 5 }, (_, n) => new Order({ sku: `sku-${n}`, quantity: n }))
      )
      const admin = new Redis(redisUrl)
      yield* Effect.promise(() => admin.hset(`{${prefix}}:job:${corrupted}`, "payload", "\u0000garbage{"))
      yield* Effect.promise(() => admin.del(`{${prefix}}:job:${vanished}`))
      admin.disconnect()
      const done: Array<string> = []
      yield* queue.registerJob(Order, (params) => Effect.sync(() => done.push(params.sku)))
      yield* until("the healthy jobs to run", Effect.sync(() => done.length === healthy.length))
      const failed = Option.getOrThrow(yield* queue.get(corrupted!))
      expect(failed.state).toBe("failed")
      expect(Option.getOrThrow(failed.lastError)).toContain("does not decode: payload is not JSON")
      expect(Option.isNone(yield* queue.get(vanished!))).toBe(true)
      expect(done.sort()).toEqual(["sku-2", "sku-3", "sku-4"])
      expect((yield* queue.counts).pending).toBe(0)
    }).pipe(
      Effect.scoped,
      Effect.provide(JobQueue.layer(redisDriver({ url: redisUrl, prefix }))),
      Effect.ensuring(Effect.promise(() => deletePrefix(prefix)))
    )
  })
})
