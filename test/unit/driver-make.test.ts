/**
 * `JobDriver.make` fills in what a driver may leave out: a claim that records carried outcomes (finish, then
 * claim), no wake-ups, unreliable wake-ups by default, and empty batches answered without a call.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Fiber, Option, Stream, TestClock } from "effect"
import {
  type BulkRequest,
  type ClaimRequest,
  DriverError,
  JobDriver,
  type JobDriverImpl,
  type JobDriverShape,
  type ListRequest,
  type Outcome
} from "effect-jobs/driver"

/** One call the fake driver received: the operation and its request. */
interface Call {
  readonly operation: string
  readonly request?: unknown
}

interface FakeOptions {
  readonly claimRecordsOutcomes?: true
  readonly wakeups?: Stream.Stream<string>
  readonly reliableWakeups?: boolean
  /** `finish` fails with a `DriverError`. */
  readonly finishFails?: true
}

const claimedJob = { id: "j1", name: "Tick", payload: "{}", attempt: 1, maxAttempts: undefined, createdAt: 0, runAt: 0 }

/** A driver that records every call and answers each with a fixed value; `finish` reports `lost-1` lost. */
const fakeDriver = (options: FakeOptions = {}) => {
  const calls: Array<Call> = []
  const called = <A>(operation: string, request: unknown, answer: A) =>
    Effect.sync(() => {
      calls.push({ operation, request })
      return answer
    })
  const common = {
    name: "fake",
    push: (request) => called("push", request, [{ id: "p1", inserted: true }]),
    renew: (request) => called("renew", request, []),
    finish: (request) =>
      options.finishFails === true
        ? Effect.zipRight(
          called("finish", request, undefined),
          Effect.fail(new DriverError({ driver: "fake", operation: "finish", message: "down" }))
        )
        : called("finish", request, ["lost-1"]),
    setProgress: (request) => called("setProgress", request, true),
    get: (request) => called("get", request, Option.none()),
    cancel: (request) => called("cancel", request, "not-found" as const),
    retry: (request) => called("retry", request, false),
    pause: called("pause", undefined, undefined),
    resume: called("resume", undefined, undefined),
    isPaused: called("isPaused", undefined, false),
    counts: (request) =>
      called("counts", request, { pending: 0, delayed: 0, active: 0, completed: 0, failed: 0, cancelled: 0 }),
    prune: (request) => called("prune", request, 0),
    pushScheduled: (request) => called("pushScheduled", request, true),
    countsByName: (request) => called("countsByName", request, []),
    list: (request) => called("list", request, { jobs: [], next: undefined }),
    remove: (request) => called("remove", request, ["not-found" as const]),
    retryAll: (request) => called("retryAll", request, { changed: 0, next: undefined }),
    cancelAll: (request) => called("cancelAll", request, { changed: 0, next: undefined }),
    registerSchedule: (request) => called("registerSchedule", request, undefined),
    schedules: called("schedules", undefined, []),
    removeSchedule: (request) => called("removeSchedule", request, false),
    heartbeat: (request) => called("heartbeat", request, undefined),
    instances: (request) => called("instances", request, []),
    removeInstance: (request) => called("removeInstance", request, undefined),
    ...(options.wakeups === undefined ? {} : { wakeups: options.wakeups }),
    ...(options.reliableWakeups === undefined ? {} : { reliableWakeups: options.reliableWakeups })
  } satisfies Omit<JobDriverImpl, "claim" | "claimRecordsOutcomes">
  const impl: JobDriverImpl = options.claimRecordsOutcomes === true
    ? {
      ...common,
      claimRecordsOutcomes: true,
      claim: (request) => called("claim", request, { jobs: [claimedJob], nextRunAt: 5, lost: ["lost-2"] })
    }
    : { ...common, claim: (request) => called("claim", request, { jobs: [claimedJob], nextRunAt: 5 }) }
  return { calls, driver: JobDriver.make(impl) }
}

