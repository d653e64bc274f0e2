/**
 * Table health: does a deep backlog slow claims? Measures claim latency through the driver port and
 * processing through a JobQueue on a 20,000-job queue and next to 200,000 pending, delayed or retained
 * completed jobs, and prints the claim plan on the 200,000-job backlog.
 *
 *   npx tsx bench/postgres/backlog.ts [--quick]
 */
import { Effect, Layer, ManagedRuntime, Schema } from "effect"
import { JobDriver, type JobDriverShape, JobParameters, JobQueue, type NewJob } from "effect-jobs"
import { postgresDriver } from "effect-jobs/postgres"
import pg from "pg"
import { loadQueries } from "../../drivers/postgres/internal/sql.js"
import { nowMs, percentile, printTable, type Row } from "../lib/report.js"
import { chunks, waitForCount } from "../lib/system.js"

const connectionString = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const quick = process.argv.includes("--quick")
const deep = quick ? 50_000 : 200_000
const ready = 20_000

class Noop extends JobParameters<Noop>()("Noop", { n: Schema.Number }) {}

const sql = async (text: string, values: Array<unknown> = [], options?: string) => {
  const client = new pg.Client({ connectionString, ...(options === undefined ? {} : { options }) })
  await client.connect()
  try {
    return (await client.query(text, values)).rows
  } finally {
    await client.end()
  }
}

const noop = (n: number, runAt = 0): NewJob => ({ name: "Noop", payload: JSON.stringify({ _tag: "Noop", n }), priority: 0, runAt })

interface Backlog {
  readonly label: string
  /** Fills the fresh schema through the driver (and SQL); `ready` due jobs always end up first in line. */
  readonly fill: (driver: JobDriverShape, schema: string) => Promise<void>
}

const pushAll = (driver: JobDriverShape, jobs: ReadonlyArray<NewJob>) =>
  Effect.runPromise(Effect.forEach(chunks(jobs, 5_000), (batch) => driver.push({ jobs: batch, now: 0 }), { discard: true }))

const readyJobs = Array.from({ length: ready }, (_, n) => noop(n))

const backlogs: ReadonlyArray<Backlog> = [
  { label: `${ready.toLocaleString("en-US")} pending`, fill: (driver) => pushAll(driver, readyJobs) },
  {
    label: `${deep.toLocaleString("en-US")} pending`,
    fill: (driver) => pushAll(driver, Array.from({ length: deep }, (_, n) => noop(n)))
  },
  {
    label: `+${deep.toLocaleString("en-US")} delayed`,
    fill: async (driver) => {
      await pushAll(driver, Array.from({ length: deep }, (_, n) => noop(n, 1e12 + n)))
      await pushAll(driver, readyJobs)
    }
  },
  {
    label: `+${deep.toLocaleString("en-US")} completed`,
    fill: async (driver, schema) => {
      await sql(
        `INSERT INTO "${schema}".jobs (id, seq, name, payload, state, priority, run_at, attempts, created_at, finished_at)
         SELECT 'done-' || n, nextval('"${schema}".job_seq'), 'Noop', '{"_tag":"Noop","n":0}', 'completed', 0, 0, 1, 0, 1
         FROM generate_series(1, $1::int) AS n`,
        [deep]
      )
      await pushAll(driver, readyJobs)
    }
  }
]

/** Claims `rounds` batches of `limit` one after the other, acknowledging each; returns claim latencies. */
const claimLatencies = (driver: JobDriverShape, limit: number, rounds: number) =>
  Effect.runPromise(Effect.gen(function*() {
    const latencies: Array<number> = []
    const finishes: Array<number> = []
    for (let round = 0; round < rounds; round++) {
      const started = nowMs()
      const { jobs } = yield* driver.claim({ names: ["Noop"], limit, owner: "bench", leaseMs: 30_000, now: 1 })
      latencies.push(nowMs() - started)
      const finishing = nowMs()
      yield* driver.finish({ outcomes: jobs.map((job) => ({ _tag: "Completed", id: job.id, owner: "bench" })), now: 2, removeOnComplete: true })
      finishes.push(nowMs() - finishing)
    }
    return { latencies, finishes }
  }))

