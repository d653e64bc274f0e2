/**
 * The timing of a drain: which deadline it keeps, and the process signals that cut it short.
 */
import { Effect } from "effect"

/**
 * Drains that overlap, or follow one another this closely, belong to one closing scope (its handler
 * registrations close one after another, then the queue) and share one deadline.
 */
export const DRAIN_JOIN_MS = 1_000

/**
 * After the deadline (or a second signal), this long is left to interrupt what still runs and record the
 * releases and outcomes; past it, what is unrecorded comes back through its lease.
 */
export const RELEASE_MARGIN_MS = 500

/** The drains of one closing scope: their shared deadline, how many are open, when the last one ended. */
export interface DrainWindow {
  readonly deadline: number
  readonly open: number
  readonly lastEndedAt: number
}

/**
 * The window a drain starting at `now` joins: the current one while a drain is open or ended within
 * `DRAIN_JOIN_MS`, otherwise a new one ending `timeoutMs` from now.
 */
export const openDrain = (current: DrainWindow | undefined, now: number, timeoutMs: number): DrainWindow =>
  current !== undefined && (current.open > 0 || now - current.lastEndedAt <= DRAIN_JOIN_MS)
    ? { ...current, open: current.open + 1 }
    : { deadline: now + timeoutMs, open: 1, lastEndedAt: now }

/** The window after one of its drains ended at `now`. */
export const closeDrain = (current: DrainWindow, now: number): DrainWindow => ({
  ...current,
  open: Math.max(0, current.open - 1),
  lastEndedAt: now
})

/** The process-wide signal API, when there is one (Node, Bun, Deno's Node layer). */
const signalTarget = (): NodeJS.Process | undefined => {
  const candidate = (globalThis as { process?: NodeJS.Process }).process
  return typeof candidate?.on === "function" && typeof candidate.removeListener === "function" ? candidate : undefined
}

/**
 * Runs `effect` with `onSignal` listening for `signals`: a signal that arrives during a drain means "stop
 * now" (the first one has already started the drain, and runtimes such as `NodeRuntime.runMain` stop
 * listening once they received it, so without this a second Ctrl-C would kill the process unreleased).
 */
export const listeningTo = <A, E, R>(
  signals: ReadonlyArray<NodeJS.Signals>,
  onSignal: (signal: NodeJS.Signals) => void,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => {
  const target = signalTarget()
  if (target === undefined || signals.length === 0) return effect
  return Effect.acquireUseRelease(
    Effect.sync(() => {
      const listener = (signal: NodeJS.Signals) => onSignal(signal)
      for (const signal of signals) target.on(signal, listener)
      return listener
    }),
    () => effect,
    (listener) =>
      Effect.sync(() => {
        for (const signal of signals) target.removeListener(signal, listener)
      })
  )
}
