/**
 * Compile-time checks, run by `npm run typecheck`: `push`, `pushMany` and `schedule` take instances of
 * `JobParameters` classes and nothing else. Each line marked `@ts-expect-error` must fail to compile.
 */
import { Schema } from "effect"
import { JobParameters, type JobParametersInstance, type JobQueueShape } from "effect-jobs"

class Greet extends JobParameters<Greet>()("Greet", { name: Schema.String }) {}
/** A tagged class of the same shape that was not made by `JobParameters`. */
class PlainGreet extends Schema.TaggedClass<PlainGreet>()("Greet", { name: Schema.String }) {}

export const accepted = (queue: JobQueueShape) => [
  queue.push(new Greet({ name: "Ada" })),
  queue.pushMany([new Greet({ name: "Ada" }), new Greet({ name: "Grace" })]),
  queue.pushMany(new Set([new Greet({ name: "Ada" })])),
  queue.schedule(new Greet({ name: "Ada" }), "0 3 * * *")
]

export const instanceOfAnyJobParametersClass: JobParametersInstance = new Greet({ name: "Ada" })

export const refused = (queue: JobQueueShape) => [
  // @ts-expect-error a Date is not job parameters
  queue.push(new Date()),
  // @ts-expect-error nor is a plain object of the same shape
  queue.push({ _tag: "Greet", name: "Ada" }),
  // @ts-expect-error nor an instance of a Schema class not made by JobParameters
  queue.push(new PlainGreet({ name: "Ada" })),
  // @ts-expect-error one value that is not job parameters is enough
  queue.pushMany([new Greet({ name: "Ada" }), new Date()]),
  // @ts-expect-error schedule takes job parameters too
  queue.schedule(new Date(), "0 3 * * *"),
  // @ts-expect-error the class is not an instance
  queue.push(Greet)
]
