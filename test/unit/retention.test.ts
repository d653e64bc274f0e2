/**
 * When pruning passes run: as jobs finished here come due, no more often than the interval, at least hourly.
 */
import { assert, describe, it } from "@effect/vitest"
import { expiresAt, nextPassAt, type RetentionRule } from "../../src/internal/retention.js"

const rules: ReadonlyArray<RetentionRule> = [
  { state: "completed", maxAgeMs: 3_600_000, maxCount: undefined },
  { state: "failed", maxAgeMs: undefined, maxCount: undefined },
  { state: "cancelled", maxAgeMs: 86_400_000, maxCount: 100 }
]

describe("expiresAt", () => {
  it.each([
    ["an age limit: just past the age", "completed", 1_000, 3_601_001],
    ["kept forever: never", "failed", 1_000, Infinity],
    ["a count limit: at once", "cancelled", 1_000, 1_000]
  ] as const)("%s", (_, state, now, expected) => {
    assert.strictEqual(expiresAt(rules, state, now), expected)
  })

  it("a state without a rule (deleted as it completes) never expires", () => {
    assert.strictEqual(expiresAt(rules.slice(1), "completed", 0), Infinity)
  })
})

describe("nextPassAt", () => {
  const interval = 60_000
  const fallback = 3_600_000
  it.each([
    ["nothing due: the fallback", 0, Infinity, fallback],
    ["due after the interval: when due", 0, 600_000, 600_000],
    ["due sooner than the interval: after the interval", 0, 1_000, interval],
    ["due past the fallback: the fallback", 0, 2 * fallback, fallback],
    ["already overdue: after the interval", 100_000, 50_000, 160_000]
  ] as const)("%s", (_, lastPass, earliestDue, expected) => {
    assert.strictEqual(nextPassAt(lastPass, earliestDue, interval, fallback), expected)
  })
})
