/**
 * The command line's pure parts, without starting a process: durations, which queue the flags and the
 * environment name, and the text it prints.
 */
import { assert, describe, it } from "@effect/vitest"
import { Either, Option, Redacted } from "effect"
import { chooseTarget, type ConnectionEnv, type ConnectionFlags, describeTarget } from "../../src/cli/driver.js"
import { parseDuration } from "../../src/cli/duration.js"
import { oneLine, relative, table, timestamp } from "../../src/cli/format.js"

const noFlags: ConnectionFlags = { redis: Option.none(), prefix: Option.none(), postgres: Option.none(), schema: Option.none() }
const secret = (url: string) => Redacted.make(url)

/** The target chosen, shown as the command line shows it, or the reason there is none. */
const chosen = (flags: Partial<ConnectionFlags>, env: ConnectionEnv) =>
  Either.match(chooseTarget({ ...noFlags, ...flags }, env), { onLeft: (reason) => `error: ${reason}`, onRight: describeTarget })

describe("parseDuration", () => {
  it("reads a number and a unit, short or long, with or without a space", () => {
    const cases: Array<[string, number]> = [
      ["1d", 86_400_000],
      ["12h", 43_200_000],
      ["30m", 1_800_000],
      ["7 days", 604_800_000],
      ["1 day", 86_400_000],
      ["90s", 90_000],
      ["500ms", 500],
      ["2w", 1_209_600_000],
      ["1.5 hours", 5_400_000],
      [" 3 Minutes ", 180_000],
      ["0s", 0]
    ]
    for (const [text, millis] of cases) assert.deepStrictEqual(parseDuration(text), Either.right(millis), text)
  })

  it("refuses anything else with the expected form", () => {
    for (const text of ["", "1", "d", "soon", "-1d", "1 fortnight", "1d2h", "1e3s"]) {
      const parsed = parseDuration(text)
      assert.isTrue(Either.isLeft(parsed), text)
      assert.include(Either.getLeft(parsed).pipe(Option.getOrThrow), "such as 1d, 12h, 30m or 7 days")
    }
  })
})

describe("chooseTarget", () => {
  const env: ConnectionEnv = {
    REDIS_URL: secret("redis://:pw@cache:6379"),
    DATABASE_URL: secret("postgres://app:pw@db/app"),
    REDIS_PREFIX: "env-prefix",
    JOBS_SCHEMA: "env_schema"
  }

  it("flags win over the environment, with their own prefix or schema, else the environment's, else the defaults", () => {
    assert.strictEqual(chosen({ redis: Option.some(secret("redis://r:1")) }, env), "redis redis://r:1 prefix env-prefix")
    assert.strictEqual(
      chosen({ redis: Option.some(secret("redis://r:1")), prefix: Option.some("p") }, env),
      "redis redis://r:1 prefix p"
    )
    assert.strictEqual(chosen({ postgres: Option.some(secret("postgres://h/d")) }, {}), "postgres postgres://h/d schema effect_jobs")
    assert.strictEqual(chosen({ redis: Option.some(secret("redis://r:1")) }, {}), "redis redis://r:1 prefix jobs")
  })

  it("REDIS_URL wins over DATABASE_URL unless JOBS_DRIVER names postgres; passwords never show", () => {
    assert.strictEqual(chosen({}, env), "redis redis://:***@cache:6379 prefix env-prefix")
    assert.strictEqual(chosen({}, { ...env, JOBS_DRIVER: "postgres" }), "postgres postgres://app:***@db/app schema env_schema")
    assert.strictEqual(chosen({}, { DATABASE_URL: env.DATABASE_URL! }), "postgres postgres://app:***@db/app schema effect_jobs")
    assert.strictEqual(chosen({}, { JOBS_DRIVER: "redis" }), "redis redis://127.0.0.1:6379 prefix jobs")
  })

  it("refuses flags that contradict each other and an environment that names no queue", () => {
    assert.include(chosen({ redis: Option.some(secret("redis://r")), postgres: Option.some(secret("postgres://p")) }, {}), "not both")
    assert.include(chosen({ postgres: Option.some(secret("postgres://p")), prefix: Option.some("x") }, {}), "--prefix applies to a Redis queue")
    assert.include(chosen({ schema: Option.some("s") }, env), "--schema applies to a Postgres queue")
    assert.include(chosen({}, {}), "No queue to connect to")
    assert.include(chosen({}, { JOBS_DRIVER: "memory" }), "JOBS_DRIVER=memory names no queue")
  })
})

describe("format", () => {
  it("table aligns columns, numbers to the right, without trailing blanks", () => {
    const text = table([{ header: "NAME" }, { header: "N", align: "right" }, { header: "NOTE" }], [["a", "1", ""], [
      "long",
      "100",
      "x"
    ]])
    assert.strictEqual(text, "NAME    N  NOTE\na       1\nlong  100  x")
  })

  it("times are UTC to the second, relative times rounded to one unit", () => {
    const now = Date.UTC(2024, 4, 1, 12, 0, 0)
    assert.strictEqual(timestamp(now + 999), "2024-05-01T12:00:00Z")
    assert.strictEqual(relative(now - 5_000, now), "5s ago")
    assert.strictEqual(relative(now + 180_000, now), "in 3m")
    assert.strictEqual(relative(now - 7_200_000, now), "2h ago")
    assert.strictEqual(relative(now - 3 * 86_400_000, now), "3d ago")
  })

  it("oneLine keeps the first line, cut with an ellipsis", () => {
    assert.strictEqual(oneLine("Error: boom\n  at x", 20), "Error: boom")
    assert.strictEqual(oneLine("abcdefghij", 5), "abcd…")
  })
})
