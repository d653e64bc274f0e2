/**
 * The published package as a new user gets it: packed from the sources alone (no earlier build), installed
 * from the tarball into an empty project, type-checked strictly against its declarations and run, once per
 * subpath export (`effect-jobs/testing` under vitest, as its users run it).
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../..", import.meta.url))
const consumerSources = fileURLToPath(new URL("./consumer", import.meta.url))

/** What the package is built from: the files a fresh clone has, without `dist/`. */
const sources = ["package.json", "tsconfig.json", "tsconfig.build.json", "README.md", "LICENSE", "index.ts", "src", "drivers", "scripts"]

/** Runs a command to completion; fails with its output when it exits non-zero. */
const run = (command: string, args: ReadonlyArray<string>, cwd: string) =>
  new Promise<string>((resolve, reject) => {
    // Plain output (no colour codes) whatever the terminal this runs under.
    const env = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${stdout}\n${stderr}`)))
  })

/** `name@version` as installed for development, so the consumer gets the versions the tests ran with. */
const installed = (name: string) => {
  const manifest = createRequire(join(root, "package.json"))(`${name}/package.json`) as { version: string }
  return `${name}@${manifest.version}`
}

/** Every file under `dir`, relative to it. */
const filesUnder = (dir: string): Array<string> =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length))

describe("the npm package", () => {
  it("packs from a fresh checkout, installs into an empty project, type-checks and runs on every export", async () => {
    const work = mkdtempSync(join(tmpdir(), "effect-jobs-pack-"))
    try {
      const checkout = join(work, "checkout")
      for (const path of sources) cpSync(join(root, path), join(checkout, path), { recursive: true })
      symlinkSync(join(root, "node_modules"), join(checkout, "node_modules"), "dir")

      const [packed] = JSON.parse(await run("npm", ["pack", "--json", "--pack-destination", work], checkout)) as Array<{
        filename: string
        files: Array<{ path: string }>
      }>
      const files = packed!.files.map((file) => file.path)

      const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
        exports: Record<string, { types: string; default: string }>
      }
      const exported = Object.values(manifest.exports).flatMap((target) => [target.types, target.default])
      const assets = ["drivers/redis/scripts", "drivers/postgres/sql", "drivers/postgres/migrations"].flatMap(filesUnder)
      expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json"]))
      expect(files).toEqual(expect.arrayContaining(exported.map((path) => path.replace(/^\.\//, ""))))
      expect(files).toEqual(expect.arrayContaining(assets.map((path) => `dist/${path}`)))
      expect(files.filter((path) => !path.startsWith("dist/") && !["LICENSE", "README.md", "package.json"].includes(path))).toEqual([])
      expect(files.filter((path) => path.endsWith(".map"))).toEqual([])
      const tarball = join(work, packed!.filename)

      const consumer = join(work, "consumer")
      mkdirSync(consumer)
      cpSync(consumerSources, consumer, { recursive: true })
      writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }))
      writeFileSync(join(consumer, "tsconfig.json"), JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          types: ["node"],
          strict: true,
          exactOptionalPropertyTypes: true,
          // The package's declarations are checked too, as a consumer's strict build would.
          skipLibCheck: false,
          outDir: "out",
          rootDir: "."
        },
        include: ["*.ts"]
      }))
      const dependencies = [
        "effect",
        "ioredis",
        "pg",
        "pino",
        "typescript",
        "@types/node",
        "@types/pg",
        "vitest",
        "@effect/vitest",
        "@effect/cli",
        "@effect/platform",
        "@effect/platform-node"
      ].map(installed)
      await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball, ...dependencies], consumer)

      await run(process.execPath, [join(consumer, "node_modules/typescript/bin/tsc"), "-p", consumer], consumer)
      expect(await run(process.execPath, ["out/memory.js"], consumer)).toBe("greeted Ada, Grace\n")
      expect(await run(process.execPath, ["out/redis.js"], consumer)).toBe("redis layers: true\n")
      expect(await run(process.execPath, ["out/postgres.js"], consumer)).toBe("postgres layers: true\n")
      expect(await run(process.execPath, ["out/driver.js"], consumer))
        .toBe("driver kit: greeted Ada, Grace; connect ECONNREFUSED redis://:***@cache:6379\n")
      // The command line, as `npx effect-jobs` finds it through the package's "bin".
      expect(await run("npx", ["--no-install", "effect-jobs", "--help"], consumer)).toMatch(/effect-jobs [\d.]+[\s\S]*- status/)
      const vitest = join(consumer, "node_modules/vitest/vitest.mjs")
      expect(await run(process.execPath, [vitest, "run", "out/testing.test.js"], consumer)).toMatch(/Tests +\d+ passed/)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }, 300_000)
})
