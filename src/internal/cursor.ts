/**
 * Listing cursors: the position after a page's last job, as an opaque URL-safe string. A cursor names the
 * listing it belongs to (state and order), so one from another listing is refused instead of misread.
 */
import { Effect } from "effect"
import { InvalidCursor } from "../QueueErrors.js"

/** What a cursor holds besides its listing: the sort key of the last job returned (numbers and texts). */
export type CursorKey = ReadonlyArray<string | number>

const invalid = (cursor: string, listing: string, reason: string) =>
  new InvalidCursor({ cursor, message: `Invalid cursor ${JSON.stringify(cursor)} for ${listing}: ${reason}` })

/** The cursor of position `key` in `listing` (such as `"failed newest"`). */
export const encodeCursor = (listing: string, key: CursorKey): string =>
  Buffer.from(JSON.stringify([listing, ...key]), "utf8").toString("base64url")

const isKeyPart = (value: unknown): value is string | number =>
  typeof value === "string" || (typeof value === "number" && Number.isFinite(value))

/** The position a cursor made by `encodeCursor(listing, key)` holds; `InvalidCursor` for anything else. */
export const decodeCursor = (listing: string, cursor: string): Effect.Effect<CursorKey, InvalidCursor> =>
  Effect.suspend(() => {
    let parsed: unknown
    try {
      parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))
    } catch {
      return Effect.fail(invalid(cursor, listing, "it is not a cursor"))
    }
    if (!Array.isArray(parsed) || parsed.length < 2 || !parsed.every(isKeyPart)) {
      return Effect.fail(invalid(cursor, listing, "it is not a cursor"))
    }
    const [from, ...key] = parsed
    return from === listing
      ? Effect.succeed(key)
      : Effect.fail(invalid(cursor, listing, `it belongs to the ${String(from)} listing`))
  })

/** The listing name a cursor is made for: the filter's state and the order. */
export const listingOf = (state: string, order: string): string => `${state} ${order}`
