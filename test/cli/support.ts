/**
 * The command line as users run it: compiled to JavaScript once per test file (type checking is the
 * typecheck's job; this only transpiles, in seconds) with the drivers' scripts and SQL beside it, then started
 * as a real `node` process per command.
 */
import { spawn, spawnSync } from "node:child_process"
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../..", import.meta.url))

/** The variables the command line reads; removed from what a child inherits unless a test sets them. */
const connectionVariables = ["JOBS_DRIVER", "REDIS_URL", "REDIS_PREFIX", "DATABASE_URL", "JOBS_SCHEMA"]

/** A compiled copy of the package in a temporary directory. */
export interface Build {
  readonly main: string
  readonly remove: () => void
}

/** Compiles the package (no type check) into a temporary directory laid out as `dist/` is. */
export const buildCli = (): Build => {
  const dir = mkdtempSync(join(tmpdir(), "effect-jobs-cli-"))
  const tsc = join(root, "node_modules/typescript/bin/tsc")
  const compiled = spawnSync(
    process.execPath,
    [tsc, "-p", join(root, "tsconfig.build.json"), "--outDir", dir, "--noCheck", "--declaration", "false"],
    { cwd: root, encoding: "utf8" }
  )
  if (compiled.status !== 0) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`Compiling the command line failed:\n${compiled.stdout}\n${compiled.stderr}`)
  }
  for (const assets of ["drivers/redis/scripts", "drivers/postgres/migrations", "drivers/postgres/sql"]) {
    cpSync(join(root, assets), join(dir, assets), { recursive: true })
  }
  cpSync(join(root, "package.json"), join(dir, "package.json"))
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir")
  return { main: join(dir, "src/cli/main.js"), remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** How a command ended. */
export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  /** Wall time from start to exit. */
  readonly ms: number
}

/**
 * Runs `effect-jobs ...args` to completion with only the given connection variables set (the child is killed
 * after `timeoutMs`, failing the test's expectations rather than hanging it).
 */
export const runCli = (
  build: Build,
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  timeoutMs = 30_000
): Promise<Run> =>
  new Promise((resolve, reject) => {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !connectionVariables.includes(key))
    )
    const started = Date.now()
    const child = spawn(process.execPath, [build.main, ...args], {
      cwd: root,
      env: { ...inherited, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, ms: Date.now() - started })
    })
  })

/** A run's output for an assertion message. */
export const described = (run: Run): string => `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`

/** The JSON document a `--json` run printed, failing with its output when it printed none. */
export const jsonOf = <A = any>(run: Run): A => {
  if (run.code !== 0) throw new Error(`Expected success:\n${described(run)}`)
  try {
    return JSON.parse(run.stdout) as A
  } catch {
    throw new Error(`Expected one JSON document on stdout:\n${described(run)}`)
  }
}
