/**
 * Concurrent pushes share one write: calls made in one event-loop turn go out together, and each caller gets
 * its own results, or its own error.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import type { PushResult } from "effect-jobs"
import { coalescePushes, MAX_COALESCED_JOBS } from "../../src/internal/coalesce.js"
import type { IdentifiedJob } from "../../src/internal/ids.js"

const job = (id: string): IdentifiedJob => ({ id, name: "Tick", payload: "{}", priority: 0, runAt: 0 })

/** A store that records each write and answers with the ids it got, or fails when told to. */
const recordingStore = (failWith?: string) => {
  const writes: Array<{ readonly ids: ReadonlyArray<string>; readonly now: number }> = []
  const send = (jobs: ReadonlyArray<IdentifiedJob>, now: number) => {
    writes.push({ ids: jobs.map((each) => each.id), now })
    return failWith === undefined
      ? Effect.succeed(jobs.map((each): PushResult => ({ id: each.id, inserted: true })))
      : Effect.fail(failWith)
  }
  return { writes, send }
}

describe("coalescePushes", () => {
  it.effect("calls in one turn share one write, at the latest time of them; each gets its own results", () =>
    Effect.gen(function*() {
      const store = recordingStore()
      const push = coalescePushes(store.send, (error: string) => error)
      const results = yield* Effect.all([
        push([job("a")], 10),
        push([job("b"), job("c")], 30),
        push([job("d")], 20)
      ], { concurrency: "unbounded" })
      assert.deepStrictEqual(store.writes, [{ ids: ["a", "b", "c", "d"], now: 30 }])
      assert.deepStrictEqual(results.map((each) => each.map((result) => result.id)), [["a"], ["b", "c"], ["d"]])
    }))

  it.effect("calls in later turns make writes of their own", () =>
    Effect.gen(function*() {
      const store = recordingStore()
      const push = coalescePushes(store.send, (error: string) => error)
      yield* push([job("a")], 1)
      yield* push([job("b")], 2)
      assert.deepStrictEqual(store.writes.map((write) => write.ids), [["a"], ["b"]])
    }))

  it.effect("a failed write fails every caller, each told in terms of its own jobs", () =>
    Effect.gen(function*() {
      const store = recordingStore("no answer")
      const push = coalescePushes(store.send, (error: string, jobs) => `${error}: ${jobs.map((each) => each.id).join(",")}`)
      const [first, second] = yield* Effect.all([
        Effect.either(push([job("a")], 1)),
        Effect.either(push([job("b"), job("c")], 1))
      ], { concurrency: "unbounded" })
      assert.deepStrictEqual(first, Either.left("no answer: a"))
      assert.deepStrictEqual(second, Either.left("no answer: b,c"))
    }))

  it.effect("a batch that would pass the size limit goes out before the call that would overfill it", () =>
    Effect.gen(function*() {
      const store = recordingStore()
      const push = coalescePushes(store.send, (error: string) => error)
      const big = Array.from({ length: MAX_COALESCED_JOBS - 1 }, (_, n) => job(`big-${n}`))
      yield* Effect.all([push(big, 1), push([job("x"), job("y")], 1)], { concurrency: "unbounded" })
      assert.deepStrictEqual(store.writes.map((write) => write.ids.length), [MAX_COALESCED_JOBS - 1, 2])
    }))
})
