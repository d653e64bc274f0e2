/**
 * Conformance: retries with stored errors, permanent failures, defects, timeouts, bad data and bad input.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Option, TestClock } from "effect"
import { Backoff, HandlerError } from "../../index.js"
import { eventually, Greet, type MakeDriverLayer, storedJob, setup, Tick, waitFor } from "./harness.js"

export const failureCases = (makeDriver: MakeDriverLayer) =>
  describe("failures", () => {
    it.scoped("retries at the stored time with the error kept, then completes", () =>
      Effect.gen(function*() {
        const { driver, events, queue } = yield* setup(makeDriver)
        let calls = 0
        yield* queue.registerJob(
          Tick,
          () => Effect.suspend(() => ++calls < 3 ? Effect.fail(`flaky call ${calls}`) : Effect.void),
          { maxAttempts: 3, backoff: Backoff.fixed("10 seconds") }
        )
        const id = yield* queue.push(new Tick({ n: 1 }))
        const first = yield* waitFor(events, "Retrying", id)
        assert.strictEqual(first.attempt, 1)
        assert.strictEqual(first.nextRunAt.getTime(), 10_000)
        const stored = yield* storedJob(driver, id)
        assert.strictEqual(stored.state, "pending")
        assert.strictEqual(stored.runAt, 10_000)
        assert.include(stored.lastError, "flaky call 1")
        yield* TestClock.adjust("10 seconds")
        const second = yield* waitFor(events, "Retrying", id)
        assert.strictEqual(second.attempt, 2)
        yield* TestClock.adjust("10 seconds")
        const done = yield* waitFor(events, "Completed", id)
        assert.strictEqual(done.attempt, 3)
        const info = Option.getOrThrow(yield* queue.get(id))
        assert.strictEqual(info.state, "completed")
        assert.strictEqual(info.attempts, 3)
      }))

    it.scoped("fails for good after maxAttempts with the last error stored", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver)
        yield* queue.registerJob(Tick, (params) => Effect.fail(`always broken ${params.n}`), {
          maxAttempts: 2,
          backoff: Backoff.immediate
        })
        const id = yield* queue.push(new Tick({ n: 9 }))
        const failed = yield* waitFor(events, "Failed", id)
        assert.strictEqual(failed.attempt, 2)
        const info = Option.getOrThrow(yield* queue.get(id))
        assert.strictEqual(info.state, "failed")
        assert.strictEqual(info.attempts, 2)
        assert.include(Option.getOrThrow(info.lastError), "always broken 9")
      }))

    it.scoped("push-time maxAttempts overrides the handler's", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver)
        yield* queue.registerJob(Tick, () => Effect.fail("nope"), { maxAttempts: 5, backoff: Backoff.immediate })
        const id = yield* queue.push(new Tick({ n: 1 }), { maxAttempts: 1 })
        assert.strictEqual((yield* waitFor(events, "Failed", id)).attempt, 1)
      }))

    it.scoped("a permanent error skips the remaining attempts", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver)
        yield* queue.registerJob(Greet, (params) => Effect.fail(HandlerError.permanent(`no mailbox for ${params.name}`)), {
          maxAttempts: 5
        })
        const id = yield* queue.push(new Greet({ name: "nobody" }))
        yield* waitFor(events, "Failed", id)
        const info = Option.getOrThrow(yield* queue.get(id))
        assert.strictEqual(info.attempts, 1)
        assert.include(Option.getOrThrow(info.lastError), "no mailbox for nobody")
      }))

    it.scoped("a defect is stored formatted, with its message", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver, { maxAttempts: 1 })
        yield* queue.registerJob(Tick, () => Effect.die(new RangeError("index 7 out of range")))
        const id = yield* queue.push(new Tick({ n: 1 }))
        yield* waitFor(events, "Failed", id)
        const error = Option.getOrThrow(Option.getOrThrow(yield* queue.get(id)).lastError)
        assert.include(error, "RangeError")
        assert.include(error, "index 7 out of range")
      }))

    it.scoped("error texts no store can encode (unpaired surrogates) are stored readable; the worker goes on", () =>
      Effect.gen(function*() {
        const { driver, events, queue } = yield* setup(makeDriver, { maxAttempts: 1, concurrency: 1 })
        yield* queue.registerJob(Tick, ({ n }) => n === 1 ? Effect.fail(`half an emoji: \ud83d, then more`) : Effect.void)
        const [broken, next] = yield* queue.pushMany([new Tick({ n: 1 }), new Tick({ n: 2 })])
        yield* waitFor(events, "Failed", broken)
        yield* waitFor(events, "Completed", next)
        assert.include((yield* storedJob(driver, broken!)).lastError, "half an emoji: \ufffd, then more")
      }))

    it.scoped("an error with a NUL character is stored readable, and it never keeps other outcomes from being recorded", () =>
      Effect.gen(function*() {
        const { driver, queue } = yield* setup(makeDriver, { maxAttempts: 1, concurrency: 4 })
        yield* queue.registerJob(Tick, ({ n }) => n === 0 ? Effect.fail(new Error("bad\u0000byte")) : Effect.void)
        // The broken job goes first, so its outcome shares a batch with the ordinary ones.
        const [broken] = yield* queue.pushMany(Array.from({ length: 31 }, (_, n) => new Tick({ n })))
        const counts = yield* eventually(
          "30 jobs completed and 1 failed",
          Effect.map(queue.counts, (counts) => counts.completed === 30 && counts.failed === 1 ? Option.some(counts) : Option.none())
        )
        assert.strictEqual(counts.active + counts.pending, 0)
        const stored = yield* storedJob(driver, broken!)
        assert.strictEqual(stored.state, "failed")
        assert.include(stored.lastError, "bad\ufffdbyte")
        assert.notInclude(stored.lastError, "\u0000")
      }))

    it.scoped("a payload with a NUL character or an unpaired surrogate in a string reaches the handler and get intact", () =>
      Effect.gen(function*() {
        const { events, queue } = yield* setup(makeDriver)
        const name = "nul\u0000inside, half \ud83d, whole \ud83d\ude00"
        const seen = yield* Deferred.make<string>()
        yield* queue.registerJob(Greet, (params) => Deferred.succeed(seen, params.name))
        const id = yield* queue.push(new Greet({ name }))
        assert.deepStrictEqual(Option.getOrThrow(yield* queue.get(id)).payload, { _tag: "Greet", name })
        yield* waitFor(events, "Completed", id)
        assert.strictEqual(yield* Deferred.await(seen), name)
      }))

    it.scoped("a chosen id or unique key with a NUL character is rejected at push, and nothing is written", () =>
      Effect.gen(function*() {
        const { queue } = yield* setup(makeDriver)
        for (const options of [{ jobId: "order\u00001" }, { uniqueKey: "user-7\u0000" }]) {
          const single = yield* Effect.flip(queue.push(new Greet({ name: "x" }), options))
          assert.strictEqual(single._tag, "InvalidPushOptions")
          assert.include(single.message, "NUL character")
          const many = yield* Effect.flip(queue.pushMany([new Greet({ name: "ok" })], options))
          assert.strictEqual(many._tag, "InvalidPushOptions")
        }
        const counts = yield* queue.counts
        assert.strictEqual(counts.pending + counts.active + counts.completed + counts.failed, 0)
      }))

    it.scoped("a timeout interrupts the handler and counts as a failed attempt", () =>
      Effect.gen(function*() {
        // The clock jumps 30 s at once: a lease that outlives the jump keeps the renewals it triggers (real
        // round trips) from racing a recovery of this very job.
        const { events, queue } = yield* setup(makeDriver, { leaseDuration: "1 hour" })
        let interrupted = 0
        yield* queue.registerJob(
          Tick,
          () => Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted++))),
          { timeout: "30 seconds", maxAttempts: 2, backoff: Backoff.fixed("1 minute") }
        )
        const id = yield* queue.push(new Tick({ n: 1 }))
        yield* waitFor(events, "Started", id)
        yield* TestClock.adjust("30 seconds")
        const retrying = yield* waitFor(events, "Retrying", id)
        assert.include(retrying.error, "timed out after 30000 ms")
        assert.strictEqual(interrupted, 1)
        assert.strictEqual(Option.getOrThrow(yield* queue.get(id)).attempts, 1)
      }))

    it.scoped("an undecodable payload fails that job only; the worker goes on", () =>
      Effect.gen(function*() {
        const { driver, events, queue } = yield* setup(makeDriver, { concurrency: 1 })
        const ran: Array<string> = []
        yield* queue.registerJob(Greet, (params) => Effect.sync(() => ran.push(params.name)))
        const [wrongShape, notJson] = yield* driver.push({
          jobs: [
            { name: "Greet", payload: JSON.stringify({ _tag: "Greet", name: 42 }), priority: 5, runAt: 0 },
            { name: "Greet", payload: "{not json", priority: 5, runAt: 0 }
          ],
          now: 0
        })
        const good = yield* queue.push(new Greet({ name: "fine" }))
        yield* waitFor(events, "Completed", good)
        for (const id of [wrongShape!.id, notJson!.id]) {
          const stored = yield* storedJob(driver, id)
          assert.strictEqual(stored.state, "failed")
          assert.strictEqual(stored.attempts, 1)
          assert.include(stored.lastError, "does not decode")
        }
        assert.include((yield* storedJob(driver, wrongShape!.id)).lastError, "Expected string")
        assert.deepStrictEqual(ran, ["fine"])
      }))

    it.scoped("bad input at push is a typed error and writes nothing", () =>
      Effect.gen(function*() {
        const { queue } = yield* setup(makeDriver, { maxPayloadBytes: 1_000 })
        yield* queue.registerJob(Greet, () => Effect.void)
        const badJson = yield* Effect.flip(queue.pushByName("Greet", { name: 12 }))
        assert.strictEqual(badJson._tag, "InvalidJobParameters")
        const unknown = yield* Effect.flip(queue.pushByName("Nope", {}))
        assert.strictEqual(unknown._tag, "UnknownJobName")
        const priority = yield* Effect.flip(queue.push(new Greet({ name: "x" }), { priority: 5000 }))
        assert.strictEqual(priority._tag, "InvalidPushOptions")
        const attempts = yield* Effect.flip(queue.push(new Greet({ name: "x" }), { maxAttempts: 0 }))
        assert.strictEqual(attempts._tag, "InvalidPushOptions")
        const large = yield* Effect.flip(queue.push(new Greet({ name: "x".repeat(2_000) })))
        assert.strictEqual(large._tag, "PayloadTooLarge")
        const mixed = yield* Effect.flip(queue.pushMany([new Greet({ name: "ok" }), new Greet({ name: "y".repeat(2_000) })]))
        assert.strictEqual(mixed._tag, "PayloadTooLarge")
        // @ts-expect-error only JobParameters instances type-check; the run-time check refuses the rest too
        const notParams = yield* Effect.flip(queue.push({ name: "plain object" }))
        assert.strictEqual(notParams._tag, "InvalidJobParameters")
        const counts = yield* queue.counts
        assert.strictEqual(counts.pending + counts.active + counts.completed + counts.failed, 0)
        const id = yield* queue.pushByName("Greet", { name: "valid" })
        assert.deepStrictEqual(Option.getOrThrow(yield* queue.get(id)).payload, { _tag: "Greet", name: "valid" })
      }))
  })
