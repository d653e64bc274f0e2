/**
 * `effect-jobs` as a real process against Redis and Postgres: each scenario runs on both drivers, in a key
 * prefix or schema of its own, next to a `JobQueue` in this process that pushes and runs the jobs the
 * commands look at. Commands that only read run side by side.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Context, Cron, Effect, Either, Exit, Layer, Option, Schema, Scope } from "effect"
import {
  HandlerError,
  JobDriver,
  type JobDriverShape,
  JobParameters,
  JobQueue,
  type JobQueueOptions,
  type JobState
} from "effect-jobs"
import { type AddressInfo, createServer, type Server } from "node:net"
import { databaseUrl, postgresTestDriver, sql, uniqueSchema } from "../support/postgres.js"
import { deletePrefix, redisTestDriver, redisUrl, uniquePrefix } from "../support/redis.js"
import { type Build, buildCli, described, jsonOf, type Run, runCli } from "./support.js"

class Charge extends JobParameters<Charge>()("CliCharge", { order: Schema.String }) {}
class Idle extends JobParameters<Idle>()("CliIdle", { n: Schema.Number }) {}
class Nightly extends JobParameters<Nightly>()("CliNightly", {}) {}

let build: Build
beforeAll(() => {
  build = buildCli()
}, 180_000)
afterAll(() => build?.remove())

const drivers = [
  {
    name: "redis",
    open: () => {
      const prefix = uniquePrefix("cli")
      return { layer: redisTestDriver(prefix), flags: ["--redis", redisUrl, "--prefix", prefix], where: `prefix ${prefix}` }
    }
  },
  {
    name: "postgres",
    open: () => {
      const schema = uniqueSchema("cli")
      return { layer: postgresTestDriver(schema), flags: ["--postgres", databaseUrl, "--schema", schema], where: `schema ${schema}` }
    }
  }
] as const

const queueOptions: JobQueueOptions = {
  concurrency: 2,
  releaseSignals: [],
  shutdownTimeout: "2 seconds",
  pollInterval: "100 millis",
  heartbeatInterval: "200 millis"
}

/** Runs the command line; `flags` (the queue's) go after the command and its arguments. */
const cli = (args: ReadonlyArray<string>, flags: ReadonlyArray<string> = [], env?: Record<string, string>) =>
  Effect.promise(() => runCli(build, [...args, ...flags], env))

/** Asserts how a run ended: its exit code and, for a failure, one line on stderr matching `reason`. */
const expectExit = (run: Run, code: number, reason?: RegExp) => {
  assert.strictEqual(run.code, code, described(run))
  if (reason !== undefined) {
    assert.match(run.stderr, /^effect-jobs: [^\n]+\n$/, described(run))
    assert.match(run.stderr, reason, described(run))
  }
}

/** Repeats `read` until `done` holds, failing after `timeoutMs`. */
const eventually = <A, E>(label: string, read: Effect.Effect<A, E>, done: (value: A) => boolean, timeoutMs = 20_000) =>
  Effect.gen(function*() {
    for (;;) {
      const value = yield* read
      if (done(value)) return value
      yield* Effect.sleep("50 millis")
    }
  }).pipe(Effect.timeoutFail({ duration: timeoutMs, onTimeout: () => new Error(`Timed out waiting for ${label}`) }))

const stateOf = (state: JobState) => (info: Option.Option<{ readonly state: JobState }>) =>
  Option.isSome(info) && info.value.state === state

/** Pushes `count` jobs named `name` and ends them as `outcome` says, all at `at` (as the driver is told). */
const finishAt = (driver: JobDriverShape, name: string, count: number, at: number, outcome: "Completed" | "Failed") =>
  Effect.gen(function*() {
    const jobs = Array.from({ length: count }, (_, n) => ({ name, payload: JSON.stringify({ n }), priority: 0, runAt: at }))
    yield* driver.push({ jobs, now: at })
    const claimed = yield* driver.claim({ names: [name], limit: count, owner: "cli-test", leaseMs: 60_000, now: at })
    yield* driver.finish({
      outcomes: claimed.jobs.map((job) =>
        outcome === "Completed"
          ? { _tag: "Completed" as const, id: job.id, owner: "cli-test" }
          : { _tag: "Failed" as const, id: job.id, owner: "cli-test", error: "boom" }
      ),
      removeOnComplete: false,
      now: at
    })
  })

