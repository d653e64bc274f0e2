/**
 * Connection settings for the driver's own connections (worker pool, LISTEN client), derived from either a
 * connection string or a pool the application hands over.
 */
import type { Redacted } from "effect"
import pg from "pg"
import { redactUrl, reveal } from "../../../src/driver/index.js"

/** The database the driver talks to when given neither a connection string nor a pool. */
export const defaultConnectionString = "postgres://postgres@127.0.0.1:5432/postgres"

/** Names the driver's connections in `pg_stat_activity` (at most 63 characters). */
export const applicationName = (role: "push" | "worker" | "listen", schema: string): string =>
  `effect-jobs:${role}:${schema}`.slice(0, 63)

/**
 * What a new connection needs to reach the same database as `pool` (or `connectionString`). pg hides a
 * pool's password from enumeration, so it is copied explicitly.
 */
export const connectionSettings = (
  connectionString: string | Redacted.Redacted<string> | undefined,
  pool: pg.Pool | undefined
): pg.ClientConfig => {
  if (connectionString !== undefined || pool === undefined) {
    return {
      connectionString: connectionString === undefined ? defaultConnectionString : reveal(connectionString),
      connectionTimeoutMillis: 5_000
    }
  }
  const { Client: _client, Promise: _promise, log: _log, max: _max, min: _min, ...settings } = pool.options as pg.PoolConfig & {
    Client?: unknown
    Promise?: unknown
  }
  return { connectionTimeoutMillis: 5_000, ...settings, password: pool.options.password }
}

/** Where the settings point, for error messages: the password and secret parameters are masked. */
export const describeTarget = (settings: pg.ClientConfig): string =>
  settings.connectionString !== undefined
    ? redactUrl(settings.connectionString)
    : `${settings.host ?? "localhost"}:${settings.port ?? 5432}/${settings.database ?? ""}`

/** Appends server settings (`-c name=value ...`) to the startup options already in `settings`. */
export const withServerOptions = (settings: pg.ClientConfig, serverOptions: string): string =>
  settings.options === undefined ? serverOptions : `${settings.options} ${serverOptions}`
