/**
 * Loads the driver's SQL (migrations and queries) from files beside it, with `:schema` replaced by the
 * quoted schema name.
 */
import { readdirSync, readFileSync } from "node:fs"

const queryNames = [
  "push",
  "existing",
  "claim",
  "next-run-at",
  "renew",
  "finish",
  "set-progress",
  "cancel",
  "retry",
  "counts",
  "prune",
  "prune-beyond",
  "get",
  "set-paused",
  "is-paused"
] as const

/** The name of one query file in `sql/` (without `.sql`). */
export type QueryName = typeof queryNames[number]

/** Schema names come from configuration; they must be plain identifiers. */
const validSchema = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/** `undefined` when `schema` is a valid schema name, otherwise why not. */
export const schemaProblem = (schema: string): string | undefined =>
  !validSchema.test(schema)
    ? `Invalid Postgres schema name ${JSON.stringify(schema)}: use 1-63 characters from A-Z a-z 0-9 _, not starting with a digit`
    : schema.toLowerCase().startsWith("pg_")
    ? `Invalid Postgres schema name ${JSON.stringify(schema)}: names starting with pg_ are reserved`
    : undefined

/** Quotes an identifier for SQL text. */
export const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, "\"\"")}"`

const directory = (name: string) => new URL(`../${name}/`, import.meta.url)

const withSchema = (text: string, schema: string) => text.replace(/:schema\b/g, quoteIdentifier(schema))

const readQuery = (name: QueryName) => readFileSync(new URL(`${name}.sql`, directory("sql")), "utf8")

/** A query's text; `(:next-run-at)` in the claim is the next-run-at query as a scalar subquery. */
const queryText = (name: QueryName) =>
  readQuery(name).replace("(:next-run-at)", () => `(${readQuery("next-run-at").replace(/^--.*\n/gm, "").trim()})`)

const loaded = new Map<string, ReadonlyMap<QueryName, string>>()

/** The queries, for one schema (read from disk once per schema). */
export const loadQueries = (schema: string): ReadonlyMap<QueryName, string> => {
  let queries = loaded.get(schema)
  if (queries === undefined) {
    queries = new Map(
      queryNames.map((name) => [name, withSchema(queryText(name), schema)])
    )
    loaded.set(schema, queries)
  }
  return queries
}

/** The numbered migrations in order, for one schema. */
export const loadMigrations = (schema: string): ReadonlyArray<{ readonly version: number; readonly sql: string }> =>
  readdirSync(directory("migrations"))
    .filter((file) => /^\d+_.*\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number.parseInt(file, 10),
      sql: withSchema(readFileSync(new URL(file, directory("migrations")), "utf8"), schema)
    }))
