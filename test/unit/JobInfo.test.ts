/**
 * The JobInfo schema: job info encodes to plain JSON (every key present, null when absent, ISO 8601 times)
 * and decodes back to the same value.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { JobInfo, JobParameters, JobQueue } from "effect-jobs"
import type { JobRecord } from "effect-jobs"
import { fromRecord } from "../../src/JobInfo.js"
import { withMemoryQueue } from "./support.js"

class Greet extends JobParameters<Greet>()("Greet", { name: Schema.String }) {}

const pending: JobRecord = {
  id: "job-1",
  name: "Greet",
  payload: "{\"_tag\":\"Greet\",\"name\":\"Ada\"}",
  state: "pending",
  priority: 0,
  runAt: Date.UTC(2024, 0, 2, 3, 4, 5, 6),
  attempts: 0,
  maxAttempts: undefined,
  uniqueKey: undefined,
  createdAt: Date.UTC(2024, 0, 2, 3, 4, 5, 6),
  startedAt: undefined,
  finishedAt: undefined,
  lastError: undefined,
  progress: undefined,
  leaseOwner: undefined,
  leaseExpiresAt: undefined
}

const failed: JobRecord = {
  ...pending,
  state: "failed",
  priority: -5,
  attempts: 2,
  maxAttempts: 2,
  uniqueKey: "greet:ada",
  startedAt: Date.UTC(2024, 0, 2, 3, 5, 0, 0),
  finishedAt: Date.UTC(2024, 0, 2, 3, 5, 1, 500),
  lastError: "Error: no\n    at handler",
  progress: 0
}

const encode = Schema.encodeSync(JobInfo)

describe("JobInfo", () => {
  it("encodes a job without optional values to JSON with null for each", () => {
    assert.deepStrictEqual(encode(fromRecord(pending)), {
      id: "job-1",
      name: "Greet",
      state: "pending",
      payload: { _tag: "Greet", name: "Ada" },
      priority: 0,
      attempts: 0,
      maxAttempts: null,
      uniqueKey: null,
      createdAt: "2024-01-02T03:04:05.006Z",
      runAt: "2024-01-02T03:04:05.006Z",
      startedAt: null,
      finishedAt: null,
      lastError: null,
      progress: null
    })
  })

  it("encodes a job with every optional value set (0 included) to plain values and ISO times", () => {
    assert.deepStrictEqual(encode(fromRecord(failed)), {
      id: "job-1",
      name: "Greet",
      state: "failed",
      payload: { _tag: "Greet", name: "Ada" },
      priority: -5,
      attempts: 2,
      maxAttempts: 2,
      uniqueKey: "greet:ada",
      createdAt: "2024-01-02T03:04:05.006Z",
      runAt: "2024-01-02T03:04:05.006Z",
      startedAt: "2024-01-02T03:05:00.000Z",
      finishedAt: "2024-01-02T03:05:01.500Z",
      lastError: "Error: no\n    at handler",
      progress: 0
    })
  })

  it("survives JSON text and decodes back to the same job info", () => {
    for (const stored of [pending, failed, { ...pending, payload: "not json" }]) {
      const info = fromRecord(stored)
      const text = JSON.stringify(encode(info))
      assert.deepStrictEqual(Schema.decodeUnknownSync(JobInfo)(JSON.parse(text)), info)
    }
  })

  it("refuses JSON with an unknown state or a time that is not a date", () => {
    const json = encode(fromRecord(pending))
    for (const bad of [{ ...json, state: "sleeping" }, { ...json, runAt: "yesterday" }]) {
      assert.isTrue(Schema.decodeUnknownEither(JobInfo)(bad)._tag === "Left")
    }
  })

  it.scoped("what queue.get returns encodes as its JSON", () =>
    withMemoryQueue({}, Effect.gen(function*() {
      const queue = yield* JobQueue
      const id = yield* queue.push(new Greet({ name: "Ada" }), { maxAttempts: 4, uniqueKey: "ada" })
      const json = encode(Option.getOrThrow(yield* queue.get(id)))
      assert.deepInclude(json, { id, state: "pending", maxAttempts: 4, uniqueKey: "ada", startedAt: null, progress: null })
      assert.strictEqual(json.createdAt, new Date(0).toISOString(), "the test clock starts at 0")
    })))
})
