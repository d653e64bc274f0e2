/**
 * The benchmark's side of a worker process (bench/lib/process-worker.ts): started with `fork`, or, for a
 * system whose producer and worker must share a process, the same command loop in this one.
 */
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import { type Command, type Report, serveCommands } from "./process-worker.js"
import type { ServerName } from "./split-systems.js"
import type { SplitSystem } from "./system.js"

const workerScript = fileURLToPath(new URL("./process-worker.js", import.meta.url)).replace(/\.js$/, ".ts")

/** A worker process (or this process) serving one system. */
export interface WorkerHost {
  /** The process whose CPU time the worker spends. */
  readonly pid: number
  readonly send: (command: Command) => void
  /** The next report of this type since the last `send`; rejects on a failure or after `timeoutMs`. */
  readonly next: <T extends Report["type"]>(type: T, timeoutMs: number) => Promise<Extract<Report, { type: T }>>
  readonly close: () => Promise<void>
}

/** Reports sorted by type as they arrive, and the waits for them. */
const mailbox = () => {
  const held = new Map<string, Array<Report>>()
  const waiting = new Map<string, (report: Report) => void>()
  let failure: Error | undefined
  const fail = (error: Error) => {
    failure = error
    for (const resolve of waiting.values()) resolve({ type: "failed", message: error.message })
    waiting.clear()
  }
  return {
    fail,
    deliver: (report: Report) => {
      if (report.type === "failed") return fail(new Error(report.message))
      const waiter = waiting.get(report.type)
      if (waiter === undefined) held.set(report.type, [...(held.get(report.type) ?? []), report])
      else {
        waiting.delete(report.type)
        waiter(report)
      }
    },
    /** Forgets what the previous command left unread. */
    clear: () => held.clear(),
    next: <T extends Report["type"]>(type: T, timeoutMs: number): Promise<Extract<Report, { type: T }>> => {
      if (failure !== undefined) return Promise.reject(failure)
      const first = held.get(type)?.shift()
      if (first !== undefined) return Promise.resolve(first as Extract<Report, { type: T }>)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(type)
          reject(new Error(`no "${type}" from the worker within ${timeoutMs} ms`))
        }, timeoutMs)
        waiting.set(type, (report) => {
          clearTimeout(timer)
          if (report.type === "failed") reject(new Error(report.message))
          else resolve(report as Extract<Report, { type: T }>)
        })
      })
    }
  }
}

/** Forks a worker process for `system` and waits until it has loaded. */
const forked = async (server: ServerName, system: SplitSystem): Promise<WorkerHost> => {
  const box = mailbox()
  const child: ChildProcess = fork(workerScript, [server, system.name], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  child.on("message", (report: Report) => box.deliver(report))
  child.on("exit", (code) => box.fail(new Error(`the ${system.name} worker process exited (${code})`)))
  await box.next("loaded", 60_000)
  return {
    pid: child.pid!,
    send: (command) => {
      box.clear()
      child.send(command)
    },
    next: box.next,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once("exit", resolve))
      if (child.connected) child.disconnect()
      // A process too stuck to see the disconnect is killed.
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000)
      await exited
      clearTimeout(timer)
    }
  }
}

/** The command loop in this process, for a system that cannot be reached from another. */
const inProcess = (system: SplitSystem): WorkerHost => {
  const box = mailbox()
  const { serve } = serveCommands(system, box.deliver)
  return {
    pid: process.pid,
    send: (command) => {
      box.clear()
      serve(command)
    },
    next: box.next,
    // Stops a worker still running here, as far as it lets itself be stopped.
    close: async () => {
      box.clear()
      serve({ type: "stop" })
      await box.next("stopped", 10_000).catch(() => undefined)
    }
  }
}

/** A worker for `system`: its own process when the system can be shared, else this one. */
export const startWorkerHost = (server: ServerName, system: SplitSystem): Promise<WorkerHost> =>
  system.shared ? forked(server, system) : Promise.resolve(inProcess(system))
