/**
 * Recurring jobs: each cron slot becomes one push with an id derived from the schedule and the slot time. The
 * driver keeps the last slot pushed per schedule key and refuses any slot at or before it, so any number of
 * instances, restarts and retention settings push each slot at most once.
 */
import { Clock, Cron, Duration, Effect, Either } from "effect"
import { type InvalidJobParameters, type InvalidPushOptions, InvalidSchedule, type PayloadTooLarge } from "../QueueErrors.js"
import { cronNicknames, type CronNickname } from "../JobSchedule.js"

/**
 * What to do with slots that passed while no instance was running the schedule (within `catchUpWindow`):
 * `"none"` skips them, `"latest"` runs the most recent one, `"all"` runs each of them (the newest 1000 at most).
 * Slots at or before the last one pushed under the schedule's key are never pushed again.
 *
 * @since 0.1.0
 */
export type CatchUp = "none" | "latest" | "all"

/**
 * @since 0.1.0
 */
export interface ScheduleOptions {
  /**
   * Identifies the schedule across instances, restarts and deploys (default: the job name and the cron
   * expression). Keep it when changing the cron expression, so the new expression carries on after the last
   * slot the old one pushed.
   */
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

/** Where the never-fires probe starts looking: any fixed instant will do, this one keeps tests stable. */
const probeFrom = Date.UTC(2000, 0, 1)

const monthNames = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December"
]

/** February counts 29 days: a slot on the 29th fires in leap years. */
const longestMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** "a", "a or b", "a, b or c" (with `joiner` as the last word). */
const listOf = (items: ReadonlyArray<string | number>, joiner: string): string =>
  items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} ${joiner} ${items[items.length - 1]}`

/**
 * Why a parsed cron can never fire, or `undefined` when it can: a day of the month that none of its months
 * has ("0 0 30 2 *"). Only applies while no weekday is named, since a weekday makes any month fire.
 */
export const neverFiresReason = (cron: Cron.Cron): string | undefined => {
  if (cron.days.size === 0 || cron.weekdays.size > 0) return undefined
  const months = cron.months.size === 0 ? monthNames.map((_, index) => index + 1) : [...cron.months].sort((a, b) => a - b)
  const days = [...cron.days].sort((a, b) => a - b)
  if (months.some((month) => days.some((day) => day <= longestMonth[month - 1]!))) return undefined
  const names = months.map((month) => monthNames[month - 1]!)
  return `it never fires: ${listOf(names, "and")} ${names.length === 1 ? "has" : "have"} no day ${listOf(days, "or")}`
}

/** The expression a nickname stands for, the expression itself when it is none, `undefined` for an unknown one. */
export const expandNickname = (expression: string): string | undefined => {
  const trimmed = expression.trim()
  if (!trimmed.startsWith("@")) return expression
  return Object.hasOwn(cronNicknames, trimmed) ? cronNicknames[trimmed as CronNickname] : undefined
}

/**
 * Parses a cron expression (5 fields, 6 with seconds first, or a nickname such as `@daily`) in `timeZone`.
 * Fails with `InvalidSchedule` naming the expression and the reason when it does not parse or can never fire.
 */
export const parseCron = (expression: string, timeZone: string | undefined): Effect.Effect<Cron.Cron, InvalidSchedule> => {
  const invalid = (reason: string) =>
    Effect.fail(new InvalidSchedule({ expression, message: `Invalid cron expression ${JSON.stringify(expression)}: ${reason}` }))
  const expanded = expandNickname(expression)
  if (expanded === undefined) {
    return invalid(`unknown nickname; use one of ${listOf(Object.keys(cronNicknames), "or")}`)
  }
  return Either.match(Cron.parse(expanded, timeZone), {
    onLeft: (error) => invalid(error.input === expanded ? error.message : `${error.message} (in ${JSON.stringify(error.input)})`),
    onRight: (cron) => {
      const reason = neverFiresReason(cron)
      if (reason !== undefined) return invalid(reason)
      try {
        Cron.next(cron, probeFrom)
        return Effect.succeed(cron)
      } catch {
        return invalid("it never fires: no slot could be found")
      }
    }
  })
}

/**
 * Refuses a schedule none of whose slots could be pushed: `encoded` is a slot's job, and a key too long or
 * holding a character no store keeps, a priority out of range or a payload too large fail it the same way
 * for every slot.
 */
export const refuseUnpushable = <A>(
  expression: string,
  key: string,
  encoded: Effect.Effect<A, InvalidJobParameters | InvalidPushOptions | PayloadTooLarge>
): Effect.Effect<A, InvalidJobParameters | InvalidSchedule> =>
  Effect.catchIf(
    encoded,
    (error): error is InvalidPushOptions | PayloadTooLarge => error._tag !== "InvalidJobParameters",
    (error) =>
      Effect.fail(
        new InvalidSchedule({
          expression,
          message: `Schedule ${JSON.stringify(key)} cannot push its slots' jobs: ${error.message}`
        })
      )
  )

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

