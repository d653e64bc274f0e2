/**
 * Turning parameters and push options into what the driver writes: every option is checked, and a bad one is
 * a typed error rather than a job that runs at a surprising time.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Schema } from "effect"
import { JobParameters, type JobParametersSchema } from "effect-jobs"
import { decodeByName, encodeJob, type PushOptions } from "../../src/internal/encode.js"

class Resize extends JobParameters<Resize>()("Resize", { url: Schema.String, width: Schema.Int }) {}
class Urgent extends JobParameters<Urgent>()("Urgent", { n: Schema.Number }, { priority: 7 }) {}
class Note extends JobParameters<Note>()("Note", { text: Schema.String }) {}

/** The queue hands these functions the class as an untyped schema (as registerJob does); so do the tests. */
const untyped = (params: { readonly jobName: string }) => params as unknown as JobParametersSchema<unknown>
const resizeSchema = untyped(Resize)
const urgentSchema = untyped(Urgent)
const noteSchema = untyped(Note)

const now = 1_700_000_000_000
const resize = new Resize({ url: "https://x/y.png", width: 300 })

const encode = (options: PushOptions, params: object = resize, maxPayloadBytes = 1024 * 1024) =>
  encodeJob(resizeSchema, params, options, now, maxPayloadBytes)

/** The push options error, with the checks every such error must pass. */
const rejected = (options: PushOptions) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(encode(options))
    assert.strictEqual(error._tag, "InvalidPushOptions")
    assert.strictEqual(error.jobName, "Resize")
    return error.message
  })

