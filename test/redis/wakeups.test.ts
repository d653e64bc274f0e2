/**
 * Wake-ups over pub/sub: a push through one driver instance (another process, as far as Redis can tell)
 * reaches the other's `wakeups` stream, and still does after its subscriber connection was killed.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, Queue, Stream } from "effect"
import { Redis } from "ioredis"
import { ANY_JOB, JobDriver, type JobDriverShape } from "../../src/JobDriver.js"
import { redisDriver } from "../../drivers/redis/index.js"
import { keyBase, wakeupChannel } from "../../drivers/redis/internal/keys.js"
import { redisTestDriver, redisUrl, uniquePrefix } from "../support/redis.js"

/** Collects a driver's wake-ups into a queue for as long as the scope lives. */
const collect = (driver: JobDriverShape) =>
  Effect.gen(function*() {
    const received = yield* Queue.unbounded<string>()
    yield* driver.wakeups.pipe(Stream.runForEach((name) => Queue.offer(received, name)), Effect.forkScoped)
    return received
  })

/** Pushes through `pusher` until `received` yields `name`, failing after the deadline (bounded polling). */
const pushUntilWoken = (pusher: JobDriverShape, received: Queue.Dequeue<string>, name: string, timeoutMs = 5_000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      yield* pusher.push({ jobs: [{ name, payload: "{}", priority: 0, runAt: 0 }], now: 0 })
      const startedAt = performance.now()
      for (;;) {
        const next = yield* Queue.take(received).pipe(Effect.timeout("200 millis"), Effect.option)
        if (Option.isNone(next)) break
        if (next.value === name) return performance.now() - startedAt
      }
    }
    return yield* Effect.dieMessage(`no wake-up for ${name} within ${timeoutMs} ms`)
  })

describe("redis driver: wake-ups", () => {
  it.scopedLive("a push through another instance wakes this one within milliseconds", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix("wake")
      const worker = Context.get(yield* Layer.build(redisTestDriver(prefix)), JobDriver)
      const pusher = Context.get(yield* Layer.build(redisDriver({ url: redisUrl, prefix })), JobDriver)
      const received = yield* collect(worker)
      yield* pushUntilWoken(pusher, received, "Warmup")
      const latencies: Array<number> = []
      // A name of its own each time: a push into a non-empty ready set signals nothing (see push.lua).
      for (let n = 0; n < 20; n++) latencies.push(yield* pushUntilWoken(pusher, received, `Email${n}`))
      latencies.sort((a, b) => a - b)
      // Generous bound: this asserts a push-driven signal, not a benchmark figure.
      expect(latencies[10]).toBeLessThan(50)
    }))

  it.scopedLive("resubscribes after its subscriber connection is killed, and signals a catch-up", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix("wake")
      const worker = Context.get(yield* Layer.build(redisTestDriver(prefix)), JobDriver)
      const pusher = Context.get(yield* Layer.build(redisDriver({ url: redisUrl, prefix })), JobDriver)
      const received = yield* collect(worker)
      yield* pushUntilWoken(pusher, received, "Before")

      const admin = yield* Effect.acquireRelease(
        Effect.sync(() => new Redis(redisUrl)),
        (client) => Effect.sync(() => client.disconnect())
      )
      const subscribers = yield* Effect.promise(() => admin.client("LIST") as Promise<string>)
      const line = subscribers.split("\n").find((entry) => entry.includes(`name=effect-jobs:wakeups:${prefix} `))
      expect(line).toBeDefined()
      const id = /\bid=(\d+)/.exec(line!)![1]!
      yield* Effect.promise(() => admin.client("KILL", "ID", id))

      // The reconnected subscriber first emits a catch-up signal for anything pushed while it was away...
      const deadline = Date.now() + 5_000
      let caughtUp = false
      while (!caughtUp && Date.now() < deadline) {
        const next = yield* Queue.take(received).pipe(Effect.timeout("200 millis"), Effect.option)
        caughtUp = Option.isSome(next) && next.value === ANY_JOB
      }
      expect(caughtUp).toBe(true)
      // ...and hears pushes from the other instance again.
      yield* pushUntilWoken(pusher, received, "After")
    }))

  it.scopedLive("a push publishes only when it can wake a sleeping worker", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix("wake")
      const driver = Context.get(yield* Layer.build(redisTestDriver(prefix)), JobDriver)
      const channel = wakeupChannel(keyBase(prefix))
      const heard = yield* Queue.unbounded<string>()
      const listener = yield* Effect.acquireRelease(
        Effect.promise(async () => {
          const client = new Redis(redisUrl)
          client.on("message", (_channel: string, name: string) => Queue.unsafeOffer(heard, name))
          await client.subscribe(channel)
          return client
        }),
        (client) => Effect.sync(() => client.disconnect())
      )
      void listener
      const publisher = yield* Effect.acquireRelease(
        Effect.sync(() => new Redis(redisUrl)),
        (client) => Effect.sync(() => client.disconnect())
      )
      /**
       * What `push` published, in order. A marker published after it arrives after anything the push
       * published (one connection delivers in order), so no message means none, without waiting.
       */
      const publishedBy = (name: string, runAt: number) =>
        Effect.gen(function*() {
          yield* driver.push({ jobs: [{ name, payload: "{}", priority: 0, runAt }], now: 1_000 })
          yield* Effect.promise(() => publisher.publish(channel, "marker"))
          const names: Array<string> = []
          for (let next = yield* Queue.take(heard); next !== "marker"; next = yield* Queue.take(heard)) names.push(next)
          return names
        })
      expect(yield* publishedBy("A", 0)).toEqual(["A"]) // ready set was empty
      expect(yield* publishedBy("A", 0)).toEqual([]) // a wake-up for A is already out
      expect(yield* publishedBy("B", 0)).toEqual(["B"]) // each name has its own ready set
      expect(yield* publishedBy("C", 5_000)).toEqual(["C"]) // the first delayed job
      expect(yield* publishedBy("C", 9_000)).toEqual([]) // later than the earliest: workers wake before it
      expect(yield* publishedBy("D", 3_000)).toEqual(["D"]) // earlier than every other delayed job
      const claimed = yield* driver.claim({ names: ["A"], limit: 10, owner: "w", leaseMs: 60_000, now: 1_000 })
      expect(claimed.jobs).toHaveLength(2)
      expect(yield* publishedBy("A", 0)).toEqual(["A"]) // empty again after the claim
    }))
})
