/**
 * A latch that remembers a notification until someone waits for it, so a signal sent while the waiter is
 * busy (between a claim and the next wait) is never lost. Notifying is synchronous and cheap.
 */
import { Deferred, Effect, FiberId } from "effect"

export interface Signal {
  readonly notify: () => void
  /** Completes at once if notified since the last wait, otherwise at the next notification. */
  readonly wait: Effect.Effect<void>
}

export const makeSignal = (): Signal => {
  let pending = false
  let waiter: Deferred.Deferred<void> | undefined
  return {
    notify: () => {
      if (waiter !== undefined) {
        const current = waiter
        waiter = undefined
        Deferred.unsafeDone(current, Effect.void)
      } else {
        pending = true
      }
    },
    wait: Effect.suspend(() => {
      if (pending) {
        pending = false
        return Effect.void
      }
      waiter ??= Deferred.unsafeMake<void>(FiberId.none)
      return Deferred.await(waiter)
    })
  }
}
