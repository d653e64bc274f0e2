import { redisTestDriver } from "../support/redis.js"
import { conformance } from "./suite.js"

conformance("redis", () => redisTestDriver())
