/**
 * The worker process of bench/process.ts. The benchmark starts one per system and server with `fork`,
 * naming both in argv, and keeps it for the whole run, as a deployment keeps its workers:
 *
 *   fork("bench/lib/process-worker.ts", ["redis", "BullMQ"], { execArgv: ["--import", "tsx"] })
 *
 * Each round, the benchmark sends a `Command` over IPC naming a namespace, a concurrency and how many
 * jobs to expect; the process starts a worker there, reports `ready`, then `done` (with the time from the
 * first handler start to the last completion, and per job how late it started) once that many handlers
 * have run, and `stopped` after `stop`. `serveCommands` is the same loop for systems that must share the
 * benchmark's process (the memory driver).
 */
import { fileURLToPath } from "node:url"
import { nowMs } from "./report.js"
import { type ServerName, serverNames, splitSystems } from "./split-systems.js"
import { type SplitSystem, wallMs } from "./system.js"

/** What the benchmark asks of a worker process. */
export type Command =
  | {
    readonly type: "work"
    readonly namespace: string
    readonly concurrency: number
    readonly jobs: number
    /** Whether to report, per job, milliseconds from its `dueAt` to its handler starting. */
    readonly lateness: boolean
  }
  | { readonly type: "stop" }

/** What a worker process reports. */
export type Report =
  | { readonly type: "loaded" }
  | { readonly type: "ready" }
  | { readonly type: "done"; readonly seconds: number; readonly lateness: ReadonlyArray<number> }
  | { readonly type: "stopped" }
  | { readonly type: "failed"; readonly message: string }

/** Handles the commands for one system, one worker at a time, replying through `reply`. */
export const serveCommands = (system: SplitSystem, reply: (report: Report) => void) => {
  let stop: (() => Promise<void>) | undefined
  /** The handlers run by the current worker, of how many expected. */
  let round = { count: 0, jobs: 0 }

  const work = async (command: Extract<Command, { type: "work" }>) => {
    const lateness: Array<number> = []
    const counted = { count: 0, jobs: command.jobs }
    let first = 0
    round = counted
    stop = await system.work(command.namespace, command.concurrency, (payload) => {
      const started = nowMs()
      if (counted.count === 0) first = started
      if (command.lateness) lateness[payload.seq] = wallMs() - payload.dueAt
      if (++counted.count === command.jobs) reply({ type: "done", seconds: (nowMs() - first) / 1000, lateness })
    })
    reply({ type: "ready" })
  }

  const halt = async () => {
    await stop?.()
    stop = undefined
    reply({ type: "stopped" })
  }

  const serve = (command: Command): void => {
    const done = command.type === "work" ? work(command) : halt()
    done.catch((error: unknown) => reply({ type: "failed", message: String(error) }))
  }
  /** How far the running worker got (none when stopped), for a report when it is abandoned. */
  const progress = () => (stop === undefined ? undefined : `${round.count} of ${round.jobs} handlers had run`)
  return { serve, progress }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1] && process.send !== undefined) {
  const [server, name] = process.argv.slice(2) as [ServerName, string]
  if (!serverNames.includes(server)) throw new Error(`unknown server ${server}`)
  const system = splitSystems(server).find((candidate) => candidate.name === name)
  if (system === undefined) throw new Error(`no system named ${name} on ${server}`)
  const reply = (report: Report) => void process.send!(report)
  const { progress, serve } = serveCommands(system, reply)
  process.on("message", (command: Command) => serve(command))
  // The benchmark going away, however it ended, ends its workers, saying how far a running one got.
  process.on("disconnect", () => {
    const running = progress()
    if (running !== undefined) console.error(`${name} worker process abandoned: ${running}`)
    process.exit(0)
  })
  reply({ type: "loaded" })
}
