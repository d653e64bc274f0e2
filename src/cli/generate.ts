/**
 * `effect-jobs generate job <name>`: writes a new job's module (its `JobParameters` class and an effect
 * registering its handler) and says how to use it. Names in any spelling map to one class and one file
 * (see `internal/names.ts`); an existing file is never overwritten.
 *
 * ```ts
 * const job = yield* generateJob({ name: "send email", dir: "src/jobs", cwd: process.cwd() })
 * job.path         // "/home/me/app/src/jobs/send-email.ts"
 * job.className    // "SendEmail"
 * ```
 *
 * @since 0.1.0
 */
import { FileSystem, Path } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect, Either, Schema } from "effect"
import { instructions, jobModule, type Placement } from "./internal/jobTemplate.js"
import { jobNames } from "./internal/names.js"

/**
 * What `generateJob` wrote.
 *
 * @since 0.1.0
 */
export interface GeneratedJob {
  /** The absolute path of the new module. */
  readonly path: string
  /** The job's parameters class, e.g. `SendEmail`. */
  readonly className: string
  /** The stable name stored with every job (the class name). */
  readonly jobName: string
  /** The next steps, ready to print: what to import where, how to register and push. */
  readonly instructions: string
}

/**
 * `generateJob` wrote nothing: the name makes no class name (`InvalidName`), the file exists already
 * (`FileExists`, left unchanged) or it could not be written (`WriteFailed`).
 *
 * @since 0.1.0
 */
export class GenerateJobError extends Schema.TaggedError<GenerateJobError>()("GenerateJobError", {
  reason: Schema.Literal("InvalidName", "FileExists", "WriteFailed"),
  message: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * Where the next steps say the module is: relative to the project directory, imported from the directory
 * that holds the jobs directory (`src/` for `src/jobs`), or from the project directory for jobs written there.
 */
const placementOf = (path: Path.Path, cwd: string, directory: string, file: string): Placement => {
  const portable = (relative: string) => relative.split(path.sep).join("/")
  const importer = directory === cwd ? cwd : path.dirname(directory)
  return {
    file: portable(path.relative(cwd, file)),
    importerDirectory: portable(path.relative(cwd, importer)) || ".",
    specifier: `./${portable(path.relative(importer, file)).replace(/\.ts$/, ".js")}`
  }
}

const writeFailed = (what: string) => (error: PlatformError) =>
  new GenerateJobError({ reason: "WriteFailed", message: `Could not ${what}: ${error.message}`, cause: error })

/**
 * Writes the module of a new job named `name` into `dir` (resolved from `cwd`, created if missing) and
 * returns its path, names and next steps. Refuses a name that makes no class name, and a file that exists.
 *
 * @since 0.1.0
 */
export const generateJob = (options: {
  readonly name: string
  readonly dir: string
  readonly cwd: string
}): Effect.Effect<GeneratedJob, GenerateJobError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const names = jobNames(options.name)
    if (Either.isLeft(names)) {
      return yield* new GenerateJobError({ reason: "InvalidName", message: `Invalid job name: ${names.left}` })
    }
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const cwd = path.resolve(options.cwd)
    const directory = path.resolve(cwd, options.dir)
    const file = path.join(directory, names.right.fileName)
    const placement = placementOf(path, cwd, directory, file)
    yield* fs.makeDirectory(directory, { recursive: true }).pipe(
      Effect.mapError(writeFailed(`create the directory ${options.dir}`))
    )
    // "wx" creates the file or fails if it exists, in one step: nothing written in between is overwritten.
    yield* fs.writeFileString(file, jobModule(names.right), { flag: "wx" }).pipe(
      Effect.mapError((error) =>
        error._tag === "SystemError" && error.reason === "AlreadyExists"
          ? new GenerateJobError({
            reason: "FileExists",
            message: `${placement.file} already exists and was left unchanged: choose another name or remove it`
          })
          : writeFailed(`write ${placement.file}`)(error)
      )
    )
    return {
      path: file,
      className: names.right.className,
      jobName: names.right.jobName,
      instructions: instructions(names.right, placement)
    }
  })
