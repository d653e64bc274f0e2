/**
 * Testing your own jobs: a `JobQueue` on the memory driver whose jobs run only when the test says so.
 *
 * ```ts
 * it.scoped("signing up sends a welcome email", () =>
 *   Effect.gen(function*() {
 *     yield* signUp("ada@example.com")                       // pushes SendEmail through the app
 *     const [email] = yield* JobQueueTest.enqueued(SendEmail)
 *     assert.strictEqual(email.params.to, "ada@example.com")
 *     assert.strictEqual(yield* JobQueueTest.drain, 1)        // runs it
 *   }).pipe(Effect.provide(JobQueueTest.layer())))
 * ```
 *
 * Handlers registered on this queue run only inside `drain`, so nothing happens behind the test's back: not
 * when a job is pushed, not when `TestClock` moves. `drain` never moves the clock either; a retry waiting
 * for its backoff runs in the first `drain` after `TestClock.adjust` has made it due.
 *
 * @since 0.1.0
 */
import { Clock, Context, Effect, Layer, ParseResult, Queue, Schema, Scope } from "effect"
import {
  type DriverError,
  DuplicateJobName,
  type HandlerOptions,
  InvalidJobParameters,
  type InvalidOption,
  type JobContext,
  JobDriver,
  type JobEvent,
  JobQueue,
  type JobQueueOptions,
  type JobQueueShape,
  type JobParametersSchema,
  makeMemoryDriver
} from "../../index.js"

/**
 * A pending job (delayed ones included) as `enqueued` lists it, with its parameters decoded.
 *
 * @since 0.1.0
 */
export interface EnqueuedJob<A> {
  readonly id: string
  readonly params: A
  readonly priority: number
  /** When the job is due. */
  readonly runAt: Date
  /** Attempts used so far: more than 0 for a job waiting to be retried. */
  readonly attempts: number
}

/**
 * @since 0.1.0
 */
export interface JobQueueTestShape {
  /** Runs every due job to completion; returns how many attempts ran. See `JobQueueTest.drain`. */
  readonly drain: Effect.Effect<number, DriverError>
  /** The pending jobs of one kind, in push order. See `JobQueueTest.enqueued`. */
  readonly enqueued: <A, I>(
    kind: JobParametersSchema<A, I>
  ) => Effect.Effect<ReadonlyArray<EnqueuedJob<A>>, InvalidJobParameters>
}

/** What a test queue starts with; the options given to `layer` override each. */
const testDefaults: JobQueueOptions = {
  // One job at a time, in the order the queue hands them out, as a reader of the test expects.
  concurrency: 1,
  // Finished jobs stay readable through `get` however far the test moves the clock.
  retention: { completed: "forever", failed: "forever", cancelled: "forever" },
  // `drain` counts what ran from events; none may be dropped however many jobs one drain runs.
  eventsCapacity: "unbounded",
  // A test process's signals are the test runner's business.
  releaseSignals: []
}

/** An event that ends an attempt. */
const endsAttempt = (event: JobEvent): boolean =>
  event._tag === "Completed" || event._tag === "Failed" || event._tag === "Retrying"

