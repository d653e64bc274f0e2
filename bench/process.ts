/**
 * effect-jobs as users run it, beside its peers in the same run: the worker in a process of its own (started
 * with `fork`, bench/lib/process-worker.ts), its handler an async function given three numbers, every queue
 * option at its default (peers as their production guides set them). One command per server:
 *
 *   npx tsx bench/process.ts redis      # effect-jobs vs BullMQ 6.7
 *   npx tsx bench/process.ts postgres   # effect-jobs vs graphile-worker 0.17 (batched) and pg-boss 10.4
 *   npx tsx bench/process.ts memory     # the memory driver; its store cannot be shared, so one process
 *
 * Options: `--runs=N` (or `RUNS=N`; default 3) runs, each measuring every system once in rotating order;
 * figures are medians with the spread (min–max) of the runs. `--quick`: 2,000 jobs, one run, nothing written.
 * Writes bench/results/process-<server>.json. CPU time comes from /proc: the worker process (or, for single
 * pushes, this process) and the server (redis-server, or every process of the Postgres cluster), so the
 * servers must run on this machine.
 */
import { loadavg } from "node:os"
import { codeState, percentile, printTable, type Row, spread, writeReport } from "./lib/report.js"
import {
  type CpuReader,
  databaseUrl,
  postgresServerCpu,
  processCpuMicros,
  redisServerCpu,
  redisUrl
} from "./lib/servers.js"
import { type ServerName, serverNames, splitSystems } from "./lib/split-systems.js"
import { backlogPayloads, inFlight, paced, type Producer, rotated, type SplitSystem, timed, wallMs } from "./lib/system.js"
import { startWorkerHost, type WorkerHost } from "./lib/worker-host.js"

const server = process.argv[2] as ServerName
if (!serverNames.includes(server)) {
  console.error(`usage: npx tsx bench/process.ts <${serverNames.join("|")}> [--runs=N] [--quick]`)
  process.exit(2)
}
const quick = process.argv.includes("--quick")
const runs = quick ? 1 : Number(process.argv.find((arg) => arg.startsWith("--runs="))?.slice(7) ?? process.env.RUNS ?? 3)
const settings = {
  jobs: quick ? 2_000 : 20_000,
  runs,
  concurrencies: [1, 10, 50],
  warmUpJobs: quick ? 500 : 2_000,
  pushInFlight: 64,
  /** A steady 200 jobs/s. */
  latencyIntervalMs: 5,
  latencyJobs: quick ? 200 : 2_000,
  delayedJobs: quick ? 50 : 500,
  /** Immediate jobs first in each latency round, not counted: connections and statements warm up. */
  latencyWarmUpJobs: 100,
  /** The worker's concurrency in the latency rounds: the default. */
  latencyConcurrency: 10
}

/** One figure of one measurement. */
interface Figure {
  readonly scenario: string
  readonly value: number
  readonly unit: string
}

/** A system with its worker process (replaced when a measurement fails). */
interface Entry {
  readonly system: SplitSystem
  host: WorkerHost
}

const serverCpu: CpuReader | undefined = server === "redis"
  ? await redisServerCpu(redisUrl)
  : server === "postgres"
  ? await postgresServerCpu(databaseUrl)
  : undefined

/** CPU microseconds per job of `pid` and of the server while `task` runs. */
const cpuPerJob = async <A>(pid: number, jobs: number, task: () => Promise<A>) => {
  const process0 = processCpuMicros(pid)
  const server0 = serverCpu?.() ?? 0
  const result = await task()
  const processMicros = (processCpuMicros(pid) - process0) / jobs
  const serverMicros = serverCpu === undefined ? undefined : (serverCpu() - server0) / jobs
  return { result, processMicros, serverMicros }
}

/** The figures of a CPU reading, named after `scenario`. */
const cpuFigures = (scenario: string, who: string, cpu: { processMicros: number; serverMicros: number | undefined }) => [
  { scenario: `${scenario}: ${who} CPU`, value: cpu.processMicros, unit: "µs/job" },
  ...(cpu.serverMicros === undefined ? [] : [{ scenario: `${scenario}: server CPU`, value: cpu.serverMicros, unit: "µs/job" }])
]

