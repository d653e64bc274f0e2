/**
 * `effect-jobs/postgres`: the PostgreSQL driver (pg).
 *
 * ```ts
 * JobQueue.layer(postgresDriver({ connectionString: process.env.DATABASE_URL, schema: "myapp_jobs" }))
 * ```
 *
 * @since 0.1.0
 */
export {
  /**
   * The Postgres driver layer.
   *
   * @since 0.1.0
   */
  layer as postgresDriver,
  /**
   * The Postgres driver layer configured from `DATABASE_URL` and `JOBS_SCHEMA`.
   *
   * @since 0.1.0
   */
  layerConfig as postgresDriverConfig,
  /**
   * Builds the driver in a scope (for composing your own layer).
   *
   * @since 0.1.0
   */
  make as makePostgresDriver,
  type PostgresDriverOptions
} from "./PostgresDriver.js"

export {
  /**
   * Pushes jobs with a `pg` client inside the application's own transaction.
   *
   * @since 0.1.0
   */
  pushInTransaction,
  type TransactionalPushOptions
} from "./TransactionalPush.js"
