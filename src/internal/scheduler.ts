/**
 * Recurring jobs: each cron slot becomes one push with an id derived from the schedule and the slot time, so
 * any number of instances running the same schedule insert each slot at most once.
 */
import { Clock, Cron, Duration, Effect, Either, Schedule } from "effect"
import { InvalidSchedule } from "../JobErrors.js"

/**
 * What to do with slots that passed while no instance was running the schedule (within `catchUpWindow`):
 * `"none"` skips them, `"latest"` runs the most recent one, `"all"` runs each of them (the newest 1000 at most).
 *
 * @since 0.1.0
 */
export type CatchUp = "none" | "latest" | "all"

/**
 * @since 0.1.0
 */
export interface ScheduleOptions {
  /** Identifies the schedule across instances and deploys (default: the job name and the cron expression). */
  readonly key?: string
  /** IANA time zone of the cron expression (default UTC). */
  readonly timeZone?: string
  /** Missed-slot policy (default `"latest"`). */
  readonly catchUp?: CatchUp
  /** How far back missed slots are looked for at start (default 1 hour). */
  readonly catchUpWindow?: Duration.DurationInput
  readonly priority?: number
  readonly maxAttempts?: number
}

/** The most slots a start-up catch-up pushes, so a tiny interval with a long window stays bounded. */
const maxCatchUpSlots = 1_000

export const parseCron = (expression: string, timeZone: string | undefined) =>
  Either.match(Cron.parse(expression, timeZone), {
    onLeft: (error) => Effect.fail(new InvalidSchedule({ expression, message: error.message })),
    onRight: Effect.succeed
  })

/** The deterministic job id of one slot. */
export const slotId = (key: string, slot: number): string => `schedule:${key}:${new Date(slot).toISOString()}`

/**
 * Slots strictly after `from` and at or before `to`, oldest first; when there are more than 1000, the newest
 * 1000. Walks back from `to`, so a long window costs at most 1000 steps.
 */
export const slotsBetween = (cron: Cron.Cron, from: number, to: number): Array<number> => {
  const slots: Array<number> = []
  // Cron.prev returns the slot strictly before a whole second: start just past `to`'s second.
  const start = Math.floor(to / 1_000) * 1_000 + 1_000
  for (let slot = Cron.prev(cron, start).getTime(); slot > from; slot = Cron.prev(cron, slot).getTime()) {
    if (slot <= to) slots.push(slot)
    if (slots.length >= maxCatchUpSlots) break
  }
  return slots.reverse()
}

/**
 * Runs a schedule forever: pushes missed slots per `catchUp`, then sleeps until each next slot and pushes it.
 * `pushSlot` must insert at most once per id (the driver's `id` contract).
 */
export const runSchedule = <E>(
  cron: Cron.Cron,
  options: ScheduleOptions,
  pushSlot: (slot: number) => Effect.Effect<unknown, E>
) =>
  Effect.gen(function*() {
    const catchUp = options.catchUp ?? "latest"
    const window = Duration.toMillis(options.catchUpWindow ?? "1 hour")
    let last = yield* Clock.currentTimeMillis
    if (catchUp !== "none") {
      const missed = slotsBetween(cron, last - window, last)
      const due = catchUp === "latest" ? missed.slice(-1) : missed
      for (const slot of due) yield* pushSlot(slot)
    }
    for (;;) {
      const next = Cron.next(cron, last).getTime()
      const now = yield* Clock.currentTimeMillis
      if (next > now) yield* Effect.sleep(next - now)
      yield* pushSlot(next).pipe(
        Effect.retry(Schedule.exponential("200 millis").pipe(Schedule.intersect(Schedule.recurs(5)))),
        Effect.catchAll((error) => Effect.logError(`Scheduled slot ${new Date(next).toISOString()} could not be pushed`, error))
      )
      last = next
    }
  })
