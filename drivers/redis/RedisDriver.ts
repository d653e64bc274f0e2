/**
 * The Redis driver: every state change is one Lua script (see `scripts/`), wake-ups travel over pub/sub.
 *
 * @since 0.1.0
 */
import { Config, Effect, identity, Layer, Option, PubSub, Redacted, Stream } from "effect"
import type { ConfigError, Scope } from "effect"
import { Redis, ReplyError } from "ioredis"
import {
  ANY_JOB,
  type CancelResult,
  type ClaimedJob,
  type ClaimResult,
  coalescePushes,
  DriverError,
  driverError,
  identifyJobs,
  InvalidOption,
  type JobCounts,
  JobDriver,
  type JobDriverShape,
  optionalNumber,
  type Outcome,
  outcomeError,
  outcomeRunAt,
  pushOutcomeUnknown,
  type PushResult,
  redactUrl,
  reveal
} from "../../src/driver/index.js"
import { makeAdmin, type RunScript } from "./internal/admin.js"
import { jobKey, keyBase, pausedKey, prefixProblem, schedulesKey, wakeupChannel } from "./internal/keys.js"
import { toRecord } from "./internal/records.js"
import { defineScripts } from "./internal/scripts.js"

/**
 * @since 0.1.0
 */
export interface RedisDriverOptions {
  /**
   * Default `redis://127.0.0.1:6379`. Ignored when `client` is given. Errors and logs show it with the
   * password masked.
   */
  readonly url?: string | Redacted.Redacted<string>
  /** Namespaces every key (`{prefix}:...`); queues with different prefixes are independent. */
  readonly prefix: string
  /** Bring your own connection; the driver then leaves it open when its scope closes. */
  readonly client?: Redis
  /** A command that gets no reply within this many milliseconds fails with `DriverError` (default 5000). */
  readonly commandTimeout?: number
}

const defaultUrl = "redis://127.0.0.1:6379"

/** The driver's `DriverError` for `operation`, caused by what ioredis raised. */
const redisError = (operation: string, error: unknown) => driverError("redis", operation, error)

/** Push replies: id, inserted (1 or 0), per job in order. */
const parsePush = (reply: unknown): Array<PushResult> => {
  const values = reply as ReadonlyArray<string | number>
  const results: Array<PushResult> = []
  for (let i = 0; i < values.length; i += 2) results.push({ id: String(values[i]), inserted: Number(values[i + 1]) === 1 })
  return results
}

/** Claim replies (a JSON array): nextRunAt, the count of lost outcomes and their ids, then seven values per job. */
const parseClaim = (encoded: string): ClaimResult => {
  const reply = JSON.parse(encoded) as ReadonlyArray<string | number>
  const lostEnd = 2 + Number(reply[1])
  const lost = reply.slice(2, lostEnd).map(String)
  const jobs: Array<ClaimedJob> = []
  for (let i = lostEnd; i + 6 < reply.length; i += 7) {
    jobs.push({
      id: String(reply[i]),
      name: String(reply[i + 1]),
      payload: String(reply[i + 2]),
      attempt: Number(reply[i + 3]),
      maxAttempts: optionalNumber(reply[i + 4]),
      createdAt: Number(reply[i + 5]),
      runAt: Number(reply[i + 6])
    })
  }
  const next = Number(reply[0])
  return { jobs, nextRunAt: next >= 0 ? next : undefined, lost }
}

/** Outcomes as finish.lua and claim.lua read them: a JSON array of [tag, id, owner, error, runAt]. */
const encodeOutcomes = (outcomes: ReadonlyArray<Outcome>) =>
  JSON.stringify(outcomes.map((outcome) => {
    const runAt = outcomeRunAt(outcome)
    return [outcome._tag, outcome.id, outcome.owner, outcomeError(outcome) ?? "", runAt === undefined ? "" : String(runAt)]
  }))

const clientOptions = (commandTimeout: number, role: string) => ({
  lazyConnect: true,
  connectionName: `effect-jobs:${role}`,
  commandTimeout,
  // A command issued while disconnected fails after one reconnection attempt instead of waiting forever.
  maxRetriesPerRequest: 1,
  retryStrategy: (times: number) => Math.min(100 * times, 2_000)
})

/** Connects a new client and waits until it answers, failing with a readable error. */
const connect = (create: () => Redis, where: string) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const client = create()
        // Connection errors surface as failed commands (DriverError) and ioredis reconnects by itself. A
        // failed first connect only says "Connection is closed"; the last error event says why.
        let lastError: unknown
        const remember = (error: unknown) => {
          lastError = error
        }
        client.on("error", remember)
        try {
          await client.connect()
          client.off("error", remember).on("error", () => undefined)
          return client
        } catch (error) {
          client.disconnect()
          throw lastError ?? error
        }
      },
      catch: (error) => driverError("redis", "connect", error, `Redis is not reachable at ${where}`)
    }),
    (client) => Effect.promise(() => client.quit().catch(() => client.disconnect()))
  )

/**
 * Builds the driver over a connection (and a second one for wake-ups) that live as long as the scope.
 *
 * @since 0.1.0
 */
