/**
 * Key naming. Every key of one queue starts with `{prefix}:`, so they share a hash tag (one Redis Cluster
 * slot) and scripts may build keys from the prefix.
 */

/** Prefixes come from configuration: keep them to characters that cannot break the key scheme. */
const validPrefix = /^[A-Za-z0-9_.:-]{1,100}$/

/** `undefined` when the prefix is valid, otherwise why not. */
export const prefixProblem = (prefix: string): string | undefined =>
  validPrefix.test(prefix)
    ? undefined
    : `Invalid Redis key prefix ${JSON.stringify(prefix)}: use 1-100 characters from A-Z a-z 0-9 _ . : -`

/** The base every key of the queue starts with, e.g. `{myapp}:`. */
export const keyBase = (prefix: string): string => `{${prefix}}:`

export const jobKey = (base: string, id: string): string => `${base}job:${id}`
export const pausedKey = (base: string): string => `${base}paused`
export const wakeupChannel = (base: string): string => `${base}wakeup`
/** The hash of each schedule's last slot pushed; schedule keys are its fields, never part of a key name. */
export const schedulesKey = (base: string): string => `${base}schedules`
