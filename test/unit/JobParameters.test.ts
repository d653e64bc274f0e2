import { assert, describe, it } from "@effect/vitest"
import { Either, ParseResult, Schema } from "effect"
import { Backoff, JobParameters } from "effect-jobs"
import { schemaOf } from "../../src/JobParameters.js"

class Resize extends JobParameters<Resize>()("images/Resize", {
  url: Schema.String,
  width: Schema.Int
}, { maxAttempts: 7, priority: 3, backoff: Backoff.immediate }) {}

class Ping extends JobParameters<Ping>()("Ping", {}) {}

class Stamp extends JobParameters<Stamp>()("Stamp", { at: Schema.Date }) {}

describe("JobParameters", () => {
  it("carries its stable name and defaults as statics", () => {
    assert.strictEqual(Resize.jobName, "images/Resize")
    assert.strictEqual(Resize.jobDefaults.maxAttempts, 7)
    assert.strictEqual(Resize.jobDefaults.priority, 3)
    assert.strictEqual(Resize.jobDefaults.backoff, Backoff.immediate)
    assert.deepStrictEqual(Ping.jobDefaults, {})
    assert.strictEqual(new Resize({ url: "u", width: 10 })._tag, "images/Resize")
  })

  it("validates every field at construction and throws a ParseError", () => {
    assert.throws(() => new Resize({ url: "u", width: 1.5 }), ParseResult.ParseError)
    assert.throws(() => new Resize({ url: 1 as unknown as string, width: 1 }), ParseResult.ParseError)
    assert.throws(() => new Resize({ url: "u" } as unknown as { url: string; width: number }), ParseResult.ParseError)
    const valid = new Resize({ url: "u", width: 2 })
    assert.deepStrictEqual([valid.url, valid.width], ["u", 2])
  })

  it("accepts names made of letters, digits and _ . : / -, up to 200 characters", () => {
    for (const name of ["a", "_private", "mail.Send", "v2:billing/Charge-Card", "x".repeat(200)]) {
      assert.strictEqual(JobParameters<never>()(name, {}).jobName, name)
    }
  })

  it("rejects names that cannot be stored safely with a TypeError", () => {
    for (const name of ["", "has space", "*", "-leading", "/leading", "x".repeat(201), "émoji", "line\nbreak"]) {
      assert.throws(() => JobParameters<never>()(name, {}), TypeError, "Invalid job name")
    }
  })

  it("finds the schema of an instance, and nothing for anything else", () => {
    assert.strictEqual<unknown>(schemaOf(new Resize({ url: "u", width: 1 })), Resize)
    assert.strictEqual(schemaOf(new Ping())?.jobName, "Ping")
    assert.isUndefined(schemaOf({ _tag: "images/Resize", url: "u", width: 1 }))
    assert.isUndefined(schemaOf(null))
    assert.isUndefined(schemaOf(undefined))
    assert.isUndefined(schemaOf("images/Resize"))
    assert.isUndefined(schemaOf(42))
    class LooksLikeOne {
      static readonly jobName = "Fake"
    }
    assert.isUndefined(schemaOf(new LooksLikeOne()), "a class with a jobName but no schema is not one")
  })

  it("round-trips through its encoded form", () => {
    const encoded = Schema.encodeSync(Resize)(new Resize({ url: "u", width: 3 }))
    assert.deepStrictEqual(encoded, { _tag: "images/Resize", url: "u", width: 3 })
    const decoded = Schema.decodeUnknownSync(Resize)(JSON.parse(JSON.stringify(encoded)))
    assert.instanceOf(decoded, Resize)
    assert.deepStrictEqual(decoded, new Resize({ url: "u", width: 3 }))
  })

  it("encodes fields through their schemas (a Date becomes a string and comes back a Date)", () => {
    const at = new Date("2030-01-02T03:04:05.000Z")
    const encoded = Schema.encodeSync(Stamp)(new Stamp({ at }))
    assert.deepStrictEqual(encoded, { _tag: "Stamp", at: "2030-01-02T03:04:05.000Z" })
    const decoded = Schema.decodeUnknownSync(Stamp)(encoded)
    assert.strictEqual(decoded.at.getTime(), at.getTime())
  })

  it("does not decode another job's tag or a bad field", () => {
    const decode = Schema.decodeUnknownEither(Resize)
    assert.isTrue(Either.isLeft(decode({ _tag: "Ping", url: "u", width: 1 })))
    assert.isTrue(Either.isLeft(decode({ _tag: "images/Resize", url: "u", width: "wide" })))
    assert.isTrue(Either.isLeft(decode({ url: "u", width: 1 })), "the tag is part of the encoded form")
  })
})
