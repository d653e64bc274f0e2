/**
 * The memory driver's schedule records: per schedule key, the definition an instance registered, the last
 * slot pushed, and whether the schedule was removed.
 */
import type { ScheduleDefinition, ScheduleRecord } from "../../../src/driver/index.js"

type StoredSchedule = { -readonly [K in keyof ScheduleRecord]: ScheduleRecord[K] } & {
  /** Removed: unlisted, and refusing slots until registered again. */
  removed: boolean
}

const byKey = (a: ScheduleRecord, b: ScheduleRecord): number =>
  a.schedule < b.schedule ? -1 : a.schedule > b.schedule ? 1 : 0

const blank = (schedule: string): StoredSchedule => ({
  schedule,
  cron: undefined,
  timeZone: undefined,
  name: undefined,
  lastSlot: undefined,
  lastPushedAt: undefined,
  registeredAt: undefined,
  removed: false
})

/**
 * Schedule records by key. The last slot only moves forward and outlives both the slot's job and a removal,
 * so a slot never runs twice.
 */
export class ScheduleBook {
  private readonly records = new Map<string, StoredSchedule>()

  /** Records `slot` as the key's last slot at `now`, unless it is removed or an equal or later slot came first. */
  take(schedule: string, slot: number, now: number): boolean {
    const record = this.records.get(schedule)
    if (record !== undefined && (record.removed || (record.lastSlot !== undefined && slot <= record.lastSlot))) {
      return false
    }
    const stored = record ?? blank(schedule)
    stored.lastSlot = slot
    stored.lastPushedAt = now
    this.records.set(schedule, stored)
    return true
  }

  /** Stores a definition, replacing an earlier one, and ends a removal; the last slot is kept. */
  register({ cron, name, now, schedule, timeZone }: ScheduleDefinition): void {
    const stored = this.records.get(schedule) ?? blank(schedule)
    stored.cron = cron
    stored.timeZone = timeZone
    stored.name = name
    stored.registeredAt = now
    stored.removed = false
    this.records.set(schedule, stored)
  }

  /** Every record not removed, by key. */
  list(): ReadonlyArray<ScheduleRecord> {
    const listed: Array<ScheduleRecord> = []
    for (const { removed, ...record } of this.records.values()) if (!removed) listed.push(record)
    return listed.sort(byKey)
  }

  /** Marks the key's record removed; `false` when there was none, or it already was. */
  remove(schedule: string): boolean {
    const record = this.records.get(schedule)
    if (record === undefined || record.removed) return false
    record.removed = true
    return true
  }
}
