/**
 * The driver conformance suite: every driver runs it unchanged, the built-in ones included.
 *
 * ```ts
 * // test/my-driver.test.ts
 * import { runConformance } from "effect-jobs/testing"
 * runConformance("sqlite", () => sqliteDriver({ filename: ":memory:" }))
 * ```
 *
 * `makeDriverLayer` builds a fresh, empty driver for each test (its own key prefix, schema or file), which
 * removes what the test wrote when its scope closes.
 *
 * @since 0.1.0
 */
import { describe } from "@effect/vitest"
import { bulkCases } from "./bulk.js"
import { controlCases } from "./control.js"
import { failureCases } from "./failures.js"
import type { MakeDriverLayer } from "./harness.js"
import { idCases } from "./ids.js"
import { leaseCases } from "./leases.js"
import { lifecycleCases } from "./lifecycle.js"
import { listingCases } from "./listing.js"
import { operatingCases } from "./operating.js"
import { prefetchCases } from "./prefetch.js"
import { registrationCases } from "./registration.js"
import { retentionCases } from "./retention.js"
import { schedulingCases } from "./scheduling.js"
import { shutdownCases } from "./shutdown.js"

export type { MakeDriverLayer } from "./harness.js"

/**
 * Registers the whole conformance suite with vitest, under `conformance: <name> driver`. Call it at the top
 * level of a test file; `makeDriverLayer` is called once per test.
 *
 * @since 0.1.0
 */
export const runConformance = (driverName: string, makeDriverLayer: MakeDriverLayer): void => {
  describe(`conformance: ${driverName} driver`, () => {
    lifecycleCases(makeDriverLayer)
    idCases(makeDriverLayer)
    failureCases(makeDriverLayer)
    leaseCases(makeDriverLayer)
    controlCases(makeDriverLayer)
    shutdownCases(makeDriverLayer)
    prefetchCases(makeDriverLayer)
    retentionCases(makeDriverLayer)
    schedulingCases(makeDriverLayer)
    listingCases(makeDriverLayer)
    bulkCases(makeDriverLayer)
    operatingCases(makeDriverLayer)
    registrationCases(makeDriverLayer)
  })
}
