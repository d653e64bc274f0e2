/**
 * The systems of the separate-process benchmark per server, each set up as it documents for production.
 * The benchmark and its worker processes look systems up here by name.
 */
import { bullmqSplit } from "./bullmq.js"
import { effectJobsSplit, memoryBackend, postgresBackend, redisBackend } from "./effect-jobs.js"
import { graphileSplit } from "./graphile.js"
import { pgBossSplit } from "./pgboss.js"
import { databaseUrl, redisUrl } from "./servers.js"
import type { SplitSystem } from "./system.js"

/** The servers a run can compare on. */
export const serverNames = ["redis", "postgres", "memory"] as const

export type ServerName = (typeof serverNames)[number]

/** effect-jobs first, then its peers on the same server. */
export const splitSystems = (server: ServerName): ReadonlyArray<SplitSystem> => {
  switch (server) {
    case "redis":
      return [effectJobsSplit(redisBackend(redisUrl)), bullmqSplit(redisUrl)]
    case "postgres":
      return [effectJobsSplit(postgresBackend(databaseUrl)), graphileSplit(databaseUrl, true), pgBossSplit(databaseUrl)]
    case "memory":
      return [effectJobsSplit(memoryBackend())]
  }
}
