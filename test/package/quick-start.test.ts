/**
 * The README's quick start is examples/basic/main.ts word for word (so it type-checks with the examples),
 * and running it prints what the README says it prints.
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { startChild } from "../support/child.js"

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8")

/** The first `ts` code block after the "## Quick start" heading. */
const quickStart = (readme: string) => {
  const section = readme.slice(readme.indexOf("## Quick start"))
  const start = section.indexOf("```ts\n") + "```ts\n".length
  return section.slice(start, section.indexOf("```\n", start))
}

/** The example without its leading doc comment. */
const withoutHeader = (source: string) => source.slice(source.indexOf("*/\n") + "*/\n".length)

/** The `message` of each logfmt line, with its timestamp in milliseconds. */
const logged = (output: string) =>
  output.split("\n").flatMap((line) => {
    const match = /^timestamp=(\S+) .*?message="((?:[^"\\]|\\.)*)"/.exec(line)
    return match === null ? [] : [{ at: Date.parse(match[1]!), message: match[2]!.replaceAll("\\\"", "\"") }]
  })

describe("the README's quick start", () => {
  it("is examples/basic/main.ts", () => {
    expect(quickStart(read("README.md"))).toBe(withoutHeader(read("examples/basic/main.ts")))
  })

  it("runs, logs each send and how each job ended, and exits", async () => {
    const child = startChild("examples/basic/main.ts", {})
    expect(await child.exited(20_000)).toBe(0)
    const lines = logged(child.output())
    const sends = lines.filter((line) => line.message.startsWith("sending "))
    expect(sends.map((line) => line.message)).toEqual([
      "sending \"Welcome\" to ada@example.com, attempt 1",
      "sending \"Reminder\" to grace@example.com, attempt 1"
    ])
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(900)
    expect(lines.filter((line) => line.message.startsWith("job ")).map((line) => line.message.replace(/^job \S+ /, ""))).toEqual([
      "completed after 1 attempt(s)",
      "completed after 1 attempt(s)",
      "failed after 1 attempt(s): JobError/Permanent: not an address: nobody"
    ])
  })
})
