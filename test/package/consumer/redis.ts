/**
 * A consumer of the packed `effect-jobs/redis`: constructs the driver's layers (nothing connects).
 */
import { type ConfigError, Layer, Redacted } from "effect"
import { type DriverError, type InvalidOption, type JobDriver, JobQueue } from "effect-jobs"
import { redisDriver, redisDriverConfig } from "effect-jobs/redis"

const driver: Layer.Layer<JobDriver, DriverError | InvalidOption> = redisDriver({
  url: Redacted.make("redis://127.0.0.1:6379"),
  prefix: "consumer"
})
const configured: Layer.Layer<JobDriver, DriverError | InvalidOption | ConfigError.ConfigError> = redisDriverConfig
console.log(`redis layers: ${[JobQueue.layer(driver), JobQueue.layer(configured)].every(Layer.isLayer)}`)
