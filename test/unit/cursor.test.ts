/**
 * Listing cursors: what a cursor holds comes back unchanged, only for the listing it was made for, and
 * anything else is refused with a readable `InvalidCursor`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { type CursorKey, decodeCursor, encodeCursor, listingOf } from "../../src/internal/cursor.js"

const decoded = (listing: string, cursor: string) => Effect.runSync(Effect.either(decodeCursor(listing, cursor)))

const base64url = (text: string) => Buffer.from(text, "utf8").toString("base64url")

describe("listingOf", () => {
  it.each([
    ["pending", "oldest", "pending oldest"],
    ["failed", "newest", "failed newest"],
    ["cancelled", "oldest", "cancelled oldest"]
  ])("names the %s %s listing", (state, order, listing) => {
    expect(listingOf(state, order)).toBe(listing)
  })
})

describe("encodeCursor and decodeCursor", () => {
  it.each<{ readonly key: CursorKey }>([
    { key: [1_700_000_000_000, 42] },
    { key: [0] },
    { key: [-5, 0.5] },
    { key: ["job-1"] },
    { key: [1_700_000_000_000, "01HF7YAT00ABCDEFGHJKMNPQRS"] },
    { key: ["名前 😀", "quote \" and \\ slash", ""] },
    { key: [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER] }
  ])("gives back the key $key of its own listing", ({ key }) => {
    const cursor = encodeCursor("failed newest", key)
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decoded("failed newest", cursor)).toEqual(Either.right(key))
  })

  it("makes different cursors for different listings and positions", () => {
    const cursors = [
      encodeCursor("pending oldest", [1, 2]),
      encodeCursor("pending newest", [1, 2]),
      encodeCursor("pending oldest", [1, 3]),
      encodeCursor("pending oldest", ["1", 2])
    ]
    expect(new Set(cursors).size).toBe(cursors.length)
  })

  const refused: ReadonlyArray<readonly [what: string, cursor: string, reason: string]> = [
    ["another listing's cursor", encodeCursor("pending newest", [1, 2]), "it belongs to the pending newest listing"],
    ["another state's cursor", encodeCursor("failed oldest", [1, 2]), "it belongs to the failed oldest listing"],
    ["a cursor naming no position", encodeCursor("pending oldest", []), "it is not a cursor"],
    ["plain text", "garbage", "it is not a cursor"],
    ["an empty text", "", "it is not a cursor"],
    ["text outside base64url", "%%% not a cursor %%%", "it is not a cursor"],
    ["a JSON object", base64url(JSON.stringify({ listing: "pending oldest" })), "it is not a cursor"],
    ["a JSON text", base64url(JSON.stringify("pending oldest")), "it is not a cursor"],
    ["a null key part", base64url(JSON.stringify(["pending oldest", null])), "it is not a cursor"],
    ["a boolean key part", base64url(JSON.stringify(["pending oldest", true])), "it is not a cursor"],
    ["a nested key part", base64url(JSON.stringify(["pending oldest", [1]])), "it is not a cursor"],
    ["a number past the float range", base64url(`["pending oldest",1e400]`), "it is not a cursor"],
    ["a listing that is not a text", base64url(JSON.stringify([7, 1])), "it belongs to the 7 listing"],
    ["truncated JSON", base64url(`["pending oldest",1`), "it is not a cursor"]
  ]

  it.each(refused)("refuses %s with InvalidCursor, quoting it and saying why", (_what, cursor, reason) => {
    const error = Either.getOrThrow(Either.flip(decoded("pending oldest", cursor)))
    expect(error._tag).toBe("InvalidCursor")
    expect(error.cursor).toBe(cursor)
    expect(error.message).toBe(`Invalid cursor ${JSON.stringify(cursor)} for pending oldest: ${reason}`)
  })
})