const make = (options: JobQueueOptions) =>
  Effect.gen(function*() {
    const driver = yield* makeMemoryDriver
    const queue = yield* JobQueue.make({ ...testDefaults, ...options }).pipe(Effect.provideService(JobDriver, driver))
    /**
     * The handlers registered through this queue, by job name, each as the registration to make on the real
     * queue for the length of one drain.
     */
    const handlers = new Map<string, Effect.Effect<void, never, Scope.Scope>>()

    const registerJob = <A, I, E, R>(
      kind: JobParametersSchema<A, I>,
      handler: (params: A, context: JobContext) => Effect.Effect<void, E, R>,
      handlerOptions?: HandlerOptions
    ): Effect.Effect<void, DuplicateJobName, R | Scope.Scope> =>
      Effect.gen(function*() {
        const name = kind.jobName
        if (handlers.has(name)) return yield* new DuplicateJobName({ jobName: name })
        const services = yield* Effect.context<R>()
        handlers.set(
          name,
          queue.registerJob(kind, handler, handlerOptions).pipe(
            // The handler's own services, with the drain's scope bounding the registration.
            Effect.mapInputContext((drain: Context.Context<Scope.Scope>) =>
              Context.add(services, Scope.Scope, Context.get(drain, Scope.Scope))
            ),
            Effect.orDie
          )
        )
        // Lets `pushByName` validate jobs of this kind between drains too.
        yield* queue.define(kind)
        yield* Effect.addFinalizer(() => Effect.sync(() => handlers.delete(name)))
      })

    /** Whether a job runs now or is due for a handler of `names`, while the queue is not paused. */
    const workLeft = (names: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        if ((yield* driver.counts({ now })).active > 0) return true
        if (yield* driver.isPaused) return false
        for (const name of names) {
          if ((yield* driver.pendingJobs(name)).some((job) => job.runAt <= now)) return true
        }
        return false
      })

    const drain = Effect.scoped(Effect.gen(function*() {
      // Subscribed before anything runs: no ending is missed.
      const events = yield* queue.subscribe
      const names = [...handlers.keys()]
      yield* Effect.forEach(handlers.values(), (register) => register, { discard: true })
      let ran = 0
      // Events are published once their outcome is stored, so each one read leaves the store up to date.
      while (yield* workLeft(names)) {
        if (endsAttempt(yield* Queue.take(events))) ran++
      }
      const unread = yield* Queue.takeAll(events)
      for (const event of unread) if (endsAttempt(event)) ran++
      return ran
    }))

    const enqueued = <A, I>(kind: JobParametersSchema<A, I>) => {
      const decode = Schema.decodeUnknown(Schema.parseJson(kind))
      return Effect.flatMap(driver.pendingJobs(kind.jobName), (jobs) =>
        Effect.forEach(jobs, (job) =>
          decode(job.payload).pipe(
            Effect.map((params): EnqueuedJob<A> => ({
              id: job.id,
              params,
              priority: job.priority,
              runAt: new Date(job.runAt),
              attempts: job.attempts
            })),
            Effect.mapError((error) =>
              new InvalidJobParameters({
                jobName: kind.jobName,
                message: `Stored job ${job.id} does not decode: ${ParseResult.TreeFormatter.formatErrorSync(error)}`
              })
            )
          )))
    }

    return Context.make(JobQueue, { ...queue, registerJob } satisfies JobQueueShape).pipe(
      Context.add(JobQueueTest, { drain, enqueued })
    )
  })

/**
 * A queue for tests of your own jobs. Provide `JobQueueTest.layer()` where the app expects `JobQueue`, push
 * through the app, run the jobs with `JobQueueTest.drain`, assert their side effects.
 *
 * @since 0.1.0
 */
export class JobQueueTest extends Context.Tag("effect-jobs/testing/JobQueueTest")<JobQueueTest, JobQueueTestShape>() {
  /**
   * A `JobQueue` on a fresh memory driver, and the `JobQueueTest` controls for it. Handlers run only inside
   * `drain`. Defaults differ from `JobQueue.layer`: one job at a time, finished jobs kept forever, no signal
   * handling; any `JobQueueOptions` given override them (one that makes no sense fails it with `InvalidOption`).
   *
   * @since 0.1.0
   */
  static readonly layer = (options: JobQueueOptions = {}): Layer.Layer<JobQueue | JobQueueTest, InvalidOption> =>
    Layer.scopedContext(make(options))

  /**
   * Runs every due job that has a handler until none is left, and returns how many attempts ran (a job
   * retried within the drain counts once per attempt; a failure counts like a success). Retries due at the
   * current clock time run in the same drain; later ones wait for `TestClock.adjust` and the next drain.
   * It never moves the clock and never waits for wall-clock time: a handler that sleeps waits for the test
   * to move the clock from another fiber. A paused queue runs nothing.
   *
   * @since 0.1.0
   */
  static readonly drain: Effect.Effect<number, DriverError, JobQueueTest> = Effect.flatMap(
    JobQueueTest,
    (test) => test.drain
  )

  /**
   * The pending jobs of one kind (delayed ones and those waiting for a retry included), in push order, with
   * their ids and decoded parameters. Fails with `InvalidJobParameters` if a stored job no longer decodes.
   *
   * @since 0.1.0
   */
  static readonly enqueued = <A, I>(
    kind: JobParametersSchema<A, I>
  ): Effect.Effect<ReadonlyArray<EnqueuedJob<A>>, InvalidJobParameters, JobQueueTest> =>
    Effect.flatMap(JobQueueTest, (test) => test.enqueued(kind))
}
