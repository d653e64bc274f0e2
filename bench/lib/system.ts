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

/**
 * The payload of the separate-process scenarios: three numbers, like a small real job. `sentAt` is the wall
 * clock just before the push and `dueAt` when the job should start (`sentAt` plus its delay), so a handler in
 * another process on the same machine can tell how late it started.
 */
export interface Payload {
  readonly seq: number
  readonly sentAt: number
  readonly dueAt: number
}

/** The pushing side of a queue system on one namespace (key prefix, queue name or schema). */
export interface Producer {
  readonly namespace: string
  /** One job per call, after `delayMs` when above 0. */
  readonly push: (payload: Payload, delayMs: number) => Promise<unknown>
  /** Jobs in calls of 1,000. */
  readonly pushBulk: (payloads: ReadonlyArray<Payload>) => Promise<unknown>
  /** Closes the producer's connections and removes the namespace. */
  readonly close: () => Promise<void>
}

/**
 * A queue system split the way deployments split it: producers in one process, workers in another, each set
 * up as the system documents for production. The handler given to `work` runs as an `async` function.
 */
export interface SplitSystem {
  readonly name: string
  /** False when producer and worker must share a process (an in-memory store). */
  readonly shared: boolean
  /** A fresh namespace and a producer on it. */
  readonly open: () => Promise<Producer>
  /** Starts a worker of `concurrency` on `namespace` in this process; resolves with a function that stops it. */
  readonly work: (
    namespace: string,
    concurrency: number,
    handle: (payload: Payload) => void
  ) => Promise<() => Promise<void>>
}

/** The payloads of `jobs` jobs for a backlog: due at once, no timestamps. */
export const backlogPayloads = (jobs: number): Array<Payload> =>
  Array.from({ length: jobs }, (_, seq) => ({ seq, sentAt: 0, dueAt: 0 }))

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
  /** Median rate per system of `measure` (seconds for `jobs` jobs) over the runs. */
  const throughput = async (scenario: string, jobs: number, measure: (system: QueueSystem) => Promise<number>) => {
    const rates = new Map<QueueSystem, Array<number>>(systems.map((system) => [system, []]))
    for (let run = 0; run < settings.runs; run++) {
      for (const system of rotated(systems, run)) rates.get(system)!.push(jobs / (await measure(system)))
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

/**
 * The systems in the order of run `run`: each run starts one further along, so over the runs every system
 * takes every place and a slow spell of a shared machine falls on all of them alike.
 */
export const rotated = <S>(systems: ReadonlyArray<S>, run: number): Array<S> =>
  systems.map((_, i) => systems[(i + run) % systems.length]!)

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

/** Calls `send(i)` for `jobs` jobs with `width` calls in flight at all times; resolves when all have replied. */
export const inFlight = async (jobs: number, width: number, send: (index: number) => Promise<unknown>) => {
  let next = 0
  const lane = async () => {
    while (next < jobs) await send(next++)
  }
  await Promise.all(Array.from({ length: Math.min(width, jobs) }, lane))
}

/** Splits `items` into arrays of at most `size`. */
export const chunks = <A>(items: ReadonlyArray<A>, size: number): Array<Array<A>> => {
  const result: Array<Array<A>> = []
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size))
  return result
}
