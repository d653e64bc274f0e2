/**
 * The scenarios every benchmarked queue runs, and the interface a queue implements to run them.
 */
import { median, nowMs, percentile, type Row } from "./report.js"

/** One queue system under test. Each call works in a fresh namespace and cleans it up. */
export interface QueueSystem {
  readonly name: string
  /** Pre-pushes `jobs` no-op jobs, then returns the seconds from starting the worker to the last completion. */
  readonly process: (concurrency: number, jobs: number) => Promise<number>
  /** Seconds to push `jobs` jobs one await at a time. */
  readonly pushSingle: (jobs: number) => Promise<number>
  /** Seconds to push `jobs` jobs in calls of 1,000. */
  readonly pushBulk: (jobs: number) => Promise<number>
  /**
   * With a worker running, pushes `jobs` jobs spaced `intervalMs` apart (or each with `delayMs[i]`), each
   * carrying its due time; returns, per job, the milliseconds between that time and the handler starting.
   */
  readonly startDelays: (jobs: number, intervalMs: number, delaysMs?: ReadonlyArray<number>) => Promise<Array<number>>
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export const wallMs = (): number => performance.timeOrigin + performance.now()

export interface ScenarioSettings {
  readonly jobs: number
  readonly runs: number
  readonly concurrencies: ReadonlyArray<number>
  readonly pushJobs: number
  readonly latencyJobs: number
  readonly delayedJobs: number
}

export const settingsFor = (quick: boolean): ScenarioSettings =>
  quick
    ? { jobs: 2_000, runs: 1, concurrencies: [1, 10, 50], pushJobs: 500, latencyJobs: 200, delayedJobs: 20 }
    : { jobs: 20_000, runs: 5, concurrencies: [1, 10, 50], pushJobs: 2_000, latencyJobs: 2_000, delayedJobs: 500 }

/** The systems whose name contains the `--only=...` argument, or all of them. */
export const selected = <S extends { readonly name: string }>(systems: ReadonlyArray<S>): ReadonlyArray<S> => {
  const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length)
  return only === undefined ? systems : systems.filter((system) => system.name.includes(only))
}

/**
 * effect-jobs with claiming ahead turned off, in the "(prefetch 0)" rows: a worker never holds more jobs than
 * it runs (the default, `"auto"`, holds short jobs ahead).
 */
export const noPrefetchOptions = () => ({ prefetch: 0 })

/**
 * Runs every scenario on every system and returns the rows. Throughput scenarios are interleaved: each run
 * measures every system once, in an order that rotates from run to run, so a slow spell of a shared machine
 * falls on all of them alike; each figure is the median of `runs`. Latency scenarios run once per system.
 */
export const runBenchmark = async (
  systems: ReadonlyArray<QueueSystem>,
  settings: ScenarioSettings
): Promise<Array<Row>> => {
  const rows: Array<Row> = []
  const add = (system: QueueSystem, scenario: string, value: number, unit: string) => {
    rows.push({ system: system.name, scenario, value, unit })
    console.log(`  ${system.name}: ${scenario} = ${value.toFixed(2)} ${unit}`)
  }
  const rotated = (run: number) => systems.map((_, i) => systems[(i + run) % systems.length]!)
  /** Median rate per system of `measure` (seconds for `jobs` jobs) over the runs. */
  const throughput = async (scenario: string, jobs: number, measure: (system: QueueSystem) => Promise<number>) => {
    const rates = new Map<QueueSystem, Array<number>>(systems.map((system) => [system, []]))
    for (let run = 0; run < settings.runs; run++) {
      for (const system of rotated(run)) rates.get(system)!.push(jobs / (await measure(system)))
    }
    for (const system of systems) add(system, scenario, median(rates.get(system)!), "jobs/s")
  }

  console.log("warming up (one unmeasured pass per system and scenario)")
  for (const system of systems) {
    for (const concurrency of settings.concurrencies) await system.process(concurrency, Math.min(settings.jobs, 2_000))
    await system.pushSingle(Math.min(settings.pushJobs, 500))
  }
  for (const concurrency of settings.concurrencies) {
    await throughput(`process c=${concurrency}`, settings.jobs, (system) => system.process(concurrency, settings.jobs))
  }
  await throughput("push single", settings.pushJobs, (system) => system.pushSingle(settings.pushJobs))
  await throughput("push bulk", settings.jobs, (system) => system.pushBulk(settings.jobs))
  // Each latency scenario runs on a fresh namespace, so its first jobs pay for opening connections and
  // preparing statements: `warmUpJobs` immediate jobs go first and their samples (the first to start) are
  // dropped.
  const warmUpJobs = 100
  const delays = [
    ...Array.from({ length: warmUpJobs }, () => 0),
    ...Array.from({ length: settings.delayedJobs }, (_, i) => 100 + Math.round((900 * i) / settings.delayedJobs))
  ]
  for (const system of systems) {
    const latencies = (await system.startDelays(warmUpJobs + settings.latencyJobs, 5)).slice(warmUpJobs)
    add(system, "push→start p50", percentile(latencies, 0.5), "ms")
    add(system, "push→start p95", percentile(latencies, 0.95), "ms")
    add(system, "push→start p99", percentile(latencies, 0.99), "ms")
    const lateness = (await system.startDelays(delays.length, 5, delays)).slice(warmUpJobs)
    add(system, "delayed lateness p50", percentile(lateness, 0.5), "ms")
    add(system, "delayed lateness p99", percentile(lateness, 0.99), "ms")
  }
  return rows
}

/** Resolves when `count()` reaches `target`, checking every millisecond. */
export const waitForCount = (count: () => number, target: number): Promise<void> =>
  new Promise((resolve) => {
    const check = () => (count() >= target ? resolve() : setTimeout(check, 1))
    check()
  })

/** Seconds taken by `task`. */
export const timed = async (task: () => Promise<unknown>): Promise<number> => {
  const start = nowMs()
  await task()
  return (nowMs() - start) / 1000
}

/** Pushes at a steady pace: calls `send(i)` every `intervalMs` for `jobs` jobs, without waiting for replies. */
export const paced = async (jobs: number, intervalMs: number, send: (index: number) => Promise<unknown>) => {
  const start = nowMs()
  const pending: Array<Promise<unknown>> = []
  for (let i = 0; i < jobs; i++) {
    const wait = start + i * intervalMs - nowMs()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    pending.push(send(i))
  }
  await Promise.all(pending)
}

/** Splits `items` into arrays of at most `size`. */
export const chunks = <A>(items: ReadonlyArray<A>, size: number): Array<Array<A>> => {
  const result: Array<Array<A>> = []
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size))
  return result
}
