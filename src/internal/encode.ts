/**
 * Turns job parameters and push options into driver `NewJob`s, validating both.
 */
import { Duration, Effect, Either, ParseResult, Schema } from "effect"
import { MAX_PRIORITY, MIN_PRIORITY, type NewJob } from "../JobDriver.js"
import { InvalidJobParameters, InvalidPushOptions, PayloadTooLarge } from "../QueueErrors.js"
import type { JobParametersSchema } from "../JobParameters.js"
import type { OutgoingJob } from "../JobMiddleware.js"
import { unstorableCharacter } from "./format.js"
import { queueDefaults, resolveJobSetting } from "./options.js"

/**
 * Options for one push.
 *
 * @since 0.1.0
 */
export interface PushOptions {
  /** Run no earlier than this long from now. */
  readonly delay?: Duration.DurationInput
  /** Run no earlier than this time (wins over `delay`). */
  readonly runAt?: Date
  /** Higher runs first; an integer in [-1000, 1000]. Defaults to the job's `priority` default, else 0. */
  readonly priority?: number
  /** Attempts before the job fails for good; overrides the handler's and the job's defaults. */
  readonly maxAttempts?: number
  /** While a job with this key is pending or active, pushing another returns the first job's id. */
  readonly uniqueKey?: string
  /** A chosen id: a job with this id is created at most once, ever (until it is removed). */
  readonly jobId?: string
}

/** A validated job: what the driver writes and what push middleware sees. */
export interface EncodedJob {
  readonly job: NewJob
  readonly outgoing: OutgoingJob
}

const encoders = new WeakMap<object, (value: unknown) => Either.Either<unknown, ParseResult.ParseError>>()

const encoderOf = (schema: JobParametersSchema<unknown>) => {
  let encode = encoders.get(schema)
  if (encode === undefined) {
    encode = Schema.encodeUnknownEither(schema)
    encoders.set(schema, encode)
  }
  return encode
}

const maxKeyLength = 512

/** Keys are stored and compared exactly by every driver: a character some store refuses cannot be one. */
const checkKey = (jobName: string, label: string, value: string | undefined) => {
  if (value === undefined) return Effect.void
  if (value.length === 0 || value.length > maxKeyLength) {
    return Effect.fail(new InvalidPushOptions({ jobName, message: `${label} must be 1-${maxKeyLength} characters` }))
  }
  const refused = unstorableCharacter(value)
  return refused === undefined
    ? Effect.void
    : Effect.fail(new InvalidPushOptions({ jobName, message: `${label} contains ${refused}` }))
}

/** Duration decoding turns a negative or NaN input into zero; a push must reject it instead. */
const isNegative = (input: Duration.DurationInput): boolean => {
  const isBelowZero = (value: number | bigint) => typeof value === "bigint" ? value < 0n : !(value >= 0)
  if (typeof input === "number" || typeof input === "bigint") return isBelowZero(input)
  if (typeof input === "string") return /^\s*-/.test(input)
  if (Array.isArray(input)) return input.some(isBelowZero)
  return false
}

const resolveRunAt = (jobName: string, options: PushOptions, now: number) => {
  if (options.runAt !== undefined) {
    const time = options.runAt.getTime()
    return Number.isFinite(time)
      ? Effect.succeed(time)
      : Effect.fail(new InvalidPushOptions({ jobName, message: "runAt is not a valid date" }))
  }
  if (options.delay === undefined) return Effect.succeed(now)
  const delay = Duration.decodeUnknown(options.delay)
  return delay._tag === "Some" && Duration.isFinite(delay.value) && !isNegative(options.delay)
    ? Effect.succeed(now + Duration.toMillis(delay.value))
    : Effect.fail(new InvalidPushOptions({ jobName, message: "delay must be a finite, non-negative duration" }))
}

const checkPriority = (jobName: string, priority: number) =>
  Number.isInteger(priority) && priority >= MIN_PRIORITY && priority <= MAX_PRIORITY
    ? Effect.succeed(priority)
    : Effect.fail(
      new InvalidPushOptions({
        jobName,
        message: `priority must be an integer in [${MIN_PRIORITY}, ${MAX_PRIORITY}], got ${priority}`
      })
    )

const checkMaxAttempts = (jobName: string, maxAttempts: number | undefined) =>
  maxAttempts === undefined || (Number.isInteger(maxAttempts) && maxAttempts >= 1)
    ? Effect.void
    : Effect.fail(new InvalidPushOptions({ jobName, message: `maxAttempts must be an integer >= 1, got ${maxAttempts}` }))

/**
 * Encodes `params` with their schema and checks `options`; fails with a typed error and writes nothing when
 * either is bad or the payload is larger than `maxPayloadBytes`.
 */
export const encodeJob = (
  schema: JobParametersSchema<unknown>,
  params: unknown,
  options: PushOptions,
  now: number,
  maxPayloadBytes: number
): Effect.Effect<EncodedJob, InvalidJobParameters | InvalidPushOptions | PayloadTooLarge> => {
  const jobName = schema.jobName
  return Effect.gen(function*() {
    const encoded = encoderOf(schema)(params)
    if (Either.isLeft(encoded)) {
      return yield* new InvalidJobParameters({
        jobName,
        message: ParseResult.TreeFormatter.formatErrorSync(encoded.left)
      })
    }
    const payload = JSON.stringify(encoded.right)
    const bytes = Buffer.byteLength(payload, "utf8")
    if (bytes > maxPayloadBytes) return yield* new PayloadTooLarge({ jobName, bytes, maxBytes: maxPayloadBytes })
    const priority = yield* checkPriority(
      jobName,
      resolveJobSetting("priority", { push: options, jobClass: schema.jobDefaults, queue: queueDefaults })
    )
    const runAt = yield* resolveRunAt(jobName, options, now)
    yield* checkMaxAttempts(jobName, options.maxAttempts)
    yield* checkKey(jobName, "uniqueKey", options.uniqueKey)
    yield* checkKey(jobName, "jobId", options.jobId)
    return {
      job: {
        id: options.jobId,
        name: jobName,
        payload,
        priority,
        runAt,
        maxAttempts: options.maxAttempts,
        uniqueKey: options.uniqueKey
      },
      outgoing: { name: jobName, payload: encoded.right, priority, runAt: new Date(runAt) }
    }
  })
}

/**
 * Decodes `json` as the parameters of `schema` (the `_tag` may be left out); used by `pushByName`.
 */
export const decodeByName = (
  schema: JobParametersSchema<unknown>,
  json: unknown
): Effect.Effect<unknown, InvalidJobParameters> => {
  const input = typeof json === "object" && json !== null && !Array.isArray(json)
    ? { ...json, _tag: schema.jobName }
    : json
  return Schema.decodeUnknown(schema)(input).pipe(
    Effect.mapError((error) =>
      new InvalidJobParameters({ jobName: schema.jobName, message: ParseResult.TreeFormatter.formatErrorSync(error) })
    )
  )
}
