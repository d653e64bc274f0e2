/**
 * Loads the driver's SQL (migrations and queries) from files beside it, with `:schema` replaced by the
 * quoted schema name.
 */
import { createHash } from "node:crypto"
import { readdirSync, readFileSync } from "node:fs"

/** Every query file in `sql/` (without `.sql`). */
export const queryNames = [
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
  "is-paused",
  "push-slot",
  "counts-by-name",
  "list-pending-newest",
  "list-pending-oldest",
  "list-active-newest",
  "list-active-oldest",
  "list-finished-newest",
  "list-finished-oldest",
  "remove",
  "retry-all",
  "cancel-all-pending",
  "cancel-all-active",
  "register-schedule",
  "schedules",
  "remove-schedule",
  "heartbeat",
  "instances",
  "remove-instance"
] as const

/** The name of one query file in `sql/` (without `.sql`). */
export type QueryName = typeof queryNames[number]

/** The server cuts identifiers (schema, statement and channel names) to this many bytes. */
const maxIdentifierBytes = 63

/** Schema names come from configuration: letters (any script), digits and `_`, not starting with a digit. */
const validSchema = /^[\p{L}_][\p{L}\p{M}\p{N}_]*$/u

/** `undefined` when `schema` is a valid schema name, otherwise why not. */
export const schemaProblem = (schema: string): string | undefined =>
  !validSchema.test(schema) || Buffer.byteLength(schema, "utf8") > maxIdentifierBytes
    ? `Invalid Postgres schema name ${JSON.stringify(schema)}: use 1-63 bytes (UTF-8) of letters, digits and _, ` +
      `not starting with a digit`
    : schema.toLowerCase().startsWith("pg_")
    ? `Invalid Postgres schema name ${JSON.stringify(schema)}: names starting with pg_ are reserved`
    : undefined

/** A short digest of the schema name, so names derived from it stay unique within `maxIdentifierBytes`. */
const schemaDigest = (schema: string, length: number) =>
  createHash("sha256").update(schema, "utf8").digest("hex").slice(0, length)

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, never cutting a character. */
const prefixWithin = (text: string, maxBytes: number): string => {
  let bytes = 0
  let end = 0
  for (const character of text) {
    bytes += Buffer.byteLength(character, "utf8")
    if (bytes > maxBytes) break
    end += character.length
  }
  return text.slice(0, end)
}

/**
 * The name of `query`'s prepared statement for `schema`: the server would cut a name past 63 bytes, so two
 * long schema names sharing a prefix would collide on one connection; a digest of the schema cannot.
 */
export const statementName = (schema: string, query: QueryName): string =>
  `effect-jobs:${schemaDigest(schema, 16)}:${query}`

/**
 * The NOTIFY channel of one queue: `effect_jobs_<schema>`, or, past 63 bytes, its first 50 bytes and a
 * digest of the whole schema name.
 */
export const wakeupChannel = (schema: string): string => {
  const channel = `effect_jobs_${schema}`
  return Buffer.byteLength(channel, "utf8") <= maxIdentifierBytes
    ? channel
    : `${prefixWithin(channel, 50)}_${schemaDigest(schema, 12)}`
}

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
