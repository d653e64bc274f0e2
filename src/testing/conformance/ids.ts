/**
 * Conformance: job ids. Generated ids never meet chosen ones, and a push stored twice (a re-sent command, a
 * second run of the same push) makes its jobs once.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import type { JobQueueShape, NewJob } from "../../index.js"
import { buildDriver, type MakeDriverLayer, setup, Tick } from "./harness.js"

/** What the queue stored for `id`: the job's `n`, which tells whose push wrote it. */
const storedN = (queue: JobQueueShape, id: string) =>
  queue.get(id).pipe(
    Effect.orDie,
    Effect.map((info) => (Option.getOrThrow(info).payload as { readonly n: number }).n)
  )

/** Ids shaped like `generated` but not equal to it: the same length and alphabet, one character off. */
const lookalikes = (generated: string): ReadonlyArray<string> => {
  const last = generated.at(-1)!
  return [
    generated.slice(0, -1) + (last === "0" ? "1" : "0"),
    "0" + generated.slice(1),
    generated.slice(0, -3) + "ZZZ",
    generated.toLowerCase() === generated ? generated.toUpperCase() : generated.toLowerCase()
  ].filter((id) => id !== generated)
}

export const idCases = (makeDriver: MakeDriverLayer) =>
  describe("ids", () => {
    it.scoped("generated ids never collide with chosen ids; chosen ids stay inserted at most once", () =>
      Effect.gen(function*() {
        const { queue } = yield* setup(makeDriver)
        let n = 0
        const plain: Array<string> = []
        for (let i = 0; i < 3; i++) plain.push(yield* queue.push(new Tick({ n: n++ })))
        // Small numbers, where a counter-based id starts, and numbers ahead of the pushes made so far, where
        // a push counter would land next; then ids shaped like the generated ones.
        const numbers = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i))
        const chosen = [...numbers(1, 200), ...numbers(230, 300), ...plain.flatMap(lookalikes)]
        const chosenN = new Map<string, number>()
        for (const id of chosen) {
          chosenN.set(id, n)
          assert.strictEqual(yield* queue.push(new Tick({ n: n++ }), { jobId: id }), id)
        }
        for (let i = 0; i < 50; i++) plain.push(yield* queue.push(new Tick({ n: n++ })))

        // Every push wrote its own job: none was taken for another.
        assert.strictEqual(new Set([...plain, ...chosen]).size, plain.length + chosen.length)
        assert.strictEqual((yield* queue.counts).pending, plain.length + chosen.length)
        for (const id of chosen) assert.strictEqual(yield* storedN(queue, id), chosenN.get(id))
        const plainN = [0, 1, 2, ...Array.from({ length: 50 }, (_, i) => 3 + chosen.length + i)]
        for (const [index, id] of plain.entries()) assert.strictEqual(yield* storedN(queue, id), plainN[index])

        // A chosen id, even one a plain push might have used, still names one job ever.
        for (const id of ["1", "100", "200", chosen.at(-1)!]) {
          assert.strictEqual(yield* queue.push(new Tick({ n: -1 }), { jobId: id }), id)
          assert.strictEqual(yield* storedN(queue, id), chosenN.get(id))
        }
        assert.strictEqual((yield* queue.counts).pending, plain.length + chosen.length)
      }))

    it.scoped("a push stored twice makes its jobs once, under the same ids", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        const job = (n: number, extra: Partial<NewJob> = {}): NewJob => ({
          name: "Tick",
          payload: JSON.stringify({ _tag: "Tick", n }),
          priority: 0,
          runAt: 0,
          ...extra
        })
        const push = driver.push({
          jobs: [job(1), job(2, { uniqueKey: "only-one" }), job(3, { id: "chosen" }), job(4)],
          now: 0
        })
        const first = yield* push
        const second = yield* push
        assert.deepStrictEqual(first.map((result) => result.inserted), [true, true, true, true])
        assert.deepStrictEqual(second.map((result) => result.id), first.map((result) => result.id))
        // Generated ids: the same push, so inserted. A chosen id cannot tell its own earlier write apart.
        assert.deepStrictEqual(second.map((result) => result.inserted), [true, true, false, true])
        assert.strictEqual((yield* driver.counts({ now: 0 })).pending, 4)

        // Another push is another job, whatever it carries.
        const [again] = yield* driver.push({ jobs: [job(1)], now: 0 })
        assert.isTrue(again!.inserted)
        assert.isFalse(first.some((result) => result.id === again!.id))
        // ... unless its unique key is held.
        const [held] = yield* driver.push({ jobs: [job(5, { uniqueKey: "only-one" })], now: 0 })
        assert.deepStrictEqual(held, { id: first[1]!.id, inserted: false })
        assert.strictEqual((yield* driver.counts({ now: 0 })).pending, 5)
      }))
  })
