/**
 * Shutdown stays bounded when the store refuses to record: the flush gives up at the deadline plus a short
 * margin and names the jobs whose outcome it could not write.
 */
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer, Option, Schema, Scope, TestClock } from "effect"
import { DriverError, JobDriver, JobParameters, JobQueue, memoryDriver } from "effect-jobs"
import type { JobDriverShape } from "effect-jobs"
import { realPause, waitFor } from "../../src/testing/conformance/harness.js"
import { recordingLogger } from "./support.js"

class Work extends JobParameters<Work>()("Work", { n: Schema.Number }) {}

const refused = (operation: string) =>
  Effect.fail(new DriverError({ driver: "memory", operation, message: "the store refuses this outcome" }))

/** The memory driver, refusing every outcome (alone, or carried by a claim). */
const refusingDriver = Layer.effect(
  JobDriver,
  Effect.map(Layer.build(memoryDriver).pipe(Effect.map(Context.get(JobDriver))), (driver): JobDriverShape => ({
    ...driver,
    finish: () => refused("finish"),
    claim: (request) => request.finishing === undefined ? driver.claim(request) : refused("claim")
  }))
)

describe("shutdown", () => {
  it.scoped("gives up recording at the deadline plus a margin, naming the jobs, when the store refuses", () =>
    Effect.gen(function*() {
      const logger = recordingLogger()
      const scope = yield* Scope.make()
      const queue = yield* JobQueue.make({ shutdownTimeout: "10 seconds", pollInterval: "1 hour" }).pipe(
        Effect.provide(refusingDriver),
        Effect.provide(logger.layer),
        Scope.extend(scope)
      )
      const events = yield* queue.subscribe.pipe(Scope.extend(scope))
      yield* queue.registerJob(Work, () => Effect.void).pipe(Scope.extend(scope))
      const id = yield* queue.push(new Work({ n: 1 }))
      yield* waitFor(events, "Started", id)
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void).pipe(Effect.provide(logger.layer)))
      let simulated = 0
      while (Option.isNone(yield* Fiber.poll(closing))) {
        assert.isBelow(simulated, 12_000, "shutdown did not give up within the deadline plus its margin")
        yield* TestClock.adjust("100 millis")
        simulated += 100
        yield* realPause(1)
      }
      assert.isAtLeast(simulated, 10_000, "it kept trying until the deadline")
      const given = logger.lines.find((line) => line.level === "ERROR" && String(line.message[0]).includes("Could not record"))
      assert.isDefined(given, "an ERROR line says what could not be recorded")
      assert.include(String(given!.message[0]), id)
    }))
})
