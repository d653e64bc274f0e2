/**
 * A consumer of the packed `effect-jobs`: runs two jobs on the memory driver and prints who was greeted.
 */
import { Effect, Schema, Stream } from "effect"
import { JobParameters, JobQueue, memoryDriver } from "effect-jobs"

class Greet extends JobParameters<Greet>()("Greet", { name: Schema.String }) {}

// @ts-expect-error The declarations are typed: a number is not a name.
export const rejected = () => new Greet({ name: 1 })

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
  console.log(`greeted ${greeted.sort().join(", ")}`)
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(JobQueue.layer(memoryDriver))))
