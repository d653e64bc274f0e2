/**
 * A consumer of the packed `effect-jobs/postgres`: constructs the driver's layers (nothing connects).
 */
import { type ConfigError, Layer } from "effect"
import { type DriverError, type InvalidOption, type JobDriver, JobQueue } from "effect-jobs"
import { postgresDriver, postgresDriverConfig, pushInTransaction } from "effect-jobs/postgres"

const driver: Layer.Layer<JobDriver, DriverError | InvalidOption> = postgresDriver({
  connectionString: "postgres://postgres@127.0.0.1:5432/app",
  schema: "consumer_jobs"
})
const configured: Layer.Layer<JobDriver, DriverError | InvalidOption | ConfigError.ConfigError> = postgresDriverConfig
const layers = [JobQueue.layer(driver), JobQueue.layer(configured)]
console.log(`postgres layers: ${layers.every(Layer.isLayer) && typeof pushInTransaction === "function"}`)
