/**
 * Pushing jobs inside the application's own transaction: the jobs become visible (and workers are woken)
 * only if the transaction commits; a rollback leaves nothing.
 *
 * @since 0.1.0
 */
import { Clock, Effect } from "effect"
import type pg from "pg"
import { DriverError, InvalidJobParameters, type PushError } from "../../src/JobErrors.js"
import { type JobParametersInstance, schemaOf } from "../../src/JobParameters.js"
import { encodeJob, type PushOptions } from "../../src/internal/encode.js"
import { identifyJobs } from "../../src/internal/ids.js"
import { wakeupChannel } from "./PostgresDriver.js"
import { pushJobs, type RunPushQuery } from "./internal/push.js"
import { loadQueries, schemaProblem } from "./internal/sql.js"

/**
 * @since 0.1.0
 */
export interface TransactionalPushOptions {
  /** The queue's schema, as given to `postgresDriver`. */
  readonly schema: string
  /** Largest encoded payload accepted (default 1 MiB, as the queue's default). */
  readonly maxPayloadBytes?: number
}

/**
 * Validates and encodes `params` like `JobQueue.push`, then inserts them with `client`, which the caller has
 * put in a transaction (`BEGIN` ... `COMMIT`). Returns the job ids in order.
 *
 * ```ts
 * await client.query("BEGIN")
 * await client.query("INSERT INTO users ...")
 * await Effect.runPromise(pushInTransaction(client, { schema: "myapp_jobs" }, [new SendEmail({ ... })]))
 * await client.query("COMMIT")
 * ```
 *
 * @since 0.1.0
 */
export const pushInTransaction = (
  client: pg.ClientBase,
  options: TransactionalPushOptions,
  params: ReadonlyArray<JobParametersInstance>,
  pushOptions: PushOptions = {}
): Effect.Effect<ReadonlyArray<string>, PushError> =>
  Effect.gen(function*() {
    const problem = schemaProblem(options.schema)
    if (problem !== undefined) return yield* new DriverError({ driver: "postgres", operation: "push", message: problem })
    const now = yield* Clock.currentTimeMillis
    const jobs = yield* Effect.forEach(params, (value) => {
      const schema = schemaOf(value)
      return schema === undefined
        ? Effect.fail(new InvalidJobParameters({ jobName: value.constructor.name, message: "Not an instance of a JobParameters class" }))
        : encodeJob(schema, value, pushOptions, now, options.maxPayloadBytes ?? 1024 * 1024)
    })
    if (jobs.length === 0) return []
    const queries = loadQueries(options.schema)
    const run: RunPushQuery = (name, values) =>
      Effect.tryPromise({
        try: () => client.query(queries.get(name)!, values as Array<unknown>).then((result) => result.rows),
        catch: (error) =>
          new DriverError({ driver: "postgres", operation: "push", message: error instanceof Error ? error.message : String(error) })
      })
    const results = yield* pushJobs(run, identifyJobs(jobs.map((job) => job.job), now), now, wakeupChannel(options.schema))
    return results.map((result) => result.id)
  })
