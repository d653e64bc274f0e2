/**
 * Everything a driver says while it fails (its errors, every log line, every span) recorded as text, so a
 * test can check that none of it carries a credential.
 */
import { expect } from "@effect/vitest"
import { Cause, Effect, Layer, Logger, LogLevel, Tracer } from "effect"
import { JobQueue } from "effect-jobs"
import type { JobDriver } from "effect-jobs"
import { inspect } from "node:util"

/** A password no real configuration uses, different in every run. */
export const testSecret = (label: string) => `${label}-s3cret-${Math.random().toString(36).slice(2, 10)}`

/** Every rendering a reader could meet: message, `String`, `util.inspect` (own fields, causes), JSON. */
export const describeAll = (value: unknown): string => {
  if (Cause.isCause(value)) return Cause.pretty(value, { renderErrorCause: true })
  let json: string
  try {
    json = JSON.stringify(value) ?? ""
  } catch {
    json = ""
  }
  return [String(value), inspect(value, { depth: 10, showHidden: true }), json].join("\n")
}

/** What was said while recording: each log line and each span, as text. */
export interface Recording {
  readonly lines: Array<string>
  readonly spans: Array<Tracer.Span>
  /** Every recorded line and span (name, attributes, events, status) rendered as text. */
  readonly texts: () => Array<string>
}

/**
 * A recording, and a function that runs an effect with every log line (any level, with its cause and
 * annotations) and every span it opens added to it.
 */
export const recording = () => {
  const lines: Array<string> = []
  const spans: Array<Tracer.Span> = []
  const logger = Logger.make<unknown, void>((options) => {
    lines.push(`${Logger.logfmtLogger.log(options)}\n${describeAll(options.message)}`)
  })
  const record = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(Effect.tracer, (base) => {
      const tracer = Tracer.make({
        span: (...args) => {
          const span = base.span(...args)
          spans.push(span)
          return span
        },
        context: base.context
      })
      return effect.pipe(
        Effect.withTracer(tracer),
        Logger.withMinimumLogLevel(LogLevel.All),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
    })
  const texts = () => [
    ...lines,
    ...spans.map((span) => describeAll({ name: span.name, attributes: [...span.attributes], status: span.status }))
  ]
  return { record, recorded: { lines, spans, texts } satisfies Recording }
}

/** Fails with the offending text when any of `texts` contains `secret`. */
export const expectNoSecret = (texts: ReadonlyArray<string>, secret: string) => {
  for (const text of texts) {
    if (text.includes(secret)) expect.fail(`a credential leaked into:\n${text}`)
  }
}

/** Builds the queue over `driver`, expecting it to fail; returns the failure and everything said meanwhile. */
export const failedStart = <E extends { readonly message: string }>(driver: Layer.Layer<JobDriver, E>) => {
  const { record, recorded } = recording()
  return record(Effect.flip(Layer.build(JobQueue.layer(driver)))).pipe(
    Effect.scoped,
    Effect.map((error) => ({ error, texts: [describeAll(error), ...recorded.texts()] }))
  )
}
