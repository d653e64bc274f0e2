/**
 * Scenarios shared by the drivers' lost-reply tests: a push whose request reached the server but whose answer
 * never came back, and no connection to send it again on.
 */
import { expect } from "@effect/vitest"
import { Effect, Schema, type Scope } from "effect"
import { JobParameters, JobQueue } from "effect-jobs"
import type { Proxy } from "./proxy.js"

/** The job the scenarios push; its `tag` is the marker the proxy looks for in a request. */
export class Ping extends JobParameters<Ping>()("Ping", { tag: Schema.String }) {}

/** Runs a scenario with a queue whose driver talks through `proxy`, in a namespace of its own. */
export type ThroughProxy = (
  body: (proxy: Proxy, namespace: string) => Effect.Effect<void, unknown, JobQueue | Scope.Scope>
) => Effect.Effect<void, unknown>

/** The ids of every job stored in a namespace, read without the proxy. */
export type StoredIds = (namespace: string) => Effect.Effect<ReadonlyArray<string>>

/** A push whose reply was dropped (its connection then cut) returns one id, and exactly that one job exists. */
export const singlePushStoredOnce = (throughProxy: ThroughProxy, storedIds: StoredIds) =>
  throughProxy((proxy, namespace) =>
    Effect.gen(function*() {
      const queue = yield* JobQueue
      const dropped = proxy.dropReplyTo("lost-reply-single")
      const id = yield* queue.push(new Ping({ tag: "lost-reply-single" }))
      yield* Effect.promise(() => dropped)
      expect(yield* storedIds(namespace)).toEqual([id])
      expect((yield* queue.counts).pending).toBe(1)
    }))

/**
 * With a chosen id: the push fails with `PushOutcomeUnknown` naming the id although the job was stored; the
 * same call again, once the server is back, returns that id and leaves one job.
 */
export const chosenIdSettledByPushingAgain = (throughProxy: ThroughProxy, storedIds: StoredIds) =>
  throughProxy((proxy, namespace) =>
    Effect.gen(function*() {
      const queue = yield* JobQueue
      const dropped = proxy.dropReplyTo("lost-reply-outage", { thenRefuse: true })
      const push = queue.push(new Ping({ tag: "lost-reply-outage" }), { jobId: "invoice:42" })
      const error = yield* Effect.flip(push)
      yield* Effect.promise(() => dropped)
      expect(error._tag).toBe("PushOutcomeUnknown")
      expect(error._tag === "PushOutcomeUnknown" && error.jobIds).toEqual(["invoice:42"])
      expect(error.message).toMatch(/may or may not be stored \(ids invoice:42\)/)
      // It was stored: only the answer was lost.
      expect(yield* storedIds(namespace)).toEqual(["invoice:42"])
      yield* Effect.promise(() => proxy.restore())
      expect(yield* push).toBe("invoice:42")
      expect(yield* storedIds(namespace)).toEqual(["invoice:42"])
    }))

/**
 * Without a chosen id: the error names the generated id, and pushing again with it as `jobId` leaves one job.
 */
export const generatedIdSettledByPushingAgain = (throughProxy: ThroughProxy, storedIds: StoredIds) =>
  throughProxy((proxy, namespace) =>
    Effect.gen(function*() {
      const queue = yield* JobQueue
      const dropped = proxy.dropReplyTo("lost-reply-plain", { thenRefuse: true })
      const error = yield* Effect.flip(queue.push(new Ping({ tag: "lost-reply-plain" })))
      yield* Effect.promise(() => dropped)
      if (error._tag !== "PushOutcomeUnknown") return expect.fail(`expected PushOutcomeUnknown, got ${error._tag}`)
      const [id] = error.jobIds
      expect(id).toMatch(/^[0-9A-Z]{26}$/)
      expect(yield* storedIds(namespace)).toEqual([id])
      yield* Effect.promise(() => proxy.restore())
      expect(yield* queue.push(new Ping({ tag: "lost-reply-plain" }), { jobId: id! })).toBe(id)
      expect(yield* storedIds(namespace)).toEqual([id])
    }))
