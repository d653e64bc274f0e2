/**
 * The pino bridge: levels, annotations (a job's fields among them), spans, causes, and one line per log.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Console, Effect, FiberRef, HashSet, Layer, Logger, LogLevel, Schema, TestClock } from "effect"
import { JobParameters, JobQueue, PinoLogger } from "effect-jobs"
import pino from "pino"
import { Writable } from "node:stream"
import { waitFor } from "../../src/testing/conformance/harness.js"
import { withMemoryQueue } from "./support.js"

interface Line {
  readonly level: string
  readonly fields: Record<string, unknown>
  readonly message: string | undefined
}

/** A pino-shaped recorder. */
const recorder = () => {
  const lines: Array<Line> = []
  const method = (level: string) => (fields: Record<string, unknown>, message?: string) =>
    void lines.push({ level, fields, message })
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

/** The only line recorded so far. */
const only = (lines: ReadonlyArray<Line>): Line => {
  assert.strictEqual(lines.length, 1, "exactly one line")
  return lines[0]!
}

/** A real pino instance writing JSON lines into an array. */
const pinoToArray = () => {
  const output: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write: (chunk, _encoding, done) => {
      output.push(JSON.parse(String(chunk)))
      done()
    }
  })
  return { output, logger: pino(stream) }
}

