/**
 * The counting driver passes the whole conformance suite, and counts what the queue asks of it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { JobParameters, JobQueue } from "effect-jobs"
import { runConformance } from "effect-jobs/testing"
import { type CallCounts, countingDriver } from "./driver.js"

runConformance("counting", () => countingDriver(new Map()))

class Ping extends JobParameters<Ping>()("Ping", { n: Schema.Number }) {}

describe("counting driver", () => {
  it.scoped("counts each operation the queue runs", () =>
    Effect.gen(function*() {
      const calls: CallCounts = new Map()
      const queue = yield* JobQueue.make({ concurrency: 0 }).pipe(Effect.provide(countingDriver(calls)))
      yield* queue.pushMany([new Ping({ n: 1 }), new Ping({ n: 2 })])
      yield* queue.push(new Ping({ n: 3 }))
      yield* queue.counts
      assert.strictEqual(calls.get("push"), 2)
      assert.strictEqual(calls.get("counts"), 1)
      assert.isUndefined(calls.get("claim"))
    }))
})
