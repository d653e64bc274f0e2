import { assert, describe, it } from "@effect/vitest"
import { Duration } from "effect"
import { Backoff } from "effect-jobs"

const millis = (backoff: Backoff.Backoff, attempt: number, random: number) =>
  Duration.toMillis(backoff.delay(attempt, random))

describe("Backoff", () => {
  it("grows exponentially from the base and stops at the cap", () => {
    const backoff = Backoff.exponential({ base: "1 second", factor: 3, max: "20 seconds", jitter: 0 })
    assert.deepStrictEqual([1, 2, 3, 4, 10].map((attempt) => millis(backoff, attempt, 0.5)), [1000, 3000, 9000, 20000, 20000])
  })

  it("spreads each delay by at most the jitter fraction", () => {
    const backoff = Backoff.exponential({ base: "10 seconds", jitter: 0.2 })
    assert.strictEqual(millis(backoff, 1, 0), 8000)
    assert.strictEqual(millis(backoff, 1, 0.5), 10000)
    assert.isAtMost(millis(backoff, 1, 0.999999), 12000)
    assert.isAtLeast(millis(backoff, 1, 0.999999), 11999)
  })

  it("defaults to 1 second doubling with 20% jitter", () => {
    assert.deepStrictEqual([1, 2, 3].map((attempt) => millis(Backoff.defaultBackoff, attempt, 0.5)), [1000, 2000, 4000])
    assert.strictEqual(millis(Backoff.defaultBackoff, 1, 0), 800)
  })

  it("fixed and immediate ignore the attempt number", () => {
    assert.deepStrictEqual([1, 5].map((attempt) => millis(Backoff.fixed("30 seconds"), attempt, 0.9)), [30000, 30000])
    assert.strictEqual(millis(Backoff.fixed("10 seconds", { jitter: 0.5 }), 1, 0), 5000)
    assert.strictEqual(millis(Backoff.immediate, 3, 0.7), 0)
  })
})
