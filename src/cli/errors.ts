/**
 * The command line's own errors and its exit codes: 0 done, 1 the job or schedule asked for does not exist (or
 * is in no state the command applies to), 2 bad usage or a queue that cannot be reached.
 *
 * @since 0.1.0
 */
import { HelpDoc, ValidationError } from "@effect/cli"
import { Cause, Option, Schema } from "effect"

/**
 * What a command was asked to act on is not there, or not in a state the command applies to.
 *
 * @since 0.1.0
 */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  message: Schema.String
}) {}

/**
 * The command line makes no sense: flags that exclude each other, a bad duration, no queue to connect to.
 *
 * @since 0.1.0
 */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {}

/**
 * @since 0.1.0
 */
export const ExitCode = { ok: 0, notFound: 1, usage: 2 } as const

/** Errors whose message is meant for the reader as is, with the exit code each gets. */
const exitCodes: Record<string, number> = {
  NotFound: ExitCode.notFound,
  UsageError: ExitCode.usage,
  DriverError: ExitCode.usage,
  InvalidOption: ExitCode.usage,
  InvalidCursor: ExitCode.usage
}

/** The first line of a text, without the blank lines around it. */
const firstLine = (text: string): string => text.trim().split("\n")[0]!.trim()

/** The one line a failure is reported with, and the exit code. */
export interface Failure {
  readonly code: number
  readonly reason: string
}

const hasTag = (value: unknown): value is { readonly _tag: string; readonly message?: unknown } =>
  typeof value === "object" && value !== null && typeof (value as { _tag?: unknown })._tag === "string"

/**
 * How a failed run ends: the exit code and the reason, one line (never a stack trace). Command-line parse
 * errors and unreachable servers are usage errors; unexpected defects are reported by their message.
 *
 * @since 0.1.0
 */
export const failureOf = (cause: Cause.Cause<unknown>): Failure => {
  const error = Cause.failureOption(cause)
  if (Option.isSome(error)) {
    const value = error.value
    if (ValidationError.isValidationError(value)) {
      return { code: ExitCode.usage, reason: firstLine(HelpDoc.toAnsiText(value.error)) || "invalid command line" }
    }
    if (hasTag(value) && value._tag === "GenerateJobError") {
      const reason = (value as { readonly reason?: unknown }).reason
      return { code: reason === "InvalidName" ? ExitCode.usage : ExitCode.notFound, reason: firstLine(String(value.message)) }
    }
    if (hasTag(value) && value._tag in exitCodes) {
      return { code: exitCodes[value._tag]!, reason: firstLine(String(value.message)) }
    }
    return { code: ExitCode.usage, reason: firstLine(String(hasTag(value) ? value.message ?? value._tag : value)) }
  }
  const defect = Cause.dieOption(cause)
  const message = Option.match(defect, {
    onNone: () => "interrupted",
    onSome: (value) => value instanceof Error ? value.message : String(value)
  })
  return { code: ExitCode.usage, reason: `unexpected error: ${firstLine(message)}` }
}
