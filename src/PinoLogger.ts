/**
 * Routes Effect's logging through a pino logger: levels mapped, log annotations (a job's `jobId`, `jobName`
 * and `attempt` among them) and spans as fields, causes as `err`.
 *
 * ```ts
 * import pino from "pino"
 * const Logging = PinoLogger.layer(pino())
 * NodeRuntime.runMain(Layer.launch(App.pipe(Layer.provide(Logging))))
 * ```
 *
 * @since 0.1.0
 */
import { Cause, Effect, FiberRef, HashMap, HashSet, Inspectable, Layer, List, Logger, LogLevel } from "effect"

type LogMethod = (fields: Record<string, unknown>, message?: string) => void

/**
 * The part of a pino logger this bridge uses; any pino instance (or child) fits.
 *
 * @since 0.1.0
 */
export interface PinoLike {
  readonly trace: LogMethod
  readonly debug: LogMethod
  readonly info: LogMethod
  readonly warn: LogMethod
  readonly error: LogMethod
  readonly fatal: LogMethod
}

const methodFor = (level: LogLevel.LogLevel): keyof PinoLike | undefined => {
  switch (level._tag) {
    case "All":
    case "Trace":
      return "trace"
    case "Debug":
      return "debug"
    case "Info":
      return "info"
    case "Warning":
      return "warn"
    case "Error":
      return "error"
    case "Fatal":
      return "fatal"
    case "None":
      return undefined
  }
}

/** Effect passes the arguments of `Effect.log(a, b, ...)` as an array; strings join into the message. */
const splitMessage = (message: unknown): { text: string; extra: ReadonlyArray<unknown> } => {
  const parts = Array.isArray(message) ? message : [message]
  const text: Array<string> = []
  const extra: Array<unknown> = []
  for (const part of parts) {
    if (typeof part === "string") text.push(part)
    else extra.push(part)
  }
  return { text: text.join(" "), extra }
}

/**
 * A logger that writes each Effect log line to `pino` once.
 *
 * @since 0.1.0
 */
export const make = (pino: PinoLike): Logger.Logger<unknown, void> =>
  Logger.make(({ annotations, cause, date, fiberId, logLevel, message, spans }) => {
    const method = methodFor(logLevel)
    if (method === undefined) return
    const fields: Record<string, unknown> = {}
    for (const [key, value] of HashMap.toEntries(annotations)) fields[key] = value
    const { extra, text } = splitMessage(message)
    if (extra.length > 0) fields.data = extra.length === 1 ? Inspectable.toJSON(extra[0]) : extra.map(Inspectable.toJSON)
    if (!List.isNil(spans)) {
      const now = date.getTime()
      const timings: Record<string, number> = {}
      for (const span of spans) timings[span.label] = now - span.startTime
      fields.spans = timings
    }
    if (!Cause.isEmpty(cause)) fields.err = Cause.pretty(cause, { renderErrorCause: true })
    fields.fiber = `#${fiberId._tag === "Runtime" ? fiberId.id : fiberId._tag}`
    pino[method](fields, text)
  })

/**
 * Installs the pino bridge in place of Effect's console loggers: the default one and the pretty one that
 * `NodeRuntime.runMain` adds, so no line is written twice. Set `Logger.minimumLogLevel` as usual; pino's own
 * level filters as well.
 *
 * @since 0.1.0
 */
export const layer = (pino: PinoLike): Layer.Layer<never> => {
  const logger = make(pino)
  return Layer.scopedDiscard(
    Effect.locallyScopedWith(FiberRef.currentLoggers, (loggers) =>
      loggers.pipe(
        HashSet.remove(Logger.defaultLogger),
        HashSet.remove(Logger.prettyLoggerDefault),
        HashSet.add(logger)
      ))
  )
}
