/**
 * `redisDriverConfig` reads `REDIS_URL` and `REDIS_PREFIX` (default `jobs`).
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Layer } from "effect"
import { Redis } from "ioredis"
import { JobDriver } from "effect-jobs"
import { redisDriverConfig } from "effect-jobs/redis"
import { deletePrefix, redisUrl, uniquePrefix } from "../support/redis.js"

const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

/** Names of the connections the server has open. */
const clientNames = Effect.acquireUseRelease(
  Effect.sync(() => new Redis(redisUrl)),
  (admin) => Effect.promise(() => admin.client("LIST") as Promise<string>),
  (admin) => Effect.sync(() => admin.disconnect())
).pipe(Effect.map((list) => list.split("\n").flatMap((line) => /\bname=(\S+)/.exec(line)?.[1] ?? [])))

describe("redis driver: configured from the environment", () => {
  it.live("keeps its keys under REDIS_PREFIX at REDIS_URL", () => {
    const prefix = uniquePrefix("config")
    return Effect.gen(function*() {
      const driver = Context.get(yield* Layer.build(redisDriverConfig), JobDriver)
      yield* driver.pause
      const admin = new Redis(redisUrl)
      const keys = yield* Effect.promise(() => admin.keys(`{${prefix}}:*`)).pipe(Effect.ensuring(Effect.sync(() => admin.disconnect())))
      expect(keys.length).toBeGreaterThan(0)
    }).pipe(
      withEnv({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix }),
      Effect.scoped,
      Effect.ensuring(Effect.promise(() => deletePrefix(prefix)))
    )
  })

  it.live("uses the prefix jobs when REDIS_PREFIX is not set", () =>
    Effect.gen(function*() {
      yield* Layer.build(redisDriverConfig)
      expect(yield* clientNames).toContain("effect-jobs:commands:jobs")
    }).pipe(withEnv({ REDIS_URL: redisUrl }), Effect.scoped))
})
