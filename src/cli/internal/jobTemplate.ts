/**
 * What `effect-jobs generate job <name>` writes: the job's module, and the next steps it prints.
 */
import type { JobNames } from "./names.js"

/**
 * The source of a new job's module: its parameters class and an effect registering its handler. It
 * type-checks under `strict` and `exactOptionalPropertyTypes` and imports only `effect` and `effect-jobs`.
 */
export const jobModule = ({ className, jobName, registerName }: JobNames): string =>
  `/**
 * The ${jobName} job: its parameters and its handler.
 */
import { Effect, Schema } from "effect"
import { JobParameters, JobQueue } from "effect-jobs"

/**
 * Parameters of the ${jobName} job. "${jobName}" is stored with every job, so keep that string stable across
 * deployments; the class itself may be renamed.
 */
export class ${className} extends JobParameters<${className}>()("${jobName}", {
  // What the job works on. Keep parameters small: push a key and load the data in the handler.
  recordId: Schema.NonEmptyString
}, {
  // Defaults for every ${jobName} job; handler and push options override them.
  maxAttempts: 3,
  timeout: "1 minute"
}) {}

/**
 * Registers the ${jobName} handler for as long as the current scope is open: \`yield* ${registerName}\` in
 * the worker, or \`Layer.scopedDiscard(${registerName})\` among its layers.
 */
export const ${registerName} = Effect.gen(function*() {
  const queue = yield* JobQueue
  yield* queue.registerJob(${className}, (params, ctx) =>
    Effect.gen(function*() {
      // The work goes here. Services it uses (\`yield* Mailer\`) become requirements of ${registerName}.
      // Failures are retried up to maxAttempts; HandlerError.permanent(...) (effect-jobs) stops retrying.
      // Log lines written here carry the job's id, name and attempt.
      yield* Effect.logInfo(\`${jobName} \${params.recordId}: attempt \${ctx.attempt} of \${ctx.maxAttempts}\`)
    }))
})
`

/**
 * Where the generated module was written, as the next steps show it: paths relative to the project directory.
 */
export interface Placement {
  /** The module, relative to the project directory, with `/` separators. */
  readonly file: string
  /** The directory of an example importer (the parent of the jobs directory), relative to the project. */
  readonly importerDirectory: string
  /** The module as imported from that directory: `./jobs/send-email.js`. */
  readonly specifier: string
}

/**
 * The next steps after generating a job: what to import where, how to register the handler and push a job.
 * The import line is a complete statement, valid from a file in `importerDirectory`.
 */
export const instructions = ({ className, jobName, registerName }: JobNames, placement: Placement): string =>
  [
    `Created ${placement.file}: the ${jobName} job's parameters and handler.`,
    ``,
    `Next:`,
    `  1. Import it; from a file in ${placement.importerDirectory}/ (adjust the path elsewhere; NodeNext wants .js):`,
    `       import { ${className}, ${registerName} } from "${placement.specifier}"`,
    `  2. Register the handler in your worker, where JobQueue is provided and a scope is open:`,
    `       yield* ${registerName}`,
    `     or among its layers: Layer.scopedDiscard(${registerName})`,
    `  3. Push jobs wherever JobQueue is provided:`,
    `       const queue = yield* JobQueue`,
    `       yield* queue.push(new ${className}({ recordId: "42" }))`,
    `  4. Fill in the parameters and the handler's work in ${placement.file}.`
  ].join("\n")
