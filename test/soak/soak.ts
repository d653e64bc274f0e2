/**
 * The chaos soak: worker processes on one queue of a server the soak owns, jobs pushed at a steady rate
 * with chosen ids, and meanwhile workers killed (SIGKILL, then replaced), restarted (SIGTERM after a
 * replacement is up), the server crashed and restarted once and every connection cut once. At the end every
 * job must have completed, and only jobs a killed worker held may have run twice.
 */
import { Effect, Layer, ManagedRuntime } from "effect"
import { JobQueue } from "effect-jobs"
import type { DriverError, InvalidOption, JobDriver } from "effect-jobs"
import { postgresDriver } from "effect-jobs/postgres"
import { redisDriver } from "effect-jobs/redis"
import { once } from "node:events"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { cpus, tmpdir } from "node:os"
import { join } from "node:path"
import { type Child, startChild } from "../support/child.js"
import { analyse, type Analysis, type Duplicates, type Kill, type Outage, type RunLine, type Term } from "./analysis.js"
import { type ChaosEvent, planChaos } from "./schedule.js"
import { type SoakServer, startPostgres, startRedis } from "./servers.js"
import { SoakJob } from "./jobs.js"

/** The lease a queue gets when it sets none. */
export const DEFAULT_LEASE_MS = 15_000

export interface SoakOptions {
  readonly driver: "redis" | "postgres"
  readonly jobs: number
  readonly ratePerSecond: number
  /** The workers' lease; `undefined` leaves the default. */
  readonly leaseMs: number | undefined
  /** A kill or SIGTERM this often (outside the quiet time around outages). */
  readonly chaosEveryMs: number
  readonly workers?: number
  readonly concurrency?: number
  readonly log?: (message: string) => void
}

export interface SoakReport {
  readonly driver: "redis" | "postgres"
  readonly leaseMs: number
  readonly defaultLease: boolean
  readonly jobs: number
  readonly ratePerSecond: number
  readonly workers: number
  readonly concurrency: number
  readonly wallMs: number
  readonly kills: number
  readonly sigterms: number
  readonly serverRestarts: number
  readonly connectionCuts: number
  /** Jobs a killed worker still held when it was gone. */
  readonly heldByKilled: number
  readonly completed: number
  /** Jobs pushed that did not complete: must be 0. */
  readonly lost: number
  readonly lostExamples: ReadonlyArray<string>
  readonly runs: number
  readonly duplicates: Duplicates
  readonly duplicateExamples: Analysis["examples"]
  /** From a kill to the next start of a job the killed worker held: at most lease + 1 s. */
  readonly worstRecoveryMs: number | null
  readonly recoveryLimitMs: number
  readonly unrecovered: ReadonlyArray<string>
  /** Jobs still leased to a worker after it exited on SIGTERM: must be 0. */
  readonly leftLeasedBySigterm: number
  readonly slowestSigtermExitMs: number
  readonly sigtermExitCodes: ReadonlyArray<number | null>
}

const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())))

/** Run time of job `n`: 20-220 ms, spread evenly and the same in every run. */
const jobMillis = (n: number) => 20 + ((n * 7919) % 201)

