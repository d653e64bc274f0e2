/**
 * What push, pushMany and schedule refuse at run time, for callers the compiler cannot check (JavaScript,
 * casts): values not made by a `JobParameters` class, and cron expressions that do not parse. Nothing is
 * written in either case.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema, TestClock } from "effect"
import { JobParameters, type JobParametersInstance, JobQueue } from "effect-jobs"
import { withMemoryQueue } from "./support.js"

class Tick extends JobParameters<Tick>()("Tick", { n: Schema.Number }) {}
class PlainTick extends Schema.TaggedClass<PlainTick>()("Tick", { n: Schema.Number }) {}

/** Values that only a cast gets past the compiler. */
const notJobParameters: ReadonlyArray<readonly [string, unknown]> = [
  ["a Date", new Date(0)],
  ["a plain object of the right shape", { _tag: "Tick", n: 1 }],
  ["an instance of a Schema class not made by JobParameters", new PlainTick({ n: 1 })],
  ["null", null],
  ["a string", "Tick"]
]

const cast = (value: unknown) => value as JobParametersInstance

describe("push guards", () => {
  it.scoped("push, pushMany and schedule refuse what no JobParameters class made, writing nothing", () =>
    withMemoryQueue({}, Effect.gen(function*() {
      const queue = yield* JobQueue
      for (const [label, value] of notJobParameters) {
        const failures = [
          yield* Effect.flip(queue.push(cast(value))),
          yield* Effect.flip(queue.pushMany([new Tick({ n: 1 }), cast(value)])),
          yield* Effect.flip(queue.schedule(cast(value), "* * * * *"))
        ]
        for (const error of failures) {
          assert.strictEqual(error._tag, "InvalidJobParameters", label)
          assert.strictEqual(error.message, "Not an instance of a JobParameters class", label)
        }
      }
      yield* TestClock.adjust("2 minutes")
      assert.deepStrictEqual(yield* queue.counts, { pending: 0, delayed: 0, active: 0, completed: 0, failed: 0, cancelled: 0 })
    })))

  it.scoped("schedule refuses a cron expression that does not parse with InvalidSchedule naming it", () =>
    withMemoryQueue({}, Effect.gen(function*() {
      const queue = yield* JobQueue
      for (const expression of ["61 * * * *", "* * *", "every day", ""]) {
        const error = yield* Effect.flip(queue.schedule(new Tick({ n: 1 }), expression))
        assert.strictEqual(error._tag, "InvalidSchedule", expression)
        assert.strictEqual(error._tag === "InvalidSchedule" ? error.expression : undefined, expression)
      }
      yield* TestClock.adjust("2 hours")
      assert.strictEqual((yield* queue.counts).pending, 0)
    })))
})
