/**
 * Durations as people type them on a command line: `1d`, `12h`, `30m`, `90s`, `500ms`, `2w`, `7 days`,
 * `1.5 hours`.
 *
 * @since 0.1.0
 */
import { Either } from "effect"

const unitMillis: ReadonlyArray<readonly [RegExp, number]> = [
  [/^(ms|millis|milliseconds?)$/, 1],
  [/^(s|secs?|seconds?)$/, 1_000],
  [/^(m|mins?|minutes?)$/, 60_000],
  [/^(h|hrs?|hours?)$/, 3_600_000],
  [/^(d|days?)$/, 86_400_000],
  [/^(w|weeks?)$/, 604_800_000]
]

/**
 * The duration `text` names, in milliseconds, or why it names none.
 *
 * @since 0.1.0
 */
export const parseDuration = (text: string): Either.Either<number, string> => {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(text.trim())
  const unit = match === null ? undefined : unitMillis.find(([pattern]) => pattern.test(match[2]!.toLowerCase()))
  return match === null || unit === undefined
    ? Either.left(`Invalid duration ${JSON.stringify(text)}: expected a number and a unit, such as 1d, 12h, 30m or 7 days`)
    : Either.right(Math.round(Number(match[1]) * unit[1]))
}
