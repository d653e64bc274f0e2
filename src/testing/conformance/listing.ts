/**
 * Conformance: `list` pages through one state by state time (filters, search, stable paging, refused
 * cursors) and `countsByName` counts per job name.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { type JobState, stateTime } from "../../index.js"
import { buildDriver, type MakeDriverLayer } from "./harness.js"
import {
  cancelJob,
  claimJobs,
  finishJob,
  hour,
  idsOf,
  listAll,
  listIds,
  pagesOf,
  pushJobs,
  stateOf,
  t0
} from "./staging.js"

const zero = { pending: 0, delayed: 0, active: 0, completed: 0, failed: 0, cancelled: 0 }

export const listingCases = (makeDriver: MakeDriverLayer) =>
  describe("listing", () => {
    it.scoped("lists one state by state time, oldest or newest first, as full records", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        // Push order, run time (the claim order) and state time differ, so only state time gives the order.
        yield* pushJobs(driver, [
          { id: "p1", runAt: t0 + 3 * hour },
          { id: "p2", runAt: t0 + hour },
          { id: "p3", runAt: t0 + 2 * hour },
          { id: "a1", runAt: t0 + 3 },
          { id: "a2", runAt: t0 + 1 },
          { id: "c1", runAt: t0 + 4 },
          { id: "c2", runAt: t0 + 5 },
          { id: "c3", runAt: t0 + 2 },
          { id: "f1", runAt: t0 + 6 },
          { id: "f2", runAt: t0 + 7 },
          { id: "x1", runAt: t0 + 8 },
          { id: "x2", runAt: t0 + 9 }
        ])
        const started = ["a2", "c3", "a1", "c1", "c2", "f1", "f2", "x1"]
        for (const [index, id] of started.entries()) yield* claimJobs(driver, [id], t0 + 10 * (index + 1))
        yield* cancelJob(driver, "x2", t0 + 90)
        yield* cancelJob(driver, "x1", t0 + 95)
        yield* finishJob(driver, "c2", "Completed", t0 + 100)
        yield* finishJob(driver, "c3", "Completed", t0 + 110)
        yield* finishJob(driver, "c1", "Completed", t0 + 120)
        yield* finishJob(driver, "f2", "Failed", t0 + 130)
        yield* finishJob(driver, "f1", "Failed", t0 + 140)
        const oldestFirst: Record<JobState, ReadonlyArray<string>> = {
          pending: ["p2", "p3", "p1"],
          active: ["a2", "a1"],
          completed: ["c2", "c3", "c1"],
          failed: ["f2", "f1"],
          cancelled: ["x2", "x1"]
        }
        for (const [state, expected] of Object.entries(oldestFirst) as Array<[JobState, ReadonlyArray<string>]>) {
          const oldest = yield* listAll(driver, { state }, "oldest")
          assert.deepStrictEqual(idsOf(oldest), expected, `${state} oldest`)
          assert.deepStrictEqual(yield* listIds(driver, { state }, "newest"), [...expected].reverse(), `${state} newest`)
          for (const job of oldest) {
            assert.deepStrictEqual(job, Option.getOrThrow(yield* driver.get({ id: job.id })), `${job.id} as get has it`)
          }
        }
      }))

    it.scoped("pages with a small limit return every job once, in order, and end with next undefined", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        // 25 jobs over 5 run times, pushed out of time order, so many share a state time.
        const ids = Array.from({ length: 25 }, (_, i) => `job-${String(i).padStart(2, "0")}`)
        yield* pushJobs(driver, ids.map((id, i) => ({ id, runAt: t0 + hour + ((i * 3) % 5) * 1_000 })))
        const checkPaging = (state: JobState, expected: ReadonlyArray<string>) =>
          Effect.gen(function*() {
            for (const order of ["oldest", "newest"] as const) {
              const listed = (yield* pagesOf(driver, { state }, order, 4).pipe(Effect.orDie)).flat()
              assert.deepStrictEqual([...idsOf(listed)].sort(), [...expected].sort(), `${state} ${order}: each once`)
              const times = listed.map(stateTime)
              const sorted = [...times].sort((a, b) => order === "oldest" ? a - b : b - a)
              assert.deepStrictEqual(times, sorted, `${state} ${order}: by state time`)
              // Equal state times keep one fixed order: the same listing read in bigger pages agrees.
              assert.deepStrictEqual(idsOf(listed), yield* listIds(driver, { state }, order, 100), `${state} ${order}`)
            }
          })
        yield* checkPaging("pending", ids)
        // 12 of them start at one time, and then finish at one time.
        const claimed = yield* driver.claim({ names: ["Tick"], limit: 12, owner: "w", leaseMs: hour, now: t0 + 2 * hour })
          .pipe(Effect.orDie)
        const started = claimed.jobs.map((job) => job.id)
        assert.strictEqual(started.length, 12)
        yield* checkPaging("active", started)
        yield* checkPaging("pending", ids.filter((id) => !started.includes(id)))
        const lost = yield* driver.finish({
          outcomes: started.map((id) => ({ _tag: "Completed" as const, id, owner: "w" })),
          removeOnComplete: false,
          now: t0 + 3 * hour
        }).pipe(Effect.orDie)
        assert.deepStrictEqual(lost, [])
        yield* checkPaging("completed", started)
        assert.deepStrictEqual(yield* listIds(driver, { state: "active" }), [])
      }))

    it.scoped("a cursor names a position: jobs removed or added before it shift nothing after it", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        const ids = Array.from({ length: 10 }, (_, i) => `job-${i}`)
        yield* pushJobs(driver, ids.map((id, i) => ({ id, runAt: t0 + hour + i * 1_000 })))
        const seen: Array<string> = []
        let after: string | undefined
        while (seen.length < 3) {
          const page = yield* driver.list({ filter: { state: "pending" }, order: "oldest", limit: 3, after })
          seen.push(...idsOf(page.jobs))
          assert.isDefined(page.next, "jobs follow")
          after = page.next
        }
        assert.deepStrictEqual(seen, ids.slice(0, seen.length))
        assert.deepStrictEqual(yield* driver.remove({ ids: seen }), seen.map(() => "removed"))
        yield* pushJobs(driver, [{ id: "early", runAt: t0 + 1 }])
        const rest = yield* pagesOf(driver, { state: "pending" }, "oldest", 3, after)
        assert.deepStrictEqual(rest.flat().map((job) => job.id), ids.slice(seen.length))
      }))

    it.scoped("filters by names; an absent or empty list means every name", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        yield* pushJobs(driver, [
          { id: "t1", name: "Tick", runAt: t0 + hour },
          { id: "g1", name: "Greet", runAt: t0 + 2 * hour },
          { id: "o1", name: "Other", runAt: t0 + 3 * hour },
          { id: "t2", name: "Tick", runAt: t0 + 4 * hour }
        ])
        assert.deepStrictEqual(yield* listIds(driver, { state: "pending", names: ["Tick", "Greet"] }), ["t1", "g1", "t2"])
        assert.deepStrictEqual(yield* listIds(driver, { state: "pending", names: ["Other"] }, "newest"), ["o1"])
        assert.deepStrictEqual(yield* listIds(driver, { state: "pending", names: [] }), ["t1", "g1", "o1", "t2"])
        assert.deepStrictEqual(yield* listIds(driver, { state: "pending" }, "newest"), ["t2", "o1", "g1", "t1"])
        assert.deepStrictEqual(yield* listIds(driver, { state: "pending", names: ["Missing"] }), [])
        assert.deepStrictEqual(yield* listIds(driver, { state: "failed" }), [])
      }))

    it.scoped("ranges on state time: from inclusive, to exclusive", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        yield* pushJobs(driver, [
          { id: "q3", runAt: t0 + 3_000 },
          { id: "q1", runAt: t0 + 1_000 },
          { id: "q4", runAt: t0 + 4_000 },
          { id: "q2", runAt: t0 + 2_000 },
          { id: "f1", runAt: t0 - 30 },
          { id: "f2", runAt: t0 - 20 },
          { id: "f3", runAt: t0 - 10 }
        ])
        const pending = (from?: number, to?: number) => listIds(driver, { state: "pending", from, to })
        assert.deepStrictEqual(yield* pending(t0 + 2_000, t0 + 4_000), ["q2", "q3"])
        assert.deepStrictEqual(yield* pending(t0 + 2_000), ["q2", "q3", "q4"])
        assert.deepStrictEqual(yield* pending(undefined, t0 + 2_000), ["f1", "f2", "f3", "q1"])
        assert.deepStrictEqual(yield* pending(t0 + 2_000, t0 + 2_000), [])
        assert.deepStrictEqual(yield* pending(t0 + 1_999, t0 + 2_001), ["q2"])
        // Failed jobs range on when they failed, which runs against their run times here.
        yield* claimJobs(driver, ["f1", "f2", "f3"], t0)
        yield* finishJob(driver, "f3", "Failed", t0 + 100)
        yield* finishJob(driver, "f2", "Failed", t0 + 200)
        yield* finishJob(driver, "f1", "Failed", t0 + 300)
        const failed = (from: number | undefined, to: number | undefined, order: "oldest" | "newest" = "oldest") =>
          listIds(driver, { state: "failed", from, to }, order)
        assert.deepStrictEqual(yield* failed(t0 + 200, undefined), ["f2", "f1"])
        assert.deepStrictEqual(yield* failed(undefined, t0 + 200), ["f3"])
        assert.deepStrictEqual(yield* failed(t0 + 100, t0 + 300, "newest"), ["f2", "f3"])
      }))

    it.scoped("search is a case-sensitive substring of the id, the unique key or the payload text", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        yield* pushJobs(driver, [
          { id: "order-17", payload: JSON.stringify({ customer: "Ada" }), uniqueKey: "invoice-42", runAt: t0 + hour },
          { id: "order-18", payload: JSON.stringify({ customer: "ada lovelace" }), runAt: t0 + 2 * hour },
          {
            id: "ship-3",
            payload: JSON.stringify({ note: "50% off_now (a+b)*[c] ^$" }),
            uniqueKey: "crate.9",
            runAt: t0 + 3 * hour
          }
        ])
        const search = (text: string) => listIds(driver, { state: "pending", search: text })
        assert.deepStrictEqual(yield* search("order-1"), ["order-17", "order-18"])
        assert.deepStrictEqual(yield* search("-1"), ["order-17", "order-18"])
        assert.deepStrictEqual(yield* search("invoice-4"), ["order-17"])
        assert.deepStrictEqual(yield* search("Ada"), ["order-17"])
        assert.deepStrictEqual(yield* search("ADA"), [])
        assert.deepStrictEqual(yield* search("lovelace"), ["order-18"])
        assert.deepStrictEqual(yield* search(`"customer":`), ["order-17", "order-18"])
        // Characters that mean something to LIKE, regular expressions or Lua patterns are plain text.
        for (const text of ["%", "_", ".", "(a+b)*[c]", "^$", "crate.9"]) {
          assert.deepStrictEqual(yield* search(text), ["ship-3"], `search ${JSON.stringify(text)}`)
        }
        assert.deepStrictEqual(yield* search(""), ["order-17", "order-18", "ship-3"])
        assert.deepStrictEqual(yield* listIds(driver, { state: "pending", search: "order", names: ["Greet"] }), [])
      }))

    it.scoped("refuses a cursor from another state or order, or one it never made, with InvalidCursor", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        yield* pushJobs(driver, [1, 2, 3].map((n) => ({ id: `job-${n}`, runAt: t0 + n * hour })))
        const first = yield* driver.list({ filter: { state: "pending" }, order: "oldest", limit: 1 })
        const cursor = first.next
        assert.isDefined(cursor, "jobs follow")
        const refused = (state: JobState, order: "oldest" | "newest", after: string) =>
          driver.list({ filter: { state }, order, limit: 10, after }).pipe(
            Effect.flip,
            Effect.map((error) => error._tag)
          )
        assert.strictEqual(yield* refused("pending", "newest", cursor!), "InvalidCursor")
        assert.strictEqual(yield* refused("failed", "oldest", cursor!), "InvalidCursor")
        assert.strictEqual(yield* refused("pending", "oldest", "garbage"), "InvalidCursor")
        assert.strictEqual(yield* refused("pending", "oldest", "not a cursor!"), "InvalidCursor")
        const bulk = { limit: 10, now: t0, after: "garbage" }
        assert.strictEqual((yield* Effect.flip(driver.retryAll({ ...bulk, filter: { state: "failed" } })))._tag, "InvalidCursor")
        // Bulk calls go through their state's oldest listing, so a newest cursor is not theirs.
        const newest = yield* driver.list({ filter: { state: "pending" }, order: "newest", limit: 1 })
        assert.isDefined(newest.next, "jobs follow")
        assert.strictEqual(
          (yield* Effect.flip(driver.cancelAll({ ...bulk, filter: { state: "pending" }, after: newest.next! })))._tag,
          "InvalidCursor"
        )
        // Nothing was changed, and the cursor still reads its own listing.
        assert.strictEqual(yield* stateOf(driver, "job-2"), "pending")
        const rest = yield* pagesOf(driver, { state: "pending" }, "oldest", 10, cursor)
        assert.deepStrictEqual([...idsOf(first.jobs), ...rest.flat().map((job) => job.id)], ["job-1", "job-2", "job-3"])
      }))

    it.scoped("countsByName counts each name as counts does, by name, and drops names with no jobs", () =>
      Effect.gen(function*() {
        const driver = yield* buildDriver(makeDriver)
        yield* pushJobs(driver, [
          { id: "t1", name: "Tick", runAt: t0 },
          { id: "t2", name: "Tick", runAt: t0 + hour },
          { id: "t3", name: "Tick", runAt: t0 - 2 },
          { id: "t4", name: "Tick", runAt: t0 - 1 },
          { id: "g1", name: "Greet", runAt: t0 },
          { id: "g2", name: "Greet", runAt: t0 + hour },
          { id: "o1", name: "Other", runAt: t0 + 2 * hour },
          { id: "s1", name: "Solo", runAt: t0 }
        ])
        yield* claimJobs(driver, ["t3"], t0 + 10)
        yield* claimJobs(driver, ["t4"], t0 + 20)
        yield* finishJob(driver, "t4", "Completed", t0 + 25)
        yield* claimJobs(driver, ["g1"], t0 + 30, "Greet")
        yield* finishJob(driver, "g1", "Failed", t0 + 35)
        yield* cancelJob(driver, "g2", t0 + 40)
        // A job removed as it completes leaves no count behind.
        yield* claimJobs(driver, ["s1"], t0 + 45, "Solo")
        yield* finishJob(driver, "s1", "Completed", t0 + 46, true)
        const now = t0 + 50
        assert.deepStrictEqual(yield* driver.countsByName({ now }), [
          { name: "Greet", counts: { ...zero, failed: 1, cancelled: 1 } },
          { name: "Other", counts: { ...zero, pending: 1, delayed: 1 } },
          { name: "Tick", counts: { ...zero, pending: 2, delayed: 1, active: 1, completed: 1 } }
        ])
        const total = yield* driver.counts({ now })
        assert.deepStrictEqual(total, { pending: 3, delayed: 2, active: 1, completed: 1, failed: 1, cancelled: 1 })
        // Delayed is counted against the request's time.
        const later = yield* driver.countsByName({ now: t0 + 2 * hour })
        assert.deepStrictEqual(later.map(({ counts }) => counts.delayed), [0, 0, 0])
        assert.deepStrictEqual(yield* driver.remove({ ids: ["g1", "g2", "o1"] }), ["removed", "removed", "removed"])
        assert.deepStrictEqual(yield* driver.countsByName({ now }), [
          { name: "Tick", counts: { ...zero, pending: 2, delayed: 1, active: 1, completed: 1 } }
        ])
      }))
  })
