/**
 * Which queue the command line operates: `--redis URL [--prefix P]` or `--postgres URL [--schema S]`, else the
 * environment. `JOBS_DRIVER=redis|postgres` picks one of `REDIS_URL` and `DATABASE_URL` (each defaulting to
 * the local server, as the drivers' config layers do); without it `REDIS_URL` wins over `DATABASE_URL` when
 * both are set. `REDIS_PREFIX` and `JOBS_SCHEMA` stand in for `--prefix` and `--schema`.
 *
 * Drivers are loaded on demand, so the command line needs only the client library of the driver it uses.
 * URLs are held as `Redacted` and only ever shown with their password masked.
 *
 * @since 0.1.0
 */
import { Options } from "@effect/cli"
import { Config, Context, Effect, Either, Layer, Option, Redacted } from "effect"
import type { Scope } from "effect"
import { DriverError, type InvalidOption, JobAdmin, type JobAdminShape, type JobDriver } from "../index.js"
import { redactUrl } from "../internal/redact.js"
import { UsageError } from "./errors.js"

/**
 * The connection flags every queue command takes.
 *
 * @since 0.1.0
 */
export const connectionOptions = {
  redis: Options.redacted("redis").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription("Redis URL of the queue (default: REDIS_URL)"),
    Options.optional
  ),
  prefix: Options.text("prefix").pipe(
    Options.withPseudoName("PREFIX"),
    Options.withDescription("Key prefix of the Redis queue (default: REDIS_PREFIX, else jobs)"),
    Options.optional
  ),
  postgres: Options.redacted("postgres").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription("PostgreSQL connection string of the queue (default: DATABASE_URL)"),
    Options.optional
  ),
  schema: Options.text("schema").pipe(
    Options.withPseudoName("SCHEMA"),
    Options.withDescription("Schema of the Postgres queue (default: JOBS_SCHEMA, else effect_jobs)"),
    Options.optional
  )
}

/**
 * The connection flags as parsed.
 *
 * @since 0.1.0
 */
export interface ConnectionFlags {
  readonly redis: Option.Option<Redacted.Redacted<string>>
  readonly prefix: Option.Option<string>
  readonly postgres: Option.Option<Redacted.Redacted<string>>
  readonly schema: Option.Option<string>
}

/**
 * The variables the command line reads, as given (unset ones absent).
 *
 * @since 0.1.0
 */
export interface ConnectionEnv {
  readonly JOBS_DRIVER?: string | undefined
  readonly REDIS_URL?: Redacted.Redacted<string> | undefined
  readonly REDIS_PREFIX?: string | undefined
  readonly DATABASE_URL?: Redacted.Redacted<string> | undefined
  readonly JOBS_SCHEMA?: string | undefined
}

/**
 * The queue to open.
 *
 * @since 0.1.0
 */
export type Target =
  | { readonly driver: "redis"; readonly url: Redacted.Redacted<string>; readonly prefix: string }
  | { readonly driver: "postgres"; readonly url: Redacted.Redacted<string>; readonly schema: string }

const defaultRedisUrl = "redis://127.0.0.1:6379"
const defaultPostgresUrl = "postgres://postgres@127.0.0.1:5432/postgres"

const redis = (url: Redacted.Redacted<string>, flags: ConnectionFlags, env: ConnectionEnv): Either.Either<Target, string> =>
  Option.isSome(flags.schema)
    ? Either.left("--schema applies to a Postgres queue, but the queue chosen is on Redis")
    : Either.right({ driver: "redis", url, prefix: Option.getOrElse(flags.prefix, () => env.REDIS_PREFIX ?? "jobs") })

const postgres = (url: Redacted.Redacted<string>, flags: ConnectionFlags, env: ConnectionEnv): Either.Either<Target, string> =>
  Option.isSome(flags.prefix)
    ? Either.left("--prefix applies to a Redis queue, but the queue chosen is on Postgres")
    : Either.right({
      driver: "postgres",
      url,
      schema: Option.getOrElse(flags.schema, () => env.JOBS_SCHEMA ?? "effect_jobs")
    })

/**
 * The queue the flags and the environment name (see the module description), or why there is none.
 *
 * @since 0.1.0
 */