/** The slots a schedule starting at `now` pushes first, per its catch-up policy. */
const missedSlots = (cron: Cron.Cron, options: ScheduleOptions, now: number): Array<number> => {
  const catchUp = options.catchUp ?? "latest"
  if (catchUp === "none") return []
  const missed = slotsBetween(cron, now - Duration.toMillis(options.catchUpWindow ?? "1 hour"), now)
  return catchUp === "latest" ? missed.slice(-1) : missed
}

/** How far a schedule's pushing has got: every slot at or before `handled` is settled. */
interface Cursor {
  handled: number | undefined
}

/**
 * Pushes the slots due at start, then sleeps until each next slot and pushes it, forever. On its first start
 * the catch-up policy picks the missed slots; after a failure it resumes with every slot since the last one it
 * settled, so a failure costs no slot.
 */
const pushSlots = <E>(cron: Cron.Cron, options: ScheduleOptions, cursor: Cursor, pushSlot: (slot: number) => Effect.Effect<unknown, E>) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const due = cursor.handled === undefined ? missedSlots(cron, options, now) : slotsBetween(cron, cursor.handled, now)
    for (const slot of due) {
      yield* pushSlot(slot)
      cursor.handled = slot
    }
    cursor.handled = Math.max(cursor.handled ?? now, now)
    for (;;) {
      const next = Cron.next(cron, cursor.handled).getTime()
      const current = yield* Clock.currentTimeMillis
      if (next > current) yield* Effect.sleep(next - current)
      yield* pushSlot(next)
      cursor.handled = next
    }
  })

/** The longest wait before restarting a failed schedule; a schedule that ran this long starts over at 1 s. */
const maxRestartDelayMs = 60_000

/** The wait before the `failures`-th restart in a row: 1 s, doubling, at most 1 minute. */
export const restartDelay = (failures: number): Duration.Duration =>
  Duration.millis(Math.min(1_000 * 2 ** Math.max(0, failures - 1), maxRestartDelayMs))

/**
 * Runs a schedule until interrupted: `register` (storing its definition, so operators can list it) and then
 * its slots. Any failure or defect (a push the driver refused, an error thrown while computing the next slot)
 * is logged at ERROR with the schedule key, and the schedule restarts after `restartDelay`, resuming from the
 * last slot it settled.
 */
export const runSchedule = <E, E2>(
  cron: Cron.Cron,
  options: ScheduleOptions,
  key: string,
  pushSlot: (slot: number) => Effect.Effect<unknown, E>,
  register: Effect.Effect<void, E2> = Effect.void
): Effect.Effect<never> =>
  Effect.gen(function*() {
    const cursor: Cursor = { handled: undefined }
    let failures = 0
    for (;;) {
      const started = yield* Clock.currentTimeMillis
      const cause = yield* Effect.zipRight(register, pushSlots(cron, options, cursor, pushSlot)).pipe(
        Effect.sandbox,
        Effect.flip
      )
      const ranFor = (yield* Clock.currentTimeMillis) - started
      failures = ranFor >= maxRestartDelayMs ? 1 : failures + 1
      const delay = restartDelay(failures)
      yield* Effect.logError(`Schedule ${JSON.stringify(key)} failed; restarting in ${Duration.format(delay)}`, cause).pipe(
        Effect.annotateLogs("scheduleKey", key)
      )
      yield* Effect.sleep(delay)
    }
  })
