/**
 * Loads the driver's Lua scripts from `../scripts/`, expanding `--! include <name>` lines, and registers each
 * as an ioredis command (EVALSHA, reloading the script on NOSCRIPT).
 */
import { readFileSync } from "node:fs"
import type { Redis } from "ioredis"

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
  "push-slot"
] as const

/** The name of one Lua script (its file name without `.lua`). */
export type ScriptName = typeof scriptNames[number]

const read = (relative: string): string => readFileSync(new URL(`../scripts/${relative}`, import.meta.url), "utf8")

const expand = (source: string): string =>
  source.replace(/^--! include (\S+)$/gm, (_line, name: string) => read(`includes/${name}.lua`))

let sources: ReadonlyMap<ScriptName, string> | undefined

/** The scripts' source text, read once per process. */
export const scriptSources = (): ReadonlyMap<ScriptName, string> =>
  sources ??= new Map(scriptNames.map((name) => [name, expand(read(`${name}.lua`))]))

/** Scripts that take keys after the prefix (as arguments right after it); every other takes the prefix only. */
const extraKeys: Partial<Record<ScriptName, number>> = { "push-slot": 1 }

/** A client with the scripts defined as commands. Every script takes the key prefix as its first key. */
export type ScriptedRedis = Redis & Record<ScriptName, (prefix: string, ...args: Array<string | number>) => Promise<unknown>>

/** Registers every script on `client`. */
export const defineScripts = (client: Redis): ScriptedRedis => {
  for (const [name, lua] of scriptSources()) client.defineCommand(name, { numberOfKeys: 1 + (extraKeys[name] ?? 0), lua })
  return client as ScriptedRedis
}
