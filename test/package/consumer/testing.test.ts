/**
 * A consumer of the packed `effect-jobs/testing`, run by vitest: the conformance suite on the memory driver,
 * and a test of its own job with `JobQueueTest`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { type InvalidJobParameters, JobParameters, JobQueue, memoryDriver } from "effect-jobs"
import { type EnqueuedJob, JobQueueTest, type MakeDriverLayer, runConformance } from "effect-jobs/testing"

class Greet extends JobParameters<Greet>()("Greet", { name: Schema.String }) {}

const makeDriverLayer: MakeDriverLayer = () => memoryDriver
runConformance("packed memory", makeDriverLayer)

const pending: Effect.Effect<ReadonlyArray<EnqueuedJob<Greet>>, InvalidJobParameters, JobQueueTest> =
  JobQueueTest.enqueued(Greet)

// @ts-expect-error The decoded parameters are typed: a name is not a number.
export const wrong = Effect.map(pending, (jobs): ReadonlyArray<number> => jobs.map((job) => job.params.name))

describe("JobQueueTest from the package", () => {
  it.scoped("greets once drained", () =>
    Effect.gen(function*() {
      const queue = yield* JobQueue
      const greeted: Array<string> = []
      yield* queue.registerJob(Greet, (params) => Effect.sync(() => greeted.push(params.name)))
      yield* queue.push(new Greet({ name: "Ada" }))
      assert.deepStrictEqual((yield* pending).map((job) => job.params.name), ["Ada"])
      assert.strictEqual(yield* JobQueueTest.drain, 1)
      assert.deepStrictEqual(greeted, ["Ada"])
    }).pipe(Effect.provide(JobQueueTest.layer())))
})
