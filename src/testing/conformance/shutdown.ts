/**
 * Conformance: graceful shutdown. Closing the queue's scope stops claiming, lets running attempts finish up
 * to the deadline, then releases the rest to pending without using an attempt.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Option, Scope, TestClock } from "effect"
import { JobDriver, JobQueue } from "../../index.js"
import {
  assertReleased,
  buildDriver,
  eventually,
  Greet,
  type MakeDriverLayer,
  realPause,
  storedJob,
  setup,
  startQueue,
  Tick,
  waitFor,
  waitForAll
} from "./harness.js"

/** Moves the test clock a second at a time until `fiber` is done (bounded); returns the simulated seconds. */
const advanceUntilDone = (fiber: Fiber.Fiber<unknown, unknown>) =>
  Effect.gen(function*() {
    for (let step = 0; step < 600; step++) {
      if (Option.isSome(yield* Fiber.poll(fiber))) return step
      yield* TestClock.adjust("1 second")
      yield* realPause(1)
    }
    return yield* Effect.dieMessage("shutdown did not finish within 600 simulated seconds")
  })

export const shutdownCases = (makeDriver: MakeDriverLayer) =>
  describe("shutdown", () => {
    it.scoped("lets running jobs finish, starts nothing new, and records the outcome", () =>
      Effect.gen(function*() {
        const { close, driver, events, queue } = yield* setup(makeDriver, {
          concurrency: 1,
          shutdownTimeout: "25 seconds"
        })
        const proceed = yield* Deferred.make<void>()
        yield* queue.registerJob(Tick, () => Deferred.await(proceed))
        const running = yield* queue.push(new Tick({ n: 1 }))
        yield* waitFor(events, "Started", running)
        // Waits for the only slot; a worker that kept claiming after the signal would take it next.
        const late = yield* queue.push(new Tick({ n: 2 }))
        const closing = yield* Effect.fork(close)
        yield* realPause(20)
        yield* Deferred.succeed(proceed, undefined)
        yield* Fiber.join(closing)
        assert.strictEqual((yield* storedJob(driver, running)).state, "completed")
        const untouched = yield* storedJob(driver, late)
        assert.strictEqual(untouched.state, "pending")
        assert.strictEqual(untouched.attempts, 0)
      }))

    it.scoped("releases jobs that outlast the deadline back to pending with no attempt used", () =>
      Effect.gen(function*() {
        const { close, driver, events, queue } = yield* setup(makeDriver, { shutdownTimeout: "5 seconds" })
        const interrupted = yield* Deferred.make<void>()
        yield* queue.registerJob(Tick, () => Effect.never.pipe(Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined))))
        const ids = yield* queue.pushMany([new Tick({ n: 1 }), new Tick({ n: 2 })])
        yield* waitForAll(events, "Started", ids)
        const closing = yield* Effect.fork(close)
        yield* advanceUntilDone(closing)
        yield* Deferred.await(interrupted)
        yield* assertReleased(driver, ids)
      }))

    it.scoped("released jobs are picked up at once by another instance", () =>
      Effect.gen(function*() {
        const first = yield* setup(makeDriver, { shutdownTimeout: "1 second" })
        yield* first.queue.registerJob(Tick, () => Effect.never)
        const id = yield* first.queue.push(new Tick({ n: 1 }))
        yield* waitFor(first.events, "Started", id)
        yield* advanceUntilDone(yield* Effect.fork(first.close))
        const second = yield* startQueue(first.driver)
        yield* second.queue.registerJob(Tick, () => Effect.void)
        const done = yield* waitFor(second.events, "Completed", id)
        assert.strictEqual(done.attempt, 1)
        yield* eventually("job completed", storedJob(first.driver, id).pipe(
          Effect.map((job) => job.state === "completed" ? Option.some(job) : Option.none())
        ))
      }))

    it.scoped("closing the scope by interrupting its fiber drains the same way and leaves nothing running", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        const started = yield* Deferred.make<string>()
        const proceed = yield* Deferred.make<void>()
        const app = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
          const queue = yield* JobQueue.make({ pollInterval: "1 hour" }).pipe(Effect.provideService(JobDriver, driver))
          yield* queue.registerJob(Tick, (_, context) =>
            Deferred.succeed(started, context.jobId).pipe(Effect.zipRight(Deferred.await(proceed))))
          yield* queue.push(new Tick({ n: 1 }))
          return yield* Effect.never
        })))
        const id = yield* Deferred.await(started)
        const interrupting = yield* Effect.fork(Fiber.interrupt(app))
        yield* realPause(20)
        assert.isTrue(Option.isNone(yield* Fiber.poll(interrupting)), "the interruption waits for the running job")
        yield* Deferred.succeed(proceed, undefined)
        yield* Fiber.join(interrupting)
        const finished = yield* storedJob(driver, id)
        assert.deepInclude(finished, { state: "completed", attempts: 1 })

        // A worker loop that outlived its scope would claim this job on its wake-up.
        const pusher = yield* startQueue(driver, { concurrency: 0 })
        const late = yield* pusher.queue.push(new Tick({ n: 2 }))
        yield* realPause(50)
        assert.deepInclude(yield* storedJob(driver, late), { state: "pending", attempts: 0 })
      }))

    it.scoped("the handler registrations and the queue of one closing scope share one deadline", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        const scope = yield* Scope.make()
        const queue = yield* JobQueue.make({ pollInterval: "1 hour", shutdownTimeout: "5 seconds" }).pipe(
          Effect.provideService(JobDriver, driver),
          Scope.extend(scope)
        )
        const events = yield* queue.subscribe.pipe(Scope.extend(scope))
        yield* queue.registerJob(Tick, () => Effect.never).pipe(Scope.extend(scope))
        yield* queue.registerJob(Greet, () => Effect.never).pipe(Scope.extend(scope))
        const ids = [yield* queue.push(new Tick({ n: 1 })), yield* queue.push(new Greet({ name: "a" }))]
        yield* waitForAll(events, "Started", ids)
        const seconds = yield* advanceUntilDone(yield* Effect.fork(Scope.close(scope, Exit.void)))
        assert.isAtMost(seconds, 6, "one 5 second deadline, not one per registration")
        yield* assertReleased(driver, ids)
      }))
  })
