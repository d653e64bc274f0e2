/**
 * Pushing jobs inside the application's own transaction: the jobs become visible (and workers are woken)
 * only if the transaction commits; a rollback leaves nothing.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import type pg from "pg"
import { driverError, identifyJobs, InvalidOption, makePushPipeline } from "../../src/driver/index.js"
import type { PushError } from "../../src/QueueErrors.js"
import type { JobMiddleware } from "../../src/JobMiddleware.js"
import type { JobParametersInstance } from "../../src/JobParameters.js"
import type { PushOptions } from "../../src/JobQueue.js"
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
  /** Middleware whose `push` hooks wrap the write, as the queue's `middleware` option does for its pushes. */
  readonly middleware?: ReadonlyArray<JobMiddleware>
}

/**
 * Validates and encodes `params` like `JobQueue.pushMany` (the same checks, limits, batch rules and push
 * middleware), then inserts them with `client`, which the caller has put in a transaction (`BEGIN` ...
 * `COMMIT`). Returns the job ids in order.
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
): Effect.Effect<ReadonlyArray<string>, PushError | InvalidOption> =>
  Effect.suspend((): Effect.Effect<ReadonlyArray<string>, PushError | InvalidOption> => {
    const problem = schemaProblem(options.schema)
    if (problem !== undefined) {
      return Effect.fail(new InvalidOption({ option: "schema", message: problem }))
    }
    const queries = loadQueries(options.schema)
    const channel = wakeupChannel(options.schema)
    const run: RunPushQuery = (name, values) =>
      Effect.tryPromise({
        try: () => client.query(queries.get(name)!, values as Array<unknown>).then((result) => result.rows),
        catch: (error) => driverError("postgres", "push", error)
      })
    const pipeline = makePushPipeline({ maxPayloadBytes: options.maxPayloadBytes, middleware: options.middleware })
    return pipeline.pushMany(params, pushOptions, ({ jobs, now }) => pushJobs(run, identifyJobs(jobs, now), now, channel))
  })