/** Runs `body` with a producer on a fresh namespace, then removes the namespace. */
const withProducer = async <A>(system: SplitSystem, body: (producer: Producer) => Promise<A>) => {
  const producer = await system.open()
  try {
    return await body(producer)
  } finally {
    await producer.close()
  }
}

/** Stops the worker of the last `work` command. */
const stopWorker = async (host: WorkerHost) => {
  host.send({ type: "stop" })
  await host.next("stopped", 60_000)
}

/**
 * Runs `body` with the worker process; if it fails, ends the process before the namespace is removed, so a
 * stuck worker cannot write into a removed namespace.
 */
const withWorker = async <A>(host: WorkerHost, body: () => Promise<A>): Promise<A> => {
  try {
    return await body()
  } catch (error) {
    await host.close()
    throw error
  }
}

/** Pushes `jobs` jobs in bulk, then starts a worker of `concurrency` in its process and waits for all to run. */
const drain = ({ host, system }: Entry, concurrency: number, jobs: number): Promise<ReadonlyArray<Figure>> =>
  withProducer(system, async (producer) => {
    await producer.pushBulk(backlogPayloads(jobs))
    // CPU is read until the worker has stopped: outcomes still being recorded (in batches, or after a delay)
    // when the last handler returns count too.
    const cpu = await withWorker(host, () =>
      cpuPerJob(host.pid, jobs, async () => {
        host.send({ type: "work", namespace: producer.namespace, concurrency, jobs, lateness: false })
        const done = await host.next("done", 180_000)
        await stopWorker(host)
        return done
      }))
    const scenario = `process c=${concurrency}`
    return [{ scenario, value: jobs / cpu.result.seconds, unit: "jobs/s" }, ...cpuFigures(scenario, "worker", cpu)]
  })

/** One `push` per call with `pushInFlight` calls in flight, from this process (no worker). */
const pushSingle = ({ system }: Entry, jobs: number): Promise<ReadonlyArray<Figure>> =>
  withProducer(system, async (producer) => {
    const cpu = await cpuPerJob(process.pid, jobs, () =>
      timed(() => inFlight(jobs, settings.pushInFlight, (seq) => producer.push({ seq, sentAt: 0, dueAt: 0 }, 0))))
    const scenario = `push single, ${settings.pushInFlight} in flight`
    return [{ scenario, value: jobs / cpu.result, unit: "jobs/s" }, ...cpuFigures(scenario, "pushing process", cpu)]
  })

/**
 * With a worker running in its process, pushes one job per `latencyIntervalMs`, job `i` delayed by
 * `delaysMs[i]`; returns how late each handler started after its due time (the warm-up jobs left out).
 */
const lateness = ({ host, system }: Entry, delaysMs: ReadonlyArray<number>): Promise<Array<number>> =>
  withProducer(system, (producer) =>
    withWorker(host, async () => {
      host.send({
        type: "work",
        namespace: producer.namespace,
        concurrency: settings.latencyConcurrency,
        jobs: delaysMs.length,
        lateness: true
      })
      await host.next("ready", 60_000)
      await paced(delaysMs.length, settings.latencyIntervalMs, (seq) => {
        const sentAt = wallMs()
        return producer.push({ seq, sentAt, dueAt: sentAt + delaysMs[seq]! }, delaysMs[seq]!)
      })
      const done = await host.next("done", 120_000)
      await stopWorker(host)
      return done.lateness.slice(settings.latencyWarmUpJobs)
    }))

const immediate = (jobs: number) => Array.from({ length: jobs }, () => 0)

/** 100 ms to 1 s, spread evenly. */
const delays = (jobs: number) => Array.from({ length: jobs }, (_, i) => 100 + Math.round((900 * i) / jobs))

const pushToStart = async (entry: Entry): Promise<ReadonlyArray<Figure>> => {
  const samples = await lateness(entry, [...immediate(settings.latencyWarmUpJobs), ...immediate(settings.latencyJobs)])
  return [0.5, 0.95, 0.99].map((q) => ({ scenario: `push→start p${q * 100}`, value: percentile(samples, q), unit: "ms" }))
}

const delayedLateness = async (entry: Entry): Promise<ReadonlyArray<Figure>> => {
  const samples = await lateness(entry, [...immediate(settings.latencyWarmUpJobs), ...delays(settings.delayedJobs)])
  return [0.5, 0.99].map((q) => ({ scenario: `delayed lateness p${q * 100}`, value: percentile(samples, q), unit: "ms" }))
}

