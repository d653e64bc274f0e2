/**
 * The soak's bookkeeping: why a job ran twice, how long a killed worker's jobs waited, and when chaos
 * happens. A mistake here would let the soak pass a broken queue.
 */
import { describe, expect, it } from "@effect/vitest"
import { analyse, type Kill, type Outage, type RunLine, type Term } from "./analysis.js"
import { planChaos } from "./schedule.js"

const start = (id: string, w: string, t: number, a = 1): RunLine => ({ k: "s", id, a, w, t })
const end = (id: string, w: string, t: number, a = 1): RunLine => ({ k: "e", id, a, w, t })
const leaseMs = 3_000

describe("analyse", () => {
  const kill: Kill = { worker: "w1", at: 1_000, held: ["a"] }
  const term: Term = { worker: "w2", at: 1_000, exitCode: 0, exitMs: 50, leftLeased: [] }
  const laterTerm: Term = { worker: "w5", at: 30_000, exitCode: 0, exitMs: 50, leftLeased: [] }
  const outage: Outage = { kind: "restart", from: 20_000, to: 21_000 }

  it.each([
    { case: "held by a killed worker", lines: [start("a", "w1", 900), start("a", "w3", 4_000, 2)], cause: "afterKill" },
    { case: "run by a worker sent SIGTERM", lines: [start("b", "w2", 900), start("b", "w3", 1_100, 2)], cause: "afterSigterm" },
    {
      case: "run across a restart",
      lines: [start("c", "w3", 15_000), start("c", "w4", 25_000, 2)],
      cause: "afterOutage"
    },
    {
      case: "run across a restart by a worker sent SIGTERM later",
      lines: [start("f", "w5", 20_500), end("f", "w5", 20_600), start("f", "w4", 21_500)],
      cause: "afterOutage"
    },
    {
      case: "run by a worker sent SIGTERM only after the repeat began",
      lines: [start("g", "w5", 5_000), end("g", "w5", 5_100), start("g", "w4", 6_000)],
      cause: "other"
    },
    {
      case: "finished long before any outage",
      lines: [start("d", "w3", 5_000), end("d", "w3", 5_100), start("d", "w4", 6_000, 2)],
      cause: "other"
    },
    {
      case: "by a killed worker that no longer held it",
      lines: [start("e", "w1", 500), end("e", "w1", 600), start("e", "w3", 8_000, 2)],
      cause: "other"
    }
  ])("a job run again after being $case counts as $cause", ({ cause, lines }) => {
    const { duplicates } = analyse(lines, [kill], [term, laterTerm], [outage], leaseMs)
    expect(duplicates).toEqual({ afterKill: 0, afterSigterm: 0, afterOutage: 0, other: 0, [cause]: 1 })
  })

  it("lists each job run again for no allowed reason once, with its runs", () => {
    const lines = [start("d", "w3", 5_000), end("d", "w3", 5_100), start("d", "w4", 6_000, 2), start("d", "w5", 7_000, 3)]
    const { duplicates, examples } = analyse(lines, [], [], [], leaseMs)
    expect(duplicates.other).toBe(2)
    expect(examples.other).toEqual([{
      id: "d",
      runs: [
        { w: "w3", a: 1, start: 5_000, end: 5_100 },
        { w: "w4", a: 2, start: 6_000, end: undefined },
        { w: "w5", a: 3, start: 7_000, end: undefined }
      ]
    }])
  })

  it("measures recovery from the kill to the next start of each held job, and names held jobs never rerun", () => {
    const kills: ReadonlyArray<Kill> = [{ worker: "w1", at: 1_000, held: ["a", "b", "c"] }]
    const lines = [start("a", "w1", 900), start("a", "w2", 3_500, 2), start("b", "w2", 4_200, 2)]
    const result = analyse(lines, kills, [], [], leaseMs)
    expect(result.worstRecoveryMs).toBe(3_200)
    expect(result.unrecovered).toEqual(["c"])
    expect([result.runs, result.jobsRun]).toEqual([3, 2])
  })

  it("reports no recovery time when killed workers held nothing", () => {
    expect(analyse([start("a", "w2", 10)], [{ worker: "w1", at: 5, held: [] }], [], [], leaseMs).worstRecoveryMs).toBeNull()
  })
})

describe("planChaos", () => {
  it.each([
    { durationMs: 21_000, everyMs: 2_000, leaseMs: 3_000 },
    { durationMs: 200_000, everyMs: 5_000, leaseMs: 15_000 }
  ])("alternates kills and SIGTERMs, restarts and cuts once, and keeps quiet a lease before each outage ($durationMs ms, lease $leaseMs ms)", ({ durationMs, everyMs, leaseMs: lease }) => {
    const plan = planChaos(durationMs, everyMs, lease)
    expect(plan.filter((event) => event.action === "restart")).toHaveLength(1)
    expect(plan.filter((event) => event.action === "cut")).toHaveLength(1)
    const steps = plan.filter((event) => event.action === "kill" || event.action === "term")
    expect(steps.map((event) => event.action)).toEqual(steps.map((_, index) => index % 2 === 0 ? "kill" : "term"))
    expect(steps.length).toBeGreaterThanOrEqual(4)
    for (const outage of plan.filter((event) => event.action === "restart" || event.action === "cut")) {
      for (const step of steps) expect(step.at <= outage.at - lease || step.at > outage.at).toBe(true)
    }
    expect(plan.map((event) => event.at)).toEqual([...plan.map((event) => event.at)].sort((a, b) => a - b))
  })
})
