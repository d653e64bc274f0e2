/**
 * Memory driver throughput: no-op jobs pushed in bulk, then processed, at several concurrencies.
 *
 *   npx tsx bench/memory.ts [--quick]
 */
import { Effect, Schema } from "effect"
import { JobParameters, JobQueue, memoryDriver } from "effect-jobs"
import { median, nowMs, printTable, type Row, writeReport } from "./lib/report.js"

class Noop extends JobParameters<Noop>()("Noop", { n: Schema.Number }) {}

const quick = process.argv.includes("--quick")
const jobs = quick ? 20_000 : 200_000
const runs = quick ? 1 : 3

/** Pushes `jobs` no-op jobs, then measures the time from registering the handler to the last completion. */
const measure = (concurrency: number) =>
  Effect.gen(function*() {
    const queue = yield* JobQueue
    const batch = Array.from({ length: 1_000 }, (_, n) => new Noop({ n }))
    const pushStart = nowMs()
    for (let pushed = 0; pushed < jobs; pushed += batch.length) yield* queue.pushMany(batch)
    const pushSeconds = (nowMs() - pushStart) / 1000
    const done = yield* Effect.makeLatch(false)
    let completed = 0
    const start = nowMs()
    yield* queue.registerJob(Noop, () => Effect.sync(() => ++completed === jobs && done.unsafeOpen()))
    yield* done.await
    return { processed: jobs / ((nowMs() - start) / 1000), pushed: jobs / pushSeconds }
  }).pipe(
    Effect.scoped,
    Effect.provide(JobQueue.layer(memoryDriver, { concurrency, retention: { completed: 0 } }))
  )

const main = Effect.gen(function*() {
  const rows: Array<Row> = []
  const pushRates: Array<number> = []
  for (const concurrency of [1, 10, 50]) {
    const results = []
    for (let run = 0; run < runs; run++) results.push(yield* measure(concurrency))
    pushRates.push(...results.map((result) => result.pushed))
    rows.push({
      system: "effect-jobs memory",
      scenario: `process c=${concurrency}`,
      value: median(results.map((result) => result.processed)),
      unit: "jobs/s"
    })
  }
  rows.push({ system: "effect-jobs memory", scenario: "push bulk (1,000 per call)", value: median(pushRates), unit: "jobs/s" })
  printTable(`Memory driver, ${jobs.toLocaleString("en-US")} no-op jobs, median of ${runs}`, rows)
  // A quick run prints its table but keeps the last full report.
  if (!quick) console.log(`\nwrote ${writeReport("memory", rows, { jobs, runs })}`)
})

Effect.runPromise(main)
