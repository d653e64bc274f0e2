/**
 * Loads the driver's Lua scripts from `../scripts/`, expanding `--! include <name>` lines (the file
 * `includes/<name>.lua`) and `--! const NAME, ...` lines (a `local` of each constant, valued from
 * `scriptConstants`), and registers each as an ioredis command (EVALSHA, reloading the script on NOSCRIPT).
 */
import { readFileSync } from "node:fs"
import type { Redis } from "ioredis"
import { ANY_JOB, MAX_PRIORITY, MIN_PRIORITY } from "../../../src/driver/index.js"
import { keyNames, MEMBER_SEQ_DIGITS } from "./keys.js"

const scriptNames = [
  "push",
  "claim",
  "renew",
  "finish",
  "set-progress",
  "cancel",
  "retry",
  "counts",
  "prune",
  "resume",
  "push-slot",
  "list",
  "counts-by-name",
  "remove",
  "retry-all",
  "cancel-all",
  "register-schedule",
  "schedules",
  "remove-schedule",
  "heartbeat",
  "instances",
  "remove-instance"
] as const

/** The name of one Lua script (its file name without `.lua`). */
export type ScriptName = typeof scriptNames[number]

const read = (relative: string): string => readFileSync(new URL(`../scripts/${relative}`, import.meta.url), "utf8")

/**
 * The values a script may name in a `--! const` line: the key layout, the wake-up for every job name, the
 * priority bounds and the ready-set member layout, each defined once in TypeScript.
 */
export const scriptConstants: Readonly<Record<string, string | number>> = {
  KEY_JOB: keyNames.job,
  KEY_READY: keyNames.ready,
  KEY_DELAYED: keyNames.delayed,
  KEY_ACTIVE: keyNames.active,
  KEY_PENDING: keyNames.pending,
  KEY_COUNTS: keyNames.counts,
  KEY_SCHEDULES: keyNames.schedules,
  KEY_SCHEDULE_INFO: keyNames.scheduleInfo,
  KEY_INSTANCES: keyNames.instances,
  KEY_INSTANCE_EXPIRY: keyNames.instanceExpiry,
  KEY_PAUSED: keyNames.paused,
  KEY_UNIQUE: keyNames.unique,
  KEY_NAMES: keyNames.names,
  KEY_SEQ: keyNames.seq,
  CHANNEL_WAKEUP: keyNames.wakeup,
  ANY_JOB,
  MIN_PRIORITY,
  MAX_PRIORITY,
  MEMBER_SEQ_DIGITS
}

/** `local A, B = <value of A>, <value of B>` for a `--! const A, B` line; an unknown name is a defect. */
const declareConstants = (list: string): string => {
  const names = list.split(",").map((name) => name.trim())
  const values = names.map((name) => {
    const value = scriptConstants[name]
    if (value === undefined) throw new Error(`Unknown constant ${name} in a --! const line of a Redis script`)
    // A JSON string of these plain characters is the same string as a Lua literal.
    return JSON.stringify(value)
  })
  return `local ${names.join(", ")} = ${values.join(", ")}`
}

/** A script's text with its includes and constants written in. */
export const expandScript = (source: string): string =>
  source
    .replace(/^--! include (\S+)$/gm, (_line, name: string) => read(`includes/${name}.lua`))
    .replace(/^--! const (.+)$/gm, (_line, list: string) => declareConstants(list))

let sources: ReadonlyMap<ScriptName, string> | undefined

/** The scripts' source text, read once per process. */
export const scriptSources = (): ReadonlyMap<ScriptName, string> =>
  sources ??= new Map(scriptNames.map((name) => [name, expandScript(read(`${name}.lua`))]))

/** Scripts that take keys after the prefix (as arguments right after it); every other takes the prefix only. */
const extraKeys: Partial<Record<ScriptName, number>> = { "push-slot": 1 }

/** A client with the scripts defined as commands. Every script takes the key prefix as its first key. */
type ScriptedRedis = Redis & Record<ScriptName, (prefix: string, ...args: Array<string | number>) => Promise<unknown>>

/** Registers every script on `client`. */
export const defineScripts = (client: Redis): ScriptedRedis => {
  for (const [name, lua] of scriptSources()) client.defineCommand(name, { numberOfKeys: 1 + (extraKeys[name] ?? 0), lua })
  return client as ScriptedRedis
}
