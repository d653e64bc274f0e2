/**
 * The driver conformance suite: every driver runs it unchanged.
 *
 * ```ts
 * conformance("redis", () => testRedisDriver())
 * ```
 *
 * `makeDriver` builds a fresh, empty driver for each test (its own key prefix or schema), which it removes
 * when its scope closes.
 */
import { describe } from "@effect/vitest"
import { controlCases } from "./control.js"
import { failureCases } from "./failures.js"
import type { MakeDriver } from "./harness.js"
import { idCases } from "./ids.js"
import { leaseCases } from "./leases.js"
import { lifecycleCases } from "./lifecycle.js"
import { prefetchCases } from "./prefetch.js"
import { retentionCases } from "./retention.js"
import { schedulingCases } from "./scheduling.js"
import { shutdownCases } from "./shutdown.js"

export type { MakeDriver } from "./harness.js"

export const conformance = (driverName: string, makeDriver: MakeDriver): void => {
  describe(`conformance: ${driverName} driver`, () => {
    lifecycleCases(makeDriver)
    idCases(makeDriver)
    failureCases(makeDriver)
    leaseCases(makeDriver)
    controlCases(makeDriver)
    shutdownCases(makeDriver)
    prefetchCases(makeDriver)
    retentionCases(makeDriver)
    schedulingCases(makeDriver)
  })
}
