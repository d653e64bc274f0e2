/**
 * Outcomes the server refuses for their data: a batch carrying one is recorded outcome by outcome, and the
 * refused one fails its job for good with the reason stored, so it never blocks the others.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import pg from "pg"
import { JobDriver, type JobDriverShape, JobParameters, JobQueue, type NewJob } from "effect-jobs"
import { isRefusedData } from "../../drivers/postgres/internal/finish.js"
import { databaseUrl, sql, uniqueSchema } from "../support/postgres.js"
import { buildDriver, withSchema } from "./helpers.js"

const job = (n: number): NewJob => ({ name: "Tick", payload: JSON.stringify({ n }), priority: 0, runAt: 0 })

const claimRequest = { names: ["Tick"], owner: "worker-a", leaseMs: 60_000, now: 1 }

const stored = (driver: JobDriverShape, id: string) =>
  Effect.map(driver.get({ id }), (found) => Option.getOrThrow(found))

/** Pushes `count` jobs and claims them all as `worker-a`; returns their ids in claim order. */
const claimed = (driver: JobDriverShape, count: number) =>
  Effect.gen(function*() {
    yield* driver.push({ jobs: Array.from({ length: count }, (_, n) => job(n)), now: 0 })
    return (yield* driver.claim({ ...claimRequest, limit: count })).jobs.map((claimedJob) => claimedJob.id)
  })

const nulRefusal = "The outcome could not be stored: invalid byte sequence for encoding \"UTF8\": 0x00"

describe("postgres driver: outcomes the server refuses", () => {
  it("tells a refusal of the data sent (SQLSTATE classes 22 and 54) from every other failure", () => {
    const cases: ReadonlyArray<readonly [error: unknown, refused: boolean]> = [
      [{ code: "22021" }, true], // character_not_in_repertoire: NUL in text
      [{ code: "22P05" }, true], // untranslatable_character: not in the database encoding
      [{ code: "22001" }, true], // string_data_right_truncation
      [{ code: "54000" }, true], // program_limit_exceeded
      [{ code: "08006" }, false], // connection_failure
      [{ code: "57P01" }, false], // admin_shutdown
      [{ code: "40001" }, false], // serialization_failure
      [{ code: "ECONNRESET" }, false],
      [new Error("Query read timeout"), false],
      [undefined, false],
      ["22021", false]
    ]
    for (const [error, refused] of cases) expect([error, isRefusedData(error)]).toEqual([error, refused])
  })

  it.live("the server refuses a NUL in a text parameter, as a batch of outcomes carrying one runs into", () =>
    Effect.gen(function*() {
      const client = new pg.Client({ connectionString: databaseUrl })
      yield* Effect.acquireRelease(Effect.promise(() => client.connect()), () => Effect.promise(() => client.end()))
      const error = yield* Effect.flip(Effect.tryPromise(() => client.query("SELECT $1::text", ["bad\u0000byte"])))
      expect((error.cause as { code?: string }).code).toBe("22021")
      expect(isRefusedData(error.cause)).toBe(true)
    }).pipe(Effect.scoped))

  it.live("finish records every other outcome of the batch and fails the refused one with the reason", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(schema)
        const [completed, refused, retried, released, notHeld] = yield* claimed(driver, 5)
        const lost = yield* driver.finish({
          outcomes: [
            { _tag: "Completed", id: completed!, owner: "worker-a" },
            { _tag: "Failed", id: refused!, owner: "worker-a", error: "bad\u0000byte" },
            { _tag: "Retry", id: retried!, owner: "worker-a", error: "flaky", runAt: 5_000 },
            { _tag: "Released", id: released!, owner: "worker-a" },
            // Refused too, but its lease is not held: the lease guard still applies to the replacement.
            { _tag: "Failed", id: notHeld!, owner: "someone-else", error: "also\u0000bad" }
          ],
          now: 2,
          removeOnComplete: false
        })
        expect(lost).toEqual([notHeld])
        expect((yield* stored(driver, completed!)).state).toBe("completed")
        const failed = yield* stored(driver, refused!)
        expect(failed.state).toBe("failed")
        expect(failed.finishedAt).toBe(2)
        expect(failed.lastError).toBe(nulRefusal)
        expect(yield* stored(driver, retried!)).toMatchObject({ state: "pending", runAt: 5_000, lastError: "flaky" })
        expect(yield* stored(driver, released!)).toMatchObject({ state: "pending", attempts: 0 })
        expect(yield* stored(driver, notHeld!)).toMatchObject({ state: "active", leaseOwner: "worker-a" })
        expect((yield* driver.counts({ now: 2 })).active).toBe(1)
      }).pipe(Effect.scoped)))

  it.live("a claim carrying a refused outcome records the others, fails that job, and still claims", () =>
    withSchema((schema) =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(schema)
        const [refused, completed] = yield* claimed(driver, 2)
        const [waiting] = yield* driver.push({ jobs: [job(9)], now: 0 })
        const result = yield* driver.claim({
          ...claimRequest,
          limit: 5,
          now: 3,
          finishing: {
            outcomes: [
              { _tag: "Retry", id: refused!, owner: "worker-a", error: "bad\u0000byte", runAt: 10 },
              { _tag: "Completed", id: completed!, owner: "worker-a" }
            ],
            removeOnComplete: true
          }
        })
        expect(result.lost).toEqual([])
        expect(result.jobs.map((claimedJob) => claimedJob.id)).toEqual([waiting!.id])
        expect(yield* stored(driver, refused!)).toMatchObject({ state: "failed", lastError: nulRefusal })
        expect(Option.isNone(yield* driver.get({ id: completed! }))).toBe(true)
      }).pipe(Effect.scoped)))

  it.live("in a LATIN1 database an error text with characters LATIN1 lacks fails its job readably; the rest complete", () =>
    Effect.gen(function*() {
      // Characters outside the database encoding are refused too; only a throwaway database can have another one.
      const database = uniqueSchema("latin1")
      yield* Effect.acquireRelease(
        Effect.promise(() =>
          sql(`CREATE DATABASE "${database}" ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`)
        ),
        () => Effect.promise(() => sql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`))
      )
      const url = new URL(databaseUrl)
      url.pathname = `/${database}`
      class Work extends JobParameters<Work>()("Work", { n: Schema.Number }) {}
      const driver = yield* buildDriver("jobs", { connectionString: url.toString() })
      const queue = yield* JobQueue.make({ concurrency: 4, maxAttempts: 3, pollInterval: "50 millis" }).pipe(
        Effect.provideService(JobDriver, driver)
      )
      yield* queue.registerJob(Work, ({ n }) => n === 0 ? Effect.fail("no room for 😀 here") : Effect.void)
      const [broken] = yield* queue.pushMany(Array.from({ length: 11 }, (_, n) => new Work({ n })))
      const deadline = Date.now() + 10_000
      while ((yield* queue.counts).completed < 10 || (yield* queue.counts).failed < 1) {
        if (Date.now() > deadline) expect.fail(`not all recorded: ${JSON.stringify(yield* queue.counts)}`)
        yield* Effect.sleep("20 millis")
      }
      const info = Option.getOrThrow(yield* queue.get(broken!))
      expect(info.state).toBe("failed")
      expect(info.attempts).toBe(1)
      expect(Option.getOrThrow(info.lastError)).toMatch(
        /^The outcome could not be stored: character with byte sequence 0xf0 0x9f 0x98 0x80 in encoding "UTF8" has no equivalent in encoding "LATIN1"/
      )
    }).pipe(Effect.scoped))
})
