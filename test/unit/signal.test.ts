/**
 * The worker's wake-up latch: a notification is never lost, never counted twice, and wakes every waiter.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import { makeSignal } from "../../src/internal/signal.js"
import { awaitSuspended } from "./support.js"

/** Whether `wait` completes within one (virtual) second. */
const completesSoon = (wait: Effect.Effect<void>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.timeoutOption(wait, "1 second"))
    yield* TestClock.adjust("1 second")
    return Option.isSome(yield* Fiber.join(fiber))
  })

describe("signal", () => {
  it.effect("remembers a notification sent before anyone waits, once", () =>
    Effect.gen(function*() {
      const signal = makeSignal()
      signal.notify()
      signal.notify()
      assert.isTrue(yield* completesSoon(signal.wait), "the earlier notification completes the first wait")
      assert.isFalse(yield* completesSoon(signal.wait), "two notifications before a wait count as one")
    }))

  it.effect("blocks until notified when nothing is pending", () =>
    Effect.gen(function*() {
      const signal = makeSignal()
      assert.isFalse(yield* completesSoon(signal.wait))
      const waiter = yield* Effect.fork(signal.wait)
      yield* awaitSuspended(waiter)
      signal.notify()
      yield* Fiber.join(waiter)
    }))

  it.effect("wakes every waiter with one notification, and leaves nothing pending after", () =>
    Effect.gen(function*() {
      const signal = makeSignal()
      const first = yield* Effect.fork(signal.wait)
      const second = yield* Effect.fork(signal.wait)
      yield* awaitSuspended(first)
      yield* awaitSuspended(second)
      signal.notify()
      yield* Fiber.join(first)
      yield* Fiber.join(second)
      assert.isFalse(yield* completesSoon(signal.wait), "the notification was used by the waiters")
    }))

  it.effect("a notification sent after the only waiter gave up waits for the next wait", () =>
    Effect.gen(function*() {
      // The claim loop races a wait against its sleep: the sleep wins, the loop claims, a wake-up arrives.
      const signal = makeSignal()
      const quitter = yield* Effect.fork(signal.wait)
      yield* awaitSuspended(quitter)
      yield* Fiber.interrupt(quitter)
      signal.notify()
      assert.isTrue(yield* completesSoon(signal.wait))
    }))

  it.effect("an interrupted waiter does not swallow the next notification for the others", () =>
    Effect.gen(function*() {
      const signal = makeSignal()
      const quitter = yield* Effect.fork(signal.wait)
      const stayer = yield* Effect.fork(signal.wait)
      yield* awaitSuspended(quitter)
      yield* awaitSuspended(stayer)
      yield* Fiber.interrupt(quitter)
      signal.notify()
      yield* Fiber.join(stayer)
    }))
})
