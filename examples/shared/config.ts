/**
 * Configuration shared by the example processes, read through effect's Config (environment variables).
 */
import { Config, Layer } from "effect"
import { JobQueue, memoryDriver } from "effect-jobs"
import type { JobDriver } from "effect-jobs"
import { postgresDriverConfig } from "effect-jobs/postgres"
import { redisDriverConfig } from "effect-jobs/redis"

const drivers = { memory: memoryDriver, redis: redisDriverConfig, postgres: postgresDriverConfig }

/**
 * The storage chosen at startup: JOBS_DRIVER=memory (default), redis (REDIS_URL, REDIS_PREFIX) or postgres
 * (DATABASE_URL, JOBS_SCHEMA).
 */
export const driverLayer: Layer.Layer<JobDriver, unknown> = Layer.unwrapEffect(
  Config.literal("memory", "redis", "postgres")("JOBS_DRIVER").pipe(
    Config.withDefault("memory" as const),
    Config.map((name): Layer.Layer<JobDriver, unknown> => drivers[name])
  )
)

/** Queue options from JOBS_CONCURRENCY, JOBS_SHUTDOWN_TIMEOUT_MS and JOBS_LEASE_MS. */
export const queueOptions = Config.all({
  concurrency: Config.integer("JOBS_CONCURRENCY").pipe(Config.withDefault(4)),
  shutdownTimeout: Config.integer("JOBS_SHUTDOWN_TIMEOUT_MS").pipe(Config.withDefault(25_000)),
  leaseDuration: Config.integer("JOBS_LEASE_MS").pipe(Config.withDefault(15_000))
})

/** The JobQueue over the configured driver. */
export const JobsLive = JobQueue.layerConfig(driverLayer, queueOptions)