const completed: Outcome = { _tag: "Completed", id: "done", owner: "w" }
const claimRequest = { names: ["Tick"], limit: 2, owner: "w", leaseMs: 1_000, now: 7 } satisfies ClaimRequest
const finishing = { outcomes: [completed], removeOnComplete: true }
const slotJob = { id: "x", name: "Tick", payload: "{}", priority: 0, runAt: 60 }
const listRequest = { filter: { state: "failed" }, order: "newest", limit: 10 } satisfies ListRequest
const bulkRequest = { filter: { state: "failed", names: ["Tick"] }, limit: 10, now: 3 } satisfies BulkRequest
const definition = { schedule: "s", cron: "@daily", timeZone: undefined, name: "Tick", now: 3 }
const instance = {
  id: "w",
  host: "h",
  pid: 1,
  names: ["Tick"],
  concurrency: 2,
  running: [],
  startedAt: 1,
  lastSeenAt: 3,
  expiresAt: 30
}

/** Each operating operation once, with the requests `adminCalls` expects. */
const adminOperations = (driver: JobDriverShape) => [
  driver.countsByName({ now: 3 }),
  driver.list(listRequest),
  driver.remove({ ids: ["a"] }),
  driver.retryAll(bulkRequest),
  driver.cancelAll(bulkRequest),
  driver.registerSchedule(definition),
  driver.schedules,
  driver.removeSchedule({ schedule: "s" }),
  driver.heartbeat({ instance }),
  driver.instances({ now: 3 }),
  driver.removeInstance({ id: "w" })
]

const adminCalls: ReadonlyArray<Call> = [
  { operation: "countsByName", request: { now: 3 } },
  { operation: "list", request: listRequest },
  { operation: "remove", request: { ids: ["a"] } },
  { operation: "retryAll", request: bulkRequest },
  { operation: "cancelAll", request: bulkRequest },
  { operation: "registerSchedule", request: definition },
  { operation: "schedules", request: undefined },
  { operation: "removeSchedule", request: { schedule: "s" } },
  { operation: "heartbeat", request: { instance } },
  { operation: "instances", request: { now: 3 } },
  { operation: "removeInstance", request: { id: "w" } }
]

interface Case {
  readonly label: string
  readonly options?: FakeOptions
  readonly run: (driver: JobDriverShape) => Effect.Effect<unknown, unknown>
  /** The calls the fake driver saw, in order. */
  readonly calls: ReadonlyArray<Call>
  /** What the operation returned (`Right`) or failed with (`Left`, by tag). */
  readonly result: Either.Either<unknown, string>
}

