/**
 * `driverError`: one `DriverError` for every driver, with the client library's error kept as its cause (codes
 * included), credentials masked in both, and an encoding that stays readable.
 */
import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { DriverError, driverError } from "effect-jobs/driver"

/** An error shaped as pg raises a refused statement: SQLSTATE `code` and the server's details. */
const pgError = () =>
  Object.assign(new Error("relation \"jobs\" does not exist"), {
    name: "error",
    code: "42P01",
    severity: "ERROR",
    detail: "no such table",
    table: "jobs"
  })

describe("driverError", () => {
  it("takes its message from the cause and keeps the cause's codes and server details", () => {
    const cause = pgError()
    const error = driverError("postgres", "claim", cause)
    expect(error).toBeInstanceOf(DriverError)
    expect(error).toMatchObject({ driver: "postgres", operation: "claim", message: "relation \"jobs\" does not exist" })
    expect(error.cause).toBeInstanceOf(Error)
    expect(error.cause).toMatchObject({
      name: "error",
      message: "relation \"jobs\" does not exist",
      code: "42P01",
      severity: "ERROR",
      detail: "no such table",
      table: "jobs"
    })
  })

  it("puts the context before the cause's message", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED", port: 1 })
    const error = driverError("redis", "connect", cause, "Redis is not reachable at redis://127.0.0.1:1")
    expect(error.message).toBe("Redis is not reachable at redis://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1")
    expect(error.cause).toMatchObject({ code: "ECONNREFUSED", port: 1 })
  })

  it("masks credentials in the message and everywhere in the cause, and drops fields that may quote arguments", () => {
    const cause = Object.assign(new Error("cannot reach postgres://app:s3cret@db:5432/prod"), {
      code: "ENOTFOUND",
      address: "postgres://app:s3cret@db",
      // ioredis keeps the failed command's arguments: an AUTH password among them.
      command: { name: "auth", args: ["s3cret"] }
    })
    cause.stack = `Error: cannot reach postgres://app:s3cret@db:5432/prod\n    at connect (net.js:1:1)`
    const error = driverError("postgres", "connect", cause)
    expect(error.message).toBe("cannot reach postgres://app:***@db:5432/prod")
    expect(error.cause).toMatchObject({ code: "ENOTFOUND", address: "postgres://app:***@db" })
    expect((error.cause as Error).stack).toBe("Error: cannot reach postgres://app:***@db:5432/prod\n    at connect (net.js:1:1)")
    expect(error.cause).not.toHaveProperty("command")
    expect(JSON.stringify(error)).not.toContain("s3cret")
  })

  it("keeps a cause that is not an Error as its masked text", () => {
    const error = driverError("redis", "get", "reply from redis://:s3cret@cache:6379 was garbled")
    expect(error.message).toBe("reply from redis://:***@cache:6379 was garbled")
    expect(error.cause).toBe("reply from redis://:***@cache:6379 was garbled")
  })

  it("encodes to data with the cause's name and message, and decodes back to a readable DriverError", () => {
    const encoded = Schema.encodeSync(DriverError)(driverError("postgres", "claim", pgError()))
    expect(JSON.parse(JSON.stringify(encoded))).toEqual({
      _tag: "DriverError",
      driver: "postgres",
      operation: "claim",
      message: "relation \"jobs\" does not exist",
      cause: { name: "error", message: "relation \"jobs\" does not exist" }
    })
    const decoded = Schema.decodeUnknownSync(DriverError)(encoded)
    expect(decoded.message).toBe("relation \"jobs\" does not exist")
    expect(decoded.cause).toMatchObject({ message: "relation \"jobs\" does not exist" })
  })

  it("a DriverError without a cause is still made and encoded as before", () => {
    const error = new DriverError({ driver: "redis", operation: "configure", message: "Invalid prefix" })
    expect(error.cause).toBeUndefined()
    expect(Schema.encodeSync(DriverError)(error)).toEqual({
      _tag: "DriverError",
      driver: "redis",
      operation: "configure",
      message: "Invalid prefix"
    })
  })
})
