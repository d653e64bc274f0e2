/**
 * Names derived from the schema (prepared statements, the NOTIFY channel) stay unique within the server's
 * 63-byte limit for every valid schema name, the longest and the multi-byte ones included.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Stream } from "effect"
import { createHash } from "node:crypto"
import pg from "pg"
import { queryNames, schemaProblem, statementName, wakeupChannel } from "../../drivers/postgres/internal/sql.js"
import { databaseUrl, sql, uniqueSchema } from "../support/postgres.js"
import { buildDriver } from "./helpers.js"
import { exercise } from "./operations.js"


const bytes = (text: string) => Buffer.byteLength(text, "utf8")

/** A schema name of exactly `length` bytes: a unique head, `fill` repeated, then `tail`. */
const schemaOfBytes = (length: number, fill: string, tail = "") => {
  const head = `${uniqueSchema("names")}_`
  const room = length - bytes(head) - bytes(tail)
  const name = `${head}${fill.repeat(Math.floor(room / bytes(fill)))}`
  return `${name}${"_".repeat(length - bytes(name) - bytes(tail))}${tail}`
}

describe("postgres names derived from the schema", () => {
  const longest = "s".repeat(63)
  const sharedPrefix = ["a", "b"].map((tail) => `${"p".repeat(60)}_${tail}${tail}`)
  const multiByte = ["é".repeat(31), "名".repeat(21), `q${"𠀀".repeat(15)}`]

  it("accepts names of up to 63 bytes of letters (any script), digits and _, and nothing else", () => {
    for (const schema of [longest, ...sharedPrefix, ...multiByte, "jobs", "_x1", "Ünïcode_2"]) {
      expect([schema, schemaProblem(schema)]).toEqual([schema, undefined])
    }
    for (const schema of ["s".repeat(64), "é".repeat(32), "名".repeat(22), "", "1jobs", "pg_jobs", "PG_x", "a-b", "a b", "a\"b", "a\u0000"]) {
      expect(schemaProblem(schema)).toMatch(/^Invalid Postgres schema name/)
    }
  })

  it("statement names fit in 63 bytes and differ for every query and schema, long names sharing a prefix included", () => {
    const schemas = [longest, ...sharedPrefix, ...multiByte, "jobs"]
    const names = schemas.flatMap((schema) => queryNames.map((query) => statementName(schema, query)))
    for (const name of names) expect(bytes(name)).toBeLessThanOrEqual(63)
    expect(new Set(names).size).toBe(names.length)
  })

  it("channels are effect_jobs_<schema> when that fits, else a whole-character prefix and a digest of the name", () => {
    expect(wakeupChannel("jobs")).toBe("effect_jobs_jobs")
    expect(wakeupChannel("s".repeat(51))).toBe(`effect_jobs_${"s".repeat(51)}`)
    // Unchanged for ASCII names, so instances of earlier versions keep hearing each other.
    const digest = createHash("sha256").update(longest).digest("hex").slice(0, 12)
    expect(wakeupChannel(longest)).toBe(`effect_jobs_${"s".repeat(38)}_${digest}`)
    const channels = [longest, ...sharedPrefix, ...multiByte].map(wakeupChannel)
    for (const channel of channels) {
      expect(bytes(channel)).toBeLessThanOrEqual(63)
      expect(channel).not.toContain("\ufffd")
      expect(Buffer.from(channel, "utf8").toString("utf8")).toBe(channel)
    }
    expect(new Set(channels).size).toBe(channels.length)
  })

  it.live("three queues at once with the longest names, two sharing a 60-byte prefix and one multi-byte, over one connection", () =>
    Effect.gen(function*() {
      const schemas = [
        schemaOfBytes(63, "x", "_aa"),
        "",
        schemaOfBytes(63, "名")
      ]
      schemas[1] = `${schemas[0]!.slice(0, 60)}_bb`
      for (const schema of schemas) {
        expect(bytes(schema)).toBe(63)
        yield* Effect.addFinalizer(() => Effect.promise(() => sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)))
      }
      // One connection for every queue's pushes and reads: statements of different schemas meet on it.
      const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 })
      yield* Effect.addFinalizer(() => Effect.promise(() => pool.end()))
      const drivers = yield* Effect.forEach(schemas, (schema) => buildDriver(schema, { connectionString: databaseUrl, pool }))
      const names = schemas.map((_, index) => `Job${index}`)
      const heard = yield* Effect.forEach(drivers, (driver) =>
        driver.wakeups.pipe(Stream.take(1), Stream.runCollect, Effect.fork))
      // Pushed in order: a listener sharing another queue's channel would hear that queue's job first.
      for (const [index, driver] of drivers.entries()) {
        yield* driver.push({ jobs: [{ name: names[index]!, payload: "{}", priority: 0, runAt: 0 }], now: 0 })
      }
      for (const [index, fiber] of heard.entries()) {
        expect(Chunk.toArray(yield* Fiber.join(fiber).pipe(Effect.timeout("5 seconds")))).toEqual([names[index]])
      }
      for (const [index, driver] of drivers.entries()) yield* exercise(driver, `${names[index]}-ops`)
    }).pipe(Effect.scoped))
})
