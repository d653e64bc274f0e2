/**
 * `effect-jobs/redis`: the Redis driver (ioredis).
 *
 * ```ts
 * JobQueue.layer(redisDriver({ url: "redis://127.0.0.1:6379", prefix: "myapp" }))
 * ```
 *
 * @since 0.1.0
 */
export {
  /**
   * The Redis driver layer.
   *
   * @since 0.1.0
   */
  layer as redisDriver,
  /**
   * The Redis driver layer configured from `REDIS_URL` and `REDIS_PREFIX`.
   *
   * @since 0.1.0
   */
  layerConfig as redisDriverConfig,
  /**
   * Builds the driver in a scope (for composing your own layer).
   *
   * @since 0.1.0
   */
  make as makeRedisDriver,
  type RedisDriverOptions
} from "./RedisDriver.js"
