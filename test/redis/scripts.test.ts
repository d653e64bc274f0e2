/**
 * The Lua scripts as they load: every `--! include` and `--! const` line written in, the constants valued
 * from TypeScript, and the key layout spelled nowhere in the scripts themselves.
 */
import { readdirSync, readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { ANY_JOB, MAX_PRIORITY, MIN_PRIORITY } from "effect-jobs/driver"
import { keyNames, MEMBER_SEQ_DIGITS } from "../../drivers/redis/internal/keys.js"
import { expandScript, scriptConstants, scriptSources } from "../../drivers/redis/internal/scripts.js"

const scriptsDir = new URL("../../drivers/redis/scripts/", import.meta.url)

/** Every script file as written, includes too. */
const writtenScripts = [
  ...readdirSync(scriptsDir).filter((file) => file.endsWith(".lua")),
  ...readdirSync(new URL("includes/", scriptsDir)).map((file) => `includes/${file}`)
].map((file) => ({ file, text: readFileSync(new URL(file, scriptsDir), "utf8") }))

describe("redis scripts", () => {
  it("load with every placeholder replaced: no --! line is left", () => {
    expect(scriptSources().size).toBe(readdirSync(scriptsDir).filter((file) => file.endsWith(".lua")).length)
    for (const [name, source] of scriptSources()) {
      expect(source.split("\n").filter((line) => line.startsWith("--!")), name).toEqual([])
    }
  })

  it("declare each constant a script uses from the TypeScript table", () => {
    for (const [name, source] of scriptSources()) {
      for (const constant of Object.keys(scriptConstants)) {
        if (!new RegExp(`\\b${constant}\\b`).test(source)) continue
        const declaration = new RegExp(`^local [\\w, ]*\\b${constant}\\b[\\w, ]* = `, "m")
        expect(source, `${name} declares ${constant}`).toMatch(declaration)
      }
    }
    expect(expandScript("--! const KEY_JOB, ANY_JOB, MIN_PRIORITY, MAX_PRIORITY, MEMBER_SEQ_DIGITS")).toBe(
      `local KEY_JOB, ANY_JOB, MIN_PRIORITY, MAX_PRIORITY, MEMBER_SEQ_DIGITS = "${keyNames.job}", "${ANY_JOB}", ` +
        `${MIN_PRIORITY}, ${MAX_PRIORITY}, ${MEMBER_SEQ_DIGITS}`
    )
  })

  it("refuses a constant the table does not have", () => {
    expect(() => expandScript("--! const KEY_NOWHERE")).toThrow("Unknown constant KEY_NOWHERE")
  })

  it("spell no key name, wake-up name or priority bound of their own", () => {
    const keyLiteral = new RegExp(`\\.\\.\\s*"(${Object.values(keyNames).join("|")})"`)
    for (const { file, text } of writtenScripts) {
      const code = text.replace(/--\[\[[\s\S]*?\]\]/g, "").replace(/--.*$/gm, "")
      expect(code, file).not.toMatch(keyLiteral)
      expect(code, file).not.toMatch(/"\*"/)
      expect(code, file).not.toMatch(/\b1000\s*-\s*priority|-1000\b|%016d/)
    }
  })
})
