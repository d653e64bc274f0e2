/**
 * Generated job ids: their form, their order by push time, and ids fixed before a push is sent.
 */
import { describe, expect, it } from "@effect/vitest"
import { generateJobId, identifyJobs } from "../../src/internal/ids.js"

const form = /^[0-9A-HJKMNP-TV-Z]{26}$/

describe("generateJobId", () => {
  it.each([
    { now: 0, time: "0000000000" },
    { now: 1, time: "0000000001" },
    { now: 32, time: "0000000010" },
    { now: 1_700_000_000_000, time: "01HF7YAT00" },
    { now: -5, time: "0000000000" },
    { now: 2 ** 48 + 7, time: "7ZZZZZZZZZ" }
  ])("starts with the push time $now as 10 base32 digits", ({ now, time }) => {
    const id = generateJobId(now)
    expect(id).toMatch(form)
    expect(id.slice(0, 10)).toBe(time)
  })

  it("sorts ids of later pushes after earlier ones", () => {
    const times = [0, 1, 999, 1_000, 1_700_000_000_000, 1_700_000_000_001, 4_102_444_800_000]
    const ids = times.map(generateJobId)
    expect([...ids].sort()).toEqual(ids)
  })

  it("gives every push its own id, within one millisecond too", () => {
    const ids = Array.from({ length: 100_000 }, () => generateJobId(1_700_000_000_000))
    expect(new Set(ids).size).toBe(ids.length)
    // The random part uses the whole alphabet at every position.
    for (let position = 10; position < 26; position++) {
      expect(new Set(ids.map((id) => id[position])).size).toBe(32)
    }
  })
})

describe("identifyJobs", () => {
  const job = { name: "Tick", payload: "{}", priority: 0, runAt: 0 }

  it("keeps chosen ids and generates the others, marked as generated", () => {
    const [chosen, generated] = identifyJobs([{ ...job, id: "invoice:42" }, job], 0)
    expect(chosen).toEqual({ ...job, id: "invoice:42" })
    expect(generated).toEqual({ ...job, id: expect.stringMatching(form), generated: true })
  })
})