describe.each(drivers)("effect-jobs on $name", ({ open }) => {
  /** A fresh queue (removed with the test's scope), its driver, and the flags that name it. */
  const openQueue = Effect.gen(function*() {
    const { flags, layer, where } = open()
    const driver = Context.get(yield* Layer.build(layer), JobDriver)
    const queue = yield* JobQueue.make(queueOptions).pipe(Effect.provideService(JobDriver, driver))
    return { driver, queue, flags, where }
  })

  it.scopedLive("status, list and show a failed job; retry it and it completes", () =>
    Effect.gen(function*() {
      const { flags, queue, where } = yield* openQueue
      const failing = yield* Scope.make()
      yield* queue.registerJob(Charge, () => Effect.fail(HandlerError.permanent("card declined by the bank")))
        .pipe(Scope.extend(failing))
      const id = yield* queue.push(new Charge({ order: "A-1" }))
      const soon = yield* queue.push(new Idle({ n: 1 }), { delay: "1 hour" })
      const later = yield* queue.push(new Idle({ n: 2 }), { delay: "2 hours" })
      yield* eventually("the charge to fail", queue.get(id), stateOf("failed"))
      yield* Scope.close(failing, Exit.void)

      const [statusJson, statusText, listText, firstPage, showText, showJson] = yield* Effect.all([
        cli(["status", "--json"], flags),
        cli(["status"], flags),
        cli(["list", "failed"], flags),
        cli(["list", "pending", "--limit", "1", "--json"], flags),
        cli(["show", id], flags),
        cli(["show", id, "--json"], flags)
      ], { concurrency: "unbounded" })

      const status = jsonOf(statusJson)
      assert.strictEqual(status.paused, false)
      assert.deepStrictEqual(status.counts, { pending: 2, delayed: 2, active: 0, completed: 0, failed: 1, cancelled: 0 })
      assert.deepStrictEqual(status.names.map((entry: any) => [entry.name, entry.counts.failed, entry.counts.pending]), [
        ["CliCharge", 1, 0],
        ["CliIdle", 0, 2]
      ])
      expectExit(statusText, 0)
      assert.include(statusText.stdout, `${where}: running`)
      assert.match(statusText.stdout, /^failed +1/m)
      assert.match(statusText.stdout, /^pending +2 +\(2 delayed\)/m)
      assert.match(statusText.stdout, /^CliIdle +2 +2 +0 +0 +0 +0$/m)

      expectExit(listText, 0)
      assert.match(listText.stdout, new RegExp(`^${id} +CliCharge +1 .*card declined by the bank`, "m"))
      assert.include(listText.stdout, "1 failed job")

      const page = jsonOf(firstPage)
      assert.deepStrictEqual(page.jobs.map((job: any) => job.id), [later])
      assert.isString(page.next)
      const rest = jsonOf(yield* cli(["list", "pending", "--limit", "1", "--after", page.next, "--json"], flags))
      assert.deepStrictEqual(rest.jobs.map((job: any) => [job.id, job.payload.n]), [[soon, 1]])
      assert.isNull(rest.next)

      expectExit(showText, 0)
      for (const part of [`Job ${id}`, "state       failed", "card declined by the bank", `"order": "A-1"`, "lease       -"]) {
        assert.include(showText.stdout, part)
      }
      const shown = jsonOf(showJson)
      assert.deepInclude(shown, { id, name: "CliCharge", state: "failed", attempts: 1, leaseOwner: null })
      assert.include(shown.lastError, "card declined by the bank")
      assert.deepInclude(shown.payload, { order: "A-1" })

      const retried = yield* cli(["retry", id], flags)
      expectExit(retried, 0)
      assert.include(retried.stdout, "pending again")
      assert.isTrue(stateOf("pending")(yield* queue.get(id)))
      yield* queue.registerJob(Charge, () => Effect.void)
      const done = yield* eventually("the retried charge to complete", queue.get(id), stateOf("completed"))
      assert.strictEqual(Option.getOrThrow(done).attempts, 1)
    }), 120_000)

  it.scopedLive("cancel, remove, retry --all-failed, pause and resume, clean, and exit 1 for what does not exist", () =>
    Effect.gen(function*() {
      const { driver, flags, queue } = yield* openQueue
      const id = yield* queue.push(new Idle({ n: 1 }))
      const now = Date.now()
      yield* finishAt(driver, "CliOld", 2, now - 2 * 86_400_000, "Completed")
      yield* finishAt(driver, "CliOld", 1, now, "Completed")
      yield* finishAt(driver, "CliBroken", 3, now, "Failed")
      yield* finishAt(driver, "CliOther", 1, now, "Failed")

      const cancelled = yield* cli(["cancel", id], flags)
      expectExit(cancelled, 0)
      assert.isTrue(stateOf("cancelled")(yield* queue.get(id)))

      const [again, retryMissing, removeMissing, scheduleMissing, cleaned, paused, retriedAll] = yield* Effect.all([
        cli(["cancel", id], flags),
        cli(["retry", "no-such-job"], flags),
        cli(["remove", "no-such-job"], flags),
        cli(["schedules", "remove", "no-such-schedule"], flags),
        cli(["clean", "--state", "completed", "--older-than", "1d", "--json"], flags),
        cli(["pause"], flags),
        cli(["retry", "--all-failed", "--name", "CliBroken", "--json"], flags)
      ], { concurrency: "unbounded" })
      expectExit(again, 1, /Job \S+ is cancelled already/)
      expectExit(retryMissing, 1, /No job with id "no-such-job"/)
      expectExit(removeMissing, 1, /No job with id "no-such-job"/)
      expectExit(scheduleMissing, 1, /No schedule with key "no-such-schedule"/)
      assert.deepStrictEqual(jsonOf(cleaned), { removed: 2 })
      expectExit(paused, 0)
      assert.isTrue(yield* queue.isPaused)
      assert.deepStrictEqual(jsonOf(retriedAll), { retried: 3 })

      const whilePaused = jsonOf(yield* cli(["status", "--json"], flags))
      assert.strictEqual(whilePaused.paused, true)
      assert.deepInclude(whilePaused.counts, { completed: 1, cancelled: 1, failed: 1, pending: 3 })

      const [resumed, removed] = yield* Effect.all([cli(["resume"], flags), cli(["remove", id], flags)], {
        concurrency: "unbounded"
      })
      expectExit(resumed, 0)
      expectExit(removed, 0)
      assert.isFalse(yield* queue.isPaused)
      assert.isTrue(Option.isNone(yield* queue.get(id)))
      expectExit(yield* cli(["show", id], flags), 1, new RegExp(`No job with id "${id}"`))
    }), 120_000)

  it.scopedLive("schedules with their next slot, instances with a running queue's heartbeat, schedules remove", () =>
    Effect.gen(function*() {
      const { driver, flags, queue } = yield* openQueue
      yield* queue.registerJob(Charge, () => Effect.void)
      yield* queue.schedule(new Nightly(), "0 3 * * *", { key: "nightly", timeZone: "Europe/Paris" })
      yield* eventually("the schedule to be registered", driver.schedules, (found) =>
        found.some((schedule) => schedule.schedule === "nightly" && schedule.cron !== undefined))
      yield* eventually("a heartbeat with the handler", Effect.suspend(() => driver.instances({ now: Date.now() })), (found) =>
        found.some((instance) => instance.names.includes("CliCharge")))

      const before = Date.now()
      const [schedulesJson, schedulesText, instancesJson, instancesText] = yield* Effect.all([
        cli(["schedules", "--json"], flags),
        cli(["schedules"], flags),
        cli(["instances", "--json"], flags),
        cli(["instances"], flags)
      ], { concurrency: "unbounded" })

      const [nightly] = jsonOf(schedulesJson)
      assert.deepInclude(nightly, { schedule: "nightly", name: "CliNightly", cron: "0 3 * * *", timeZone: "Europe/Paris" })
      const cron = Either.getOrThrow(Cron.parse("0 3 * * *", "Europe/Paris"))
      assert.strictEqual(Date.parse(nightly.nextSlot), Cron.next(cron, before).getTime())
      expectExit(schedulesText, 0)
      assert.match(schedulesText.stdout, /^nightly +CliNightly +0 3 \* \* \* +Europe\/Paris /m)

      const instances = jsonOf(instancesJson)
      const mine = instances.filter((instance: any) => instance.pid === process.pid)
      assert.strictEqual(mine.length, 1, described(instancesJson))
      assert.deepInclude(mine[0], { concurrency: 2 })
      assert.include(mine[0].names, "CliCharge")
      expectExit(instancesText, 0)
      assert.include(instancesText.stdout, mine[0].id)

      expectExit(yield* cli(["schedules", "remove", "nightly"], flags), 0)
      expectExit(yield* cli(["schedules", "remove", "nightly"], flags), 1, /No schedule with key "nightly"/)
      assert.deepStrictEqual(jsonOf(yield* cli(["schedules", "--json"], flags)), [])
    }), 120_000)
})

