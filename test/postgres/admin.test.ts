/**
 * The Postgres driver's operating side beyond the conformance suite: the 0004 migration on a store made by
 * the earlier ones, listings that walk an index (checked with EXPLAIN, custom and generic plans alike),
 * unique keys in a bulk retry, text the store refuses in filters, and schedule keys and instance ids that
 * look like SQL.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option } from "effect"
import { readdirSync } from "node:fs"
import pg from "pg"
import type { JobDriverShape, JobFilter, ListOrder, NewJob } from "effect-jobs"
import { loadMigrations, loadQueries, type QueryName } from "../../drivers/postgres/internal/sql.js"
import { databaseUrl, sql } from "../support/postgres.js"
import { buildDriver, withSchema } from "./helpers.js"

/** The versions of the migration files the driver ships, in order. */
const migrationVersions = readdirSync(new URL("../../drivers/postgres/migrations", import.meta.url))
  .filter((file) => file.endsWith(".sql"))
  .map((file) => Number.parseInt(file, 10))
  .sort((a, b) => a - b)

const job = (id: string, overrides: Partial<NewJob> = {}): NewJob => ({
  id,
  name: "Tick",
  payload: JSON.stringify({ id }),
  priority: 0,
  runAt: 0,
  ...overrides
})

const lease = { owner: "worker", leaseMs: 60_000 }

/** Every job of a listing, paging `limit` at a time. */
const listAll = (driver: JobDriverShape, filter: JobFilter, order: ListOrder, limit: number) =>
  Effect.gen(function*() {
    const pages: Array<ReadonlyArray<string>> = []
    let after: string | undefined
    do {
      const page = yield* driver.list({ filter, order, limit, after })
      pages.push(page.jobs.map((listed) => listed.id))
      after = page.next
    } while (after !== undefined)
    return pages
  })

