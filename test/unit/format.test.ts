import { describe, expect, it } from "@effect/vitest"
import { storable, unstorableCharacter } from "../../src/internal/format.js"

describe("storable texts", () => {
  const cases: ReadonlyArray<readonly [input: string, stored: string, refused: string | undefined]> = [
    ["plain", "plain", undefined],
    ["emoji 😀 and 名", "emoji 😀 and 名", undefined],
    ["bad\u0000byte", "bad\ufffdbyte", "a NUL character (U+0000)"],
    ["\u0000\u0000", "\ufffd\ufffd", "a NUL character (U+0000)"],
    ["half \ud83d", "half \ufffd", "an unpaired UTF-16 surrogate"],
    ["\ude00 first", "\ufffd first", "an unpaired UTF-16 surrogate"],
    ["both \u0000 and \ud83d", "both \ufffd and \ufffd", "a NUL character (U+0000)"],
    ["\u0001 other control characters stay", "\u0001 other control characters stay", undefined]
  ]

  it("replaces NUL and unpaired surrogates with U+FFFD and names the first kind found", () => {
    for (const [input, stored, refused] of cases) {
      expect([input, storable(input), unstorableCharacter(input)]).toEqual([input, stored, refused])
    }
  })

  it("gives the same answer when called again (no state kept between calls)", () => {
    for (const [input, , refused] of cases) expect(unstorableCharacter(input)).toBe(refused)
  })
})