const rows: Array<Row> = []
/** Measurements that failed (a worker that never finished, an error), reported beside the figures. */
const failures: Array<string> = []
const loads: Array<number> = [loadavg()[0]!]
const loadSampler = setInterval(() => loads.push(loadavg()[0]!), 5_000)

/**
 * The figures of `measure`; if it fails, none: the failure is reported and the system gets a fresh worker
 * process.
 */
const orRestart = async (
  entry: Entry,
  label: string,
  measure: (entry: Entry) => Promise<ReadonlyArray<Figure>>
): Promise<ReadonlyArray<Figure>> => {
  try {
    return await measure(entry)
  } catch (error) {
    failures.push(`${label}, ${entry.system.name}: ${String(error)}`)
    console.log(`  FAILED ${failures.at(-1)}`)
    await entry.host.close()
    entry.host = await startWorkerHost(server, entry.system)
    return []
  }
}

/**
 * Measures every system `runs` times, each run in an order rotated one further than the last, and adds a
 * row per system and figure: the median with the spread of the runs. A failed measurement is reported and
 * left out, and its system gets a fresh worker process.
 */
const interleaved = async (entries: ReadonlyArray<Entry>, measure: (entry: Entry) => Promise<ReadonlyArray<Figure>>) => {
  const collected = new Map<string, { system: string; scenario: string; unit: string; values: Array<number> }>()
  for (let run = 0; run < runs; run++) {
    for (const entry of rotated(entries, run)) {
      for (const figure of await orRestart(entry, `run ${run + 1}`, measure)) {
        const key = `${entry.system.name}\u0000${figure.scenario}`
        const slot = collected.get(key) ?? { system: entry.system.name, scenario: figure.scenario, unit: figure.unit, values: [] }
        slot.values.push(figure.value)
        collected.set(key, slot)
        console.log(`  run ${run + 1}, ${entry.system.name}: ${figure.scenario} = ${figure.value.toFixed(2)} ${figure.unit}`)
      }
    }
  }
  for (const { scenario, system, unit, values } of collected.values()) rows.push({ system, scenario, unit, ...spread(values) })
}

const systems = splitSystems(server)
const entries: Array<Entry> = []
try {
  for (const system of systems) entries.push({ system, host: await startWorkerHost(server, system) })
  console.log(`${server}: ${systems.map((system) => system.name).join(", ")}; load average ${loadavg().map((load) => load.toFixed(2)).join(" ")}`)
  console.log("warming up (one unmeasured pass per system and scenario)")
  for (const entry of entries) {
    for (const concurrency of settings.concurrencies) {
      await orRestart(entry, "warm-up", (warming) => drain(warming, concurrency, settings.warmUpJobs))
    }
    await orRestart(entry, "warm-up", (warming) => pushSingle(warming, settings.warmUpJobs))
  }
  for (const concurrency of settings.concurrencies) await interleaved(entries, (entry) => drain(entry, concurrency, settings.jobs))
  await interleaved(entries, (entry) => pushSingle(entry, settings.jobs))
  await interleaved(entries, pushToStart)
  await interleaved(entries, delayedLateness)
} finally {
  clearInterval(loadSampler)
  for (const { host } of entries) await host.close()
}
loads.push(loadavg()[0]!)

const load = { start: loads[0]!, end: loads.at(-1)!, min: Math.min(...loads), max: Math.max(...loads) }
printTable(
  `${server}, worker in its own process, defaults: ${settings.jobs.toLocaleString("en-US")} jobs, median (min–max) of ${runs}`,
  rows,
  [systems[0]!.name]
)
if (failures.length > 0) console.log(`\nfailed measurements (left out):\n${failures.join("\n")}`)
console.log(`\nload average (1 min) during the run: ${load.min.toFixed(2)}–${load.max.toFixed(2)} (start ${load.start.toFixed(2)}, end ${load.end.toFixed(2)})`)
if (!quick) console.log(`wrote ${writeReport(`process-${server}`, rows, { ...settings, server, loadAverage: load, failures, code: codeState() })}`)
process.exit(0)
