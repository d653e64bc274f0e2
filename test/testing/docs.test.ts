/**
 * docs/testing.md shows test/testing/guide.test.ts word for word, so its example is a test that runs.
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8")

/** The first `ts` code block after `heading`. */
const codeAfter = (markdown: string, heading: string) => {
  const section = markdown.slice(markdown.indexOf(heading))
  const start = section.indexOf("```ts\n") + "```ts\n".length
  return section.slice(start, section.indexOf("```\n", start))
}

/** The file without its leading doc comment. */
const withoutHeader = (source: string) => source.slice(source.indexOf("*/\n") + "*/\n".length)

describe("docs/testing.md", () => {
  it("its complete example is test/testing/guide.test.ts", () => {
    const example = codeAfter(read("docs/testing.md"), "### A complete example")
    expect(example).toContain("JobQueueTest.drain")
    expect(example).toBe(withoutHeader(read("test/testing/guide.test.ts")))
  })
})
