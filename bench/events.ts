/**
 * Memory held by an event subscriber that never reads: no-op jobs on the memory driver with one such
 * subscriber, at the default `eventsCapacity` and at `"unbounded"`, beside a run with no subscriber. Each
 * setting runs in a fresh process, so one run's garbage cannot blur another's figures.
 *
 *   npx tsx bench/events.ts [--jobs 100000]
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Effect, Queue, Schema } from "effect"
import { type EventsCapacity, JobParameters, JobQueue, memoryDriver } from "effect-jobs"
import { nowMs } from "./lib/report.js"

class Noop extends JobParameters<Noop>()("Noop", { n: Schema.Number }) {}

const argument = (name: string) => {
  const index = process.argv.indexOf(name)
  return index === -1 ? undefined : process.argv[index + 1]
}

const jobs = Number(argument("--jobs") ?? 100_000)

/** What one process measured. */
interface Measurement {
  readonly setting: string
  readonly heldEvents: number
  readonly heapGrowth: number
  readonly rssGrowth: number
  readonly jobsPerSecond: number
  readonly cpuMicrosPerJob: number
}

/** Collects garbage twice (finalizers can free more on the second pass) and reads heap and RSS. */
const memory = () => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("run with node --expose-gc")
  gc()
  gc()
  const usage = process.memoryUsage()
  return { heap: usage.heapUsed, rss: usage.rss }
}

/** Runs `jobs` jobs with one subscriber that never reads (none for `"none"`), measured inside its scope. */
const measure = (setting: EventsCapacity | "none") =>
  Effect.gen(function*() {
    const before = memory()
    const queue = yield* JobQueue
    const unread = setting === "none" ? undefined : yield* queue.subscribe
    const done = yield* Effect.makeLatch(false)
    let completed = 0
    yield* queue.registerJob(Noop, () => Effect.sync(() => ++completed === jobs && done.unsafeOpen()))
    const start = nowMs()
    const cpuStart = process.cpuUsage()
    const batch = Array.from({ length: 1_000 }, (_, n) => new Noop({ n }))
    for (let pushed = 0; pushed < jobs; pushed += batch.length) yield* queue.pushMany(batch)
    yield* done.await
    const seconds = (nowMs() - start) / 1000
    const cpu = process.cpuUsage(cpuStart)
    // The last events are published after the last handler returns: wait until they are held.
    const expected = setting === "none" ? 0 : Math.min(2 * jobs, setting === "unbounded" ? Infinity : setting)
    const held = unread === undefined ? Effect.succeed(0) : Queue.size(unread)
    const deadline = Date.now() + 10_000
    while ((yield* held) < expected && Date.now() < deadline) yield* Effect.sleep("1 millis")
    const after = memory()
    return {
      setting: String(setting),
      heldEvents: yield* held,
      heapGrowth: after.heap - before.heap,
      rssGrowth: after.rss - before.rss,
      jobsPerSecond: jobs / seconds,
      cpuMicrosPerJob: (cpu.user + cpu.system) / jobs
    } satisfies Measurement
  }).pipe(
    Effect.scoped,
    Effect.provide(JobQueue.layer(memoryDriver, {
      concurrency: 10,
      // Completed jobs are deleted at once, so what grows is what the subscription holds.
      retention: { completed: 0 },
      ...(setting === "none" ? {} : { eventsCapacity: setting })
    }))
  )

const child = argument("--child")
if (child !== undefined) {
  const setting = child === "none" || child === "unbounded" ? child : Number(child)
  Effect.runPromise(measure(setting)).then((result) => console.log(JSON.stringify(result)))
} else {
  const script = fileURLToPath(import.meta.url)
  const run = (setting: string): Measurement => {
    const output = execFileSync(
      process.execPath,
      ["--expose-gc", "--import", "tsx", script, "--child", setting, "--jobs", String(jobs)],
      { encoding: "utf8" }
    )
    return JSON.parse(output.trim().split("\n").at(-1)!) as Measurement
  }
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
  console.log(`${jobs.toLocaleString("en-US")} no-op jobs, memory driver, c=10, one subscriber that never reads\n`)
  console.log(["eventsCapacity", "events held", "heap growth", "per job", "RSS growth", "jobs/s", "CPU µs/job"].join("\t"))
  for (const setting of ["none", "1000", "unbounded"]) {
    const result = run(setting)
    const label = setting === "none" ? "(no subscriber)" : setting === "1000" ? "1000 (default)" : setting
    console.log([
      label,
      result.heldEvents.toLocaleString("en-US"),
      mb(result.heapGrowth),
      `${Math.round(result.heapGrowth / jobs)} B`,
      mb(result.rssGrowth),
      Math.round(result.jobsPerSecond).toLocaleString("en-US"),
      result.cpuMicrosPerJob.toFixed(1)
    ].join("\t"))
  }
}
