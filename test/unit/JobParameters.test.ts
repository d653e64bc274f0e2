import { assert, describe, it } from "@effect/vitest"
import { ParseResult, Schema } from "effect"
import { JobParameters } from "effect-jobs"
import { schemaOf } from "../../src/JobParameters.js"

class Resize extends JobParameters<Resize>()("images/Resize", {
  url: Schema.String,
  width: Schema.Int
}, { maxAttempts: 7, priority: 3 }) {}

describe("JobParameters", () => {
  it("carries its stable name and defaults", () => {
    assert.strictEqual(Resize.jobName, "images/Resize")
    assert.deepStrictEqual(Resize.jobDefaults, { maxAttempts: 7, priority: 3 })
    assert.strictEqual(new Resize({ url: "u", width: 10 })._tag, "images/Resize")
  })

  it("validates at construction", () => {
    assert.throws(() => new Resize({ url: "u", width: 1.5 }), ParseResult.ParseError)
  })

  it("rejects names that cannot be stored safely", () => {
    assert.throws(() => JobParameters<never>()("", {}), TypeError)
    assert.throws(() => JobParameters<never>()("has space", {}), TypeError)
    assert.throws(() => JobParameters<never>()("*", {}), TypeError)
  })

  it("finds the schema of an instance, and nothing for plain objects", () => {
    assert.strictEqual(schemaOf(new Resize({ url: "u", width: 1 }))?.jobName, Resize.jobName)
    assert.isUndefined(schemaOf({ url: "u", width: 1 }))
    assert.isUndefined(schemaOf(null))
  })

  it("round-trips through its encoded form", () => {
    const encoded = Schema.encodeSync(Resize)(new Resize({ url: "u", width: 3 }))
    assert.deepStrictEqual(encoded, { _tag: "images/Resize", url: "u", width: 3 })
    assert.deepStrictEqual(Schema.decodeUnknownSync(Resize)(JSON.parse(JSON.stringify(encoded))), new Resize({ url: "u", width: 3 }))
  })
})
