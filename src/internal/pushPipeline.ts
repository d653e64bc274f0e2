/**
 * The push pipeline: how job parameters become stored jobs, in one place for every way of pushing (`push`,
 * `pushMany`, `pushByName`, schedules, and a driver's own push such as Postgres' `pushInTransaction`).
 * Parameters are validated and encoded, options checked, payloads held to the size limit, the batch rules
 * applied, and the write runs inside the push middleware.
 */
import { Clock, Effect } from "effect"
import type { PushRequest, PushResult } from "../JobDriver.js"
import { InvalidJobParameters, InvalidPushOptions, type PushError } from "../QueueErrors.js"
import { type JobMiddleware, type OutgoingJob, wrap } from "../JobMiddleware.js"
import { type JobParametersInstance, type JobParametersSchema, schemaOf } from "../JobParameters.js"
import { decodeByName, type EncodedJob, encodeJob, type PushOptions } from "./encode.js"
import { queueDefaults } from "./options.js"

/** The largest encoded payload a push accepts unless told otherwise: 1 MiB. */
export const DEFAULT_MAX_PAYLOAD_BYTES: number = queueDefaults.maxPayloadBytes

/**
 * How a pipeline pushes.
 *
 * @since 0.1.0
 */
export interface PushPipelineOptions {
  /** Largest encoded payload accepted (default 1 MiB). */
  readonly maxPayloadBytes?: number | undefined
  /** Middleware whose `push` hooks wrap every write, the first in the list outermost. */
  readonly middleware?: ReadonlyArray<JobMiddleware> | undefined
}

/**
 * Where a pipeline's jobs are written: a driver's `push`, or any write taking the same request.
 *
 * @since 0.1.0
 */
export type StoreJobs<E extends PushError> = (request: PushRequest) => Effect.Effect<ReadonlyArray<PushResult>, E>

const notJobParameters = (params: unknown) =>
  new InvalidJobParameters({
    jobName: typeof params === "object" && params !== null ? params.constructor.name : typeof params,
    message: "Not an instance of a JobParameters class"
  })

/** The job class of `params`, or `InvalidJobParameters` when it is not an instance of one. */
export const kindOf = (params: unknown): Effect.Effect<JobParametersSchema<unknown>, InvalidJobParameters> => {
  const schema = schemaOf(params)
  return schema === undefined ? Effect.fail(notJobParameters(params)) : Effect.succeed(schema)
}

/**
 * A push pipeline with its payload limit and middleware. Each push reads `Clock` once: that `now` is the
 * time delays count from and the time passed to the store.
 *
 * @since 0.1.0
 */
export const makePushPipeline = (options: PushPipelineOptions = {}) => {
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES
  const hooks = (options.middleware ?? []).flatMap((middleware) => middleware.push === undefined ? [] : [middleware.push])

  /** Validates and encodes one job at `now`. */
  const encode = (params: unknown, pushOptions: PushOptions, now: number) => {
    const schema = schemaOf(params)
    return schema === undefined
      ? Effect.fail(notJobParameters(params))
      : encodeJob(schema, params, pushOptions, now, maxPayloadBytes)
  }

  /** Runs `write` inside the push middleware, which sees `outgoing` (built only if a hook is there to see it). */
  const throughMiddleware = (
    outgoing: () => ReadonlyArray<OutgoingJob>,
    write: Effect.Effect<ReadonlyArray<string>, PushError>
  ): Effect.Effect<ReadonlyArray<string>, PushError> =>
    hooks.length === 0 ? write : wrap(hooks.map((hook) => (next: typeof write) => hook(outgoing(), next)), write)

  /** Validates and encodes every job, applies the batch rules, then stores them (all or none) through the middleware. */
  const pushMany = <E extends PushError>(
    params: Iterable<JobParametersInstance>,
    pushOptions: PushOptions,
    store: StoreJobs<E>
  ): Effect.Effect<ReadonlyArray<string>, PushError> =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const encoded: ReadonlyArray<EncodedJob> = yield* Effect.forEach(params, (value) => encode(value, pushOptions, now))
      if (pushOptions.jobId !== undefined && encoded.length > 1) {
        return yield* new InvalidPushOptions({
          jobName: encoded[0]!.job.name,
          message: "jobId names one job; push the jobs one by one with their own ids"
        })
      }
      if (encoded.length === 0) return []
      return yield* throughMiddleware(
        () => encoded.map((job) => job.outgoing),
        store({ jobs: encoded.map((job) => job.job), now }).pipe(Effect.map((results) => results.map((result) => result.id)))
      )
    })

  /** One job: its id. */
  const push = <E extends PushError>(params: JobParametersInstance, pushOptions: PushOptions, store: StoreJobs<E>) =>
    Effect.map(pushMany([params], pushOptions, store), (ids) => ids[0]!)

  /** One job given as JSON parameters of `schema` (its `_tag` may be left out). */
  const pushByName = <E extends PushError>(
    schema: JobParametersSchema<unknown>,
    json: unknown,
    pushOptions: PushOptions,
    store: StoreJobs<E>
  ) => Effect.flatMap(decodeByName(schema, json), (params) => push(params as JobParametersInstance, pushOptions, store))

  return { encode, throughMiddleware, pushMany, push, pushByName }
}

/**
 * A push pipeline (see `makePushPipeline`).
 *
 * @since 0.1.0
 */
export type PushPipeline = ReturnType<typeof makePushPipeline>
