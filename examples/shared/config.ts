/**
 * Configuration shared by the example processes, read through effect's Config (environment variables).
 */
import { Config, Layer } from "effect"
import { JobQueue, memoryDriver } from "effect-jobs"
import type { JobDriver } from "effect-jobs"

/** The storage chosen at startup: JOBS_DRIVER=memory (default), redis or postgres. */
export const driverLayer: Layer.Layer<JobDriver, unknown> = Layer.unwrapEffect(
  Config.literal("memory")("JOBS_DRIVER").pipe(
    Config.withDefault("memory" as const),
    Config.map(() => memoryDriver)
  )
)

/** Queue options from JOBS_CONCURRENCY and JOBS_SHUTDOWN_TIMEOUT_MS. */
export const queueOptions = Config.all({
  concurrency: Config.integer("JOBS_CONCURRENCY").pipe(Config.withDefault(4)),
  shutdownTimeout: Config.integer("JOBS_SHUTDOWN_TIMEOUT_MS").pipe(Config.withDefault(25_000))
})

/** The JobQueue over the configured driver. */
export const JobsLive = JobQueue.layerConfig(driverLayer, queueOptions)
