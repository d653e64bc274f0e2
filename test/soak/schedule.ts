/**
 * When the soak does what: a server restart and a cut of every connection at fixed points of the run, and
 * between them, every few seconds, alternately a SIGKILL and a SIGTERM of a worker. A kill or SIGTERM too
 * close before an outage would mix their effects (a kill's jobs recover about one lease later; a SIGTERM's
 * releases need the server), so those slots stay quiet.
 */

/** One chaos step. */
export type ChaosAction = "kill" | "term" | "restart" | "cut"

export interface ChaosEvent {
  /** Milliseconds after pushing began. */
  readonly at: number
  readonly action: ChaosAction
}

/** Where in the run the outages fall, as fractions of the push duration. */
export const RESTART_AT = 0.3
export const CUT_AT = 0.85
/** Quiet time after an outage, and beyond one lease before it. */
export const OUTAGE_GUARD_MS = 1_500

/** The chaos of a run pushing for `durationMs`, a step every `everyMs`, with leases of `leaseMs`. */
export const planChaos = (durationMs: number, everyMs: number, leaseMs: number): ReadonlyArray<ChaosEvent> => {
  const outages: ReadonlyArray<ChaosEvent> = [
    { at: Math.round(durationMs * RESTART_AT), action: "restart" },
    { at: Math.round(durationMs * CUT_AT), action: "cut" }
  ]
  const quiet = (at: number) =>
    outages.some((outage) => at >= outage.at - leaseMs - OUTAGE_GUARD_MS && at <= outage.at + OUTAGE_GUARD_MS)
  const steps: Array<ChaosEvent> = []
  for (let at = everyMs; at < durationMs; at += everyMs) {
    if (!quiet(at)) steps.push({ at, action: steps.length % 2 === 0 ? "kill" : "term" })
  }
  return [...steps, ...outages].sort((a, b) => a.at - b.at)
}
