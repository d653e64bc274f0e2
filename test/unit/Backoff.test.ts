import { assert, describe, it } from "@effect/vitest"
import { Duration } from "effect"
import { Backoff, InvalidOption } from "effect-jobs"

const millis = (backoff: Backoff.Backoff, attempt: number, random: number) =>
  Duration.toMillis(backoff.delay(attempt, random))

/** The largest value `Math.random()` can return. */
const almostOne = 1 - Number.EPSILON / 2

describe("Backoff", () => {
  describe("exponential", () => {
    it("grows by the factor from the base and stops at the cap", () => {
      const backoff = Backoff.exponential({ base: "1 second", factor: 3, max: "20 seconds", jitter: 0 })
      assert.deepStrictEqual(
        [1, 2, 3, 4, 10].map((attempt) => millis(backoff, attempt, 0.5)),
        [1000, 3000, 9000, 20000, 20000]
      )
    })

    it("treats attempt 0 like attempt 1 and stays at the cap for huge attempt numbers", () => {
      const backoff = Backoff.exponential({ base: "2 seconds", max: "1 minute", jitter: 0 })
      assert.strictEqual(millis(backoff, 0, 0.5), 2000)
      assert.strictEqual(millis(backoff, 5_000, 0.5), 60_000, "factor^4999 overflows to Infinity; the cap holds")
    })

    it("spreads each delay by at most the jitter fraction: random 0 and ~1 give the extremes", () => {
      const backoff = Backoff.exponential({ base: "10 seconds", jitter: 0.2 })
      assert.strictEqual(millis(backoff, 1, 0), 8000)
      assert.strictEqual(millis(backoff, 1, 0.5), 10000)
      assert.strictEqual(millis(backoff, 1, almostOne), 12000)
      for (const random of [0.01, 0.3, 0.77, 0.99]) {
        const delay = millis(backoff, 2, random)
        assert.isAtLeast(delay, 16000)
        assert.isAtMost(delay, 24000)
      }
    })

    it("spreads the capped delay too (the cap applies before the jitter)", () => {
      const backoff = Backoff.exponential({ base: "1 second", max: "10 seconds", jitter: 0.5 })
      assert.strictEqual(millis(backoff, 20, 0), 5000)
      assert.strictEqual(millis(backoff, 20, almostOne), 15000)
    })

    it("rejects options that make no sense with an InvalidOption naming the option", () => {
      assert.throws(() => Backoff.exponential({ factor: 0.5 }), InvalidOption, "Backoff factor must be a finite number >= 1, got 0.5")
      assert.throws(() => Backoff.exponential({ factor: Number.NaN }), InvalidOption, "factor")
      assert.throws(() => Backoff.exponential({ jitter: -0.1 }), InvalidOption, "Backoff jitter must be a finite number >= 0, got -0.1")
      assert.throws(() => Backoff.exponential({ base: Duration.infinity }), InvalidOption, "base")
      assert.throws(() => Backoff.exponential({ max: Duration.infinity }), InvalidOption, "max")
      assert.throws(() => Backoff.fixed(Duration.infinity), InvalidOption, "delay")
      assert.throws(() => Backoff.fixed("1 second", { jitter: Number.NaN }), InvalidOption, "jitter")
    })

    it("never goes below zero, even with a jitter above 1", () => {
      assert.strictEqual(millis(Backoff.exponential({ base: "1 second", jitter: 3 }), 1, 0), 0)
    })

    it("defaults to 1 second doubling, capped at 1 hour, with ±20% jitter", () => {
      assert.deepStrictEqual(
        [1, 2, 3, 4].map((attempt) => millis(Backoff.defaultBackoff, attempt, 0.5)),
        [1000, 2000, 4000, 8000]
      )
      assert.strictEqual(millis(Backoff.defaultBackoff, 1, 0), 800)
      assert.strictEqual(millis(Backoff.defaultBackoff, 1, almostOne), 1200)
      assert.strictEqual(millis(Backoff.defaultBackoff, 30, 0.5), 3_600_000)
      assert.deepStrictEqual(
        [1, 3, 30].map((attempt) => millis(Backoff.exponential(), attempt, 0.25)),
        [1, 3, 30].map((attempt) => millis(Backoff.defaultBackoff, attempt, 0.25))
      )
    })
  })

  describe("fixed", () => {
    it("waits the same time after every attempt and ignores random without jitter", () => {
      const backoff = Backoff.fixed("30 seconds")
      for (const [attempt, random] of [[1, 0], [5, almostOne], [100, 0.5]] as const) {
        assert.strictEqual(millis(backoff, attempt, random), 30000)
      }
    })

    it("spreads by its jitter, the same for every attempt", () => {
      const backoff = Backoff.fixed("10 seconds", { jitter: 0.5 })
      assert.strictEqual(millis(backoff, 1, 0), 5000)
      assert.strictEqual(millis(backoff, 7, 0), 5000)
      assert.strictEqual(millis(backoff, 1, 0.5), 10000)
      assert.strictEqual(millis(backoff, 1, almostOne), 15000)
    })
  })

  it("immediate retries at once whatever the attempt and random", () => {
    assert.strictEqual(millis(Backoff.immediate, 1, 0), 0)
    assert.strictEqual(millis(Backoff.immediate, 3, 0.7), 0)
    assert.strictEqual(Backoff.immediate._tag, "Backoff")
  })
})
