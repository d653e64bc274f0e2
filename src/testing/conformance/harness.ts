/**
 * Shared set-up for the conformance suite: a fresh driver per test, queues over it, and ways to wait for
 * what the worker does without sleeping.
 */
import { assert } from "@effect/vitest"
import { Context, Effect, ExecutionStrategy, Exit, Layer, Option, Queue, Schema, Scope } from "effect"
import {
  JobDriver,
  type JobDriverShape,
  type JobEvent,
  JobParameters,
  JobQueue,
  type JobQueueOptions,
  type JobQueueShape,
  type JobRecord
} from "../../index.js"

/** Builds a fresh, empty driver for one test; its scope's close removes everything the test wrote. */
export type MakeDriverLayer = () => Layer.Layer<JobDriver, unknown>

/** Job kinds used across the suite. */
export class Greet extends JobParameters<Greet>()("Greet", { name: Schema.String }) {}
export class Tick extends JobParameters<Tick>()("Tick", { n: Schema.Number }) {}
export class Unhandled extends JobParameters<Unhandled>()("Unhandled", { n: Schema.Number }) {}

/** A running queue over a test's driver, with a subscription to its events taken before anything ran. */
interface TestQueue {
  readonly queue: JobQueueShape
  readonly events: Queue.Dequeue<JobEvent>
  /** Closes the queue's scope: stop claiming, drain, release. */
  readonly close: Effect.Effect<void>
}

/** The driver of the current test. */
export const buildDriver = (makeDriver: MakeDriverLayer): Effect.Effect<JobDriverShape, never, Scope.Scope> =>
  Layer.build(makeDriver()).pipe(
    Effect.map((context) => Context.get(context, JobDriver)),
    Effect.orDie
  )

/** Starts a queue over `driver` in a scope of its own (closed by the test's scope at the latest). */
export const startQueue = (driver: JobDriverShape, options: JobQueueOptions = {}) =>
  Effect.gen(function*() {
    const outer = yield* Effect.scope
    const scope = yield* Scope.fork(outer, ExecutionStrategy.sequential)
    const queue = yield* JobQueue.make({ pollInterval: "1 hour", ...options }).pipe(
      Effect.provideService(JobDriver, driver),
      Scope.extend(scope)
    )
    const events = yield* queue.subscribe.pipe(Scope.extend(scope))
    return { queue, events, close: Scope.close(scope, Exit.void) } satisfies TestQueue
  })

/** Builds a fresh driver and one queue over it. */
export const setup = (makeDriver: MakeDriverLayer, options: JobQueueOptions = {}) =>
  Effect.gen(function*() {
    const driver = yield* buildDriver(makeDriver)
    const test = yield* startQueue(driver, options)
    return { driver, ...test }
  })

/** Takes events until one matches; the test's timeout bounds the wait. */
export const waitFor = <T extends JobEvent["_tag"]>(
  events: Queue.Dequeue<JobEvent>,
  tag: T,
  jobId?: string
): Effect.Effect<Extract<JobEvent, { _tag: T }>> =>
  Effect.gen(function*() {
    for (;;) {
      const event = yield* Queue.take(events)
      if (event._tag === tag && (jobId === undefined || event.jobId === jobId)) {
        return event as Extract<JobEvent, { _tag: T }>
      }
    }
  })

/** Takes events until each of `jobIds` has had one with this tag, in any order. */
export const waitForAll = (
  events: Queue.Dequeue<JobEvent>,
  tag: JobEvent["_tag"],
  jobIds: ReadonlyArray<string>
): Effect.Effect<void> =>
  Effect.gen(function*() {
    const waiting = new Set(jobIds)
    while (waiting.size > 0) {
      const event = yield* Queue.take(events)
      if (event._tag === tag) waiting.delete(event.jobId)
    }
  })

/** Gives other fibers and I/O a real moment to run (a few milliseconds of wall time). */
export const realPause = (millis = 2) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, millis)))

/**
 * Bounded polling in wall-clock time: re-runs `check` until it returns `Some`, failing after `timeoutMs`.
 */
export const eventually = <A, E>(
  label: string,
  check: Effect.Effect<Option.Option<A>, E>,
  timeoutMs = 10_000
): Effect.Effect<A, E | Error> =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const result = yield* check
      if (Option.isSome(result)) return result.value
      if (Date.now() > deadline) return yield* Effect.fail(new Error(`Timed out waiting for: ${label}`))
      yield* realPause(5)
    }
  })

/** The driver's record of a job, which must exist. */
export const storedJob = (driver: JobDriverShape, id: string): Effect.Effect<JobRecord> =>
  driver.get({ id }).pipe(
    Effect.orDie,
    Effect.flatMap(Option.match({
      onNone: () => Effect.dieMessage(`job ${id} not found`),
      onSome: Effect.succeed
    }))
  )

/** Asserts that each job was released: back to pending, no attempt used, no lease. */
export const assertReleased = (driver: JobDriverShape, ids: ReadonlyArray<string>): Effect.Effect<void> =>
  Effect.forEach(ids, (id) =>
    Effect.map(storedJob(driver, id), (stored) => {
      assert.strictEqual(stored.state, "pending")
      assert.strictEqual(stored.attempts, 0)
      assert.isUndefined(stored.leaseOwner)
    }), { discard: true })
