/**
 * Key naming. Every key of one queue starts with `{prefix}:`, so they share a hash tag (one Redis Cluster
 * slot) and scripts may build keys from the prefix. The layout after the prefix is written here only: the Lua
 * scripts get these names as constants when they load (`scripts.ts`).
 */

/**
 * The names after `{prefix}:`. Finished jobs are kept in one sorted set per state, by finish time, named
 * after the state (`completed`, `failed`, `cancelled`).
 */
export const keyNames = {
  /** A job's hash: `job:<id>`. */
  job: "job:",
  /** The ready jobs of one name, a sorted set by priority, then run time, then push order: `ready:<name>`. */
  ready: "ready:",
  /** Pending jobs not yet due, a sorted set by run time. */
  delayed: "delayed",
  /** Active jobs, a sorted set by lease expiry. */
  active: "active",
  /** Every pending job (ready or delayed), a sorted set by run time with the ready-set members, for listing. */
  pending: "pending",
  /** Jobs per state and name: a hash from `<state>:<name>` to the count (a field at zero is deleted). */
  counts: "counts",
  /** Present while the queue is paused. */
  paused: "paused",
  /** The pub/sub channel of wake-ups (a channel, not a key, named alike). */
  wakeup: "wakeup",
  /** Every job name pushed, so `counts` can find the ready sets. */
  names: "names",
  /** The push sequence. */
  seq: "seq",
  /** A hash from each held unique key to the id of the live job holding it. */
  unique: "unique",
  /** A hash from each schedule key to the last slot pushed under it. */
  schedules: "schedules",
  /**
   * A hash of what else is known per schedule key: `def:<key>` (its definition as JSON), `pushed:<key>` (when
   * its last slot was pushed) and `removed:<key>` (present while it is removed).
   */
  scheduleInfo: "schedule-info",
  /** A hash from each running instance's id to its heartbeat record (JSON). */
  instances: "instances",
  /** The instance ids, a sorted set by the time their record lapses. */
  instanceExpiry: "instance-expiry"
} as const

/** A ready-set member is `<push sequence in this many digits>:<id>`, so jobs of equal score order by push. */
export const MEMBER_SEQ_DIGITS = 16

/** Prefixes come from configuration: keep them to characters that cannot break the key scheme. */
const validPrefix = /^[A-Za-z0-9_.:-]{1,100}$/

/** `undefined` when the prefix is valid, otherwise why not. */
export const prefixProblem = (prefix: string): string | undefined =>
  validPrefix.test(prefix)
    ? undefined
    : `Invalid Redis key prefix ${JSON.stringify(prefix)}: use 1-100 characters from A-Z a-z 0-9 _ . : -`

/** The base every key of the queue starts with, e.g. `{myapp}:`. */
export const keyBase = (prefix: string): string => `{${prefix}}:`

/** A job's hash. */
export const jobKey = (base: string, id: string): string => `${base}${keyNames.job}${id}`
/** Present while the queue is paused. */
export const pausedKey = (base: string): string => `${base}${keyNames.paused}`
/** The pub/sub channel of wake-ups. */
export const wakeupChannel = (base: string): string => `${base}${keyNames.wakeup}`
/** The hash of each schedule's last slot pushed; schedule keys are its fields, never part of a key name. */
export const schedulesKey = (base: string): string => `${base}${keyNames.schedules}`