const cases: ReadonlyArray<Case> = [
  {
    label: "a claim carrying outcomes, on a driver whose claim records none: finish at the claim's time, then claim",
    run: (driver) => driver.claim({ ...claimRequest, finishing }),
    calls: [
      { operation: "finish", request: { outcomes: [completed], removeOnComplete: true, now: 7 } },
      { operation: "claim", request: claimRequest }
    ],
    result: Either.right({ jobs: [claimedJob], nextRunAt: 5, lost: ["lost-1"] })
  },
  {
    label: "a claim carrying outcomes whose finish fails claims nothing",
    options: { finishFails: true },
    run: (driver) => driver.claim({ ...claimRequest, finishing }),
    calls: [{ operation: "finish", request: { outcomes: [completed], removeOnComplete: true, now: 7 } }],
    result: Either.left("DriverError")
  },
  {
    label: "a claim carrying nothing, on a driver whose claim records none: only the claim, nothing lost",
    run: (driver) => driver.claim(claimRequest),
    calls: [{ operation: "claim", request: claimRequest }],
    result: Either.right({ jobs: [claimedJob], nextRunAt: 5, lost: [] })
  },
  {
    label: "an empty batch of carried outcomes is no finish",
    run: (driver) => driver.claim({ ...claimRequest, finishing: { outcomes: [], removeOnComplete: false } }),
    calls: [{ operation: "claim", request: claimRequest }],
    result: Either.right({ jobs: [claimedJob], nextRunAt: 5, lost: [] })
  },
  {
    label: "a driver whose claim records outcomes gets them with the claim",
    options: { claimRecordsOutcomes: true },
    run: (driver) => driver.claim({ ...claimRequest, finishing }),
    calls: [{ operation: "claim", request: { ...claimRequest, finishing } }],
    result: Either.right({ jobs: [claimedJob], nextRunAt: 5, lost: ["lost-2"] })
  },
  {
    label: "a push of no jobs is answered without a call",
    run: (driver) => driver.push({ jobs: [], now: 1 }),
    calls: [],
    result: Either.right([])
  },
  {
    label: "a push of jobs is the driver's",
    run: (driver) => driver.push({ jobs: [{ name: "Tick", payload: "{}", priority: 0, runAt: 1 }], now: 1 }),
    calls: [{ operation: "push", request: { jobs: [{ name: "Tick", payload: "{}", priority: 0, runAt: 1 }], now: 1 } }],
    result: Either.right([{ id: "p1", inserted: true }])
  },
  {
    label: "a renewal of no leases is answered without a call",
    run: (driver) => driver.renew({ ids: [], owner: "w", leaseMs: 1_000, now: 1 }),
    calls: [],
    result: Either.right([])
  },
  {
    label: "a finish of no outcomes is answered without a call",
    run: (driver) => driver.finish({ outcomes: [], removeOnComplete: false, now: 1 }),
    calls: [],
    result: Either.right([])
  },
  {
    label: "a removal of no ids is answered without a call",
    run: (driver) => driver.remove({ ids: [] }),
    calls: [],
    result: Either.right([])
  },
  {
    label: "a finish of outcomes is the driver's",
    run: (driver) => driver.finish({ outcomes: [completed], removeOnComplete: false, now: 1 }),
    calls: [{ operation: "finish", request: { outcomes: [completed], removeOnComplete: false, now: 1 } }],
    result: Either.right(["lost-1"])
  },
  {
    label: "every other operation is the driver's, with its request as given",
    run: (driver) =>
      Effect.all([
        driver.setProgress({ id: "a", owner: "w", progress: 3 }),
        driver.get({ id: "a" }),
        driver.cancel({ id: "a", now: 2 }),
        driver.retry({ id: "a", now: 2 }),
        driver.counts({ now: 2 }),
        driver.prune({ state: "completed", keepNewest: 1, limit: 5 }),
        driver.pushScheduled({ schedule: "s", slot: 60, job: slotJob, now: 2 }),
        driver.pause,
        driver.resume,
        driver.isPaused,
        ...adminOperations(driver)
      ]).pipe(Effect.as("ran")),
    calls: [
      { operation: "setProgress", request: { id: "a", owner: "w", progress: 3 } },
      { operation: "get", request: { id: "a" } },
      { operation: "cancel", request: { id: "a", now: 2 } },
      { operation: "retry", request: { id: "a", now: 2 } },
      { operation: "counts", request: { now: 2 } },
      { operation: "prune", request: { state: "completed", keepNewest: 1, limit: 5 } },
      {
        operation: "pushScheduled",
        request: { schedule: "s", slot: 60, job: slotJob, now: 2 }
      },
      { operation: "pause", request: undefined },
      { operation: "resume", request: undefined },
      { operation: "isPaused", request: undefined },
      ...adminCalls
    ],
    result: Either.right("ran")
  }
]

describe("JobDriver.make", () => {
  for (const { calls, label, options, result, run } of cases) {
    it.effect(label, () =>
      Effect.gen(function*() {
        const fake = fakeDriver(options)
        const outcome = yield* Effect.either(run(fake.driver))
        assert.deepStrictEqual(fake.calls, calls)
        assert.deepStrictEqual(Either.mapLeft(outcome, (error) => (error as { readonly _tag: string })._tag), result)
      }))
  }

  it.effect("keeps the driver's name, wake-ups and reliableWakeups", () =>
    Effect.gen(function*() {
      const wakeups = Stream.make("Tick")
      const { driver } = fakeDriver({ wakeups, reliableWakeups: true })
      assert.strictEqual(driver.name, "fake")
      assert.strictEqual(driver.wakeups, wakeups)
      assert.isTrue(driver.reliableWakeups)
    }))

  it.effect("without wake-ups: a stream that never emits, and wake-ups counted unreliable (workers poll)", () =>
    Effect.gen(function*() {
      const { driver } = fakeDriver()
      assert.isFalse(driver.reliableWakeups)
      const first = yield* Effect.fork(Stream.runHead(driver.wakeups))
      yield* TestClock.adjust("1 hour")
      assert.isTrue(Option.isNone(yield* Fiber.poll(first)))
      yield* Fiber.interrupt(first)
    }))
})
