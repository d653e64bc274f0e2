/**
 * The small pieces around failures and stored jobs: handler errors, how a failure is stored, and the public
 * view of a stored record.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Option } from "effect"
import { HandlerError, JobError } from "effect-jobs"
import type { JobRecord } from "../../src/JobDriver.js"
import { fromRecord } from "../../src/JobInfo.js"
import { formatFailure } from "../../src/internal/format.js"

describe("HandlerError", () => {
  it("permanent builds a Permanent error, with a cause only when one is given", () => {
    const plain = HandlerError.permanent("unknown recipient")
    assert.instanceOf(plain, HandlerError.Permanent)
    assert.strictEqual(plain._tag, "JobError/Permanent")
    assert.strictEqual(plain.message, "unknown recipient")
    assert.notProperty(plain, "cause")
    const caused = HandlerError.permanent("bounced", { code: 550 })
    assert.deepStrictEqual(caused.cause, { code: 550 })
  })

  it("isPermanent holds for Permanent and UndecodablePayload only", () => {
    assert.isTrue(HandlerError.isPermanent(HandlerError.permanent("x")))
    assert.isTrue(HandlerError.isPermanent(new HandlerError.UndecodablePayload({ jobId: "1", jobName: "A", message: "m" })))
    assert.isFalse(HandlerError.isPermanent(new HandlerError.Timeout({ jobId: "1", jobName: "A", millis: 5 })))
    assert.isFalse(HandlerError.isPermanent(new Error("Permanent")))
    assert.isFalse(HandlerError.isPermanent({ _tag: "JobError/Permanent", message: "look-alike" }))
    assert.isFalse(HandlerError.isPermanent(undefined))
  })

  it("the former names still reach the same errors for one release", async () => {
    const former = await import("../../src/JobError.js")
    assert.strictEqual(JobError.Permanent, HandlerError.Permanent)
    assert.strictEqual(former.permanent, HandlerError.permanent)
    const queueErrors = await import("../../src/QueueErrors.js")
    const formerQueueErrors = await import("../../src/JobErrors.js")
    assert.strictEqual(formerQueueErrors.DriverError, queueErrors.DriverError)
  })

  it("Timeout says which job timed out and after how long", () => {
    const timeout = new HandlerError.Timeout({ jobId: "j-1", jobName: "Resize", millis: 30_000 })
    assert.strictEqual(timeout.message, "Job Resize (j-1) timed out after 30000 ms")
  })
})

describe("formatFailure", () => {
  it("renders typed failures and defects with their messages", () => {
    assert.include(formatFailure(Cause.fail(HandlerError.permanent("bad address"))), "bad address")
    const defect = formatFailure(Cause.die(new Error("kaput")))
    assert.include(defect, "Error: kaput")
    assert.include(defect, "HandlerError.test.ts", "a defect keeps its stack")
  })

  it("caps what is stored at 8192 characters and says how much was cut", () => {
    const text = formatFailure(Cause.fail(new Error("x".repeat(20_000))))
    const full = Cause.pretty(Cause.fail(new Error("x".repeat(20_000))), { renderErrorCause: true })
    assert.strictEqual(text, `${full.slice(0, 8_192)}\n… (${full.length - 8_192} more characters)`)
    const short = Cause.fail(new Error("short"))
    assert.strictEqual(formatFailure(short), Cause.pretty(short, { renderErrorCause: true }))
  })

  it("never cuts through a surrogate pair, and replaces unpaired surrogates", () => {
    const wellFormed = (text: string) => !/[\uD800-\uDFFF]/.test(text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ""))
    // Line up an emoji across the cut for every offset of the rendered prefix.
    for (let pad = 8_170; pad < 8_200; pad++) {
      const text = formatFailure(Cause.fail(`${"x".repeat(pad)}😀😀`))
      assert.isTrue(wellFormed(text), `well-formed with ${pad} characters before the emoji`)
    }
    assert.strictEqual(formatFailure(Cause.fail("a \ud83d b \ude00")), "Error: a \ufffd b \ufffd")
  })
})

describe("fromRecord", () => {
  const record: JobRecord = {
    id: "j-1",
    name: "Resize",
    payload: JSON.stringify({ _tag: "Resize", width: 3 }),
    state: "failed",
    priority: 2,
    runAt: 2_000,
    attempts: 3,
    maxAttempts: undefined,
    uniqueKey: "k",
    createdAt: 1_000,
    startedAt: 3_000,
    finishedAt: undefined,
    lastError: "boom",
    progress: 0,
    leaseOwner: "worker-1",
    leaseExpiresAt: 9_000
  }

  it("parses the payload, turns times into Dates and absent values into None", () => {
    const info = fromRecord(record)
    assert.deepStrictEqual(info.payload, { _tag: "Resize", width: 3 })
    assert.deepStrictEqual([info.createdAt, info.runAt], [new Date(1_000), new Date(2_000)])
    assert.deepStrictEqual(info.startedAt, Option.some(new Date(3_000)))
    assert.deepStrictEqual(info.finishedAt, Option.none())
    assert.deepStrictEqual(info.maxAttempts, Option.none())
    assert.deepStrictEqual(info.uniqueKey, Option.some("k"))
    assert.deepStrictEqual(info.lastError, Option.some("boom"))
    assert.deepStrictEqual(info.progress, Option.some(0), "a progress of 0 is still progress")
    assert.deepInclude(info, { id: "j-1", name: "Resize", state: "failed", priority: 2, attempts: 3 })
    assert.notProperty(info, "leaseOwner", "lease details stay inside the driver")
  })

  it("shows a payload that is not JSON as its raw text", () => {
    assert.strictEqual(fromRecord({ ...record, payload: "{not json" }).payload, "{not json")
  })
})
