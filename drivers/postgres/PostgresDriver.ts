/**
 * The PostgreSQL driver: claims with `FOR UPDATE SKIP LOCKED` in batches, acknowledges in batches, wakes
 * workers with LISTEN/NOTIFY. SQL lives in `sql/` and `migrations/` beside this file; the operating side
 * (listing, bulk changes, schedules, instances) in `internal/admin.ts`.
 *
 * @since 0.1.0
 */
import { Config, Deferred, Duration, Effect, Layer, Option, PubSub, Redacted, Stream } from "effect"
import type { ConfigError, Scope } from "effect"
import pg from "pg"
import {
  ANY_JOB,
  type CancelResult,
  type ClaimedJob,
  DriverError,
  driverError,
  InvalidOption,
  JobDriver,
  type JobDriverShape,
  optionalNumber
} from "../../src/driver/index.js"
import { makeAdmin } from "./internal/admin.js"
import {
  applicationName,
  connectionSettings,
  defaultConnectionString,
  describeTarget
} from "./internal/connection.js"
import { storeOutcomes } from "./internal/finish.js"
import { listen } from "./internal/listen.js"
import { migrate } from "./internal/migrate.js"
import { connectionPlan, withOwnWakeups } from "./internal/pooler.js"
import { makePush, mayHaveRun, ReplyLost, type RunPushQuery } from "./internal/push.js"
import { type StateCountRow, toCounts, toRecord } from "./internal/records.js"
import { loadQueries, type QueryName, schemaProblem, statementName, wakeupChannel } from "./internal/sql.js"

export { wakeupChannel }

/**
 * @since 0.1.0
 */
export interface PostgresDriverOptions {
  /**
   * The database (default `postgres://postgres@127.0.0.1:5432/postgres`). Without it, the driver's own
   * connections (worker pool, LISTEN) copy the settings of `pool`. Errors and logs show it with the
   * password masked.
   */
  readonly connectionString?: string | Redacted.Redacted<string>
  /**
   * A pool of the application's for pushes, reads and migrations; the driver leaves it open. The worker's
   * claims and acknowledgements still use a pool of the driver's, and LISTEN a connection of its own.
   */
  readonly pool?: pg.Pool
  /**
   * The schema holding the queue's tables (created and migrated at start): up to 63 bytes of letters, digits
   * and `_`, not starting with a digit or `pg_`.
   */
  readonly schema: string
  /** Connections in each of the driver's own pools (default 10). */
  readonly poolSize?: number
  /**
   * How long a query on the driver's own connections may take before it fails with `DriverError` and its
   * connection is dropped (default 30 seconds): a server that stops answering without closing the
   * connection cannot stall the worker for longer.
   */
  readonly queryTimeout?: Duration.DurationInput
  /**
   * The pool mode of a connection pooler (PgBouncer) that `connectionString` or `pool` leads to, if any.
   * `"session"`: the worker's settings are SET after connecting instead of sent at startup (poolers refuse
   * startup options). `"transaction"`: also, queries run as unnamed statements, the worker's settings are
   * left at the server's, and only `listenConnectionString` LISTENs.
   */
  readonly pooler?: "session" | "transaction"
  /**
   * A database for the LISTEN connection alone, such as a direct connection past a pooler in transaction
   * mode. Without it the LISTEN connection uses the driver's settings, except with `pooler: "transaction"`:
   * then nothing LISTENs; this instance's own pushes, retries and resumes still wake its workers at once,
   * other processes' pushes are found when the workers poll (`pollInterval`).
   */
  readonly listenConnectionString?: string | Redacted.Redacted<string>
}

/** The driver's `DriverError` for `operation`, caused by what pg raised (its SQLSTATE kept as the cause's `code`). */
const postgresError = (operation: string, error: unknown) => driverError("postgres", operation, error)

interface ClaimRow {
  /** `null` on the extra row that carries `next_run_at` after a short claim. */
  readonly id: string | null
  readonly name: string
  readonly payload: string
  readonly attempts: number
  readonly max_attempts: number | null
  readonly created_at: string
  readonly run_at: string
  readonly priority: number
  readonly seq: string
  readonly next_run_at: string | null
}

/** UPDATE ... RETURNING gives no order: restore priority, run time, push order. */
const claimOrder = (a: ClaimRow, b: ClaimRow) =>
  b.priority - a.priority || Number(a.run_at) - Number(b.run_at) || Number(a.seq) - Number(b.seq)

