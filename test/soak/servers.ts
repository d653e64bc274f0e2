/**
 * Throwaway servers for the soak: a redis-server with an fsync'd append-only file, or a Postgres cluster made
 * with initdb, each in a temp dir on a spare port, so the soak can crash, restart and cut them without
 * touching the servers other tests share.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { once } from "node:events"
import { chownSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { Redis } from "ioredis"
import pg from "pg"
import { freePort, until } from "../support/child.js"

const run = promisify(execFile)

/** A server the soak owns. */
export interface SoakServer {
  readonly driver: "redis" | "postgres"
  /** Environment pointing a worker at the server (the queue's prefix or schema included). */
  readonly env: Record<string, string>
  /** Crashes the server and starts it again on the same port and data; resolves once it answers. */
  readonly restart: () => Promise<void>
  /** Drops every client connection; the server keeps running. */
  readonly cutConnections: () => Promise<number>
  /** Ids of active jobs and their lease owners, read from the store. */
  readonly activeLeases: () => Promise<ReadonlyArray<{ readonly id: string; readonly owner: string | undefined }>>
  readonly stop: () => Promise<void>
}

const tempDir = (label: string) => mkdtempSync(join(tmpdir(), `effect-jobs-soak-${label}-`))

/** Starts redis-server in `dir` on `port` with every write fsync'd before it is acknowledged. */
const spawnRedis = async (dir: string, port: number): Promise<ChildProcess> => {
  const server = spawn("redis-server", [
    "--port", String(port), "--bind", "127.0.0.1", "--dir", dir,
    "--appendonly", "yes", "--appendfsync", "always", "--save", ""
  ], { stdio: "ignore" })
  await until("redis-server to answer", async () => {
    const probe = new Redis(port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    probe.on("error", () => {})
    try {
      await probe.connect()
      return (await probe.ping()) === "PONG"
    } catch {
      return false
    } finally {
      probe.disconnect()
    }
  }, 10_000)
  return server
}

/** A redis-server of the soak's own; the queue lives under the prefix "soak". */
export const startRedis = async (): Promise<SoakServer> => {
  const dir = tempDir("redis")
  const port = await freePort()
  let server = await spawnRedis(dir, port)
  const url = `redis://127.0.0.1:${port}`
  const prefix = "soak"
  const admin = new Redis(url, { maxRetriesPerRequest: 20 })
  // Refused connections while the server restarts are expected; commands fail and are retried.
  admin.on("error", () => {})
  const kill = async () => {
    const exited = once(server, "exit")
    server.kill("SIGKILL")
    await exited
  }
  return {
    driver: "redis",
    env: { SOAK_DRIVER: "redis", REDIS_URL: url, REDIS_PREFIX: prefix },
    restart: async () => {
      await kill()
      server = await spawnRedis(dir, port)
    },
    cutConnections: async () => {
      const normal = Number(await admin.client("KILL", "TYPE", "normal"))
      return normal + Number(await admin.client("KILL", "TYPE", "pubsub"))
    },
    activeLeases: async () => {
      const ids = await admin.zrange(`{${prefix}}:active`, 0, -1)
      const owners = await Promise.all(ids.map((id) => admin.hget(`{${prefix}}:job:${id}`, "leaseOwner")))
      return ids.map((id, index) => ({ id, owner: owners[index] ?? undefined }))
    },
    stop: async () => {
      admin.disconnect()
      await kill()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** The directory holding initdb and pg_ctl (the newest installed version). */
const postgresBin = (): string => {
  const root = "/usr/lib/postgresql"
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a))
  if (versions.length === 0) throw new Error(`No PostgreSQL under ${root}`)
  return join(root, versions[0]!, "bin")
}

/** initdb refuses to run as root: then the cluster belongs to the "postgres" user. */
const asClusterOwner = async (dir: string): Promise<(command: string, args: ReadonlyArray<string>) => Promise<unknown>> => {
  if (process.getuid?.() !== 0) return (command, args) => run(command, [...args])
  const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim())
  const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim())
  chownSync(dir, uid, gid)
  return (command, args) => run("runuser", ["-u", "postgres", "--", command, ...args])
}

/** A Postgres cluster of the soak's own; the queue lives in the schema "soak". */
export const startPostgres = async (): Promise<SoakServer> => {
  const dir = tempDir("postgres")
  const data = join(dir, "data")
  const port = await freePort()
  const bin = postgresBin()
  const asOwner = await asClusterOwner(dir)
  const pgCtl = (...args: ReadonlyArray<string>) => asOwner(join(bin, "pg_ctl"), ["-D", data, ...args])
  await asOwner(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`
  const start = () => pgCtl("-o", options, "-l", join(dir, "server.log"), "-w", "start")
  await start()
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  const schema = "soak"
  const query = async (text: string, values: Array<unknown> = []) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return (await client.query(text, values)).rows
    } finally {
      await client.end()
    }
  }
  return {
    driver: "postgres",
    env: { SOAK_DRIVER: "postgres", DATABASE_URL: url, JOBS_SCHEMA: schema },
    restart: async () => {
      // A crash: no checkpoint, recovery replays the write-ahead log.
      await pgCtl("-m", "immediate", "-w", "stop")
      await start()
    },
    cutConnections: async () => {
      const rows = await query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'"
      )
      return rows.length
    },
    activeLeases: async () => {
      const rows = await query(`SELECT id, lease_owner FROM "${schema}".jobs WHERE state = 'active'`)
      return rows.map((row) => ({ id: String(row.id), owner: (row.lease_owner as string | null) ?? undefined }))
    },
    stop: async () => {
      await pgCtl("-m", "immediate", "-w", "stop").catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
