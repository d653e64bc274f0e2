/**
 * A wake-up that remembers a notification until someone waits for it, so a signal sent while the waiter is
 * busy (between a claim and the next wait) is never lost. Notifying is synchronous and cheap.
 *
 * Effect's `Latch` is a gate that stays open until closed; a signal is a latch that each wait closes again
 * as it passes, so one notification wakes the waiters of that moment and is then used up.
 */
import { Effect } from "effect"

interface Signal {
  readonly notify: () => void
  /** Completes at once if notified since the last wait, otherwise at the next notification. */
  readonly wait: Effect.Effect<void>
}

export const makeSignal = (): Signal => {
  const latch = Effect.unsafeMakeLatch(false)
  return {
    notify: () => latch.unsafeOpen(),
    wait: Effect.zipRight(latch.await, latch.close)
  }
}
