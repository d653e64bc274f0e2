/**
 * Helpers that build cron expressions for `JobQueue.schedule`.
 *
 * @since 0.1.0
 */

const check = (label: string, value: number, min: number, max: number) => {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${label} must be an integer in [${min}, ${max}], got ${value}`)
  }
  return value
}

/**
 * Every minute.
 *
 * @since 0.1.0
 */
export const everyMinute = "* * * * *"

/**
 * Every `n` minutes, on minutes divisible by `n` (`n` in 1..59).
 *
 * @since 0.1.0
 */
export const everyMinutes = (n: number): string => `*/${check("n", n, 1, 59)} * * * *`

/**
 * Every hour at `minute`.
 *
 * @since 0.1.0
 */
export const everyHourAt = (minute: number): string => `${check("minute", minute, 0, 59)} * * * *`

/**
 * Every day at `hour:minute` (in the schedule's time zone, UTC by default).
 *
 * @since 0.1.0
 */
export const everyDayAt = (hour: number, minute = 0): string =>
  `${check("minute", minute, 0, 59)} ${check("hour", hour, 0, 23)} * * *`

/**
 * Every week on `weekday` (0 = Sunday .. 6 = Saturday) at `hour:minute`.
 *
 * @since 0.1.0
 */
export const everyWeekAt = (weekday: number, hour: number, minute = 0): string =>
  `${check("minute", minute, 0, 59)} ${check("hour", hour, 0, 23)} * * ${check("weekday", weekday, 0, 6)}`

/**
 * Every month on `day` (1..31) at `hour:minute`.
 *
 * @since 0.1.0
 */
export const everyMonthAt = (day: number, hour: number, minute = 0): string =>
  `${check("minute", minute, 0, 59)} ${check("hour", hour, 0, 23)} ${check("day", day, 1, 31)} * *`

/**
 * The cron nicknames accepted wherever a cron expression is, and the expressions they stand for. Slots fall at
 * midnight (or the top of the hour) in the schedule's time zone; `@weekly` runs on Sundays.
 *
 * @since 0.1.0
 */
export const cronNicknames = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *"
} as const

/**
 * A cron nickname such as `"@daily"`.
 *
 * @since 0.1.0
 */
export type CronNickname = keyof typeof cronNicknames
