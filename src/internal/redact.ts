/**
 * Keeping credentials out of what the drivers say: connection URLs are shown with their password and
 * secret query parameters masked, in errors, log lines and anything else that leaves the driver.
 */
import { Redacted } from "effect"

/** What a masked credential reads as. */
const mask = "***"

/** Query parameters whose value is a credential (`password`, `sslpassword`, `auth`, `token`, `secret`, keys). */
const secretParameter = /pass|secret|token|auth|key|credential/i

/** `name=value` pairs anywhere in a text whose name says the value is a secret. */
const secretPair = /((?:^|[?&;\s])[\w.-]*(?:pass|secret|token|auth|key|credential)[\w.-]*=)[^&;\s]*/gi

/**
 * The credential part of URLs embedded in text: `scheme://user:password@` or `scheme://:password@`. The
 * password runs to the last `@` before the host, so a password holding an unescaped `@`, `/` or `:` is
 * masked whole.
 */
const userInfo = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s]*@(?=[^\s@]*(?:\s|$))/gi

/** A URL's value, whether given as a plain string or wrapped in `Redacted` (as `Config.redacted` reads it). */
export const reveal = (value: string | Redacted.Redacted<string>): string =>
  Redacted.isRedacted(value) ? Redacted.value(value) : value

/**
 * Masks every credential in free text (an error message from a client library, say): the password of any
 * URL in it and the value of any secret `name=value` pair.
 */
export const redactText = (text: string): string => text.replace(userInfo, `$1:${mask}@`).replace(secretPair, `$1${mask}`)

/**
 * A connection URL fit to show: its password and secret query parameters masked, the rest (scheme, user,
 * host, port, database) kept so the reader can tell where the driver tried to connect. A URL that does not
 * parse is masked as text.
 */
export const redactUrl = (url: string | Redacted.Redacted<string>): string => {
  const text = reveal(url)
  let parsed: URL
  try {
    parsed = new URL(text)
  } catch {
    return redactText(text)
  }
  if (parsed.password !== "") parsed.password = mask
  for (const name of [...parsed.searchParams.keys()]) {
    if (secretParameter.test(name)) parsed.searchParams.set(name, mask)
  }
  // URLSearchParams escapes the mask; a reader should see it as written.
  return parsed.toString().replaceAll(encodeURIComponent(mask), mask)
}

/**
 * The fields of a client library's error worth keeping beside its name and message: codes (a Postgres
 * SQLSTATE, a Node errno name), where a connection went, and what the server said about a refused statement.
 */
const keptErrorFields = [
  "code",
  "errno",
  "syscall",
  "address",
  "port",
  "severity",
  "detail",
  "hint",
  "schema",
  "table",
  "column",
  "constraint"
] as const

/**
 * A client library's error fit to carry as a cause: a plain `Error` with its name, message, stack and the
 * fields in `keptErrorFields`, every text masked with `redactText`. Nothing else is copied, since other
 * fields may quote a command's arguments (ioredis keeps `command.args`, which may hold an AUTH password). A
 * value that is not an `Error` is kept as its masked text.
 */
export const redactError = (error: unknown): Error | string => {
  if (!(error instanceof Error)) return redactText(typeof error === "string" ? error : String(error))
  const copy = new Error(redactText(error.message)) as Error & Record<string, unknown>
  copy.name = error.name
  if (error.stack !== undefined) copy.stack = redactText(error.stack)
  for (const field of keptErrorFields) {
    const value = (error as unknown as Record<string, unknown>)[field]
    if (typeof value === "string") copy[field] = redactText(value)
    else if (typeof value === "number") copy[field] = value
  }
  return copy
}
