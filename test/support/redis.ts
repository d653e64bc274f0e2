/**
 * Redis for tests: a driver under a fresh key prefix that is deleted when the layer's scope closes.
 */
import { Effect, Layer } from "effect"
import { Redis } from "ioredis"
import { redisDriver } from "../../drivers/redis/index.js"

export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"

/** A prefix no other test uses. */
export const uniquePrefix = (label = "test") => `${label}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`

/** Deletes every key under `prefix` (the driver's keys all start with `{prefix}:`). */
export const deletePrefix = async (prefix: string): Promise<void> => {
  const admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    await admin.connect()
    let cursor = "0"
    do {
      const [next, keys] = await admin.scan(cursor, "MATCH", `{${prefix}}:*`, "COUNT", 1000)
      cursor = next
      if (keys.length > 0) await admin.del(...keys)
    } while (cursor !== "0")
  } finally {
    admin.disconnect()
  }
}

/** Fails with a message that says how to start Redis when it does not answer. */
const unreachable = (error: unknown) =>
  new Error(
    `Redis is not reachable at ${redisUrl} (set REDIS_URL, or start it with: redis-server --daemonize yes ` +
      `--port 6379 --save "" --appendonly no): ${String(error)}`
  )

/** The Redis driver under a fresh prefix, removed when the layer's scope closes. */
export const redisTestDriver = (prefix = uniquePrefix()) =>
  Layer.scopedContext(
    Effect.gen(function*() {
      yield* Effect.addFinalizer(() => Effect.promise(() => deletePrefix(prefix)))
      return yield* Layer.build(redisDriver({ url: redisUrl, prefix })).pipe(Effect.mapError(unreachable))
    })
  )