const toClaimed = (row: ClaimRow & { readonly id: string }): ClaimedJob => ({
  id: row.id,
  name: row.name,
  payload: row.payload,
  attempt: row.attempts,
  maxAttempts: optionalNumber(row.max_attempts),
  createdAt: Number(row.created_at),
  runAt: Number(row.run_at)
})

/**
 * Builds the driver: migrates the schema, opens a pool and a LISTEN connection for the scope's lifetime.
 *
 * @since 0.1.0
 */
export const make = (
  options: PostgresDriverOptions
): Effect.Effect<JobDriverShape, DriverError | InvalidOption, Scope.Scope> =>
  Effect.gen(function*() {
    const problem = schemaProblem(options.schema)
    if (problem !== undefined) {
      return yield* new InvalidOption({ option: "schema", message: problem })
    }
    const { schema } = options
    const settings: pg.ClientConfig = {
      ...connectionSettings(options.connectionString, options.pool),
      keepAlive: true,
      query_timeout: Duration.toMillis(options.queryTimeout ?? "30 seconds")
    }
    const openPool = (poolSettings: pg.PoolConfig) =>
      Effect.acquireRelease(
        Effect.sync(() => {
          const created = new pg.Pool({ ...settings, ...poolSettings })
          // A pooled connection that dies while idle is dropped by the pool; its error is not ours to throw.
          created.on("error", () => undefined)
          return created
        }),
        (created) => Effect.promise(() => created.end())
      )
    const plan = connectionPlan(settings, options.pooler, options.listenConnectionString)
    const size = options.poolSize ?? 10
    const pool = options.pool ?? (yield* openPool({ max: size, application_name: applicationName("push", schema) }))
    // The worker's own connections. Claims, acknowledgements and renewals commit without waiting for the WAL
    // flush: a crash of the server can only forget the last moments of them, which puts jobs back to pending
    // or makes them run again (at-least-once either way); pushes and every other change keep full
    // durability on `pool`. Sorting is priced out so claims always walk jobs_ready in order and stop after
    // the batch, even while the table's statistics lag behind a burst of pushes (a stale estimate otherwise
    // picks a scan of every due job plus a sort). That pricing would trip JIT compilation, hence jit=off.
    // (`connectionPlan` says how these settings reach the server.)
    const workPool = yield* openPool({
      max: size,
      application_name: applicationName("worker", schema),
      ...plan.workerPool
    })
    yield* Effect.tryPromise({
      try: () => migrate(pool, schema),
      catch: (error) =>
        driverError("postgres", "migrate", error, `Could not prepare schema ${schema} at ${describeTarget(settings)}`)
    })
    const queries = loadQueries(schema)
    const channel = wakeupChannel(schema)
    const wakeups = yield* PubSub.unbounded<string>()
    const listenSettings = plan.listen
    if (listenSettings !== undefined) {
      const listening = yield* Deferred.make<void>()
      yield* Effect.forkScoped(
        listen({ ...listenSettings, application_name: applicationName("listen", schema) }, channel, wakeups, listening)
      )
      // Ready only once LISTEN is in place: a job pushed (by anyone) after the layer is built wakes workers.
      yield* Deferred.await(listening).pipe(
        Effect.timeoutFail({
          duration: "10 seconds",
          onTimeout: () =>
            new DriverError({
              driver: "postgres",
              operation: "listen",
              message: `Could not LISTEN at ${describeTarget(listenSettings)}`
            })
        })
      )
    }

    const workQueries = new Set<QueryName>(["claim", "renew", "finish", "set-progress", "prune", "prune-beyond"])
    /** Runs a query; fails with the error pg raised. */
    const send = <Row extends Record<string, unknown>>(name: QueryName, values: ReadonlyArray<unknown>) =>
      Effect.tryPromise({
        try: () =>
          // Named where the plan allows, so each connection plans a statement once and reuses the plan.
          (workQueries.has(name) ? workPool : pool).query<Row>({
            ...(plan.namedStatements ? { name: statementName(schema, name) } : {}),
            text: queries.get(name)!,
            values: values as Array<unknown>
          }).then((result) => result.rows),
        catch: (error) => error
      })
    const query = <Row extends Record<string, unknown>>(name: QueryName, values: ReadonlyArray<unknown>) =>
      Effect.mapError(send<Row>(name, values), (error) => postgresError(name, error))
    // A push query that may have run without its reply arriving is sent again (push.ts): it cannot duplicate.
    const pushQuery: RunPushQuery<DriverError | ReplyLost> = (name, values) =>
      Effect.mapError(send(name, values), (error) =>
        mayHaveRun(error) ? new ReplyLost({ error: postgresError(name, error) }) : postgresError(name, error))
    const push = makePush(pushQuery, channel)

    // The claim records no outcomes itself: `JobDriver.make` records the ones a claim carries with `finish`
    // first, and claims only if that succeeded, so no job is left leased to a worker that never heard of it.
    const driver = JobDriver.make({
      name: "postgres",
      push,
      claim: ({ leaseMs, limit, names, now, owner }) =>
        query<ClaimRow & Record<string, unknown>>("claim", [names, now, limit, owner, leaseMs]).pipe(Effect.map((rows) => {
          const next = rows.find((row) => row.id === null)
          const jobs = rows.filter((row): row is typeof row & { id: string } => row.id !== null).sort(claimOrder).map(toClaimed)
          return { jobs, nextRunAt: optionalNumber(next?.next_run_at) }
        })),
      renew: ({ ids, leaseMs, now, owner }) =>
        query<{ id: string }>("renew", [ids, owner, now + leaseMs]).pipe(
          Effect.map((rows) => {
            const held = new Set(rows.map((row) => row.id))
            return ids.filter((id) => !held.has(id))
          })
        ),
      finish: ({ now, outcomes, removeOnComplete }) =>
        storeOutcomes((values) => send<{ id: string }>("finish", values), outcomes, now, removeOnComplete, channel).pipe(
          Effect.mapError((error) => postgresError("finish", error))
        ),
      setProgress: ({ id, owner, progress }) =>
        query("set-progress", [id, owner, progress]).pipe(Effect.map((rows) => rows.length === 1)),
      get: ({ id }) => query("get", [id]).pipe(Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), toRecord))),
      cancel: ({ id, now }) =>
        query<{ state: string }>("cancel", [id, now]).pipe(
          Effect.map(([row]): CancelResult =>
            row === undefined ? "not-found" : row.state === "pending" || row.state === "active" ? "cancelled" : "finished"
          )
        ),
      retry: ({ id, now }) =>
        query("retry", [id, now, channel]).pipe(Effect.map((rows) => rows.length === 1)),
      pause: query("set-paused", [true, channel, ANY_JOB]).pipe(Effect.asVoid),
      resume: query("set-paused", [false, channel, ANY_JOB]).pipe(Effect.asVoid),
      isPaused: query<{ paused: boolean }>("is-paused", []).pipe(Effect.map((rows) => rows[0]?.paused === true)),
      counts: ({ now }) => query<StateCountRow & Record<string, unknown>>("counts", [now]).pipe(Effect.map(toCounts)),
      prune: (request) =>
        ("keepNewest" in request
          ? query<{ removed: string }>("prune-beyond", [request.state, request.keepNewest, request.limit])
          : query<{ removed: string }>("prune", [request.state, request.finishedBefore, request.limit])).pipe(
            Effect.map(([row]) => Number(row?.removed ?? 0))
          ),
      wakeups: Stream.fromPubSub(wakeups),
      pushScheduled: ({ job, now, schedule, slot }) =>
        query<{ taken: boolean }>("push-slot", [
          schedule,
          slot,
          job.id,
          job.name,
          job.payload,
          job.priority,
          job.runAt,
          job.maxAttempts ?? null,
          now,
          channel
        ]).pipe(Effect.map((rows) => rows[0]?.taken === true)),
      ...makeAdmin(query, channel)
    })
    return plan.listen === undefined ? withOwnWakeups(driver, wakeups) : driver
  })

/**
 * The Postgres driver as a layer: `JobQueue.layer(postgresDriver({ connectionString, schema: "jobs" }))`.
 *
 * @since 0.1.0
 */
export const layer = (options: PostgresDriverOptions): Layer.Layer<JobDriver, DriverError | InvalidOption> =>
  Layer.scoped(JobDriver, make(options))

/**
 * The Postgres driver configured from `DATABASE_URL` and `JOBS_SCHEMA` (default `effect_jobs`).
 *
 * @since 0.1.0
 */
export const layerConfig: Layer.Layer<JobDriver, DriverError | InvalidOption | ConfigError.ConfigError> = Layer.unwrapEffect(
  Config.all({
    connectionString: Config.redacted("DATABASE_URL").pipe(Config.withDefault(Redacted.make(defaultConnectionString))),
    schema: Config.string("JOBS_SCHEMA").pipe(Config.withDefault("effect_jobs"))
  }).pipe(Effect.map(layer))
)
