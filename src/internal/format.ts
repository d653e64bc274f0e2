/**
 * Text as it is stored with a job: formatted attempt failures, and what makes any text storable.
 */
import { Cause } from "effect"

/** Stored errors are capped so one huge stack cannot bloat the job. */
const maxLength = 8_192

/**
 * What some store refuses: NUL (Postgres `text` cannot hold it) and unpaired UTF-16 surrogates (no store
 * can encode them as UTF-8). Replacing them on every driver keeps what `get` returns the same on every driver.
 */
const unstorableCharacters = [
  // eslint-disable-next-line no-control-regex -- matching NUL is the point
  { pattern: /\u0000/g, description: "a NUL character (U+0000)" },
  {
    pattern: /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    description: "an unpaired UTF-16 surrogate"
  }
] as const

/** Replaces the characters some store refuses (NUL, unpaired UTF-16 surrogates) with U+FFFD. */
export const storable = (text: string): string =>
  unstorableCharacters.reduce((result, { pattern }) => result.replace(pattern, "\uFFFD"), text)

/**
 * Names the first kind of character in `text` that some store refuses (for texts that must be kept exactly,
 * such as ids and keys, and are rejected instead), or `undefined` when every driver can store it.
 */
export const unstorableCharacter = (text: string): string | undefined =>
  unstorableCharacters.find(({ pattern }) => text.search(pattern) !== -1)?.description

/** Pretty-prints a failure cause (typed error or defect, with its stack), storable and capped in length. */
export const formatFailure = (cause: Cause.Cause<unknown>): string => {
  const text = storable(Cause.pretty(cause, { renderErrorCause: true }))
  if (text.length <= maxLength) return text
  // Cut before a surrogate pair rather than through it.
  const end = /[\uD800-\uDBFF]/.test(text[maxLength - 1]!) ? maxLength - 1 : maxLength
  return `${text.slice(0, end)}\n… (${text.length - end} more characters)`
}
