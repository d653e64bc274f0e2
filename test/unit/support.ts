/**
 * Helpers shared by the unit tests: a queue on the memory driver, a way to know a forked fiber is blocked,
 * and a logger that records what it is given.
 */
import { Effect, Fiber, HashMap, Layer, Logger, type LogLevel, type Scope } from "effect"
import { type InvalidOption, JobQueue, type JobQueueOptions, memoryDriver } from "effect-jobs"

/** Runs `body` with a fresh queue over a fresh memory driver; the queue lives as long as the test's scope. */
export const withMemoryQueue = <A, E>(
  options: JobQueueOptions,
  body: Effect.Effect<A, E, JobQueue | Scope.Scope>
): Effect.Effect<A, E | InvalidOption, Scope.Scope> => Effect.provide(body, JobQueue.layer(memoryDriver, options))

/**
 * Returns once `fiber` has run up to a point where it waits for something (a queue, a deferred). Asking a
 * fiber for its status is handled after the work it already has, so this is an ordering, not a guess; the
 * bound only turns a fiber that never blocks into a clear failure.
 */
export const awaitSuspended = <A, E>(fiber: Fiber.RuntimeFiber<A, E>): Effect.Effect<void> =>
  Effect.gen(function*() {
    for (let tries = 0; tries < 1_000; tries++) {
      const status = yield* Fiber.status(fiber)
      if (status._tag === "Suspended") return
      if (status._tag === "Done") return yield* Effect.dieMessage("the fiber finished instead of waiting")
      yield* Effect.yieldNow()
    }
    return yield* Effect.dieMessage("the fiber never started waiting")
  })

/** One log line as a test sees it. */
export interface LoggedLine {
  readonly level: LogLevel.LogLevel["label"]
  readonly message: ReadonlyArray<unknown>
  readonly annotations: Record<string, unknown>
}

/**
 * A logger that records every line, and a layer that installs it in place of the default console logger.
 */
export const recordingLogger = () => {
  const lines: Array<LoggedLine> = []
  const logger = Logger.make(({ annotations, logLevel, message }) => {
    lines.push({
      level: logLevel.label,
      message: Array.isArray(message) ? message : [message],
      annotations: Object.fromEntries(HashMap.toEntries(annotations))
    })
  })
  const layer: Layer.Layer<never> = Logger.replace(Logger.defaultLogger, logger)
  return { lines, layer }
}
