/**
 * Text as it is stored with a job: formatted attempt failures, and what makes any text storable.
 */
import { Cause } from "effect"

/** Stored errors are capped so one huge stack cannot bloat the job. */
const maxLength = 8_192

const unpairedSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** Replaces unpaired UTF-16 surrogates, which no store can encode as UTF-8, with U+FFFD. */
export const wellFormed = (text: string): string => text.replace(unpairedSurrogate, "\uFFFD")

/** Pretty-prints a failure cause (typed error or defect, with its stack), capped in length. */
export const formatFailure = (cause: Cause.Cause<unknown>): string => {
  const text = wellFormed(Cause.pretty(cause, { renderErrorCause: true }))
  if (text.length <= maxLength) return text
  // Cut before a surrogate pair rather than through it.
  const end = /[\uD800-\uDBFF]/.test(text[maxLength - 1]!) ? maxLength - 1 : maxLength
  return `${text.slice(0, end)}\n… (${text.length - end} more characters)`
}
