/**
 * Drivers are written against the driver kit and the public core alone: the lint configuration refuses an
 * import of the core's internals from any file under drivers/.
 */
import { describe, expect, it } from "@effect/vitest"
import { ESLint } from "eslint"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../..", import.meta.url))

/** The rules the project's lint configuration breaks in `code`, as if it were the file `path`. */
const brokenRules = async (code: string, path: string) => {
  const [result] = await new ESLint({ cwd: root }).lintText(code, { filePath: `${root}${path}` })
  return result!.messages.map((message) => message.ruleId)
}

describe("driver imports", () => {
  it("a driver may not import src/internal, directly or through a path that leads there", async () => {
    const internal = `import { storable } from "../../src/internal/format.js"\nexport const a = storable\n`
    expect(await brokenRules(internal, "drivers/any/A.ts")).toEqual(["no-restricted-imports"])
    expect(await brokenRules(`export { storable } from "../../../src/internal/format.js"\n`, "drivers/any/internal/b.ts"))
      .toEqual(["no-restricted-imports"])
  }, 30_000)

  it("the kit and the public modules are open to drivers, and src/internal to the core", async () => {
    const kit = `import { storable } from "../../src/driver/index.js"\nexport const a = storable\n`
    expect(await brokenRules(kit, "drivers/any/A.ts")).toEqual([])
    const publicModule = `import type { PushError } from "../../src/QueueErrors.js"\nexport type A = PushError\n`
    expect(await brokenRules(publicModule, "drivers/any/A.ts")).toEqual([])
    expect(await brokenRules(`import { storable } from "./internal/format.js"\nexport const a = storable\n`, "src/A.ts"))
      .toEqual([])
  }, 30_000)
})
