/**
 * Typed job parameters: a `Schema.TaggedClass` whose tag is the job's stable name.
 *
 * ```ts
 * class SendEmail extends JobParameters<SendEmail>()("SendEmail", {
 *   to: Schema.String,
 *   subject: Schema.String
 * }, { maxAttempts: 5 }) {}
 *
 * SendEmail.jobName // "SendEmail"
 * new SendEmail({ to: "a@b.c", subject: "hi" })
 * ```
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import type { Duration } from "effect"
import type { Backoff } from "./Backoff.js"

/**
 * Defaults for every job of one kind. Handler options at `registerJob` and push options override them.
 *
 * @since 0.1.0
 */
export interface JobDefaults {
  /** Attempts before the job fails for good (default: the queue's, 3). */
  readonly maxAttempts?: number
  /** Delay between attempts (default: exponential from 1 second). */
  readonly backoff?: Backoff
  /** An attempt running longer is interrupted and counts as failed. */
  readonly timeout?: Duration.DurationInput
  /** Higher runs first; an integer in [-1000, 1000] (default 0). */
  readonly priority?: number
}

/**
 * What the queue needs from a job parameters class: its schema, its stable name and its defaults.
 *
 * @since 0.1.0
 */
export interface JobParametersSchema<A, I = unknown> extends Schema.Schema<A, I, never> {
  readonly jobName: string
  readonly jobDefaults: JobDefaults
}

/**
 * Marks the instances of `JobParameters` classes, so that `push` and `schedule` accept nothing else.
 *
 * @since 0.1.0
 */
export const JobParametersTypeId: unique symbol = Symbol.for("effect-jobs/JobParameters")

/**
 * @since 0.1.0
 */
export type JobParametersTypeId = typeof JobParametersTypeId

/**
 * Any instance of a `JobParameters` class: what `push`, `pushMany` and `schedule` accept.
 *
 * @since 0.1.0
 */
export interface JobParametersInstance {
  readonly [JobParametersTypeId]: JobParametersTypeId
  readonly _tag: string
}

type TaggedFields<Name extends string, Fields extends Schema.Struct.Fields> =
  & { readonly _tag: Schema.tag<Name> }
  & Fields

/**
 * The class returned by `JobParameters`: a `Schema.TaggedClass` whose instances carry `JobParametersTypeId`.
 *
 * @since 0.1.0
 */
export type JobParametersClass<Self, Name extends string, Fields extends Schema.Struct.Fields> =
  & Schema.Class<
    Self,
    TaggedFields<Name, Fields>,
    Schema.Struct.Encoded<TaggedFields<Name, Fields>>,
    Schema.Struct.Context<TaggedFields<Name, Fields>>,
    Schema.Struct.Constructor<Omit<TaggedFields<Name, Fields>, "_tag">>,
    {},
    Pick<JobParametersInstance, JobParametersTypeId>
  >
  & {
    readonly _tag: Name
    readonly jobName: Name
    readonly jobDefaults: JobDefaults
  }

/**
 * Job names are stored and sent over the wire: keep them printable and reasonably short.
 */
const validJobName = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,199}$/

/**
 * Declares a kind of job. The name is stored with every job and must stay stable across deployments;
 * construction validates the fields and throws a `ParseError` on bad input.
 *
 * @since 0.1.0
 */
export const JobParameters = <Self = never>() =>
<const Name extends string, Fields extends Schema.Struct.Fields>(
  name: Name,
  fields: Fields,
  defaults: JobDefaults = {}
): JobParametersClass<Self, Name, Fields> => {
  if (!validJobName.test(name)) {
    throw new TypeError(
      `Invalid job name ${JSON.stringify(name)}: use 1-200 characters from A-Z a-z 0-9 _ . : / - (not starting with a symbol)`
    )
  }
  const Base = Schema.TaggedClass<Self>(name)(name, fields) as unknown as new(...args: Array<any>) => object
  return class extends Base {
    static readonly jobName = name
    static readonly jobDefaults = defaults
    get [JobParametersTypeId]() {
      return JobParametersTypeId
    }
  } as any
}

/**
 * The schema of a job parameters instance, read from its class; `undefined` for values that were not built
 * by a `JobParameters` class.
 *
 * @since 0.1.0
 */
export const schemaOf = (params: unknown): JobParametersSchema<unknown> | undefined => {
  if (typeof params !== "object" || params === null) return undefined
  const ctor = (params as { constructor?: unknown }).constructor as Partial<JobParametersSchema<unknown>> | undefined
  return ctor !== undefined && typeof ctor.jobName === "string" && Schema.isSchema(ctor)
    ? (ctor as JobParametersSchema<unknown>)
    : undefined
}
