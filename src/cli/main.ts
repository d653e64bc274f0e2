#!/usr/bin/env node
/**
 * The `effect-jobs` executable. Exits 0 when the command did its work, 1 when the job or schedule asked for
 * does not exist (or is in no state the command applies to), 2 on bad usage or a queue that cannot be
 * reached, always with a one-line reason on stderr.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect, Exit, Logger, LogLevel } from "effect"
import { readFileSync } from "node:fs"
import { rootCommand } from "./commands.js"
import { ExitCode, failureOf } from "./errors.js"

/** The package's version, from the nearest package.json named effect-jobs (sources and build sit at different depths). */
const version = (): string => {
  for (let url = new URL("./package.json", import.meta.url); ; url = new URL("../package.json", url)) {
    try {
      const manifest = JSON.parse(readFileSync(url, "utf8")) as { name?: string; version?: string }
      if (manifest.name === "effect-jobs" && manifest.version !== undefined) return manifest.version
    } catch {
      // not here: look further up
    }
    if (url.pathname === "/package.json") return "unknown"
  }
}

/** Terminal colour and style codes, as the help text carries them. */
// eslint-disable-next-line no-control-regex -- ESC is what these codes start with
const ansiCodes = /\u001b\[[0-9;]*m/g

/** Whether output may carry colours: a terminal, and NO_COLOR unset (https://no-color.org). */
const colours = process.stdout.isTTY === true && (process.env.NO_COLOR ?? "") === ""

/**
 * Parse errors are reported by `failureOf` on one line, so the parser's own printing of them is dropped;
 * everything else it prints (help, version, completions) goes through, in plain text unless `colours`.
 */
const quietParser = Effect.map(Effect.console, (console): Console.Console => ({
  ...console,
  error: () => Effect.void,
  log: (...args) => console.log(...(colours ? args : args.map((arg) => typeof arg === "string" ? arg.replace(ansiCodes, "") : arg)))
}))

const run = Command.run(rootCommand, { name: "effect-jobs", version: version() })

const program: Effect.Effect<number> = Effect.gen(function*() {
  const parserConsole = yield* quietParser
  return yield* run(process.argv).pipe(
    Effect.withConsole(parserConsole),
    Effect.as(ExitCode.ok),
    // The drivers' own log lines (reconnecting, say) are not for this terminal; --log-level shows them.
    Logger.withMinimumLogLevel(LogLevel.None),
    Effect.provide(NodeContext.layer),
    Effect.catchAllCause((cause) => {
      const failure = failureOf(cause)
      return Effect.sync(() => {
        process.stderr.write(`effect-jobs: ${failure.reason}\n`)
        return failure.code
      })
    })
  )
})

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  // 130: stopped by Ctrl-C, as shells report it.
  teardown: (exit, onExit) =>
    onExit(
      Exit.isSuccess(exit) && typeof exit.value === "number"
        ? exit.value
        : Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)
        ? 130
        : ExitCode.usage
    )
})
