/**
 * The reference job filter every driver's listing agrees with: state time per state, names, the state-time
 * range (from inclusive, to exclusive) and case-sensitive search over id, unique key and payload.
 */
import { describe, expect, it } from "@effect/vitest"
import { type JobFilter, type JobRecord, type JobState, matchesFilter, stateTime } from "../../src/index.js"

const job = (overrides: Partial<JobRecord> = {}): JobRecord => ({
  id: "order-17",
  name: "Tick",
  payload: JSON.stringify({ customer: "Ada", note: "50% off_now" }),
  state: "pending",
  priority: 0,
  runAt: 1_000,
  attempts: 0,
  maxAttempts: undefined,
  uniqueKey: undefined,
  createdAt: 500,
  startedAt: undefined,
  finishedAt: undefined,
  lastError: undefined,
  progress: undefined,
  leaseOwner: undefined,
  leaseExpiresAt: undefined,
  ...overrides
})

describe("stateTime", () => {
  it.each<readonly [state: JobState, overrides: Partial<JobRecord>, time: number]>([
    ["pending", {}, 1_000],
    ["pending", { startedAt: 2_000, finishedAt: 3_000 }, 1_000],
    ["active", { startedAt: 2_000 }, 2_000],
    ["active", { startedAt: 2_000, finishedAt: 3_000 }, 2_000],
    ["completed", { startedAt: 2_000, finishedAt: 3_000 }, 3_000],
    ["failed", { startedAt: 2_000, finishedAt: 4_000 }, 4_000],
    ["cancelled", { finishedAt: 5_000 }, 5_000],
    // A record without the time its state should have falls back to its run time.
    ["active", {}, 1_000],
    ["completed", { startedAt: 2_000 }, 1_000],
    ["cancelled", {}, 1_000]
  ])("of a %s job %o is %d", (state, overrides, time) => {
    expect(stateTime(job({ state, ...overrides }))).toBe(time)
  })
})

describe("matchesFilter", () => {
  const cases: ReadonlyArray<readonly [what: string, record: JobRecord, filter: JobFilter, matches: boolean]> = [
    ["the same state", job(), { state: "pending" }, true],
    ["another state", job(), { state: "failed" }, false],
    ["a listed name", job(), { state: "pending", names: ["Greet", "Tick"] }, true],
    ["an unlisted name", job(), { state: "pending", names: ["Greet"] }, false],
    ["an empty name list (every name)", job(), { state: "pending", names: [] }, true],
    ["a name differing in case", job(), { state: "pending", names: ["tick"] }, false],
    ["from equal to the state time (inclusive)", job(), { state: "pending", from: 1_000 }, true],
    ["from after the state time", job(), { state: "pending", from: 1_001 }, false],
    ["to equal to the state time (exclusive)", job(), { state: "pending", to: 1_000 }, false],
    ["to after the state time", job(), { state: "pending", to: 1_001 }, true],
    ["a range holding the state time", job(), { state: "pending", from: 999, to: 1_001 }, true],
    ["an empty range", job(), { state: "pending", from: 1_000, to: 1_000 }, false],
    [
      "a range on finishedAt, not runAt, once finished",
      job({ state: "completed", startedAt: 2_000, finishedAt: 3_000 }),
      { state: "completed", from: 3_000, to: 3_001 },
      true
    ],
    [
      "a range holding the run time of a finished job",
      job({ state: "completed", startedAt: 2_000, finishedAt: 3_000 }),
      { state: "completed", from: 1_000, to: 1_001 },
      false
    ],
    [
      "a range on startedAt while active",
      job({ state: "active", startedAt: 2_000 }),
      { state: "active", from: 2_000, to: 2_001 },
      true
    ],
    ["search in the id", job(), { state: "pending", search: "der-1" }, true],
    ["search in the payload", job(), { state: "pending", search: `"customer":"Ada"` }, true],
    ["search in the unique key", job({ uniqueKey: "invoice-42" }), { state: "pending", search: "invoice-4" }, true],
    ["search in the name (not searched)", job(), { state: "pending", search: "Tick" }, false],
    ["search differing in case", job(), { state: "pending", search: "ADA" }, false],
    ["search with LIKE and pattern characters as text", job(), { state: "pending", search: "50% off_now" }, true],
    ["search for a lone %", job({ payload: "{}" }), { state: "pending", search: "%" }, false],
    ["search for a pattern that is not in the text", job(), { state: "pending", search: "o.der" }, false],
    ["an empty search (every job)", job(), { state: "pending", search: "" }, true],
    ["search without a unique key", job(), { state: "pending", search: "invoice" }, false],
    [
      "every condition at once",
      job({ uniqueKey: "invoice-42" }),
      { state: "pending", names: ["Tick"], from: 1_000, to: 2_000, search: "42" },
      true
    ],
    [
      "every condition but one",
      job({ uniqueKey: "invoice-42" }),
      { state: "pending", names: ["Tick"], from: 1_000, to: 2_000, search: "43" },
      false
    ]
  ]

  it.each(cases)("%s", (_what, record, filter, matches) => {
    expect(matchesFilter(record, filter)).toBe(matches)
  })
})
