/**
 * The short chaos soak, on a redis-server and a Postgres cluster of its own (see docs/reliability.md; the
 * full run is `npm run soak`): three workers, kills, rolling restarts, a server crash and a cut of every
 * connection while jobs are pushed. Nothing is lost, nothing runs twice after SIGTERM, nothing stays leased
 * to a worker that exited, and a killed worker's jobs run again within a lease and a second.
 */
import { describe, expect, it } from "@effect/vitest"
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { formatTable, runSoak, writeReports } from "./soak.js"
import { problems } from "./verdict.js"

const leaseMs = 3_000

describe.each(["redis", "postgres"] as const)("short soak on %s", (driver) => {
  it("loses nothing, runs nothing twice after SIGTERM, and recovers a killed worker's jobs within a lease", async () => {
    const report = await runSoak({ driver, jobs: 840, ratePerSecond: 40, leaseMs, chaosEveryMs: 2_000 })
    const resultsDir = mkdtempSync(join(tmpdir(), "effect-jobs-soak-results-"))
    try {
      writeReports(resultsDir, [report])
      expect(readdirSync(resultsDir)).toEqual([`${driver}-lease-${leaseMs}.json`])
    } finally {
      rmSync(resultsDir, { recursive: true, force: true })
    }
    const table = formatTable([report])
    console.log(table)
    expect(problems(report), table).toEqual([])
    // The chaos happened: kills that held jobs, SIGTERMs, one restart and one cut.
    expect(report.kills, table).toBeGreaterThanOrEqual(2)
    expect(report.sigterms, table).toBeGreaterThanOrEqual(2)
    expect(report.heldByKilled, table).toBeGreaterThan(0)
    expect([report.serverRestarts, report.connectionCuts]).toEqual([1, 1])
    expect(report.completed).toBe(840)
    expect(report.worstRecoveryMs ?? 0).toBeLessThanOrEqual(leaseMs + 1_000)
  }, 90_000)
})
