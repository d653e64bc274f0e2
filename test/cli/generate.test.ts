/**
 * `generate job <name>`: the module it writes type-checks, lints and runs in a project of its own, it never
 * overwrites a file, it writes where it is told, and it refuses names that make no class.
 */
import { NodeContext } from "@effect/platform-node"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { spawn } from "node:child_process"
import { once } from "node:events"
import { existsSync } from "node:fs"
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { generateJob, type GenerateJobError } from "../../src/cli/generate.js"

const root = fileURLToPath(new URL("../..", import.meta.url))

const projects: Array<string> = []

afterEach(async () => {
  await Promise.all(projects.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

/**
 * An empty project in a temporary directory: ESM, the repository's compiler settings, "effect-jobs" mapped to
 * this repository's sources, its packages and lint rules reached through links.
 */
const makeProject = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), "effect-jobs-generate-"))
  projects.push(dir)
  await symlink(join(root, "node_modules"), join(dir, "node_modules"), "dir")
  const manifest = { name: "generated-job-project", private: true, type: "module" }
  await writeFile(join(dir, "package.json"), JSON.stringify(manifest))
  await writeFile(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2022"],
      types: ["node"],
      strict: true,
      exactOptionalPropertyTypes: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      noImplicitOverride: true,
      verbatimModuleSyntax: true,
      skipLibCheck: true,
      noEmit: true,
      paths: { "effect-jobs": [join(root, "index.ts")] }
    },
    include: ["src"]
  }))
  const lintRules = JSON.stringify(join(root, "eslint.config.js"))
  await writeFile(join(dir, "eslint.config.js"), `export { default } from ${lintRules}\n`)
  return dir
}

const generate = (name: string, dir: string, cwd: string) =>
  Effect.runPromise(generateJob({ name, dir, cwd }).pipe(Effect.either, Effect.provide(NodeContext.layer)))

const generated = async (name: string, dir: string, cwd: string) => Either.getOrThrow(await generate(name, dir, cwd))

const refusal = async (name: string, dir: string, cwd: string): Promise<GenerateJobError> =>
  Either.match(await generate(name, dir, cwd), {
    onLeft: (error) => error,
    onRight: (job) => {
      throw new Error(`expected a refusal, wrote ${job.path}`)
    }
  })

/** Runs `node <args>` in `cwd` and returns its exit code and output; killed after `timeoutMs`. */
const runNode = async (args: ReadonlyArray<string>, cwd: string, timeoutMs: number) => {
  const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => output += chunk)
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => output += chunk)
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
  const [code] = await once(child, "exit")
  clearTimeout(timer)
  return { code: code as number | null, output }
}

/**
 * `tsc` errors in the project's own files, and any without a file (a bad configuration). The program reaches
 * into this repository through `paths`; errors there belong to the repository's own type check.
 */
const projectErrors = (output: string, project: string) =>
  output.split("\n").filter((line) => /error TS\d+/.test(line)).filter((line) => {
    const file = /^(.+?)\(\d+,\d+\): error/.exec(line)?.[1]
    return file === undefined || !resolve(project, file).startsWith(root)
  })

/** The worker of the project: imports the job as the instructions say, runs one and prints how it ended. */
const mainModule = (importLine: string, className: string, registerName: string) => `
import { Effect, Option, Stream } from "effect"
import { JobQueue, memoryDriver } from "effect-jobs"
${importLine}

const program = Effect.gen(function*() {
  const queue = yield* JobQueue
  const events = yield* queue.subscribe
  yield* ${registerName}
  const id = yield* queue.push(new ${className}({ recordId: "42" }))
  const ended = yield* Stream.fromQueue(events).pipe(
    Stream.filter((event) => event.jobId === id && (event._tag === "Completed" || event._tag === "Failed")),
    Stream.runHead,
    Effect.timeout("10 seconds")
  )
  const info = Option.getOrThrow(yield* queue.get(id))
  console.log(\`ended \${id} \${Option.getOrThrow(ended)._tag} \${info.state} after \${info.attempts} attempt(s)\`)
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(JobQueue.layer(memoryDriver))))
`