export const make = (
  options: RedisDriverOptions
): Effect.Effect<JobDriverShape, DriverError | InvalidOption, Scope.Scope> =>
  Effect.gen(function*() {
    const problem = prefixProblem(options.prefix)
    if (problem !== undefined) {
      return yield* new InvalidOption({ option: "prefix", message: problem })
    }
    const url = options.url === undefined ? defaultUrl : reveal(options.url)
    const commandTimeout = options.commandTimeout ?? 5_000
    const base = keyBase(options.prefix)
    const given = options.client
    const client = defineScripts(
      given ?? (yield* connect(() => new Redis(url, clientOptions(commandTimeout, `commands:${options.prefix}`)), redactUrl(url)))
    )
    const subscriber = yield* connect(
      () => {
        const settings = { ...clientOptions(commandTimeout, `wakeups:${options.prefix}`), autoResubscribe: false }
        return given?.duplicate(settings) ?? new Redis(url, settings)
      },
      given === undefined ? redactUrl(url) : "the given client's server"
    )
    const wakeups = yield* PubSub.unbounded<string>()
    const channel = wakeupChannel(base)
    subscriber.on("message", (_channel: string, name: string) => wakeups.unsafeOffer(name))
    // Resubscribing ourselves (autoResubscribe is off) tells us when it is done: only then is a catch-up
    // signal sure to cover pushes made while disconnected. A failed attempt is retried on the next "ready".
    subscriber.on("ready", () => {
      subscriber.subscribe(channel).then(() => wakeups.unsafeOffer(ANY_JOB), () => undefined)
    })
    yield* Effect.tryPromise({ try: () => subscriber.subscribe(channel), catch: (error) => redisError("subscribe", error) })

    const run: RunScript = (operation, args, decode) =>
      Effect.tryPromise({
        try: () => client[operation](base, ...args).then(decode),
        catch: (error) => redisError(operation, error)
      })

    const command = <A>(operation: string, call: () => Promise<A>) =>
      Effect.tryPromise({ try: call, catch: (error) => redisError(operation, error) })

    // Concurrent pushes share one script call. Only an error Redis answered shows the script did not run; a
    // broken connection or a timeout does not.
    const push = coalescePushes(
      (jobs, now) =>
        Effect.tryPromise({ try: () => client.push(base, now, JSON.stringify(jobs)).then(parsePush), catch: identity }),
      (error, jobs) =>
        error instanceof ReplyError
          ? redisError("push", error)
          : pushOutcomeUnknown("redis", redisError("push", error).message, jobs)
    )

    return JobDriver.make({
      name: "redis",
      // Ids are fixed before sending: ioredis re-sends a command whose reply a broken connection lost, and
      // push.lua run twice with the same ids makes one job.
      push: ({ jobs, now }) => push(identifyJobs(jobs, now), now),
      claimRecordsOutcomes: true,
      claim: ({ finishing, leaseMs, limit, names, now, owner }) =>
        run("claim", [
          now,
          limit,
          owner,
          leaseMs,
          finishing?.removeOnComplete === true ? "1" : "0",
          encodeOutcomes(finishing?.outcomes ?? []),
          ...names
        ], parseClaim),
      renew: ({ ids, leaseMs, now, owner }) => run("renew", [now, owner, leaseMs, ...ids], (reply: Array<string>) => reply),
      finish: ({ now, outcomes, removeOnComplete }) =>
        run("finish", [now, removeOnComplete ? "1" : "0", encodeOutcomes(outcomes)], (reply: Array<string>) => reply),
      setProgress: ({ id, owner, progress }) =>
        run("set-progress", [id, owner, progress], (reply) => Number(reply) === 1),
      get: ({ id }) =>
        command("get", () => client.hgetall(jobKey(base, id))).pipe(
          Effect.map((hash) => Object.keys(hash).length === 0 ? Option.none() : Option.some(toRecord(id, hash)))
        ),
      cancel: ({ id, now }) => run("cancel", [id, now], (reply) => String(reply) as CancelResult),
      retry: ({ id, now }) => run("retry", [id, now], (reply) => Number(reply) === 1),
      pause: command("pause", () => client.set(pausedKey(base), "1")).pipe(Effect.asVoid),
      resume: run("resume", [], () => undefined),
      isPaused: command("isPaused", () => client.exists(pausedKey(base))).pipe(Effect.map((count) => count === 1)),
      counts: ({ now }) =>
        run("counts", [now], (reply: Array<number>): JobCounts => ({
          pending: Number(reply[0]),
          delayed: Number(reply[1]),
          active: Number(reply[2]),
          completed: Number(reply[3]),
          failed: Number(reply[4]),
          cancelled: Number(reply[5])
        })),
      prune: (request) =>
        run(
          "prune",
          "keepNewest" in request
            ? [request.state, "beyond", request.keepNewest, request.limit]
            : [request.state, "before", request.finishedBefore, request.limit],
          Number
        ),
      wakeups: Stream.fromPubSub(wakeups),
      pushScheduled: ({ job, now, schedule, slot }) =>
        run("push-slot", [schedulesKey(base), now, schedule, slot, JSON.stringify(job)], (reply) => Number(reply) === 1),
      ...makeAdmin(run)
    })
  })

/**
 * The Redis driver as a layer: `JobQueue.layer(redisDriver({ url, prefix: "myapp" }))`.
 *
 * @since 0.1.0
 */
export const layer = (options: RedisDriverOptions): Layer.Layer<JobDriver, DriverError | InvalidOption> =>
  Layer.scoped(JobDriver, make(options))

/**
 * The Redis driver configured from `REDIS_URL` (default `redis://127.0.0.1:6379`) and `REDIS_PREFIX`
 * (default `jobs`).
 *
 * @since 0.1.0
 */
export const layerConfig: Layer.Layer<JobDriver, DriverError | InvalidOption | ConfigError.ConfigError> = Layer.unwrapEffect(
  Config.all({
    url: Config.redacted("REDIS_URL").pipe(Config.withDefault(Redacted.make(defaultUrl))),
    prefix: Config.string("REDIS_PREFIX").pipe(Config.withDefault("jobs"))
  }).pipe(Effect.map(layer))
)
