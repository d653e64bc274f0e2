/**
 * The `pooler` and `listenConnectionString` settings, seen from the wire: a recording proxy between the
 * driver and the server shows which statements are named, which startup parameters are sent, where LISTEN
 * goes and how the worker's settings reach the server.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { PostgresDriverOptions } from "effect-jobs/postgres"
import { databaseUrl, sql } from "../support/postgres.js"
import { statementName } from "../../drivers/postgres/internal/sql.js"
import { buildDriver } from "./helpers.js"
import { exercise, pushAndComplete, startWorker } from "./operations.js"
import { type Recorder, startRecorder } from "./recorder.js"

const target = new URL(databaseUrl)

/** `databaseUrl`, reached through `recorder`. */
const through = (recorder: Recorder) => {
  const url = new URL(databaseUrl)
  url.hostname = "127.0.0.1"
  url.port = String(recorder.port)
  return url.toString()
}

/** A fresh schema for the current scope, dropped when it closes. */
const freshSchema = (label: string) =>
  Effect.acquireRelease(
    Effect.sync(() => `pooler_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`),
    (schema) => Effect.promise(() => sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))
  )

/** A recorder in front of the test server, and a driver connecting through it with `options`. */
const recordedDriver = (label: string, options: Omit<PostgresDriverOptions, "schema" | "connectionString"> = {}) =>
  Effect.gen(function*() {
    const schema = yield* freshSchema(label)
    const recorder = yield* startRecorder(target.hostname, Number(target.port || 5432))
    const driver = yield* buildDriver(schema, { connectionString: through(recorder), poolSize: 4, ...options })
    return { schema, recorder, driver }
  })

const mainQueries = ["push", "counts", "claim", "finish", "renew", "get"] as const

const preparedNames = (recorder: Recorder) =>
  [...new Set(recorder.connections.flatMap((connection) => connection.parses.map((parse) => parse.name)))]

/** Unnamed statements other than the migration's own (which run once, at start, in one transaction). */
const unnamedQueries = (recorder: Recorder) =>
  recorder.connections.flatMap((connection) => connection.parses).filter((parse) =>
    parse.name === "" && !/pg_advisory_xact_lock|\.migrations/.test(parse.text)
  )

const isListen = (text: string) => /^\s*LISTEN\b/i.test(text)

const workerConnections = (recorder: Recorder, schema: string) =>
  recorder.connections.filter((connection) => connection.parameters.application_name === `effect-jobs:worker:${schema}`)

describe("postgres driver behind a pooler: what goes over the wire", () => {
  it.live("directly (the default): named statements, the worker's settings as startup options, LISTEN", () =>
    Effect.gen(function*() {
      const { driver, recorder, schema } = yield* recordedDriver("direct")
      yield* exercise(driver, "Direct")
      expect(preparedNames(recorder)).toEqual(expect.arrayContaining(mainQueries.map((query) => statementName(schema, query))))
      expect(unnamedQueries(recorder)).toEqual([])
      const workers = workerConnections(recorder, schema)
      expect(workers.length).toBeGreaterThan(0)
      for (const worker of workers) expect(worker.parameters.options).toContain("-c synchronous_commit=off")
      expect(recorder.texts().filter(isListen).length).toBe(1)
    }).pipe(Effect.scoped))

  it.live("transaction mode: every statement unnamed, no startup options, no SET, no LISTEN; own pushes still wake", () =>
    Effect.gen(function*() {
      const { driver, recorder } = yield* recordedDriver("tx", { pooler: "transaction" })
      yield* exercise(driver, "Tx")
      // The poll is an hour away: only the driver's own wake-ups can start these jobs.
      yield* startWorker(driver)
      yield* pushAndComplete(driver, 20)
      const parses = recorder.connections.flatMap((connection) => connection.parses)
      expect(parses.length).toBeGreaterThan(0)
      expect(parses.filter((parse) => parse.name !== "")).toEqual([])
      expect(recorder.connections.filter((connection) => "options" in connection.parameters)).toEqual([])
      expect(recorder.texts().filter((text) => isListen(text) || /^\s*SET\b/i.test(text))).toEqual([])
    }).pipe(Effect.scoped))

  it.live("transaction mode with listenConnectionString: LISTEN goes there only, and another instance's push wakes the worker", () =>
    Effect.gen(function*() {
      const { driver, recorder, schema } = yield* recordedDriver("txlisten", { pooler: "transaction" })
      const direct = yield* startRecorder(target.hostname, Number(target.port || 5432))
      const worker = yield* buildDriver(schema, {
        connectionString: through(recorder),
        pooler: "transaction",
        listenConnectionString: through(direct),
        poolSize: 4
      })
      yield* startWorker(worker)
      // Pushed by the other instance, which the worker hears of only through LISTEN (its poll is an hour away).
      yield* pushAndComplete(driver, 20)
      expect(recorder.texts().filter(isListen)).toEqual([])
      expect(direct.texts().filter(isListen).length).toBe(1)
      expect(direct.connections.flatMap((connection) => connection.parses)).toEqual([])
    }).pipe(Effect.scoped))

  it.live("session mode: named statements and LISTEN as directly; the worker's settings are SET on each new connection", () =>
    Effect.gen(function*() {
      const { driver, recorder, schema } = yield* recordedDriver("session", { pooler: "session" })
      yield* exercise(driver, "Session")
      yield* startWorker(driver)
      yield* pushAndComplete(driver, 20)
      expect(preparedNames(recorder)).toEqual(expect.arrayContaining(mainQueries.map((query) => statementName(schema, query))))
      expect(unnamedQueries(recorder)).toEqual([])
      expect(recorder.connections.filter((connection) => "options" in connection.parameters)).toEqual([])
      const workers = workerConnections(recorder, schema)
      expect(workers.length).toBeGreaterThan(0)
      for (const worker of workers) {
        expect(worker.queries[0]).toBe("SET synchronous_commit = off; SET enable_sort = off; SET jit = off")
      }
      expect(recorder.texts().filter(isListen).length).toBe(1)
    }).pipe(Effect.scoped))
})
