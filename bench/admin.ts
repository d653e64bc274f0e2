/**
 * Operating a big store: how long `JobAdmin`'s reads take next to 200,000 completed jobs. The store gets
 * `--completed` completed jobs and `--failed` failed ones through the driver port (pushed, claimed and
 * finished in batches, as workers would), then each read runs `--samples` times and p50 / p99 are reported.
 *
 *   npx tsx bench/admin.ts redis|postgres [--completed 200000] [--failed 100] [--samples 200]
 */
import { Context, Effect, Layer } from "effect"
import { JobDriver, type JobDriverShape, type Outcome } from "effect-jobs/driver"
import { type Backend, postgresBackend, redisBackend } from "./lib/effect-jobs.js"
import { codeState, nowMs, percentile, printTable, type Row, writeReport } from "./lib/report.js"
import { databaseUrl, redisUrl } from "./lib/servers.js"

const argument = (name: string) => {
  const index = process.argv.indexOf(name)
  return index === -1 ? undefined : process.argv[index + 1]
}

const target = process.argv[2]
const completedJobs = Number(argument("--completed") ?? 200_000)
const failedJobs = Number(argument("--failed") ?? 100)
const samples = Number(argument("--samples") ?? 200)
const BATCH = 1_000
const OWNER = "bench-admin"

const backends: Record<string, () => Backend> = {
  redis: () => redisBackend(redisUrl),
  postgres: () => postgresBackend(databaseUrl)
}

/** Pushes `count` jobs named `name`, claims them and records `outcome` for each, `BATCH` at a time. */
const fill = (driver: JobDriverShape, name: string, count: number, outcome: (id: string) => Outcome, start: number) =>
  Effect.gen(function*() {
    let now = start
    for (let done = 0; done < count; done += BATCH) {
      const size = Math.min(BATCH, count - done)
      const jobs = Array.from({ length: size }, (_, i) => ({
        name,
        payload: JSON.stringify({ n: done + i, email: `user${done + i}@example.com` }),
        priority: 0,
        runAt: now
      }))
      yield* driver.push({ jobs, now })
      const claimed = yield* driver.claim({ names: [name], limit: size, owner: OWNER, leaseMs: 60_000, now })
      now += 1
      yield* driver.finish({ outcomes: claimed.jobs.map((job) => outcome(job.id)), removeOnComplete: false, now })
    }
    return now
  })

/** p50 and p99 in milliseconds of `samples` runs of `read`. */
const timeRead = (label: string, read: Effect.Effect<unknown, unknown>) =>
  Effect.gen(function*() {
    const times: Array<number> = []
    for (let i = 0; i < samples; i++) {
      const started = nowMs()
      yield* read
      times.push(nowMs() - started)
    }
    return [
      { system: "effect-jobs", scenario: `${label} p50`, value: percentile(times, 0.5), unit: "ms" },
      { system: "effect-jobs", scenario: `${label} p99`, value: percentile(times, 0.99), unit: "ms" }
    ] satisfies Array<Row>
  })

const main = async () => {
  const makeBackend = target === undefined ? undefined : backends[target]
  if (makeBackend === undefined) throw new Error("usage: npx tsx bench/admin.ts redis|postgres [--completed N]")
  const backend = makeBackend()
  const name = backend.freshName()
  const program = Effect.gen(function*() {
    const driver = Context.get(yield* Layer.build(backend.driver(name)), JobDriver)
    const filled = nowMs()
    const now = yield* fill(driver, "Report", completedJobs, (id) => ({ _tag: "Completed", id, owner: OWNER }), 1_000)
    const end = yield* fill(
      driver,
      "SendEmail",
      failedJobs,
      (id) => ({ _tag: "Failed", id, owner: OWNER, error: "SMTP 550: mailbox unavailable" }),
      now
    )
    console.log(`filled ${completedJobs} completed and ${failedJobs} failed jobs in ${Math.round(nowMs() - filled)} ms`)
    const firstPage = (state: "failed" | "completed", search?: string) =>
      driver.list({ filter: { state, search }, order: "newest", limit: 50 })
    const page = yield* firstPage("failed")
    if (page.jobs.length !== Math.min(50, failedJobs)) throw new Error(`list failed returned ${page.jobs.length} jobs`)
    return [
      ...(yield* timeRead("list failed, first page of 50", firstPage("failed"))),
      ...(yield* timeRead("list failed, next page", driver.list({
        filter: { state: "failed" },
        order: "newest",
        limit: 50,
        after: page.next
      }))),
      ...(yield* timeRead("list failed, search in payload", firstPage("failed", "user7@"))),
      ...(yield* timeRead("list completed, first page of 50", firstPage("completed"))),
      ...(yield* timeRead("counts per job name", driver.countsByName({ now: end }))),
      ...(yield* timeRead("counts", driver.counts({ now: end })))
    ]
  })
  try {
    const rows = await Effect.runPromise(Effect.scoped(program))
    printTable(`${backend.name}: reads next to ${completedJobs.toLocaleString("en-US")} completed jobs`, rows)
    const path = writeReport(`admin-${backend.name}`, rows, {
      completedJobs,
      failedJobs,
      samples,
      code: codeState()
    })
    console.log(`\nwrote ${path}`)
  } finally {
    await backend.remove(name)
  }
}

await main()