/** Retries `attempt` every 200 ms until it succeeds or `timeoutMs` passes (a server may be restarting). */
const retrying = async <A>(label: string, attempt: () => Promise<A>, timeoutMs = 60_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await attempt()
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${label} kept failing for ${timeoutMs} ms: ${String(error)}`)
      await sleepUntil(Date.now() + 200)
    }
  }
}

const controllerDriver = (server: SoakServer): Layer.Layer<JobDriver, DriverError | InvalidOption> =>
  server.driver === "redis"
    ? redisDriver({ url: server.env.REDIS_URL!, prefix: server.env.REDIS_PREFIX! })
    : postgresDriver({ connectionString: server.env.DATABASE_URL!, schema: server.env.JOBS_SCHEMA!, poolSize: 2 })

const readRuns = (dir: string): Array<RunLine> =>
  readdirSync(dir).filter((name) => name.endsWith(".jsonl")).flatMap((name) =>
    readFileSync(join(dir, name), "utf8").split("\n").flatMap((line) => {
      try {
        return line === "" ? [] : [JSON.parse(line) as RunLine]
      } catch {
        // A line cut short by SIGKILL.
        return []
      }
    }))

interface Worker {
  readonly id: string
  readonly child: Child
}

const exitOf = (worker: Worker) =>
  worker.child.process.exitCode !== null || worker.child.process.signalCode !== null
    ? Promise.resolve()
    : once(worker.child.process, "exit").then(() => undefined)

/** Runs one soak and reports what happened. */
export const runSoak = async (options: SoakOptions): Promise<SoakReport> => {
  const log = options.log ?? (() => {})
  const workerCount = options.workers ?? 3
  const concurrency = options.concurrency ?? 10
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
  const durationMs = Math.round(options.jobs / options.ratePerSecond * 1_000)
  const began = Date.now()
  const server = options.driver === "redis" ? await startRedis() : await startPostgres()
  const runsDir = mkdtempSync(join(tmpdir(), "effect-jobs-soak-runs-"))
  const runtime = ManagedRuntime.make(JobQueue.layer(controllerDriver(server), { concurrency: 0 }))
  const alive: Array<Worker> = []
  const everyWorker: Array<Worker> = []
  const kills: Array<Kill> = []
  const terms: Array<Term> = []
  const outages: Array<Outage> = []
  let workerSeq = 0

  const leasedTo = async (worker: string) =>
    (await retrying("reading leases", server.activeLeases)).filter((lease) => lease.owner === worker).map((lease) => lease.id)

  const spawnWorker = async () => {
    const id = `w${++workerSeq}`
    const child = startChild("test/soak/worker.ts", {
      ...server.env,
      WORKER_ID: id,
      RUNS_FILE: join(runsDir, `${id}.jsonl`),
      JOBS_CONCURRENCY: String(concurrency),
      ...(options.leaseMs === undefined ? {} : { JOBS_LEASE_MS: String(options.leaseMs) })
    })
    const worker = { id, child }
    everyWorker.push(worker)
    await child.waitForLine(`worker ${id} to start`, (line) => line.msg === "ready", 30_000)
    alive.push(worker)
    return worker
  }

  const perform: Record<ChaosEvent["action"], () => Promise<void>> = {
    kill: async () => {
      // The busiest worker, so the kill leaves the most jobs to recover.
      const leases = await retrying("reading leases", server.activeLeases)
      const holding = (worker: Worker) => leases.filter((lease) => lease.owner === worker.id).length
      const victim = alive.reduce((busiest, worker) => holding(worker) > holding(busiest) ? worker : busiest)
      alive.splice(alive.indexOf(victim), 1)
      victim.child.process.kill("SIGKILL")
      const at = Date.now()
      await exitOf(victim)
      const held = await leasedTo(victim.id)
      kills.push({ worker: victim.id, at, held })
      log(`SIGKILL ${victim.id}: held ${held.length} job(s)`)
      await spawnWorker()
    },
    term: async () => {
      // A rolling restart: the replacement is up before the old worker is asked to go.
      await spawnWorker()
      const leaving = alive.shift()!
      leaving.child.process.kill("SIGTERM")
      const at = Date.now()
      const exitCode = await leaving.child.exited(60_000)
      const exitMs = Date.now() - at
      const leftLeased = await leasedTo(leaving.id)
      terms.push({ worker: leaving.id, at, exitCode, exitMs, leftLeased })
      log(`SIGTERM ${leaving.id}: exited ${exitCode} after ${exitMs} ms, ${leftLeased.length} job(s) left leased`)
    },
    restart: async () => {
      const from = Date.now()
      await server.restart()
      outages.push({ kind: "restart", from, to: Date.now() })
      log(`server restarted in ${Date.now() - from} ms`)
    },
    cut: async () => {
      const from = Date.now()
      const cut = await server.cutConnections()
      outages.push({ kind: "cut", from, to: Date.now() })
      log(`cut ${cut} connection(s)`)
    }
  }

  try {
    const push = (n: number) =>
      runtime.runPromise(Effect.flatMap(JobQueue, (queue) =>
        queue.push(new SoakJob({ n, millis: jobMillis(n) }), { jobId: `soak-${n}` })))
    const counts = () => runtime.runPromise(Effect.flatMap(JobQueue, (queue) => queue.counts))
    await retrying("starting the queue", () => runtime.runtime())
    await Promise.all(Array.from({ length: workerCount }, spawnWorker))
    const plan = planChaos(durationMs, options.chaosEveryMs, leaseMs)
    log(`${options.driver}, lease ${leaseMs} ms: ${options.jobs} jobs over ${durationMs} ms; chaos: ${
      plan.map((event) => `${event.action}@${event.at}`).join(" ")}`)
    const started = Date.now()
    const pushing = (async () => {
      for (let n = 0; n < options.jobs; n++) {
        await sleepUntil(started + n * 1_000 / options.ratePerSecond)
        await retrying(`pushing job ${n}`, () => push(n))
      }
    })()
    const chaos = (async () => {
      for (const event of plan) {
        await sleepUntil(started + event.at)
        await perform[event.action]()
      }
    })()
    await Promise.all([pushing, chaos])
    log("all jobs pushed; waiting for them to complete")
    const settleBy = Date.now() + leaseMs + 60_000
    let completed = 0
    while (Date.now() < settleBy) {
      completed = (await retrying("counting jobs", counts)).completed
      if (completed >= options.jobs) break
      await sleepUntil(Date.now() + 500)
    }
    const lostExamples: Array<string> = []
    if (completed < options.jobs) {
      for (let n = 0; n < options.jobs && lostExamples.length < 10; n++) {
        const info = await runtime.runPromise(Effect.flatMap(JobQueue, (queue) => queue.get(`soak-${n}`)))
        if (info._tag === "None" || info.value.state !== "completed") lostExamples.push(`soak-${n}`)
      }
    }
    await Promise.all(alive.splice(0).map((worker) => {
      worker.child.process.kill("SIGTERM")
      return worker.child.exited(60_000)
    }))
    const analysis = analyse(readRuns(runsDir), kills, terms, outages, leaseMs)
    return {
      driver: options.driver,
      leaseMs,
      defaultLease: options.leaseMs === undefined,
      jobs: options.jobs,
      ratePerSecond: options.ratePerSecond,
      workers: workerCount,
      concurrency,
      wallMs: Date.now() - began,
      kills: kills.length,
      sigterms: terms.length,
      serverRestarts: outages.filter((outage) => outage.kind === "restart").length,
      connectionCuts: outages.filter((outage) => outage.kind === "cut").length,
      heldByKilled: kills.reduce((sum, kill) => sum + kill.held.length, 0),
      completed,
      lost: options.jobs - completed,
      lostExamples,
      runs: analysis.runs,
      duplicates: analysis.duplicates,
      duplicateExamples: analysis.examples,
      worstRecoveryMs: analysis.worstRecoveryMs,
      recoveryLimitMs: leaseMs + 1_000,
      unrecovered: analysis.unrecovered,
      leftLeasedBySigterm: terms.reduce((sum, term) => sum + term.leftLeased.length, 0),
      slowestSigtermExitMs: Math.max(0, ...terms.map((term) => term.exitMs)),
      sigtermExitCodes: terms.map((term) => term.exitCode)
    }
  } finally {
    for (const worker of everyWorker) {
      if (worker.child.process.exitCode === null && worker.child.process.signalCode === null) {
        worker.child.process.kill("SIGKILL")
      }
    }
    await Promise.all(everyWorker.map(exitOf))
    await runtime.dispose().catch(() => undefined)
    await server.stop()
    rmSync(runsDir, { recursive: true, force: true })
  }
}

/** The reports as a Markdown table, one row per run. */
export const formatTable = (reports: ReadonlyArray<SoakReport>): string => {
  const header = [
    "driver", "lease", "jobs", "kills / SIGTERMs", "completed", "lost", "run twice after kill",
    "after SIGTERM", "after outage", "other", "worst recovery (limit)", "left leased by SIGTERM"
  ]
  const rows = reports.map((report) => [
    report.driver,
    `${report.leaseMs / 1_000} s${report.defaultLease ? " (default)" : ""}`,
    String(report.jobs),
    `${report.kills} / ${report.sigterms}`,
    String(report.completed),
    String(report.lost),
    String(report.duplicates.afterKill),
    String(report.duplicates.afterSigterm),
    String(report.duplicates.afterOutage),
    String(report.duplicates.other),
    `${report.worstRecoveryMs === null ? "-" : `${(report.worstRecoveryMs / 1_000).toFixed(1)} s`} (${report.recoveryLimitMs / 1_000} s)`,
    String(report.leftLeasedBySigterm)
  ])
  return [header, header.map(() => "---"), ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n")
}

/**
 * Writes each report as `<driver>-lease-<ms|default>.json` under `dir`, with the date and the machine as the
 * benchmark results have them.
 */
export const writeReports = (dir: string, reports: ReadonlyArray<SoakReport>) => {
  mkdirSync(dir, { recursive: true })
  const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown" }
  for (const report of reports) {
    const name = `${report.driver}-lease-${report.defaultLease ? "default" : report.leaseMs}`
    const content = { name, date: new Date().toISOString(), machine, ...report }
    writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(content, null, 2)}\n`)
  }
}
