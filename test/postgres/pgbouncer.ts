/**
 * A PgBouncer of the test's own in front of the test server, in session or transaction mode, on a spare
 * port, stopped when the scope closes. Needs the `pgbouncer` binary (Debian package `pgbouncer`).
 */
import { Effect, type Scope } from "effect"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import pg from "pg"
import { databaseUrl } from "../support/postgres.js"

export interface PgBouncer {
  /** `databaseUrl`, reached through the pooler. */
  readonly url: string
}

const binary = () => {
  for (const candidate of ["pgbouncer", "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]) {
    try {
      execFileSync(candidate, ["--version"], { stdio: "ignore" })
      return candidate
    } catch {
      // try the next place
    }
  }
  throw new Error("PgBouncer is not installed: install it (Debian/Ubuntu: apt-get install pgbouncer) to run these tests")
}

const sparePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/** Connects through the pooler until it answers (bounded). */
const untilAnswering = async (url: string, child: ChildProcess, output: () => string) => {
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`PgBouncer exited with ${child.exitCode}: ${output()}`)
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      await client.query("SELECT 1")
      return
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PgBouncer did not answer in 10 s: ${String(error)}: ${output()}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    } finally {
      await client.end().catch(() => undefined)
    }
  }
}

/** A running PgBouncer of the test's own; `stop` ends it and removes its files. */
export interface RunningPgBouncer extends PgBouncer {
  readonly stop: () => Promise<void>
}

/** Starts a PgBouncer in `mode` with at most `poolSize` server connections per database and user. */
export const launchPgBouncer = async (mode: "session" | "transaction", poolSize: number): Promise<RunningPgBouncer> => {
  const server = new URL(databaseUrl)
  const database = server.pathname.slice(1)
  const user = decodeURIComponent(server.username || "postgres")
  const port = await sparePort()
  const directory = mkdtempSync(join(tmpdir(), "pgbouncer-"))
  // PgBouncer refuses to run as root; it then runs as the server's user, which must read these files.
  chmodSync(directory, 0o755)
  writeFileSync(join(directory, "users.txt"), `"${user}" ""\n`)
  writeFileSync(
    join(directory, "pgbouncer.ini"),
    [
      "[databases]",
      `${database} = host=${server.hostname} port=${server.port || 5432} dbname=${database}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${join(directory, "users.txt")}`,
      `pool_mode = ${mode}`,
      `default_pool_size = ${poolSize}`,
      "max_client_conn = 500",
      ""
    ].join("\n")
  )
  const asRoot = process.getuid?.() === 0
  const child = spawn(binary(), [...(asRoot ? ["-u", "postgres"] : []), join(directory, "pgbouncer.ini")], {
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  const keep = (chunk: unknown) => output = (output + String(chunk)).slice(-4_000)
  child.stdout?.on("data", keep)
  child.stderr?.on("data", keep)
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve))
      child.kill("SIGTERM")
      await exited
    }
    rmSync(directory, { recursive: true, force: true })
  }
  const url = new URL(databaseUrl)
  url.hostname = "127.0.0.1"
  url.port = String(port)
  try {
    await untilAnswering(url.toString(), child, () => output)
  } catch (error) {
    await stop()
    throw error
  }
  return { url: url.toString(), stop }
}

/** `launchPgBouncer` for the current scope. */
export const startPgBouncer = (mode: "session" | "transaction", poolSize: number): Effect.Effect<PgBouncer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => launchPgBouncer(mode, poolSize)),
    (bouncer) => Effect.promise(() => bouncer.stop())
  )
