/**
 * The pino bridge: levels, annotations (a job's fields among them), spans, causes, and one line per log.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, FiberRef, HashSet, Layer, Logger, LogLevel, Schema } from "effect"
import { JobParameters, JobQueue, memoryDriver, PinoLogger } from "effect-jobs"
import pino from "pino"
import { Writable } from "node:stream"
import { waitFor } from "../conformance/harness.js"

interface Line {
  readonly level: string
  readonly fields: Record<string, unknown>
  readonly message: string | undefined
}

/** A pino-shaped recorder. */
const recorder = () => {
  const lines: Array<Line> = []
  const method = (level: string) => (fields: Record<string, unknown>, message?: string) => void lines.push({ level, fields, message })
  const target: PinoLogger.PinoLike = {
    trace: method("trace"),
    debug: method("debug"),
    info: method("info"),
    warn: method("warn"),
    error: method("error"),
    fatal: method("fatal")
  }
  return { lines, target }
}

class Mail extends JobParameters<Mail>()("Mail", { to: Schema.String }) {}

describe("PinoLogger", () => {
  it.effect("maps every Effect level to the pino method of the same severity", () => {
    const { lines, target } = recorder()
    return Effect.gen(function*() {
      yield* Effect.logTrace("t")
      yield* Effect.logDebug("d")
      yield* Effect.logInfo("i")
      yield* Effect.logWarning("w")
      yield* Effect.logError("e")
      yield* Effect.logFatal("f")
      assert.deepStrictEqual(lines.map((line) => [line.level, line.message]), [
        ["trace", "t"],
        ["debug", "d"],
        ["info", "i"],
        ["warn", "w"],
        ["error", "e"],
        ["fatal", "f"]
      ])
    }).pipe(Logger.withMinimumLogLevel(LogLevel.All), Effect.provide(PinoLogger.layer(target)))
  })

  it.effect("writes annotations, spans, extra values and causes as fields", () => {
    const { lines, target } = recorder()
    return Effect.gen(function*() {
      yield* Effect.logError("failed", { orderId: 7 }, Cause.fail("boom")).pipe(
        Effect.annotateLogs("tenant", "acme"),
        Effect.withLogSpan("checkout")
      )
      const [line] = lines
      assert.strictEqual(line?.message, "failed")
      assert.strictEqual(line?.fields.tenant, "acme")
      assert.deepStrictEqual(line?.fields.data, { orderId: 7 })
      assert.isNumber((line?.fields.spans as Record<string, number>).checkout)
      assert.include(String(line?.fields.err), "boom")
    }).pipe(Effect.provide(PinoLogger.layer(target)))
  })

  it.scoped("handler logs carry the job's id, name and attempt", () => {
    const { lines, target } = recorder()
    return Effect.gen(function*() {
      const queue = yield* JobQueue
      const events = yield* queue.subscribe
      yield* queue.registerJob(Mail, (params) => Effect.logInfo(`mailing ${params.to}`))
      const id = yield* queue.push(new Mail({ to: "a@b.c" }))
      yield* waitFor(events, "Completed", id)
      const line = lines.find((candidate) => candidate.message === "mailing a@b.c")
      assert.deepStrictEqual([line?.fields.jobId, line?.fields.jobName, line?.fields.attempt], [id, "Mail", 1])
    }).pipe(Effect.provide(JobQueue.layer(memoryDriver).pipe(Layer.provideMerge(PinoLogger.layer(target)))))
  })

  it.effect("replaces the console loggers, including the pretty one runMain installs: one line per log", () => {
    const output: Array<string> = []
    const stream = new Writable({
      write: (chunk, _encoding, done) => {
        output.push(String(chunk))
        done()
      }
    })
    const prettyAsUnderRunMain = Layer.scopedDiscard(
      Effect.locallyScopedWith(FiberRef.currentLoggers, HashSet.add(Logger.prettyLoggerDefault))
    )
    return Effect.gen(function*() {
      const loggers = yield* FiberRef.get(FiberRef.currentLoggers)
      assert.isFalse(HashSet.has(loggers, Logger.defaultLogger))
      assert.isFalse(HashSet.has(loggers, Logger.prettyLoggerDefault))
      yield* Effect.logInfo("once")
      assert.strictEqual(output.length, 1)
      assert.strictEqual(JSON.parse(output[0]!).msg, "once")
    }).pipe(Effect.provide(PinoLogger.layer(pino(stream)).pipe(Layer.provide(prettyAsUnderRunMain))))
  })
})