/** A Console whose output lands in an array: what Effect's console loggers (default and pretty) write to. */
const capturedConsole = Effect.gen(function*() {
  const current = yield* Console.consoleWith(Effect.succeed)
  const written: Array<string> = []
  const record = (...args: ReadonlyArray<unknown>) => void written.push(args.map(String).join(" "))
  const unsafe: Console.UnsafeConsole = {
    ...globalThis.console,
    log: record,
    info: record,
    warn: record,
    error: record,
    debug: record,
    trace: record,
    groupCollapsed: record,
    group: () => {},
    groupEnd: () => {}
  }
  return { written, console: { ...current, unsafe } satisfies Console.Console }
})

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
      yield* Effect.logWithLevel(LogLevel.All, "all")
      yield* Effect.logWithLevel(LogLevel.None, "none")
      assert.deepStrictEqual(lines.map((line) => [line.level, line.message]), [
        ["trace", "t"],
        ["debug", "d"],
        ["info", "i"],
        ["warn", "w"],
        ["error", "e"],
        ["fatal", "f"],
        ["trace", "all"]
      ])
    }).pipe(Logger.withMinimumLogLevel(LogLevel.All), Effect.provide(PinoLogger.layer(target)))
  })

  it.effect("respects Effect's minimum log level", () => {
    const { lines, target } = recorder()
    return Effect.gen(function*() {
      yield* Effect.logDebug("hidden")
      yield* Effect.logWarning("shown")
      assert.deepStrictEqual(lines.map((line) => line.message), ["shown"])
    }).pipe(Logger.withMinimumLogLevel(LogLevel.Info), Effect.provide(PinoLogger.layer(target)))
  })

  it.effect("writes annotations as fields, keeping their values' types", () => {
    const { lines, target } = recorder()
    return Effect.gen(function*() {
      yield* Effect.logInfo("annotated").pipe(Effect.annotateLogs({ tenant: "acme", retries: 3, dryRun: false }))
      const line = only(lines)
      assert.deepInclude(line.fields, { tenant: "acme", retries: 3, dryRun: false })
      assert.notProperty(line.fields, "err")
      assert.notProperty(line.fields, "data")
      assert.notProperty(line.fields, "spans")
      assert.match(String(line.fields.fiber), /^#\d+$/)
    }).pipe(Effect.provide(PinoLogger.layer(target)))
  })

  it.effect("writes the open spans as a `spans` object of elapsed milliseconds", () => {
    const { lines, target } = recorder()
    return Effect.gen(function*() {
      yield* Effect.gen(function*() {
        yield* TestClock.adjust("1 second")
        yield* Effect.gen(function*() {
          yield* TestClock.adjust("250 millis")
          yield* Effect.logInfo("inside")
        }).pipe(Effect.withLogSpan("inner"))
      }).pipe(Effect.withLogSpan("outer"))
      assert.deepStrictEqual(only(lines).fields.spans, { outer: 1250, inner: 250 })
    }).pipe(Effect.provide(PinoLogger.layer(target)))
  })

  it.effect("renders a cause into `err`: failures and defects with their messages", () => {
    const { lines, target } = recorder()
    return Effect.gen(function*() {
      yield* Effect.logError("failed", Cause.fail("boom"))
      yield* Effect.logError("crashed", Cause.die(new Error("kaput")))
      assert.strictEqual(lines.length, 2)
      assert.strictEqual(lines[0]!.message, "failed")
      assert.include(String(lines[0]!.fields.err), "boom")
      assert.strictEqual(lines[1]!.message, "crashed")
      assert.include(String(lines[1]!.fields.err), "Error: kaput")
      assert.include(String(lines[1]!.fields.err), "PinoLogger.test.ts", "with the defect's stack")
    }).pipe(Effect.provide(PinoLogger.layer(target)))
  })

  it.effect("joins string parts into the message and puts other parts in `data`", () => {
    const { lines, target } = recorder()
    return Effect.gen(function*() {
      yield* Effect.logInfo("charged", { orderId: 7 })
      yield* Effect.logInfo("order", 7, "charged", [1, 2], null)
      yield* Effect.logInfo({ alone: true })
      assert.deepStrictEqual(lines.map((line) => [line.message, line.fields.data]), [
        ["charged", { orderId: 7 }],
        ["order charged", [7, [1, 2], null]],
        ["", { alone: true }]
      ])
    }).pipe(Effect.provide(PinoLogger.layer(target)))
  })

  it.scoped("handler logs carry the job's id, name and attempt", () => {
    const { lines, target } = recorder()
    return withMemoryQueue({}, Effect.gen(function*() {
      const queue = yield* JobQueue
      const events = yield* queue.subscribe
      yield* queue.registerJob(Mail, (params) => Effect.logInfo(`mailing ${params.to}`))
      const id = yield* queue.push(new Mail({ to: "a@b.c" }))
      yield* waitFor(events, "Completed", id)
      const line = lines.find((candidate) => candidate.message === "mailing a@b.c")
      assert.deepInclude(line?.fields, { jobId: id, jobName: "Mail", attempt: 1 })
    })).pipe(Effect.provide(PinoLogger.layer(target)))
  })

  it.effect("writes through a real pino instance: JSON lines with pino's levels, message and fields", () => {
    const { logger, output } = pinoToArray()
    return Effect.gen(function*() {
      yield* Effect.logWarning("disk low", { freeMb: 12 }).pipe(Effect.annotateLogs("host", "db-1"))
      assert.strictEqual(output.length, 1)
      assert.deepInclude(output[0], { level: 40, msg: "disk low", host: "db-1", data: { freeMb: 12 } })
    }).pipe(Effect.provide(PinoLogger.layer(logger)))
  })

  it.effect("replaces the console loggers, including the pretty one runMain installs: one line per log", () =>
    Effect.gen(function*() {
      const capture = yield* capturedConsole
      const pretty = Logger.replace(Logger.defaultLogger, Logger.prettyLoggerDefault)
      // Control: under the pretty logger (as under NodeRuntime.runMain), a log line reaches the console.
      yield* Effect.logInfo("to the console").pipe(Effect.provide(pretty), Effect.withConsole(capture.console))
      assert.isTrue(capture.written.some((text) => text.includes("to the console")), "the capture sees the pretty logger")
      capture.written.length = 0

      for (const outside of [Layer.empty, pretty]) {
        const { logger, output } = pinoToArray()
        yield* Effect.gen(function*() {
          const loggers = yield* FiberRef.get(FiberRef.currentLoggers)
          assert.isFalse(HashSet.has(loggers, Logger.defaultLogger))
          assert.isFalse(HashSet.has(loggers, Logger.prettyLoggerDefault))
          yield* Effect.logInfo("once")
        }).pipe(Effect.provide(PinoLogger.layer(logger)), Effect.provide(outside), Effect.withConsole(capture.console))
        assert.deepStrictEqual(output.map((line) => line.msg), ["once"])
        assert.deepStrictEqual(capture.written, [], "nothing went to the console")
      }
    }))
})
