/**
 * examples/app over HTTP: GET /jobs/:id answers with the job as plain JSON (the JobInfo schema's encoding).
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import { type Child, freePort, startChild, until } from "../support/child.js"

const children: Array<Child> = []

afterEach(() => {
  for (const child of children.splice(0)) if (child.process.exitCode === null) child.process.kill("SIGKILL")
})

const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

describe("examples/app", () => {
  it("GET /jobs/:id returns the job as plain JSON, before and after it runs; 404 for an unknown id", async () => {
    const port = await freePort()
    const child = startChild("examples/app/main.ts", { PORT: String(port), JOBS_DRIVER: "memory", JOBS_CONCURRENCY: "1" })
    children.push(child)
    await child.waitForLine("the server to listen", (line) => String(line.msg).startsWith("Listening"))
    const base = `http://127.0.0.1:${port}`

    const pushed = await fetch(`${base}/emails`, {
      method: "POST",
      body: JSON.stringify({ to: "ada@example.com", subject: "hi", workMillis: 1_500 })
    })
    expect(pushed.status).toBe(202)
    const { id } = (await pushed.json()) as { id: string }

    const get = async () => {
      const response = await fetch(`${base}/jobs/${id}`)
      expect(response.status).toBe(200)
      expect(response.headers.get("content-type")).toContain("application/json")
      return (await response.json()) as Record<string, unknown>
    }
    const common = {
      id,
      name: "SendEmail",
      payload: { _tag: "SendEmail", to: "ada@example.com", subject: "hi", workMillis: 1_500 },
      priority: 0,
      maxAttempts: null,
      uniqueKey: null,
      createdAt: expect.stringMatching(isoTime),
      runAt: expect.stringMatching(isoTime)
    }

    // Running for 1.5 s: started, not finished.
    let running: Record<string, unknown> = {}
    await until("the job to start", async () => (running = await get()).state === "active", 10_000)
    expect(running).toStrictEqual({
      ...common,
      state: "active",
      attempts: 1,
      startedAt: expect.stringMatching(isoTime),
      finishedAt: null,
      lastError: null,
      progress: null
    })

    let done: Record<string, unknown> = {}
    await until("the job to complete", async () => (done = await get()).state === "completed", 10_000)
    expect(done).toStrictEqual({
      ...common,
      state: "completed",
      attempts: 1,
      startedAt: running.startedAt,
      finishedAt: expect.stringMatching(isoTime),
      lastError: null,
      progress: 100
    })
    expect(Date.parse(String(done.finishedAt))).toBeGreaterThanOrEqual(Date.parse(String(done.startedAt)) + 1_500)

    const missing = await fetch(`${base}/jobs/nope`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toStrictEqual({ error: "not found" })
  })
})
