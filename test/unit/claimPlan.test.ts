/**
 * The claim planner's admission rules, case by case.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  afterClaim,
  AUTO_PREFETCH_MAX,
  autoPrefetch,
  type ClaimCounters,
  type ClaimPlan,
  planClaim,
  smoothRunTime
} from "../../src/internal/claimPlan.js"

const idle: ClaimCounters = {
  concurrency: 10,
  prefetch: 0,
  backlog: false,
  running: 0,
  prefetched: 0,
  reserved: 0,
  claimsInFlight: 0,
  failures: 0,
  restUntil: 0
}

const claim = (limit: number, carryOutcomes = true): ClaimPlan => ({ _tag: "Claim", limit, carryOutcomes })
const awaitPlace: ClaimPlan = { _tag: "AwaitPlace" }

describe("planClaim", () => {
  const cases: ReadonlyArray<[string, Partial<ClaimCounters>, ClaimPlan]> = [
    ["an idle worker claims every free place", {}, claim(10)],
    ["a single free place claims alone, without carrying outcomes", { running: 9 }, claim(1, false)],
    ["after a failed claim outcomes go apart", { failures: 1 }, claim(10, false)],
    ["no free place: wait", { running: 10 }, awaitPlace],
    ["held and reserved places count as taken", { running: 4, prefetched: 3, reserved: 3 }, awaitPlace],
    ["without a backlog, one claim at a time", { claimsInFlight: 1 }, awaitPlace],
    ["a rest is kept while no claim is in flight", { restUntil: 5_000 }, { _tag: "Rest", until: 5_000 }],
    ["a claim in flight comes before a rest", { restUntil: 5_000, claimsInFlight: 1 }, awaitPlace],
    ["a backlog splits the places between two claims", { backlog: true }, claim(5)],
    ["a backlog allows a second claim in flight", { backlog: true, claimsInFlight: 1, reserved: 5 }, claim(5)],
    ["but not a third", { backlog: true, claimsInFlight: 2, reserved: 10 }, awaitPlace],
    ["a backlog waits for a few free places while busy", { backlog: true, running: 9 }, awaitPlace],
    ["a backlog claims ahead up to prefetch", { backlog: true, prefetch: 10, running: 10 }, claim(10)],
    ["prefetch counts only under a backlog", { prefetch: 10, running: 10 }, awaitPlace],
    ["concurrency 1 claims one at a time even under a backlog", {
      concurrency: 1,
      backlog: true,
      claimsInFlight: 1,
      reserved: 1
    }, awaitPlace]
  ]
  it.each(cases)("%s", (_, counters, expected) => {
    assert.deepStrictEqual(planClaim({ ...idle, ...counters }), expected)
  })
})

describe("afterClaim", () => {
  it.each([
    ["a full claim: backlog", 5, 5, undefined, { backlog: true }],
    ["a short claim: rest until the next due job", 2, 5, 1_300, { backlog: false, restUntil: 1_300 }],
    ["nothing due soon: the fallback poll", 0, 5, 99_000, { backlog: false, restUntil: 6_000 }],
    ["nothing due at all: the fallback poll", 0, 5, undefined, { backlog: false, restUntil: 6_000 }],
    ["a due time already passed: claim again at once", 0, 5, 500, { backlog: false, restUntil: 1_000 }]
  ] as const)("%s", (_, claimed, limit, nextRunAt, expected) => {
    assert.deepStrictEqual(afterClaim(claimed, limit, nextRunAt, 1_000, 5_000), expected)
  })

  it("without a fallback poll (reliable wake-ups) an idle worker rests until woken", () => {
    assert.deepStrictEqual(afterClaim(0, 5, undefined, 1_000, Infinity), { backlog: false, restUntil: Infinity })
  })
})

describe("autoPrefetch", () => {
  it.each([
    ["nothing finished yet: none", 10, undefined, 0],
    ["1 ms jobs at concurrency 10: what starts within 10 ms", 10, 1, 100],
    ["4 ms jobs at concurrency 1", 1, 4, 2],
    ["jobs longer than concurrency x 10 ms: none", 10, 101, 0],
    ["instant jobs: capped", 50, 0, AUTO_PREFETCH_MAX]
  ] as const)("%s", (_, concurrency, meanRunMs, expected) => {
    assert.strictEqual(autoPrefetch(concurrency, meanRunMs), expected)
  })

  it("smooths run times over about eight attempts", () => {
    assert.strictEqual(smoothRunTime(undefined, 8), 8)
    assert.strictEqual(smoothRunTime(8, 16), 9)
  })
})
