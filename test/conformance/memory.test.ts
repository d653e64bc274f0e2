import { memoryDriver } from "effect-jobs"
import { runConformance } from "effect-jobs/testing"

runConformance("memory", () => memoryDriver)
