/**
 * Options in one place: which level's setting a job gets, and how a bad option is reported.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { Backoff, InvalidOption } from "effect-jobs"
import { nonNegativeInteger, queueDefaults, resolveJobSetting } from "../../src/internal/options.js"

describe("resolveJobSetting", () => {
  const fast = Backoff.immediate
  const slow = Backoff.fixed("1 minute")

  it("takes the push option over the handler option over the job class default over the queue default", () => {
    const cases = [
      [{ push: { maxAttempts: 1 }, handler: { maxAttempts: 2 }, jobClass: { maxAttempts: 3 } }, 1],
      [{ push: {}, handler: { maxAttempts: 2 }, jobClass: { maxAttempts: 3 } }, 2],
      [{ handler: {}, jobClass: { maxAttempts: 3 } }, 3],
      [{ push: { maxAttempts: undefined }, handler: {}, jobClass: {} }, queueDefaults.maxAttempts],
      [{}, queueDefaults.maxAttempts]
    ] as const
    for (const [levels, expected] of cases) {
      assert.strictEqual(resolveJobSetting("maxAttempts", { ...levels, queue: queueDefaults }), expected, JSON.stringify(levels))
    }
  })

  it("resolves each setting on its own: a level may set one and leave another to the next", () => {
    const levels = { handler: { backoff: fast }, jobClass: { priority: 7, backoff: slow }, queue: queueDefaults }
    assert.strictEqual(resolveJobSetting("backoff", levels), fast)
    assert.strictEqual(resolveJobSetting("priority", levels), 7)
    assert.strictEqual(resolveJobSetting("priority", { push: { priority: 0 }, ...levels }), 0, "0 is a setting, not a gap")
    assert.strictEqual(resolveJobSetting("timeout", levels), undefined, "no level sets a timeout")
    assert.strictEqual(resolveJobSetting("timeout", { jobClass: { timeout: "1 second" }, queue: {} }), "1 second")
  })
})

describe("bad options", () => {
  it("a count option that is negative or fractional fails with an InvalidOption naming it", () => {
    for (const value of [-1, 0.5, Number.NaN]) {
      const exit = Effect.runSyncExit(nonNegativeInteger("concurrency", value))
      assert.deepStrictEqual(
        exit,
        Exit.fail(new InvalidOption({ option: "concurrency", message: `concurrency must be a non-negative integer, got ${value}` }))
      )
    }
    assert.deepStrictEqual(Effect.runSync(nonNegativeInteger("concurrency", 0)), 0)
  })
})
