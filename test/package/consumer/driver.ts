/**
 * A consumer of the packed `effect-jobs/driver`: a driver built with the kit alone (the memory driver's
 * operations, with a claim that records no outcomes, so `JobDriver.make` records them), run under a queue.
 */
import { Effect, Layer, Schema, Stream } from "effect"
import { JobParameters, JobQueue, makeMemoryDriver } from "effect-jobs"
import { driverError, JobDriver, type JobDriverShape } from "effect-jobs/driver"

class Greet extends JobParameters<Greet>()("Greet", { name: Schema.String }) {}

const kitDriver = Layer.effect(
  JobDriver,
  Effect.map(makeMemoryDriver, (memory): JobDriverShape =>
    JobDriver.make({
      ...memory,
      name: "kit",
      claim: (request) => Effect.map(memory.claim(request), ({ jobs, nextRunAt }) => ({ jobs, nextRunAt }))
    }))
)

const program = Effect.gen(function*() {
  const queue = yield* JobQueue
  const greeted: Array<string> = []
  yield* queue.registerJob(Greet, (params) => Effect.sync(() => greeted.push(params.name)))
  const completed = yield* queue.events.pipe(
    Stream.filter((event) => event._tag === "Completed"),
    Stream.take(2),
    Stream.runDrain,
    Effect.fork
  )
  yield* queue.pushMany([new Greet({ name: "Ada" }), new Greet({ name: "Grace" })])
  yield* completed.await
  const error = driverError("kit", "connect", new Error("connect ECONNREFUSED redis://:s3cret@cache:6379"))
  console.log(`driver kit: greeted ${greeted.sort().join(", ")}; ${error.message}`)
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(JobQueue.layer(kitDriver))))