/** Creates `schema` as the driver's migrations up to `version` left it (what an older release made). */
const migrateUpTo = (schema: string, version: number) =>
  Effect.promise(async () => {
    await sql(`CREATE SCHEMA "${schema}"`)
    await sql(`CREATE TABLE "${schema}".migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
    for (const migration of loadMigrations(schema).filter((each) => each.version <= version)) {
      await sql(migration.sql)
      await sql(`INSERT INTO "${schema}".migrations (version) VALUES ($1)`, [migration.version])
    }
  })

/** A plan node of EXPLAIN (FORMAT JSON), as far as these tests read it. */
interface PlanNode {
  readonly "Node Type": string
  readonly "Index Name"?: string
  readonly "Actual Rows"?: number
  readonly Plans?: ReadonlyArray<PlanNode>
}

const nodesOf = (node: PlanNode): ReadonlyArray<PlanNode> => [node, ...(node.Plans ?? []).flatMap(nodesOf)]

/** A parameter of the driver's queries written as an SQL literal, for EXECUTE. */
const literal = (value: unknown): string =>
  value === null
    ? "NULL"
    : Array.isArray(value)
    ? `ARRAY[${value.map(literal).join(", ")}]::text[]`
    : `'${String(value).replace(/'/g, "''")}'`

/**
 * The plan the driver's query `name` runs with `values`, as EXPLAIN ANALYZE reports it: planned for these
 * values (as an unnamed statement is), or once for any values (as a named statement may come to be).
 */
const explain = (schema: string, name: QueryName, values: ReadonlyArray<unknown>, plan: "custom" | "generic") =>
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    try {
      await client.query(`SET plan_cache_mode = force_${plan}_plan`)
      await client.query(`PREPARE listing AS ${loadQueries(schema).get(name)!}`)
      const result = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE listing(${values.map(literal).join(", ")})`)
      return (result.rows[0]["QUERY PLAN"] as ReadonlyArray<{ readonly Plan: PlanNode }>)[0]!.Plan
    } finally {
      await client.end()
    }
  })

const lowest = "-9223372036854775808"
const highest = "9223372036854775807"

describe("postgres driver: operating side", () => {
  it.live("0004 applies on a store made by the earlier migrations, keeping its jobs and schedule slots", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        yield* migrateUpTo(schema, 3)
        yield* Effect.promise(() =>
          sql(`INSERT INTO "${schema}".jobs (id, seq, name, payload, state, priority, run_at, created_at, started_at, finished_at)
               VALUES ('waiting', nextval('"${schema}".job_seq'), 'Tick', '{}', 'pending', 0, 500, 0, NULL, NULL),
                      ('done', nextval('"${schema}".job_seq'), 'Tick', '{}', 'completed', 0, 0, 0, 10, 20),
                      ('broken', nextval('"${schema}".job_seq'), 'Other', '{}', 'failed', 0, 0, 0, 10, 30);
               INSERT INTO "${schema}".schedules (key, last_slot, pushed_at) VALUES ('nightly', 1000, 900)`)
        )
        const driver = yield* buildDriver(schema)
        const versions = yield* Effect.promise(() => sql<{ version: number }>(`SELECT version FROM "${schema}".migrations ORDER BY version`))
        expect(versions.map((row) => row.version)).toEqual(migrationVersions)
        const indexes = yield* Effect.promise(() =>
          sql<{ indexname: string; indexdef: string }>("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1", [schema])
        )
        const definition = (name: string) => indexes.find((index) => index.indexname === name)?.indexdef
        expect(definition("jobs_due")).toContain("(run_at, seq) WHERE (state = 'pending'::text)")
        expect(definition("jobs_finished")).toContain("(state, finished_at, seq)")
        expect(definition("jobs_finished_names")).toContain("(state, name)")

        for (const [state, id] of [["pending", "waiting"], ["completed", "done"], ["failed", "broken"]] as const) {
          expect((yield* driver.list({ filter: { state }, order: "newest", limit: 10 })).jobs.map((listed) => listed.id)).toEqual([id])
        }
        expect((yield* driver.countsByName({ now: 0 })).map(({ counts, name }) => [name, counts.pending + counts.completed + counts.failed]))
          .toEqual([["Other", 1], ["Tick", 2]])
        expect(yield* driver.schedules).toEqual([{
          schedule: "nightly",
          cron: undefined,
          timeZone: undefined,
          name: undefined,
          lastSlot: 1000,
          lastPushedAt: 900,
          registeredAt: undefined
        }])
        const slot = (at: number) => driver.pushScheduled({ schedule: "nightly", slot: at, job: job(`nightly-${at}`), now: at })
        expect(yield* slot(1000)).toBe(false)
        expect(yield* slot(2000)).toBe(true)
        expect(yield* driver.removeSchedule({ schedule: "nightly" })).toBe(true)
        expect(yield* slot(3000)).toBe(false)
        yield* driver.registerSchedule({ schedule: "nightly", cron: "0 3 * * *", timeZone: "Europe/Paris", name: "Tick", now: 2500 })
        expect((yield* driver.schedules).map((record) => [record.cron, record.timeZone, record.lastSlot, record.registeredAt]))
          .toEqual([["0 3 * * *", "Europe/Paris", 2000, 2500]])
        expect(yield* slot(2000)).toBe(false)
        expect(yield* slot(3000)).toBe(true)
      }).pipe(Effect.scoped)))

  it.live("list walks its state's index from the cursor's position, reading only the page (custom and generic plans)", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(schema)
        // 20,000 completed jobs around a few failed and pending ones: a listing of the few must not read the many.
        yield* Effect.promise(() =>
          sql(`INSERT INTO "${schema}".jobs (id, seq, name, payload, state, priority, run_at, attempts, created_at, started_at, finished_at)
               SELECT 'c' || g, nextval('"${schema}".job_seq'), 'Name' || (g % 7), '{}',
                 CASE WHEN g % 5000 = 0 THEN 'failed' ELSE 'completed' END, 0, g, 1, g, g, 100000 + g
               FROM generate_series(1, 20000) AS g;
               INSERT INTO "${schema}".jobs (id, seq, name, payload, state, priority, run_at, created_at)
               SELECT 'p' || g, nextval('"${schema}".job_seq'), 'Tick', '{}', 'pending', 0, 500000 + g / 2, g
               FROM generate_series(1, 2000) AS g`)
        )
        yield* Effect.promise(() => sql(`VACUUM ANALYZE "${schema}".jobs`))

        expect(yield* listAll(driver, { state: "failed" }, "newest", 3)).toEqual([["c20000", "c15000", "c10000"], ["c5000"]])
        const pending = (yield* listAll(driver, { state: "pending" }, "oldest", 300)).flat()
        expect(pending.length).toBe(2000)
        expect(new Set(pending).size).toBe(2000)
        const completed = yield* listAll(driver, { state: "completed", names: ["Name3"], from: 100000 + 7000 }, "newest", 500)
        // Bounds need not be whole or within bigint's range: state times are.
        expect((yield* driver.list({ filter: { state: "failed", from: 104999.5, to: 1e300 }, order: "oldest", limit: 9 })).jobs
          .map((listed) => listed.id)).toEqual(["c5000", "c10000", "c15000", "c20000"])
        expect((yield* driver.list({ filter: { state: "failed", from: -1e300, to: 105000.5 }, order: "oldest", limit: 9 })).jobs
          .map((listed) => listed.id)).toEqual(["c5000"])
        const expected = Array.from({ length: 20000 }, (_, i) => i + 1).filter((g) => g % 7 === 3 && g >= 7000 && g % 5000 !== 0)
        expect(completed.flat()).toEqual(expected.reverse().map((g) => `c${g}`))

        const cases: ReadonlyArray<readonly [QueryName, string, ReadonlyArray<unknown>]> = [
          ["list-finished-newest", "jobs_finished", [highest, highest, lowest, highest, null, null, 50, "failed"]],
          ["list-finished-newest", "jobs_finished", ["110000", "10000", lowest, highest, null, null, 50, "completed"]],
          ["list-finished-oldest", "jobs_finished", ["110000", "10000", lowest, highest, null, null, 50, "completed"]],
          ["list-pending-oldest", "jobs_due", ["500500", "21000", lowest, highest, null, null, 50]],
          ["list-pending-newest", "jobs_due", ["500500", "21000", lowest, highest, null, null, 50]]
        ]
        for (const [name, index, values] of cases) {
          for (const plan of ["custom", "generic"] as const) {
            const nodes = nodesOf(yield* explain(schema, name, values, plan))
            const scan = nodes.find((node) => node["Index Name"] === index)
            const label = `${name} ${JSON.stringify(values.slice(0, 2))} (${plan} plan)`
            expect(scan?.["Node Type"], label).toBe("Index Scan")
            expect(nodes.map((node) => node["Node Type"]), label).not.toContain("Sort")
            expect(scan!["Actual Rows"], label).toBeLessThanOrEqual(51)
          }
        }
      }).pipe(Effect.scoped)))

  it.live("retryAll keeps a unique key with the batch's first job holding it, and only while no live job holds it", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(schema)
        // Three failed jobs held "k" in turn (a failed job frees its key), one failed job held "solo".
        for (const [index, id] of ["a", "b", "c", "d"].entries()) {
          yield* driver.push({ jobs: [job(id, { uniqueKey: id === "d" ? "solo" : "k" })], now: index })
          yield* driver.claim({ ...lease, names: ["Tick"], limit: 1, now: index })
          yield* driver.finish({ outcomes: [{ _tag: "Failed", id, owner: lease.owner, error: "no" }], removeOnComplete: false, now: 10 + index })
        }
        expect(yield* driver.retryAll({ filter: { state: "failed" }, limit: 10, now: 100 })).toEqual({ changed: 4, next: undefined })
        const keys = yield* Effect.forEach(["a", "b", "c", "d"], (id) =>
          Effect.map(driver.get({ id }), (found) => Option.getOrThrow(found).uniqueKey))
        expect(keys).toEqual(["k", undefined, undefined, "solo"])
        const holder = yield* driver.push({ jobs: [job("e", { uniqueKey: "k" })], now: 101 })
        expect(holder).toEqual([{ id: "a", inserted: false }])
      }).pipe(Effect.scoped)))

  it.live("a bulk change waits for a job another transaction holds instead of skipping it", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(schema)
        yield* driver.push({ jobs: [job("a"), job("b"), job("c")], now: 0 })
        const holder = new pg.Client({ connectionString: databaseUrl })
        yield* Effect.acquireRelease(Effect.promise(() => holder.connect()), () => Effect.promise(() => holder.end()))
        yield* Effect.promise(() => holder.query(`BEGIN; SELECT id FROM "${schema}".jobs WHERE id = 'b' FOR UPDATE`))
        const cancelling = yield* Effect.fork(driver.cancelAll({ filter: { state: "pending" }, limit: 10, now: 5 }))
        const deadline = Date.now() + 10_000
        for (;;) {
          const waiting = yield* Effect.promise(() =>
            sql("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1", [`%"${schema}".jobs%`])
          )
          if (waiting.length > 0) break
          if (Date.now() > deadline) return expect.fail("cancelAll never waited for the held job")
          yield* Effect.sleep("10 millis")
        }
        yield* Effect.promise(() => holder.query("COMMIT"))
        expect(yield* Fiber.join(cancelling)).toEqual({ changed: 3, next: undefined })
        expect((yield* driver.counts({ now: 5 })).cancelled).toBe(3)
      }).pipe(Effect.scoped)))

  it.live("text the store cannot hold matches nothing in filters and removals, instead of failing", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(schema)
        yield* driver.push({ jobs: [job("a"), job("b")], now: 0 })
        const nothing = { jobs: [], next: undefined }
        expect(yield* driver.list({ filter: { state: "pending", search: "a\u0000" }, order: "oldest", limit: 10 })).toEqual(nothing)
        expect(yield* driver.list({ filter: { state: "pending", names: ["\ud800"] }, order: "oldest", limit: 10 })).toEqual(nothing)
        expect((yield* driver.list({ filter: { state: "pending", names: ["\ud800", "Tick"] }, order: "oldest", limit: 10 })).jobs.length)
          .toBe(2)
        expect(yield* driver.cancelAll({ filter: { state: "pending", search: "\u0000" }, limit: 10, now: 1 }))
          .toEqual({ changed: 0, next: undefined })
        expect(yield* driver.remove({ ids: ["a\u0000", "a", "a", "zz"] })).toEqual(["not-found", "removed", "not-found", "not-found"])
        expect((yield* driver.counts({ now: 0 })).pending).toBe(1)
      }).pipe(Effect.scoped)))

  it.live("schedule keys and instance ids that look like SQL are stored as data, sorted as JavaScript sorts", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(schema)
        const odd = [
          "it's \"quoted\"",
          "'); DROP TABLE jobs; --",
          ":schema.jobs",
          "$1",
          "back\\slash",
          "ключ 🔑",
          "",
          "  spaced  ",
          "%_like_%"
        ]
        const sorted = [...odd].sort()
        for (const [index, key] of odd.entries()) {
          yield* driver.registerSchedule({ schedule: key, cron: "* * * * *", timeZone: undefined, name: "Tick", now: index })
          expect(yield* driver.pushScheduled({ schedule: key, slot: 60_000, job: job(`slot-${index}`), now: index })).toBe(true)
          yield* driver.heartbeat({
            instance: {
              id: key,
              host: key,
              pid: index,
              names: [key],
              concurrency: 1,
              running: [key],
              startedAt: 0,
              lastSeenAt: 0,
              expiresAt: 1_000
            }
          })
        }
        expect((yield* driver.schedules).map((record) => [record.schedule, record.lastSlot])).toEqual(sorted.map((key) => [key, 60_000]))
        const instances = yield* driver.instances({ now: 0 })
        expect(instances.map((instance) => [instance.id, instance.host, instance.names, instance.running]))
          .toEqual(sorted.map((key) => [key, key, [key], [key]]))

        for (const key of odd) {
          expect(yield* driver.removeSchedule({ schedule: key })).toBe(true)
          expect(yield* driver.removeSchedule({ schedule: key })).toBe(false)
          expect(yield* driver.pushScheduled({ schedule: key, slot: 120_000, job: job(`late-${key}`), now: 0 })).toBe(false)
          yield* driver.removeInstance({ id: key })
        }
        expect(yield* driver.schedules).toEqual([])
        expect(yield* driver.instances({ now: 0 })).toEqual([])
        expect((yield* driver.counts({ now: 0 })).pending).toBe(odd.length)
      }).pipe(Effect.scoped)))
})