describe("encodeJob", () => {
  it.effect("writes the encoded parameters as JSON, due now, at priority 0, with nothing else set", () =>
    Effect.gen(function*() {
      const { job, outgoing } = yield* encode({})
      assert.deepStrictEqual(job, {
        id: undefined,
        name: "Resize",
        payload: JSON.stringify({ url: "https://x/y.png", width: 300, _tag: "Resize" }),
        priority: 0,
        runAt: now,
        maxAttempts: undefined,
        uniqueKey: undefined
      })
      assert.deepStrictEqual(outgoing, {
        name: "Resize",
        payload: { url: "https://x/y.png", width: 300, _tag: "Resize" },
        priority: 0,
        runAt: new Date(now)
      })
    }))

  it.effect("carries maxAttempts, uniqueKey and jobId through", () =>
    Effect.gen(function*() {
      const { job } = yield* encode({ maxAttempts: 4, uniqueKey: "resize:y", jobId: "job-1" })
      assert.deepStrictEqual([job.maxAttempts, job.uniqueKey, job.id], [4, "resize:y", "job-1"])
    }))

  it.effect("rejects parameters that do not encode, with a readable message", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(encode({}, new Resize({ url: "u", width: 1.5 }, true)))
      assert.strictEqual(error._tag, "InvalidJobParameters")
      assert.strictEqual(error.jobName, "Resize")
      assert.include(error.message, "width")
      assert.include(error.message, "Expected an integer, actual 1.5")
    }))

  describe("priority", () => {
    it.effect("accepts integers in [-1000, 1000]", () =>
      Effect.gen(function*() {
        for (const priority of [-1000, -1, 0, 1000]) {
          const { job, outgoing } = yield* encode({ priority })
          assert.deepStrictEqual([job.priority, outgoing.priority], [priority, priority])
        }
      }))

    it.effect("rejects values out of range and fractions", () =>
      Effect.gen(function*() {
        for (const priority of [-1001, 1001, 1.5, Number.NaN, Infinity]) {
          assert.include(yield* rejected({ priority }), "priority must be an integer in [-1000, 1000]")
        }
      }))

    it.effect("uses the job's default when the push sets none, and the push's value when it does", () =>
      Effect.gen(function*() {
        const urgent = new Urgent({ n: 1 })
        assert.strictEqual((yield* encodeJob(urgentSchema, urgent, {}, now, 1024)).job.priority, 7)
        assert.strictEqual((yield* encodeJob(urgentSchema, urgent, { priority: 0 }, now, 1024)).job.priority, 0)
        assert.strictEqual((yield* encodeJob(urgentSchema, urgent, { priority: -3 }, now, 1024)).outgoing.priority, -3)
      }))
  })

  describe("run time", () => {
    it.effect("a delay moves the run time from now", () =>
      Effect.gen(function*() {
        const { job, outgoing } = yield* encode({ delay: "5 seconds" })
        assert.strictEqual(job.runAt, now + 5_000)
        assert.strictEqual(outgoing.runAt.getTime(), now + 5_000)
        assert.strictEqual((yield* encode({ delay: 250 })).job.runAt, now + 250)
        assert.strictEqual((yield* encode({ delay: 0 })).job.runAt, now)
      }))

    it.effect("runAt sets the time and wins over delay", () =>
      Effect.gen(function*() {
        const runAt = new Date(now + 60_000)
        assert.strictEqual((yield* encode({ runAt })).job.runAt, now + 60_000)
        assert.strictEqual((yield* encode({ runAt, delay: "1 hour" })).job.runAt, now + 60_000)
      }))

    it.effect("rejects an invalid Date", () =>
      Effect.gen(function*() {
        assert.include(yield* rejected({ runAt: new Date("not a date") }), "runAt is not a valid date")
      }))

    it.effect("rejects an infinite delay", () =>
      Effect.gen(function*() {
        assert.include(yield* rejected({ delay: Infinity }), "delay must be a finite, non-negative duration")
        assert.include(yield* rejected({ delay: Duration.infinity }), "delay must be a finite, non-negative duration")
      }))

    it.effect("rejects a negative delay", () =>
      Effect.gen(function*() {
        assert.include(yield* rejected({ delay: -5_000 }), "delay must be a finite, non-negative duration")
        assert.include(yield* rejected({ delay: "-5 seconds" }), "delay must be a finite, non-negative duration")
        assert.include(yield* rejected({ delay: Number.NaN }), "delay must be a finite, non-negative duration")
        assert.include(yield* rejected({ delay: [-1, 0] }), "delay must be a finite, non-negative duration")
        assert.include(yield* rejected({ delay: -1n }), "delay must be a finite, non-negative duration")
      }))
  })

  describe("limits", () => {
    it.effect("counts the payload limit in UTF-8 bytes, not characters", () =>
      Effect.gen(function*() {
        const note = new Note({ text: "é".repeat(100) })
        const json = JSON.stringify({ text: "é".repeat(100), _tag: "Note" })
        const bytes = json.length + 100
        assert.strictEqual((yield* encodeJob(noteSchema, note, {}, now, bytes)).job.payload, json)
        const error = yield* Effect.flip(encodeJob(noteSchema, note, {}, now, json.length))
        assert.strictEqual(error._tag, "PayloadTooLarge")
        assert.deepInclude(error, { jobName: "Note", bytes, maxBytes: json.length })
        const overByOne = yield* Effect.flip(encodeJob(noteSchema, note, {}, now, bytes - 1))
        assert.strictEqual(overByOne._tag, "PayloadTooLarge")
      }))

    it.effect("keys and chosen ids are 1 to 512 characters", () =>
      Effect.gen(function*() {
        const longest = "k".repeat(512)
        assert.strictEqual((yield* encode({ uniqueKey: longest })).job.uniqueKey, longest)
        assert.strictEqual((yield* encode({ jobId: longest })).job.id, longest)
        for (const value of ["", "k".repeat(513)]) {
          assert.include(yield* rejected({ uniqueKey: value }), "uniqueKey must be 1-512 characters")
          assert.include(yield* rejected({ jobId: value }), "jobId must be 1-512 characters")
        }
        assert.strictEqual((yield* encode({ jobId: "order-😀" })).job.id, "order-😀")
        assert.include(yield* rejected({ uniqueKey: "half \ud83d" }), "uniqueKey contains an unpaired UTF-16 surrogate")
        assert.include(yield* rejected({ jobId: "\ude00 half" }), "jobId contains an unpaired UTF-16 surrogate")
      }))

    it.effect("maxAttempts is an integer of at least 1", () =>
      Effect.gen(function*() {
        assert.strictEqual((yield* encode({ maxAttempts: 1 })).job.maxAttempts, 1)
        for (const maxAttempts of [0, -2, 2.5]) {
          assert.include(yield* rejected({ maxAttempts }), "maxAttempts must be an integer >= 1")
        }
      }))
  })
})

describe("decodeByName", () => {
  it.effect("adds the job's tag to plain JSON and builds an instance", () =>
    Effect.gen(function*() {
      const params = yield* decodeByName(resizeSchema, { url: "u", width: 2 })
      assert.instanceOf(params, Resize)
      assert.deepStrictEqual(params, new Resize({ url: "u", width: 2 }))
    }))

  it.effect("the name it was called with wins over a _tag in the JSON", () =>
    Effect.gen(function*() {
      assert.instanceOf(yield* decodeByName(resizeSchema, { _tag: "Note", url: "u", width: 2 }), Resize)
    }))

  it.effect("reports missing and mistyped fields readably, as InvalidJobParameters", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(decodeByName(resizeSchema, { url: "u" }))
      assert.strictEqual(missing._tag, "InvalidJobParameters")
      assert.strictEqual(missing.jobName, "Resize")
      assert.match(missing.message, /\["width"\][\s\S]*is missing/)
      const mistyped = yield* Effect.flip(decodeByName(resizeSchema, { url: "u", width: "wide" }))
      assert.match(mistyped.message, /\["width"\][\s\S]*actual "wide"/)
    }))

  it.effect("rejects JSON that is not an object", () =>
    Effect.gen(function*() {
      for (const json of [null, [1], "Resize", 3]) {
        const error = yield* Effect.flip(decodeByName(resizeSchema, json))
        assert.strictEqual(error._tag, "InvalidJobParameters")
      }
    }))
})
