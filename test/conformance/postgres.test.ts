import { runConformance } from "effect-jobs/testing"
import { postgresTestDriver } from "../support/postgres.js"

runConformance("postgres", () => postgresTestDriver())
