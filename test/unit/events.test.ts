/**
 * Bounded subscriptions: a subscriber that stops reading holds at most `eventsCapacity` events (its newest)
 * and never holds back the subscribers that keep reading.
 */
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Queue, Schema, Scope, Stream } from "effect"
import { InvalidOption, JobParameters, JobQueue, type JobEvent, type JobQueueOptions } from "effect-jobs"
import { makeEventHub } from "../../src/internal/events.js"
import { awaitSuspended, withMemoryQueue } from "./support.js"

class Count extends JobParameters<Count>()("Count", { n: Schema.Number }) {}

const jobs = 50

const describeEvent = (event: JobEvent) => `${event._tag} ${event.jobId}`

/**
 * Runs `jobs` jobs one after the other, reading every event of one subscriber while another never reads.
 * Returns the ids, what the reader saw, and the unread subscription.
 */
const runWithUnreadSubscriber = (options: JobQueueOptions) =>
  withMemoryQueue({ concurrency: 1, ...options }, Effect.gen(function*() {
    const queue = yield* JobQueue
    const unread = yield* queue.subscribe
    const reader = yield* queue.subscribe
    yield* queue.registerJob(Count, () => Effect.void)
    const ids: Array<string> = []
    const seen: Array<string> = []
    for (let n = 0; n < jobs; n++) {
      // One job at a time: the reader never has more than two events waiting, whatever the capacity.
      ids.push(yield* queue.push(new Count({ n })))
      for (let taken = 0; taken < 2; taken++) seen.push(describeEvent(yield* Queue.take(reader)))
    }
    return { ids, seen, unread, unreadSize: yield* Queue.size(unread) }
  }))

/**
 * Takes from `subscription` until the last event published has arrived; its events may still be on their
 * way to the subscription's buffer. Bounded, so a lost event fails the test instead of hanging it.
 */
const drainUntil = (subscription: Queue.Dequeue<JobEvent>, last: string) =>
  Effect.gen(function*() {
    const taken: Array<string> = []
    for (let tries = 0; taken.at(-1) !== last; tries++) {
      if (tries === 1_000) return yield* Effect.dieMessage(`"${last}" never arrived; got ${taken.join(", ")}`)
      taken.push(...Chunk.toReadonlyArray(yield* Queue.takeAll(subscription)).map(describeEvent))
      yield* Effect.yieldNow()
    }
    return taken
  })

const everyEvent = (ids: ReadonlyArray<string>) => ids.flatMap((id) => [`Started ${id}`, `Completed ${id}`])

describe("event subscriptions", () => {
  it.scoped("a subscriber that never reads holds at most eventsCapacity events, the newest ones", () =>
    Effect.gen(function*() {
      const capacity = 8
      const { ids, seen, unread, unreadSize } = yield* runWithUnreadSubscriber({ eventsCapacity: capacity })
      assert.deepStrictEqual(seen, everyEvent(ids), "the reading subscriber lost nothing")
      assert.isAtMost(unreadSize, capacity)
      const kept = yield* drainUntil(unread, `Completed ${ids.at(-1)}`)
      const all = everyEvent(ids)
      assert.deepStrictEqual(kept, all.slice(all.length - kept.length), "what is kept is the newest, in order")
      assert.isBelow(kept.length, all.length / 2, "the oldest were dropped")
    }))

  it.scoped("holds 1,000 events per subscriber by default", () =>
    Effect.gen(function*() {
      const { unreadSize } = yield* runWithUnreadSubscriber({})
      assert.strictEqual(unreadSize, 2 * jobs, "fewer events than the default capacity are all kept")
    }))

  it.scoped("\"unbounded\" keeps every event until read", () =>
    Effect.gen(function*() {
      const { ids, unread } = yield* runWithUnreadSubscriber({ eventsCapacity: "unbounded" })
      assert.deepStrictEqual(yield* drainUntil(unread, `Completed ${ids.at(-1)}`), everyEvent(ids))
    }))

  it.scoped("each run of the events stream is bounded the same way", () =>
    withMemoryQueue({ concurrency: 1, eventsCapacity: 4 }, Effect.gen(function*() {
      const queue = yield* JobQueue
      const reader = yield* queue.subscribe
      yield* queue.registerJob(Count, () => Effect.void)
      // A consumer that stops at its first event while jobs go on, then reads on.
      const streamed: Array<string> = []
      const resume = yield* Effect.makeLatch(false)
      const consumer = yield* queue.events.pipe(
        Stream.runForEach((event) =>
          Effect.sync(() => streamed.push(describeEvent(event))).pipe(
            Effect.zipRight(streamed.length === 1 ? resume.await : Effect.void)
          )
        ),
        Effect.forkScoped
      )
      // Subscribed once it waits for its first event.
      yield* awaitSuspended(consumer)
      const ids: Array<string> = []
      for (let n = 0; n < jobs; n++) {
        ids.push(yield* queue.push(new Count({ n })))
        for (let taken = 0; taken < 2; taken++) yield* Queue.take(reader)
      }
      yield* resume.open
      const all = everyEvent(ids)
      for (let tries = 0; streamed.at(-1) !== all.at(-1); tries++) {
        if (tries === 1_000) return yield* Effect.dieMessage(`the stream stopped at ${streamed.at(-1)}`)
        yield* Effect.yieldNow()
      }
      assert.strictEqual(streamed[0], all[0])
      // What the consumer had pulled before it stopped, then at most the 4 newest, then any still on their way.
      const rest = streamed.slice(streamed.indexOf(all[1]!) === 1 ? 2 : 1)
      assert.deepStrictEqual(rest, all.slice(all.length - rest.length))
      assert.isAtMost(streamed.length, 2 + 4 + 2)
    })))

  it.scoped("a capacity that is not a positive integer fails the queue with an InvalidOption naming it", () =>
    Effect.gen(function*() {
      for (const capacity of [0, -1, 2.5]) {
        const error = yield* Effect.flip(withMemoryQueue({ eventsCapacity: capacity }, JobQueue))
        assert.instanceOf(error, InvalidOption)
        assert.strictEqual(error.option, "eventsCapacity")
        assert.strictEqual(error.message, `eventsCapacity must be a positive integer or "unbounded", got ${capacity}`)
      }
    }))

  it.scoped("the hub knows whether anyone listens, so events nobody would get are never built", () =>
    Effect.gen(function*() {
      const hub = yield* makeEventHub<number>(10)
      assert.isFalse(hub.listening())
      const scope = yield* Scope.make()
      const subscription = yield* hub.subscribe.pipe(Scope.extend(scope))
      assert.isTrue(hub.listening())
      hub.publish(1)
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Queue.takeBetween(subscription, 1, 10)), [1])
      yield* Scope.close(scope, Exit.void)
      assert.isFalse(hub.listening())
    }))
})