describe("effect-jobs usage", () => {
  /** One line on stderr that names the problem, nothing on stdout. */
  const expectUsage = (run: Run, reason: RegExp) => {
    expectExit(run, 2, reason)
    assert.strictEqual(run.stdout, "", described(run))
  }

  it.live("bad usage exits 2 with a one-line reason, before connecting to anything", () =>
    Effect.gen(function*() {
      const runs = yield* Effect.all([
        cli(["list", "bogus"]),
        cli(["frobnicate"]),
        cli(["status", "--bogus"]),
        cli(["clean", "--state", "completed", "--older-than", "soon"]),
        cli(["retry"]),
        cli(["status", "--redis", "redis://127.0.0.1:1", "--postgres", "postgres://127.0.0.1:1/x"]),
        cli(["status"])
      ], { concurrency: "unbounded" })
      const reasons = [
        /Expected one of the following cases: pending, active, completed, failed, cancelled/,
        /Invalid subcommand for effect-jobs/,
        /unknown argument: '--bogus'/,
        /Invalid duration "soon": expected a number and a unit, such as 1d, 12h, 30m or 7 days/,
        /Pass either a job id or --all-failed/,
        /Pass either --redis or --postgres, not both/,
        /No queue to connect to: pass --redis URL or --postgres URL, or set REDIS_URL or DATABASE_URL/
      ]
      runs.forEach((run, index) => expectUsage(run, reasons[index]!))
    }), 120_000)

  it.scopedLive("an unreachable or silent server exits 2 quickly, never showing the password", () =>
    Effect.gen(function*() {
      // Accepts connections and never answers, as a server behind a firewall that drops packets looks.
      const silent = yield* Effect.acquireRelease(
        Effect.async<Server>((resume) => {
          const server = createServer(() => undefined)
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) => Effect.sync(() => server.close())
      )
      const port = (silent.address() as AddressInfo).port
      const [redis, postgres, quiet] = yield* Effect.all([
        cli(["status", "--redis", "redis://:s3cret@127.0.0.1:1"]),
        cli(["list", "failed", "--postgres", "postgres://postgres:s3cret@127.0.0.1:1/test"]),
        cli(["status", "--json"], [], { REDIS_URL: `redis://:s3cret@127.0.0.1:${port}` })
      ], { concurrency: "unbounded" })
      for (const run of [redis, postgres, quiet]) {
        expectUsage(run, /:\*\*\*@127\.0\.0\.1/)
        assert.notInclude(run.stderr, "s3cret")
      }
      assert.match(redis.stderr, /Redis is not reachable at redis:\/\/:\*\*\*@127\.0\.0\.1:1/)
      assert.match(postgres.stderr, /postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test/)
      assert.match(quiet.stderr, /No answer from redis redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ prefix jobs within 5 seconds/)
      // A refused connection fails at once; a silent server after the connect timeout (plus process start).
      assert.isBelow(Math.max(redis.ms, postgres.ms), 10_000)
      assert.isBelow(quiet.ms, 15_000)
    }), 120_000)

  it.scopedLive("REDIS_URL wins over DATABASE_URL unless JOBS_DRIVER says otherwise; bad pages exit 2", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix("cli-env")
      const schema = uniqueSchema("cli_env")
      // The Postgres driver prepares its schema when it opens: drop it whatever happens.
      yield* Effect.addFinalizer(() => Effect.promise(() => sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)))
      yield* Effect.addFinalizer(() => Effect.promise(() => deletePrefix(prefix)))
      const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, DATABASE_URL: databaseUrl, JOBS_SCHEMA: schema }
      const [redis, postgres, limit, cursor, help] = yield* Effect.all([
        cli(["status"], [], env),
        cli(["status"], [], { ...env, JOBS_DRIVER: "postgres" }),
        cli(["list", "failed", "--limit", "0"], [], env),
        cli(["list", "failed", "--after", "not-a-cursor"], [], env),
        cli(["--help"])
      ], { concurrency: "unbounded" })
      expectExit(redis, 0)
      assert.include(redis.stdout, `Queue redis ${redisUrl.replace(/\/$/, "")}`)
      assert.include(redis.stdout, `prefix ${prefix}: running`)
      expectExit(postgres, 0)
      assert.include(postgres.stdout, `schema ${schema}: running`)
      expectUsage(limit, /limit must be an integer >= 1, got 0/)
      expectUsage(cursor, /Invalid cursor "not-a-cursor"/)
      expectExit(help, 0)
      for (const command of ["status", "list", "show", "retry", "cancel", "remove", "pause", "resume", "clean", "schedules", "instances", "generate"]) {
        assert.include(help.stdout, `- ${command}`)
      }
    }), 120_000)
})
