/**
 * Runs an example program as a child process and reads its JSON log lines, for tests that need a real
 * process (signals, exit codes, kill -9).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import { createServer } from "node:net"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../..", import.meta.url))

/** A running child with its parsed log lines. */
export interface Child {
  readonly process: ChildProcess
  readonly lines: Array<Record<string, unknown>>
  /** Resolves with the first line matching `predicate`, or rejects after `timeoutMs`. */
  readonly waitForLine: (
    label: string,
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number
  ) => Promise<Record<string, unknown>>
  /** Resolves with the exit code, or rejects after `timeoutMs` (killing the child). */
  readonly exited: (timeoutMs: number) => Promise<number | null>
  readonly output: () => string
}

/** Starts `node --import tsx <script>` from the repository root with extra environment variables. */
export const startChild = (script: string, env: Record<string, string>): Child => {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const lines: Array<Record<string, unknown>> = []
  let raw = ""
  let pending = ""
  const waiters = new Set<() => void>()
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    raw += chunk
    pending += chunk
    const parts = pending.split("\n")
    pending = parts.pop()!
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>)
      } catch {
        // not a log line
      }
    }
    for (const waiter of waiters) waiter()
  })
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    raw += chunk
  })
  const exitCode = once(child, "exit").then(([code]) => code as number | null)
  return {
    process: child,
    lines,
    output: () => raw,
    waitForLine: (label, predicate, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(predicate)
          if (found !== undefined) {
            waiters.delete(check)
            clearTimeout(timer)
            resolve(found)
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${label}. Output:\n${raw}`))
        }, timeoutMs)
        waiters.add(check)
        check()
      }),
    exited: (timeoutMs) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
      return exitCode.then((code) => {
        clearTimeout(timer)
        if (child.signalCode === "SIGKILL") throw new Error(`Process did not exit within ${timeoutMs} ms:\n${raw}`)
        return code
      })
    }
  }
}

/** A TCP port that was free a moment ago. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

/** Polls `check` every 50 ms until it holds, failing after `timeoutMs`. */
export const until = async (label: string, check: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${label}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
