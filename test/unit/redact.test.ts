/**
 * Masking credentials in connection URLs and in free text, table-driven.
 */
import { describe, expect, it } from "@effect/vitest"
import { Redacted } from "effect"
import { redactText, redactUrl, reveal } from "../../src/internal/redact.js"

describe("redactUrl", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["redis://:s3cret@127.0.0.1:1/", "redis://:***@127.0.0.1:1/"],
    ["redis://default:s3cret@cache.internal:6380/2", "redis://default:***@cache.internal:6380/2"],
    ["rediss://user:p%40ss%2Fword@host", "rediss://user:***@host"],
    ["redis://127.0.0.1:6379/?password=s3cret&db=1", "redis://127.0.0.1:6379/?password=***&db=1"],
    ["redis://127.0.0.1:6379", "redis://127.0.0.1:6379"],
    ["redis://user@127.0.0.1:6379", "redis://user@127.0.0.1:6379"],
    ["postgres://app:s3cret@db:5432/prod", "postgres://app:***@db:5432/prod"],
    ["postgres://app@db/prod?sslpassword=s3cret&sslmode=require", "postgres://app@db/prod?sslpassword=***&sslmode=require"],
    ["postgresql://app@db/prod?PASSWORD=s3cret", "postgresql://app@db/prod?PASSWORD=***"],
    ["postgres://app@db/prod?application_name=api", "postgres://app@db/prod?application_name=api"],
    // Not parseable: masked as text, from the scheme to the last "@" before the host.
    ["redis://:s3cret@127.0.0.1:99999/", "redis://:***@127.0.0.1:99999/"],
    ["redis://:pass/s3cret@127.0.0.1:6379/", "redis://:***@127.0.0.1:6379/"],
    ["postgres://app:s3cret@[::1/db", "postgres://app:***@[::1/db"],
    ["postgres://app:a@b@host with spaces/db?password=s3cret", "postgres://app:***@host with spaces/db?password=***"]
  ]
  for (const [url, shown] of cases) {
    it(`${url} reads ${shown}`, () => {
      expect(redactUrl(url)).toBe(shown)
      expect(redactUrl(Redacted.make(url))).toBe(shown)
    })
  }
})

describe("redactText", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["connect ECONNREFUSED 127.0.0.1:6379", "connect ECONNREFUSED 127.0.0.1:6379"],
    ["cannot reach redis://:s3cret@10.0.0.1:6379 (timeout)", "cannot reach redis://:***@10.0.0.1:6379 (timeout)"],
    ["a postgres://u:s3cret@h/db and redis://:t0ken@r/0", "a postgres://u:***@h/db and redis://:***@r/0"],
    ["options password=s3cret host=db", "options password=*** host=db"],
    ["host=db sslpassword=s3cret;port=5432", "host=db sslpassword=***;port=5432"],
    ["WRONGPASS invalid username-password pair or user is disabled.", "WRONGPASS invalid username-password pair or user is disabled."],
    ["time: 12:30 @ noon", "time: 12:30 @ noon"]
  ]
  for (const [text, shown] of cases) {
    it(`${text} reads ${shown}`, () => expect(redactText(text)).toBe(shown))
  }
})

describe("reveal", () => {
  it("reads plain and redacted values alike", () => {
    expect(reveal("redis://:x@h")).toBe("redis://:x@h")
    expect(reveal(Redacted.make("redis://:x@h"))).toBe("redis://:x@h")
  })
})
