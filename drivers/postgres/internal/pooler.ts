/**
 * How the driver's connections adapt to a connection pooler such as PgBouncer between the driver and the
 * server. A pooler refuses the startup `options` the worker's connections use; in transaction mode it also
 * hands each transaction to whichever server connection is free, so neither a named prepared statement nor
 * a LISTEN outlives the statement that made it.
 */
import { Effect, type PubSub, type Redacted } from "effect"
import type pg from "pg"
import { ANY_JOB, type JobDriverShape, type Outcome, reveal } from "../../../src/driver/index.js"
import { withServerOptions } from "./connection.js"

/** The pool mode of the pooler the driver's connections go through (none by default). */
type Pooler = "session" | "transaction"

/**
 * What the worker's connections run with. Claims, acknowledgements and renewals commit without waiting for
 * the WAL flush; sorting is priced out so claims walk `jobs_ready` in order even on stale statistics, and
 * JIT compilation, which that pricing would trip, is off.
 */
const workerSettings: ReadonlyArray<readonly [name: string, value: string]> = [
  ["synchronous_commit", "off"],
  ["enable_sort", "off"],
  ["jit", "off"]
]

/** How the driver connects for one pooler setting. */
interface ConnectionPlan {
  /** Queries run as named prepared statements, planned once per connection; otherwise as unnamed ones. */
  readonly namedStatements: boolean
  /** What the worker's pool adds to the driver's settings to apply `workerSettings`. */
  readonly workerPool: Pick<pg.PoolConfig, "options" | "onConnect">
  /** The LISTEN connection's settings, or `undefined` when nothing LISTENs (workers then poll). */
  readonly listen: pg.ClientConfig | undefined
}

/**
 * The plan for `pooler`: directly, the worker's settings are startup options; behind a pooler in session mode
 * they are SET on each new connection before its first use (it keeps its server connection); in
 * transaction mode they are left out (a SET would stay on a server connection other clients then use),
 * statements are unnamed, and only `listenConnectionString` (a connection past the pooler) can LISTEN.
 */
export const connectionPlan = (
  settings: pg.ClientConfig,
  pooler: Pooler | undefined,
  listenConnectionString: string | Redacted.Redacted<string> | undefined
): ConnectionPlan => {
  const listen: pg.ClientConfig | undefined = listenConnectionString !== undefined
    ? {
      connectionString: reveal(listenConnectionString),
      connectionTimeoutMillis: settings.connectionTimeoutMillis ?? 5_000,
      keepAlive: true
    }
    : pooler === "transaction"
    ? undefined
    : settings
  if (pooler === undefined) {
    const options = workerSettings.map(([name, value]) => `-c ${name}=${value}`).join(" ")
    return { namedStatements: true, workerPool: { options: withServerOptions(settings, options) }, listen }
  }
  const setup = workerSettings.map(([name, value]) => `SET ${name} = ${value}`).join("; ")
  return {
    namedStatements: pooler === "session",
    workerPool: pooler === "session"
      // Awaited by the pool before the connection's first use. The settings only make the worker faster,
      // so a server that refuses one still gets the connection.
      ? { onConnect: (client) => client.query(setup).then(() => undefined, () => undefined) }
      : {},
    listen
  }
}

const returnsToPending = (outcomes: ReadonlyArray<Outcome>) =>
  outcomes.some((outcome) => outcome._tag === "Retry" || outcome._tag === "Released")

/**
 * Without LISTEN, a driver still hears its own changes: jobs it pushes, retries (one or in bulk), puts back
 * to pending, or a resume wake this instance's workers at once; changes made by other processes wait for the
 * workers' poll.
 */
export const withOwnWakeups = (driver: JobDriverShape, wakeups: PubSub.PubSub<string>): JobDriverShape => {
  const wake = (name: string) => Effect.sync(() => wakeups.unsafeOffer(name))
  return {
    ...driver,
    push: (request) =>
      Effect.tap(driver.push(request), (results) =>
        Effect.forEach(
          new Set(request.jobs.filter((_, index) => results[index]?.inserted === true).map((job) => job.name)),
          wake,
          { discard: true }
        )),
    finish: (request) =>
      Effect.tap(driver.finish(request), () => returnsToPending(request.outcomes) ? wake(ANY_JOB) : Effect.void),
    retry: (request) => Effect.tap(driver.retry(request), (moved) => moved ? wake(ANY_JOB) : Effect.void),
    retryAll: (request) => Effect.tap(driver.retryAll(request), ({ changed }) => changed > 0 ? wake(ANY_JOB) : Effect.void),
    resume: Effect.tap(driver.resume, () => wake(ANY_JOB)),
    pushScheduled: (request) =>
      Effect.tap(driver.pushScheduled(request), (taken) => taken ? wake(request.job.name) : Effect.void)
  }
}
