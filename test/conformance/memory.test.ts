import { memoryDriver } from "../../drivers/memory/index.js"
import { conformance } from "./suite.js"

conformance("memory", () => memoryDriver)
