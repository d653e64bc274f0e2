/**
 * Options in one place: the queue's defaults, the order in which a job's settings override each other, and
 * the checks that turn a nonsensical option into an `InvalidOption` naming it.
 */
import { Duration, Effect, Option } from "effect"
import { type Backoff, defaultBackoff } from "../Backoff.js"
import { InvalidOption } from "../QueueErrors.js"

/**
 * Every queue option's default (docs/options.md shows the same table). Retention ages are in milliseconds;
 * `undefined` keeps jobs of that state forever.
 */
export const queueDefaults = {
  concurrency: 10,
  prefetch: "auto",
  leaseDuration: "15 seconds",
  shutdownTimeout: "25 seconds",
  releaseSignals: ["SIGTERM", "SIGINT"],
  pollInterval: "5 seconds",
  heartbeatInterval: "10 seconds",
  maxAttempts: 3,
  backoff: defaultBackoff,
  maxPayloadBytes: 1024 * 1024,
  eventsCapacity: 1_000,
  priority: 0,
  retention: {
    completedMs: 3_600_000,
    failedMs: undefined,
    cancelledMs: 86_400_000,
    interval: "1 minute"
  }
} as const satisfies Record<string, unknown>

/** The settings of a job that several levels may give: a push, its handler, its job class, the queue. */
export interface JobSettings {
  readonly maxAttempts?: number | undefined
  readonly backoff?: Backoff | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly priority?: number | undefined
}

/** The levels that may give a job's settings: a push, its handler and its job class may leave any out. */
export interface SettingLevels<Q extends JobSettings> {
  readonly push?: JobSettings | undefined
  readonly handler?: JobSettings | undefined
  readonly jobClass?: JobSettings | undefined
  readonly queue: Q
}

/**
 * The setting `key` of a job: the push option wins over the handler option, which wins over the job class
 * default, which wins over the queue default. `undefined` only when no level sets it (a job without a timeout).
 */
export const resolveJobSetting = <K extends keyof JobSettings, Q extends JobSettings>(
  key: K,
  levels: SettingLevels<Q>
): K extends keyof Q ? NonNullable<JobSettings[K]> | Q[K] : JobSettings[K] =>
  (levels.push?.[key] ?? levels.handler?.[key] ?? levels.jobClass?.[key] ?? levels.queue[key]) as never

const invalid = (option: string, message: string) => new InvalidOption({ option, message: `${option} ${message}` })

/** `value` if it is an integer of at least `min`; otherwise an `InvalidOption` naming `option`. */
export const integerAtLeast = (option: string, value: number, min: number): Effect.Effect<number, InvalidOption> =>
  Number.isInteger(value) && value >= min
    ? Effect.succeed(value)
    : Effect.fail(invalid(option, `must be ${min === 0 ? "a non-negative integer" : `an integer >= ${min}`}, got ${value}`))

/** `value` if it is a non-negative integer; otherwise an `InvalidOption` naming `option`. */
export const nonNegativeInteger = (option: string, value: number): Effect.Effect<number, InvalidOption> =>
  integerAtLeast(option, value, 0)

/**
 * `input` in milliseconds if it is a duration of at least `minMs` (a finite one unless `infinite` allows it);
 * otherwise an `InvalidOption` naming `option`.
 */
export const durationAtLeast = (
  option: string,
  input: Duration.DurationInput,
  minMs: number
): Effect.Effect<number, InvalidOption> => {
  const decoded = Duration.decodeUnknown(input)
  const millis = Option.map(decoded, Duration.toMillis)
  return Option.isSome(millis) && millis.value >= minMs && Number.isFinite(millis.value)
    ? Effect.succeed(millis.value)
    : Effect.fail(invalid(
      option,
      `must be a finite duration of at least ${minMs} ms, got ${Duration.isDuration(input) ? Duration.format(input) : String(input)}`
    ))
}

/** `problem` (a driver's reason for refusing `option`) as an `InvalidOption`, or nothing when there is none. */
export const refuseOption = (option: string, problem: string | undefined): Effect.Effect<void, InvalidOption> =>
  problem === undefined ? Effect.void : Effect.fail(new InvalidOption({ option, message: problem }))
