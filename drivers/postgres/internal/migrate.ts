/**
 * Applies the numbered migrations once, however many instances start at the same moment: each runs in one
 * transaction under an advisory lock keyed by the schema name.
 */
import type { Pool } from "pg"
import { loadMigrations, quoteIdentifier } from "./sql.js"

export const migrate = async (pool: Pool, schema: string): Promise<void> => {
  const client = await pool.connect()
  try {
    await client.query("BEGIN")
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`effect-jobs:${schema}`])
    const quoted = quoteIdentifier(schema)
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`)
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`
    )
    const applied = new Set(
      (await client.query<{ version: number }>(`SELECT version FROM ${quoted}.migrations`)).rows.map((row) => row.version)
    )
    for (const migration of loadMigrations(schema)) {
      if (applied.has(migration.version)) continue
      await client.query(migration.sql)
      await client.query(`INSERT INTO ${quoted}.migrations (version) VALUES ($1)`, [migration.version])
    }
    await client.query("COMMIT")
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}
