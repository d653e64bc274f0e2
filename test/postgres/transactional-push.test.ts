/**
 * Pushing inside the application's own transaction: visible (and waking workers) only on commit.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import pg from "pg"
import { InvalidPushOptions, type JobMiddleware, JobParameters, JobQueue, type OutgoingJob } from "effect-jobs"
import { postgresDriver, pushInTransaction } from "effect-jobs/postgres"
import { until } from "../support/outage.js"
import { databaseUrl, sql } from "../support/postgres.js"
import { withSchema } from "./helpers.js"

class Invoice extends JobParameters<Invoice>()("Invoice", { amount: Schema.Number }) {}
class Note extends JobParameters<Note>()("Note", { text: Schema.String }) {}

/** A connected client, ended with the scope. */
const connectedClient = Effect.acquireRelease(
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    return client
  }),
  (client) => Effect.promise(() => client.end())
)

const withQueue = (schema: string) =>
  Effect.provide(JobQueue.layer(postgresDriver({ connectionString: databaseUrl, schema }), { pollInterval: "1 hour" }))

describe("postgres transactional push", () => {
  it.live("a job pushed in a transaction exists, and runs, only if the transaction commits", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const queue = yield* JobQueue
        const ran: Array<number> = []
        yield* queue.registerJob(Invoice, (params) => Effect.sync(() => ran.push(params.amount)))
        const client = yield* connectedClient

        yield* Effect.promise(() => client.query("BEGIN"))
        const [rolledBack] = yield* pushInTransaction(client, { schema }, [new Invoice({ amount: 1 })])
        yield* Effect.promise(() => client.query("ROLLBACK"))
        expect(Option.isNone(yield* queue.get(rolledBack!))).toBe(true)

        yield* Effect.promise(() => client.query("BEGIN"))
        const [committed] = yield* pushInTransaction(client, { schema }, [new Invoice({ amount: 2 })], { priority: 3 })
        expect(Option.isNone(yield* queue.get(committed!))).toBe(true)
        yield* Effect.promise(() => client.query("COMMIT"))
        // The poll is an hour away: only the NOTIFY sent at commit can start it.
        yield* until("the committed job to run", Effect.sync(() => ran.length === 1), 5_000)
        expect(ran).toEqual([2])
        const counts = yield* queue.counts
        expect(counts.pending + counts.active).toBe(0)
        const rows = yield* Effect.promise(() => sql(`SELECT id, priority FROM "${schema}".jobs`))
        expect(rows).toEqual([{ id: committed, priority: 3 }])
      }).pipe(Effect.scoped, withQueue(schema))))

  it.live("rejects bad parameters and options with typed errors and leaves the transaction usable", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        yield* JobQueue // migrates the schema
        const client = yield* connectedClient
        yield* Effect.promise(() => client.query("BEGIN"))
        const badParams = yield* Effect.flip(
          pushInTransaction(client, { schema }, [new Invoice({ amount: 1 }), new Invoice({ amount: "x" as unknown as number }, true)])
        )
        expect(badParams._tag).toBe("InvalidJobParameters")
        const badPriority = yield* Effect.flip(pushInTransaction(client, { schema }, [new Invoice({ amount: 1 })], { priority: 5_000 }))
        expect(badPriority._tag).toBe("InvalidPushOptions")
        // @ts-expect-error: only JobParameters instances are accepted; the run-time check guards casts.
        const notParameters = yield* Effect.flip(pushInTransaction(client, { schema }, [{ amount: 1 }]))
        expect(notParameters._tag).toBe("InvalidJobParameters")
        const badSchema = yield* Effect.flip(pushInTransaction(client, { schema: "x; DROP" }, [new Invoice({ amount: 1 })]))
        expect(badSchema._tag === "InvalidOption" ? badSchema.option : badSchema._tag).toBe("schema")
        // Nothing was sent, so the transaction is intact and a good push still goes through.
        const ids = yield* pushInTransaction(client, { schema }, [new Invoice({ amount: 4 }), new Invoice({ amount: 5 })])
        yield* Effect.promise(() => client.query("COMMIT"))
        expect(ids.length).toBe(2)
        const rows = yield* Effect.promise(() => sql(`SELECT payload FROM "${schema}".jobs ORDER BY seq`))
        expect(rows.map((row) => JSON.parse(String(row.payload)).amount)).toEqual([4, 5])
      }).pipe(Effect.scoped, withQueue(schema))))

  it.live("keeps the queue's push rules: one job per jobId, the payload limit (1 MiB unless set), push middleware", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        yield* JobQueue // migrates the schema
        const client = yield* connectedClient
        yield* Effect.promise(() => client.query("BEGIN"))

        const twoForOneId = yield* Effect.flip(
          pushInTransaction(client, { schema }, [new Invoice({ amount: 1 }), new Invoice({ amount: 2 })], { jobId: "one" })
        )
        expect(twoForOneId).toMatchObject({ _tag: "InvalidPushOptions", message: expect.stringContaining("jobId names one job") })

        const huge = yield* Effect.flip(pushInTransaction(client, { schema }, [new Note({ text: "x".repeat(1024 * 1024) })]))
        expect(huge).toMatchObject({ _tag: "PayloadTooLarge", maxBytes: 1024 * 1024 })
        const overSetLimit = yield* Effect.flip(
          pushInTransaction(client, { schema, maxPayloadBytes: 100 }, [new Note({ text: "x".repeat(200) })])
        )
        expect(overSetLimit).toMatchObject({ _tag: "PayloadTooLarge", maxBytes: 100 })

        const seen: Array<ReadonlyArray<OutgoingJob>> = []
        const middleware: ReadonlyArray<JobMiddleware> = [{
          push: (jobs, next) => {
            seen.push(jobs)
            return jobs.some((job) => job.name === "Note")
              ? Effect.fail(new InvalidPushOptions({ jobName: "Note", message: "notes are refused here" }))
              : next
          }
        }]
        const refused = yield* Effect.flip(pushInTransaction(client, { schema, middleware }, [new Note({ text: "hi" })]))
        expect(refused).toMatchObject({ _tag: "InvalidPushOptions", message: "notes are refused here" })
        const [kept] = yield* pushInTransaction(client, { schema, middleware }, [new Invoice({ amount: 7 })], { priority: 2 })
        expect(seen.map((jobs) => jobs.map((job) => [job.name, job.priority]))).toEqual([[["Note", 0]], [["Invoice", 2]]])

        yield* Effect.promise(() => client.query("COMMIT"))
        const rows = yield* Effect.promise(() => sql(`SELECT id, name FROM "${schema}".jobs`))
        expect(rows).toEqual([{ id: kept, name: "Invoice" }])
      }).pipe(Effect.scoped, withQueue(schema))))
})
