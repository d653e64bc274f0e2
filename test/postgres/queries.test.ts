/**
 * The SQL as it loads: the schema and the included query written in, and no constant of the port spelled in
 * a query (the wake-up for every job name is a parameter).
 */
import { describe, expect, it } from "@effect/vitest"
import { loadMigrations, loadQueries, queryNames } from "../../drivers/postgres/internal/sql.js"

describe("postgres queries", () => {
  it("load with every placeholder replaced", () => {
    const queries = loadQueries("queries_test")
    expect([...queries.keys()]).toEqual([...queryNames])
    for (const [name, text] of queries) {
      expect(text, name).not.toMatch(/:schema\b|\(:[a-z-]+\)/)
      expect(text, name).not.toContain("'*'")
    }
    for (const { sql, version } of loadMigrations("queries_test")) expect(sql, `migration ${version}`).not.toMatch(/:schema\b/)
  })
})
