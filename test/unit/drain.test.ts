/**
 * The timing rules of a drain: which deadline a drain keeps (drains of one closing scope share one).
 */
import { assert, describe, it } from "@effect/vitest"
import { closeDrain, DRAIN_JOIN_MS, type DrainWindow, openDrain } from "../../src/internal/drain.js"

const timeoutMs = 25_000

describe("openDrain", () => {
  const open: DrainWindow = { deadline: 30_000, open: 1, lastEndedAt: 5_000 }
  const ended: DrainWindow = { deadline: 30_000, open: 0, lastEndedAt: 8_000 }
  const cases: ReadonlyArray<[string, DrainWindow | undefined, number, DrainWindow]> = [
    ["the first drain starts a window", undefined, 1_000, { deadline: 26_000, open: 1, lastEndedAt: 1_000 }],
    ["a drain overlapping an open one joins it", open, 20_000, { deadline: 30_000, open: 2, lastEndedAt: 5_000 }],
    ["a drain right after one ended joins it", ended, 8_000 + DRAIN_JOIN_MS, { ...ended, open: 1 }],
    ["a later drain starts afresh", ended, 8_001 + DRAIN_JOIN_MS, {
      deadline: 8_001 + DRAIN_JOIN_MS + timeoutMs,
      open: 1,
      lastEndedAt: 8_001 + DRAIN_JOIN_MS
    }]
  ]
  it.each(cases)("%s", (_, current, now, expected) => {
    assert.deepStrictEqual(openDrain(current, now, timeoutMs), expected)
  })

  it("closing counts the drain out and remembers when", () => {
    assert.deepStrictEqual(closeDrain({ deadline: 30_000, open: 2, lastEndedAt: 5_000 }, 9_000), {
      deadline: 30_000,
      open: 1,
      lastEndedAt: 9_000
    })
  })
})
