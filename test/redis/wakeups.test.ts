/**
 * Wake-ups over pub/sub: a push through one driver instance (another process, as far as Redis can tell)
 * reaches the other's `wakeups` stream, and still does after its subscriber connection was killed.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, Queue, Stream } from "effect"
import { Redis } from "ioredis"
import { ANY_JOB, JobDriver, type JobDriverShape } from "../../src/JobDriver.js"
import { redisDriver } from "../../drivers/redis/index.js"
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
      yield* pusher.push([{ name, payload: "{}", priority: 0, runAt: 0 }], 0)
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
      for (let n = 0; n < 20; n++) latencies.push(yield* pushUntilWoken(pusher, received, "Email"))
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
})
