/**
 * Formats attempt failures for storage with the job.
 */
import { Cause } from "effect"

/** Stored errors are capped so one huge stack cannot bloat the job. */
const maxLength = 8_192

/** Pretty-prints a failure cause (typed error or defect, with its stack), capped in length. */
export const formatFailure = (cause: Cause.Cause<unknown>): string => {
  const text = Cause.pretty(cause, { renderErrorCause: true })
  return text.length > maxLength ? `${text.slice(0, maxLength)}\n… (${text.length - maxLength} more characters)` : text
}