describe("generateJob", () => {
  it("writes a module that type-checks, lints and runs a job, imported as the instructions say", async () => {
    const project = await makeProject()
    const job = await generated("send email", "src/jobs", project)
    expect(job).toMatchObject({
      path: join(project, "src/jobs/send-email.ts"),
      className: "SendEmail",
      jobName: "SendEmail"
    })

    const importLine = job.instructions.split("\n").map((line) => line.trim())
      .find((line) => line.startsWith("import "))
    expect(importLine).toBe(`import { SendEmail, registerSendEmail } from "./jobs/send-email.js"`)
    expect(job.instructions).toContain("Created src/jobs/send-email.ts")
    expect(job.instructions).toContain("yield* registerSendEmail")
    expect(job.instructions).toContain(`yield* queue.push(new SendEmail({ recordId: "42" }))`)
    await writeFile(join(project, "src/main.ts"), mainModule(importLine!, "SendEmail", "registerSendEmail"))

    const tsc = await runNode([join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], project, 90_000)
    expect(projectErrors(tsc.output, project), tsc.output).toEqual([])

    const eslintBin = join(root, "node_modules/eslint/bin/eslint.js")
    const eslint = await runNode([eslintBin, "--max-warnings", "0", "src/jobs/send-email.ts"], project, 60_000)
    expect(eslint, eslint.output).toMatchObject({ code: 0 })

    const run = await runNode(["--import", "tsx", "src/main.ts"], project, 30_000)
    expect(run.code, run.output).toBe(0)
    const id = /^ended (\S+) Completed completed after 1 attempt\(s\)$/m.exec(run.output)?.[1]
    expect(id, run.output).toBeDefined()
    // The handler's line goes through the job's logger, with the job's annotations.
    const logged = run.output.split("\n").find((line) => line.includes(`message="SendEmail 42: attempt 1 of 3"`))
    expect(logged, run.output).toContain(`jobId=${id}`)
    expect(logged).toContain("jobName=SendEmail")
    expect(logged).toContain("attempt=1")
  }, 180_000)

  it("refuses to overwrite a file, whatever the spelling of the name, and leaves it unchanged", async () => {
    const project = await makeProject()
    const first = await generated("send-email", "src/jobs", project)
    const edited = `${await readFile(first.path, "utf8")}// edited\n`
    await writeFile(first.path, edited)
    for (const name of ["send-email", "SendEmail", "SEND_EMAIL"]) {
      const error = await refusal(name, "src/jobs", project)
      expect(error).toMatchObject({ _tag: "GenerateJobError", reason: "FileExists" })
      expect(error.message).toBe(
        "src/jobs/send-email.ts already exists and was left unchanged: choose another name or remove it"
      )
    }
    expect(await readFile(first.path, "utf8")).toBe(edited)
  })

  it("writes into the directory it is given, creating it, relative to cwd or absolute", async () => {
    const project = await makeProject()
    const nested = await generated("iguanas", "lib/background/jobs", project)
    expect(nested.path).toBe(join(project, "lib/background/jobs/iguanas.ts"))
    expect(nested.instructions).toContain("from a file in lib/background/")
    expect(nested.instructions).toContain(`import { Iguanas, registerIguanas } from "./jobs/iguanas.js"`)

    const here = await generated("iguanas", ".", project)
    expect(here.path).toBe(join(project, "iguanas.ts"))
    expect(here.instructions).toContain(`import { Iguanas, registerIguanas } from "./iguanas.js"`)

    const absolute = await generated("iguanas", join(project, "elsewhere"), join(project, "lib"))
    expect(absolute.path).toBe(join(project, "elsewhere/iguanas.ts"))
    expect(absolute.instructions).toContain("Created ../elsewhere/iguanas.ts")

    for (const job of [nested, here, absolute]) {
      expect(await readFile(job.path, "utf8"))
        .toContain(`export class Iguanas extends JobParameters<Iguanas>()("Iguanas", {`)
    }
  })

  it.each([
    ["iguanas", "Iguanas", "iguanas.ts"],
    ["send_email", "SendEmail", "send-email.ts"],
    ["sendEmail", "SendEmail", "send-email.ts"],
    ["SEND_EMAIL", "SendEmail", "send-email.ts"],
    ["HTTPRequest", "HttpRequest", "http-request.ts"]
  ])("names %j the class %s in %s", async (name, className, fileName) => {
    const project = await makeProject()
    const job = await generated(name, "src/jobs", project)
    expect(job).toMatchObject({ path: join(project, "src/jobs", fileName), className, jobName: className })
    const source = await readFile(job.path, "utf8")
    expect(source).toContain(`export class ${className} extends JobParameters<${className}>()("${className}", {`)
    expect(source).toContain(`export const register${className} = Effect.gen(function*() {`)
  })

  it("refuses a name that makes no class, writing nothing", async () => {
    const project = await makeProject()
    for (const [name, message] of [
      ["2fa", `Invalid job name: "2fa" gives the class name 2Fa, which starts with a digit: start with a letter`],
      ["", `Invalid job name: "" has no letters or digits to make a class name of`],
      ["send/email", `Invalid job name: "send/email" contains "/"`]
    ] as const) {
      const error = await refusal(name, "src/jobs", project)
      expect(error).toMatchObject({ _tag: "GenerateJobError", reason: "InvalidName" })
      expect(error.message).toContain(message)
    }
    expect(existsSync(join(project, "src"))).toBe(false)
  })

  it("fails with WriteFailed when the directory cannot be made", async () => {
    const project = await makeProject()
    await mkdir(join(project, "src"))
    await writeFile(join(project, "src/jobs"), "a file where the directory should be\n")
    const error = await refusal("iguanas", "src/jobs", project)
    expect(error).toMatchObject({ _tag: "GenerateJobError", reason: "WriteFailed" })
    expect(error.message).toMatch(/^Could not (create the directory src\/jobs|write src\/jobs\/iguanas\.ts): /)
  })
})
