import { postgresTestDriver } from "../support/postgres.js"
import { conformance } from "./suite.js"

conformance("postgres", () => postgresTestDriver())
