/**
 * Queue-level behaviour on the memory driver that the conformance suite does not cover: registrations and
 * their scopes, handler services and log annotations, the events stream, empty pushes and `layerConfig`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Config, ConfigError, ConfigProvider, Context, Duration, Effect, Exit, Fiber, Option, Schema, Scope, Stream } from "effect"
import { Backoff, InvalidOption, JobParameters, JobQueue, memoryDriver } from "effect-jobs"
import { waitFor } from "../../src/testing/conformance/harness.js"
import { awaitSuspended, recordingLogger, withMemoryQueue } from "./support.js"

class Greet extends JobParameters<Greet>()("Greet", { name: Schema.String }) {}
class Count extends JobParameters<Count>()("Count", { n: Schema.Number }) {}

class Greeting extends Context.Tag("test/Greeting")<Greeting, { readonly prefix: string }>() {}

describe("JobQueue", () => {
  describe("registerJob", () => {
    it.scoped("fails with DuplicateJobName for a second handler of the same name, keeping the first", () =>
      withMemoryQueue({}, Effect.gen(function*() {
        const queue = yield* JobQueue
        const events = yield* queue.subscribe
        const ran: Array<string> = []
        yield* queue.registerJob(Greet, () => Effect.sync(() => ran.push("first")))
        const error = yield* Effect.flip(queue.registerJob(Greet, () => Effect.sync(() => ran.push("second"))))
        assert.strictEqual(error._tag, "DuplicateJobName")
        assert.strictEqual(error.jobName, "Greet")
        assert.include(error.message, `"Greet" is already registered`)
        const id = yield* queue.push(new Greet({ name: "x" }))
        yield* waitFor(events, "Completed", id)
        assert.deepStrictEqual(ran, ["first"])
      })))

    it.scoped("closing a registration's scope stops claiming that name; other names keep running", () =>
      withMemoryQueue({}, Effect.gen(function*() {
        const queue = yield* JobQueue
        const events = yield* queue.subscribe
        const registration = yield* Scope.make()
        yield* queue.registerJob(Greet, () => Effect.void).pipe(Scope.extend(registration))
        yield* queue.registerJob(Count, () => Effect.void)
        yield* Scope.close(registration, Exit.void)

        const greet = yield* queue.push(new Greet({ name: "late" }))
        const count = yield* queue.push(new Count({ n: 1 }))
        yield* waitFor(events, "Completed", count)
        const info = Option.getOrThrow(yield* queue.get(greet))
        assert.deepInclude(info, { state: "pending", attempts: 0 })
        const unknown = yield* Effect.flip(queue.pushByName("Greet", { name: "by name" }))
        assert.strictEqual(unknown._tag, "UnknownJobName", "the schema left with the handler")

        // The name can be registered again, and the waiting job then runs.
        yield* queue.registerJob(Greet, () => Effect.void)
        yield* waitFor(events, "Completed", greet)
      })))

    it.scoped("provides the handler with services provided around registerJob", () =>
      withMemoryQueue({}, Effect.gen(function*() {
        const queue = yield* JobQueue
        const events = yield* queue.subscribe
        const greeted: Array<string> = []
        yield* queue.registerJob(Greet, (params) =>
          Effect.gen(function*() {
            const { prefix } = yield* Greeting
            greeted.push(`${prefix} ${params.name}`)
          })).pipe(Effect.provideService(Greeting, { prefix: "Hello" }))
        const id = yield* queue.push(new Greet({ name: "Ada" }))
        yield* waitFor(events, "Completed", id)
        assert.deepStrictEqual(greeted, ["Hello Ada"])
      })))

    it.scoped("annotates handler logs with jobId, jobName and attempt, and only handler logs", () => {
      const recording = recordingLogger()
      return withMemoryQueue({}, Effect.gen(function*() {
        const queue = yield* JobQueue
        const events = yield* queue.subscribe
        yield* queue.registerJob(Count, (params, context) =>
          Effect.logInfo(`counting ${params.n}`).pipe(
            Effect.zipRight(context.attempt === 1 ? Effect.fail("again") : Effect.void)
          ), { maxAttempts: 2, backoff: Backoff.immediate })
        const id = yield* queue.push(new Count({ n: 3 }))
        yield* waitFor(events, "Completed", id)
        yield* Effect.logInfo("after the job")

        const annotationsOf = (text: string) =>
          recording.lines
            .filter((line) => line.message[0] === text)
            .map(({ annotations }) => [annotations.jobId, annotations.jobName, annotations.attempt])
        assert.deepStrictEqual(annotationsOf("counting 3"), [[id, "Count", 1], [id, "Count", 2]])
        assert.deepStrictEqual(annotationsOf("after the job"), [[undefined, undefined, undefined]])
      })).pipe(Effect.provide(recording.layer))
    })
  })

  it.scoped("events streams Started then Completed for a job", () =>
    withMemoryQueue({}, Effect.gen(function*() {
      const queue = yield* JobQueue
      const collector = yield* queue.events.pipe(Stream.take(2), Stream.runCollect, Effect.fork)
      // The collector subscribes before it first waits for an event, so nothing below can be missed.
      yield* awaitSuspended(collector)
      yield* queue.registerJob(Greet, () => Effect.void)
      const id = yield* queue.push(new Greet({ name: "x" }))
      const events = Chunk.toReadonlyArray(yield* Fiber.join(collector))
      assert.deepStrictEqual(events.map((event) => [event._tag, event.jobId, event.jobName, event.attempt]), [
        ["Started", id, "Greet", 1],
        ["Completed", id, "Greet", 1]
      ])
      // The deprecated `name` still says the same for one release.
      assert.deepStrictEqual(events.map((event) => event.name), ["Greet", "Greet"])
    })))

  describe("pushMany", () => {
    it.scoped("returns [] for no jobs and writes nothing, not even through push middleware", () => {
      let pushes = 0
      return withMemoryQueue({
        middleware: [{ push: (_jobs, next) => Effect.zipRight(Effect.sync(() => pushes++), next) }]
      }, Effect.gen(function*() {
        const queue = yield* JobQueue
        assert.deepStrictEqual(yield* queue.pushMany([]), [])
        assert.deepStrictEqual(yield* queue.counts, { pending: 0, delayed: 0, active: 0, completed: 0, failed: 0, cancelled: 0 })
        assert.strictEqual(pushes, 0)
      }))
    })

    it.scoped("takes any iterable and keeps its order", () =>
      withMemoryQueue({}, Effect.gen(function*() {
        const queue = yield* JobQueue
        function* counts() {
          for (let n = 1; n <= 3; n++) yield new Count({ n })
        }
        const ids = yield* queue.pushMany(counts())
        assert.strictEqual(ids.length, 3)
        const payloads = yield* Effect.forEach(ids, (id) => Effect.map(queue.get(id), (info) => Option.getOrThrow(info).payload))
        assert.deepStrictEqual(payloads, [1, 2, 3].map((n) => ({ _tag: "Count", n })))
      })))

    it.scoped("refuses one jobId for several jobs, writing none of them", () =>
      withMemoryQueue({}, Effect.gen(function*() {
        const queue = yield* JobQueue
        const error = yield* Effect.flip(queue.pushMany([new Count({ n: 1 }), new Count({ n: 2 })], { jobId: "one" }))
        assert.strictEqual(error._tag, "InvalidPushOptions")
        assert.strictEqual((yield* queue.counts).pending, 0)
        assert.deepStrictEqual(yield* queue.pushMany([new Count({ n: 1 })], { jobId: "one" }), ["one"])
      })))
  })

  describe("options", () => {
    it.scoped("an option that makes no sense fails the queue with an InvalidOption naming it", () =>
      Effect.gen(function*() {
        for (const [options, option, message] of [
          [{ concurrency: -1 }, "concurrency", "concurrency must be a non-negative integer, got -1"],
          [{ concurrency: 1.5 }, "concurrency", "concurrency must be a non-negative integer, got 1.5"],
          [{ prefetch: -2 }, "prefetch", "prefetch must be a non-negative integer, got -2"],
          [{ maxAttempts: 0 }, "maxAttempts", "maxAttempts must be an integer >= 1, got 0"],
          [{ maxPayloadBytes: 0.5 }, "maxPayloadBytes", "maxPayloadBytes must be an integer >= 1, got 0.5"],
          [{ leaseDuration: 0 }, "leaseDuration", "leaseDuration must be a finite duration of at least 1 ms, got 0"],
          [{ pollInterval: "soon" as Duration.DurationInput }, "pollInterval", "pollInterval must be a finite duration of at least 1 ms, got soon"],
          [
            { shutdownTimeout: Duration.infinity },
            "shutdownTimeout",
            "shutdownTimeout must be a finite duration of at least 0 ms, got Infinity"
          ],
          [
            { retention: { interval: Duration.infinity } },
            "retention.interval",
            "retention.interval must be a finite duration of at least 1 ms, got Infinity"
          ],
          [
            { retention: { failed: { maxCount: -1 } } },
            "retention.failed.maxCount",
            "retention.failed.maxCount must be a non-negative integer, got -1"
          ]
        ] as const) {
          const error = yield* Effect.flip(withMemoryQueue(options, JobQueue))
          assert.instanceOf(error, InvalidOption)
          assert.deepStrictEqual([error.option, error.message], [option, message])
        }
      }))
  })

  describe("layerConfig", () => {
    const options = Config.all({
      maxAttempts: Config.integer("JOBS_MAX_ATTEMPTS"),
      maxPayloadBytes: Config.integer("JOBS_MAX_PAYLOAD_BYTES")
    })
    const provider = (entries: ReadonlyArray<readonly [string, string]>) => ConfigProvider.fromMap(new Map(entries))

    it.scoped("reads the queue's options from the config provider", () =>
      Effect.gen(function*() {
        const queue = yield* JobQueue
        const events = yield* queue.subscribe
        const large = yield* Effect.flip(queue.push(new Greet({ name: "x".repeat(100) })))
        assert.strictEqual(large._tag, "PayloadTooLarge")
        assert.strictEqual(large._tag === "PayloadTooLarge" ? large.maxBytes : undefined, 64)
        yield* queue.registerJob(Greet, () => Effect.fail("no"), { backoff: Backoff.immediate })
        const id = yield* queue.push(new Greet({ name: "x" }))
        const failed = yield* waitFor(events, "Failed", id)
        assert.strictEqual(failed.attempt, 1, "maxAttempts 1 came from the config")
      }).pipe(
        Effect.provide(JobQueue.layerConfig(memoryDriver, options)),
        Effect.withConfigProvider(provider([["JOBS_MAX_ATTEMPTS", "1"], ["JOBS_MAX_PAYLOAD_BYTES", "64"]]))
      ))

    it.scoped("fails to build with a ConfigError when a setting is missing or malformed", () =>
      Effect.gen(function*() {
        for (const entries of [[["JOBS_MAX_ATTEMPTS", "1"]], [["JOBS_MAX_ATTEMPTS", "one"], ["JOBS_MAX_PAYLOAD_BYTES", "64"]]] as const) {
          const error = yield* Effect.flip(
            Effect.provide(JobQueue, JobQueue.layerConfig(memoryDriver, options)).pipe(
              Effect.withConfigProvider(provider(entries))
            )
          )
          assert.isTrue(ConfigError.isConfigError(error))
          assert.include(String(error), "JOBS_")
        }
      }))
  })
})