/** Runs a queue with concurrency 50 until it has run `jobs` handlers; returns jobs/s. */
const processRate = async (driverLayer: Layer.Layer<JobDriver>, jobs: number) => {
  const runtime = ManagedRuntime.make(JobQueue.layer(driverLayer, { concurrency: 50, retention: { completed: 0 } }))
  let done = 0
  let close = () => {}
  const closed = new Promise<void>((resolve) => (close = resolve))
  const started = nowMs()
  const running = runtime.runPromise(Effect.scoped(Effect.gen(function*() {
    const queue = yield* JobQueue
    yield* queue.registerJob(Noop, () => Effect.sync(() => void done++))
    yield* Effect.promise(() => closed)
  })))
  await waitForCount(() => done, jobs)
  const seconds = (nowMs() - started) / 1000
  close()
  await running
  await runtime.dispose()
  return jobs / seconds
}

const explainClaim = async (schema: string) => {
  // The claim exactly as the driver sends it (next-run-at spliced in, the schema quoted).
  const claim = loadQueries(schema).get("claim")!
  const client = new pg.Client({ connectionString, options: "-c enable_sort=off -c jit=off" })
  await client.connect()
  try {
    await client.query("BEGIN")
    const plan = await client.query(`EXPLAIN (ANALYZE, COSTS OFF) ${claim}`, [["Noop"], 1, 50, "explain", 30_000])
    await client.query("ROLLBACK")
    return plan.rows.map((row) => row["QUERY PLAN"]).join("\n")
  } finally {
    await client.end()
  }
}

/** Fills a schema and measures it; with `record` false it only warms up the process (JIT, connections). */
const measure = async (backlog: Backlog, record: boolean) => {
  const schema = `ej_backlog_${Math.random().toString(36).slice(2, 10)}`
  console.log(`filling ${backlog.label}`)
  const driverLayer = Layer.orDie(postgresDriver({ connectionString, schema }))
  try {
    const runtime = ManagedRuntime.make(driverLayer)
    const driver = await runtime.runPromise(JobDriver)
    const filling = nowMs()
    await backlog.fill(driver, schema)
    console.log(`  filled in ${((nowMs() - filling) / 1000).toFixed(1)} s`)
    if (backlog.label.endsWith(" pending") && backlog.label.startsWith(deep.toLocaleString("en-US"))) plan = await explainClaim(schema)
    if (!record) {
      await runtime.dispose()
      await processRate(driverLayer, 10_000)
      return
    }
    const single = await claimLatencies(driver, 1, 500)
    const batched = await claimLatencies(driver, 50, 100)
    await runtime.dispose()
    const add = (scenario: string, value: number, unit: string) => rows.push({ system: backlog.label, scenario, value, unit })
    add("claim 1 p50", percentile(single.latencies, 0.5), "ms")
    add("claim 1 p99", percentile(single.latencies, 0.99), "ms")
    add("claim 50 p50", percentile(batched.latencies, 0.5), "ms")
    add("claim 50 p99", percentile(batched.latencies, 0.99), "ms")
    add("finish 50 p50", percentile(batched.finishes, 0.5), "ms")
    add("process 10k c=50", await processRate(driverLayer, 10_000), "jobs/s")
  } finally {
    await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  }
}

const rows: Array<Row> = []
let plan = ""
await measure(backlogs[0]!, false)
for (const backlog of backlogs) await measure(backlog, true)
printTable(`Claims next to a deep backlog (claims walk jobs_ready; no ANALYZE after filling)`, rows)
console.log(`\nClaim plan with ${deep.toLocaleString("en-US")} pending jobs (limit 50):\n${plan}`)
process.exit(0)
