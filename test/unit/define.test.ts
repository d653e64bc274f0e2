/**
 * Declared job kinds: an instance may push by name the kinds it declares (`jobs` option or `define`) without
 * running them, with the same validation as registered kinds, and never claims them.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Option, Schema } from "effect"
import { JobParameters, JobQueue, memoryDriver } from "effect-jobs"
import { buildDriver, storedJob, startQueue, waitFor } from "../../src/testing/conformance/harness.js"
import { withMemoryQueue } from "./support.js"

class SendEmail extends JobParameters<SendEmail>()("SendEmail", { to: Schema.String }) {}
class Resize extends JobParameters<Resize>()("Resize", { width: Schema.Number }) {}
/** Another class under a name already taken. */
class OtherSendEmail extends JobParameters<OtherSendEmail>()("SendEmail", { address: Schema.String }) {}

const defectOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) ? Chunk.head(Cause.defects(exit.cause)).pipe(Option.getOrUndefined) : undefined

describe("declared job kinds", () => {
  it.scoped("a push-only instance pushes declared kinds by name; an instance with their handlers runs them", () =>
    Effect.gen(function*() {
      const driver = yield* buildDriver(() => memoryDriver)
      const gateway = yield* startQueue(driver, { concurrency: 0, jobs: [SendEmail] })
      yield* gateway.queue.define(Resize)
      const worker = yield* startQueue(driver)
      const ran: Array<string> = []
      yield* worker.queue.registerJob(SendEmail, (params) => Effect.sync(() => ran.push(`email ${params.to}`)))
      yield* worker.queue.registerJob(Resize, (params) => Effect.sync(() => ran.push(`resize ${params.width}`)))

      const email = yield* gateway.queue.pushByName("SendEmail", { to: "ada@example.com" })
      yield* waitFor(worker.events, "Completed", email)
      const resize = yield* gateway.queue.pushByName("Resize", { width: 640 }, { priority: 5 })
      yield* waitFor(worker.events, "Completed", resize)
      assert.deepStrictEqual(ran, ["email ada@example.com", "resize 640"])
      assert.strictEqual((yield* storedJob(driver, resize)).priority, 5, "push options apply as for push")
    }))

  it.scoped("pushByName validates declared kinds like registered ones, writing nothing on bad input", () =>
    withMemoryQueue({ concurrency: 0, jobs: [SendEmail] }, Effect.gen(function*() {
      const queue = yield* JobQueue
      const bad = yield* Effect.flip(queue.pushByName("SendEmail", { to: 42 }))
      assert.strictEqual(bad._tag, "InvalidJobParameters")
      assert.include(bad.message, "to")
      const unknown = yield* Effect.flip(queue.pushByName("Resize", { width: 1 }))
      assert.strictEqual(unknown._tag, "UnknownJobName", "only declared or registered kinds")
      assert.strictEqual((yield* queue.counts).pending, 0)
      const id = yield* queue.pushByName("SendEmail", { to: "ada@example.com" })
      assert.deepStrictEqual(Option.getOrThrow(yield* queue.get(id)).payload, { _tag: "SendEmail", to: "ada@example.com" })
    })))

  it.scoped("an instance never claims a kind it only declares", () =>
    Effect.gen(function*() {
      const driver = yield* buildDriver(() => memoryDriver)
      const { events, queue } = yield* startQueue(driver, { concurrency: 2, jobs: [SendEmail] })
      yield* queue.registerJob(Resize, () => Effect.void)
      const email = yield* queue.pushByName("SendEmail", { to: "ada@example.com" })
      const resize = yield* queue.push(new Resize({ width: 1 }))
      // The declared job was pushed first and would have been claimed with (or before) the later one.
      const first = yield* waitFor(events, "Started")
      assert.strictEqual(first.jobId, resize)
      yield* waitFor(events, "Completed", resize)
      const stored = yield* storedJob(driver, email)
      assert.strictEqual(stored.state, "pending")
      assert.strictEqual(stored.attempts, 0)
      assert.isUndefined(stored.leaseOwner)
    }))

  it.scoped("declaring the same class twice is allowed; another class under a declared name is a defect", () =>
    Effect.gen(function*() {
      const reDeclared = yield* Effect.exit(
        withMemoryQueue({ jobs: [SendEmail] }, Effect.flatMap(JobQueue, (queue) => queue.define(SendEmail)))
      )
      assert.isTrue(Exit.isSuccess(reDeclared))
      const message = `Two different job classes are named "SendEmail"; job names must be unique`
      const byDefine = defectOf(yield* Effect.exit(
        withMemoryQueue({ jobs: [SendEmail] }, Effect.flatMap(JobQueue, (queue) => queue.define(OtherSendEmail)))
      ))
      assert.instanceOf(byDefine, TypeError)
      assert.strictEqual((byDefine as TypeError).message, message)
      const byOption = defectOf(yield* Effect.exit(withMemoryQueue({ jobs: [SendEmail, OtherSendEmail] }, JobQueue)))
      assert.strictEqual((byOption as TypeError | undefined)?.message, message)
    }))
})