export const chooseTarget = (flags: ConnectionFlags, env: ConnectionEnv): Either.Either<Target, string> => {
  if (Option.isSome(flags.redis) && Option.isSome(flags.postgres)) {
    return Either.left("Pass either --redis or --postgres, not both")
  }
  if (Option.isSome(flags.redis)) return redis(flags.redis.value, flags, env)
  if (Option.isSome(flags.postgres)) return postgres(flags.postgres.value, flags, env)
  const driver = env.JOBS_DRIVER?.trim()
  if (driver !== undefined && driver !== "") {
    if (driver === "redis") return redis(env.REDIS_URL ?? Redacted.make(defaultRedisUrl), flags, env)
    if (driver === "postgres") return postgres(env.DATABASE_URL ?? Redacted.make(defaultPostgresUrl), flags, env)
    return Either.left(
      `JOBS_DRIVER=${driver} names no queue this command can open: use redis or postgres (a memory queue lives inside its process)`
    )
  }
  if (env.REDIS_URL !== undefined) return redis(env.REDIS_URL, flags, env)
  if (env.DATABASE_URL !== undefined) return postgres(env.DATABASE_URL, flags, env)
  return Either.left("No queue to connect to: pass --redis URL or --postgres URL, or set REDIS_URL or DATABASE_URL")
}

/**
 * Where a target is, fit to print: `redis redis://:***@cache:6379 prefix jobs`.
 *
 * @since 0.1.0
 */
export const describeTarget = (target: Target): string =>
  target.driver === "redis"
    ? `redis ${redactUrl(target.url)} prefix ${target.prefix}`
    : `postgres ${redactUrl(target.url)} schema ${target.schema}`

/** Reads the environment through effect's `Config`, as the drivers' config layers do. */
const connectionEnv: Config.Config<ConnectionEnv> = Config.all({
  JOBS_DRIVER: Config.option(Config.string("JOBS_DRIVER")),
  REDIS_URL: Config.option(Config.redacted("REDIS_URL")),
  REDIS_PREFIX: Config.option(Config.string("REDIS_PREFIX")),
  DATABASE_URL: Config.option(Config.redacted("DATABASE_URL")),
  JOBS_SCHEMA: Config.option(Config.string("JOBS_SCHEMA"))
}).pipe(Config.map((values): ConnectionEnv => ({
  JOBS_DRIVER: Option.getOrUndefined(values.JOBS_DRIVER),
  REDIS_URL: Option.getOrUndefined(values.REDIS_URL),
  REDIS_PREFIX: Option.getOrUndefined(values.REDIS_PREFIX),
  DATABASE_URL: Option.getOrUndefined(values.DATABASE_URL),
  JOBS_SCHEMA: Option.getOrUndefined(values.JOBS_SCHEMA)
})))

/**
 * How long opening the queue may take before the command gives up: a server that does not answer (a
 * firewall dropping packets) fails as fast as one that refuses.
 *
 * @since 0.1.0
 */
export const connectTimeoutMs = 5_000

/** The driver layer of a target, loading only that driver's module (and client library). */
const driverLayer = (target: Target): Layer.Layer<JobDriver, DriverError | InvalidOption> =>
  Layer.unwrapEffect(
    target.driver === "redis"
      ? Effect.promise(() => import("../../drivers/redis/index.js")).pipe(
        Effect.map(({ redisDriver }) => redisDriver({ url: target.url, prefix: target.prefix }))
      )
      : Effect.promise(() => import("../../drivers/postgres/index.js")).pipe(
        Effect.map(({ postgresDriver }) => postgresDriver({ connectionString: target.url, schema: target.schema, poolSize: 2 }))
      )
  )

/**
 * Opens the queue the flags and environment name as a `JobAdmin` for the scope: fails with `UsageError` when
 * they name none, and with `DriverError` when it cannot be reached within `connectTimeoutMs`.
 *
 * @since 0.1.0
 */
export const openAdmin = (
  flags: ConnectionFlags
): Effect.Effect<{ readonly admin: JobAdminShape; readonly target: Target }, UsageError | DriverError | InvalidOption, Scope.Scope> =>
  Effect.gen(function*() {
    const env = yield* connectionEnv.pipe(
      Effect.mapError((error) => new UsageError({ message: `Could not read the environment: ${error.message}` }))
    )
    const target = yield* Either.mapLeft(chooseTarget(flags, env), (message) => new UsageError({ message }))
    const context = yield* Layer.build(JobAdmin.layer(driverLayer(target))).pipe(
      Effect.timeoutFail({
        duration: connectTimeoutMs,
        onTimeout: () =>
          new DriverError({
            driver: target.driver,
            operation: "connect",
            message: `No answer from ${describeTarget(target)} within ${connectTimeoutMs / 1_000} seconds`
          })
      })
    )
    return { admin: Context.get(context, JobAdmin), target }
  })
