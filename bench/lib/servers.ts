/**
 * The servers the benchmarks run against (`REDIS_URL`, `DATABASE_URL`), and CPU time read from /proc: of a
 * process, of the Redis server, of the whole Postgres cluster.
 */
import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { Redis } from "ioredis"
import pg from "pg"

export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
export const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"

/** Drops a schema and everything in it. */
export const dropSchema = async (connectionString: string, schema: string): Promise<void> => {
  const client = new pg.Client({ connectionString })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end()
  }
}

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100
  } catch {
    return 100
  }
})()

/** The fields of /proc/<pid>/stat that follow the command name (which may hold spaces), or undefined once gone. */
const statFields = (pid: number): Array<string> | undefined => {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8")
    return text.slice(text.lastIndexOf(")") + 2).split(" ")
  } catch {
    return undefined
  }
}

// Offsets into `statFields`: field 4 of stat (ppid) is the second after the name; fields 14 and 15 are the
// process's user and system time, 16 and 17 those of its children that have exited and been waited for.
const ppidField = 1
const ownTimeField = 11
const reapedTimeField = 13

/** CPU microseconds in the two time fields of /proc/<pid>/stat that start at `field`; 0 once it is gone. */
const cpuMicros = (pid: number, field: number): number => {
  const fields = statFields(pid)
  return fields === undefined ? 0 : ((Number(fields[field]) + Number(fields[field + 1])) * 1e6) / ticksPerSecond
}

/** CPU microseconds (user + system) used so far by process `pid`. */
export const processCpuMicros = (pid: number): number => cpuMicros(pid, ownTimeField)

/** A reading of CPU microseconds used so far by one server. */
export type CpuReader = () => number

/** The Redis server's CPU, from the pid it reports (`INFO server`); it must run on this machine. */
export const redisServerCpu = async (url: string): Promise<CpuReader> => {
  const client = new Redis(url, { maxRetriesPerRequest: 1 })
  try {
    const info = await client.info("server")
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1])
    return () => processCpuMicros(pid)
  } finally {
    client.disconnect()
  }
}

/**
 * The Postgres cluster's CPU: the postmaster (found as the parent of this connection's backend), with the
 * time of its exited children, plus every live child (backends, background writers). It must run on this
 * machine; whatever else uses the cluster at the time is counted too.
 */
export const postgresServerCpu = async (connectionString: string): Promise<CpuReader> => {
  const client = new pg.Client({ connectionString })
  await client.connect()
  let postmaster: number
  try {
    const backend = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid
    // Read while the connection, and so its backend, is still open.
    postmaster = Number(statFields(backend)?.[ppidField])
    if (!Number.isFinite(postmaster)) throw new Error(`cannot read /proc/${backend}/stat: is Postgres on this machine?`)
  } finally {
    await client.end()
  }
  const liveChildren = () => {
    let micros = 0
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue
      const fields = statFields(Number(entry))
      if (fields !== undefined && Number(fields[ppidField]) === postmaster) micros += processCpuMicros(Number(entry))
    }
    return micros
  }
  return () => {
    // A backend reaped while the children are read would be counted twice or not at all (a backend that did a
    // whole round's work exits as its pool closes): read again until the postmaster reaped none meanwhile.
    for (;;) {
      const reaped = cpuMicros(postmaster, reapedTimeField)
      const children = liveChildren()
      if (cpuMicros(postmaster, reapedTimeField) === reaped) return processCpuMicros(postmaster) + reaped + children
    }
  }
}
