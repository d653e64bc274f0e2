/**
 * Graceful shutdown of a real process: examples/app under NodeRuntime.runMain receives SIGTERM.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import { type Child, freePort, startChild } from "../support/child.js"

const children: Array<Child> = []

afterEach(() => {
  for (const child of children.splice(0)) if (child.process.exitCode === null) child.process.kill("SIGKILL")
})

const startApp = async (env: Record<string, string>) => {
  const port = await freePort()
  const child = startChild("examples/app/main.ts", { PORT: String(port), JOBS_DRIVER: "memory", ...env })
  children.push(child)
  await child.waitForLine("the server to listen", (line) => String(line.msg).startsWith("Listening"))
  const push = async (workMillis: number, to: string) => {
    const response = await fetch(`http://127.0.0.1:${port}/emails`, {
      method: "POST",
      body: JSON.stringify({ to, subject: "test", workMillis })
    })
    expect(response.status).toBe(202)
    return ((await response.json()) as { id: string }).id
  }
  return { child, push }
}

const messages = (child: Child, prefix: string) =>
  child.lines.filter((line) => String(line.msg).startsWith(prefix)).map((line) => String(line.msg))

/** Waits until two jobs run, sends SIGTERM, and returns the exit code and how long the exit took. */
const terminateWhileTwoRun = async (child: Child) => {
  await child.waitForLine("two jobs to start", () => messages(child, "sending").length === 2)
  const signalledAt = Date.now()
  child.process.kill("SIGTERM")
  const code = await child.exited(20_000)
  return { code, elapsed: Date.now() - signalledAt }
}

describe("SIGTERM", () => {
  it("lets in-flight jobs finish, starts nothing new, and exits 0 before the deadline", async () => {
    const { child, push } = await startApp({ JOBS_CONCURRENCY: "2", JOBS_SHUTDOWN_TIMEOUT_MS: "15000" })
    await push(1_500, "first@example.com")
    await push(1_500, "second@example.com")
    await push(10, "queued@example.com")
    const { code, elapsed } = await terminateWhileTwoRun(child)
    expect(code).toBe(0)
    expect(elapsed).toBeLessThan(15_000)
    expect(messages(child, "sent to").sort()).toEqual(["sent to first@example.com", "sent to second@example.com"])
    expect(messages(child, "sending").some((message) => message.includes("queued@"))).toBe(false)
    expect(messages(child, "Shutdown deadline reached")).toEqual([])
  })

  it("releases jobs that outlast the deadline and exits 0 soon after it", async () => {
    const { child, push } = await startApp({ JOBS_CONCURRENCY: "2", JOBS_SHUTDOWN_TIMEOUT_MS: "1000" })
    const ids = [await push(60_000, "slow1@example.com"), await push(60_000, "slow2@example.com")]
    const { code, elapsed } = await terminateWhileTwoRun(child)
    expect(code).toBe(0)
    expect(elapsed).toBeGreaterThanOrEqual(900)
    expect(elapsed).toBeLessThan(6_000)
    const [released] = messages(child, "Shutdown deadline reached")
    expect(released?.split(": ").at(-1)?.split(", ").sort()).toEqual([...ids].sort())
    expect(messages(child, "sent to")).toEqual([])
  })
})
