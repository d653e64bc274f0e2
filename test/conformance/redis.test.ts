import { runConformance } from "effect-jobs/testing"
import { redisTestDriver } from "../support/redis.js"

runConformance("redis", () => redisTestDriver())
