/**
 * Shared checks for server outages, run against each server driver through a cuttable proxy.
 */
import { expect } from "@effect/vitest"
import { Effect, Layer, Option, Schema } from "effect"
import { JobParameters, JobQueue } from "effect-jobs"
import type { JobDriver } from "effect-jobs"
import type { Proxy } from "./proxy.js"

class Work extends JobParameters<Work>()("Work", { n: Schema.Number }) {}

/** Bounded polling in wall-clock time. */
export const until = (label: string, check: Effect.Effect<boolean, unknown>, timeoutMs = 20_000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (!(yield* check)) {
      if (Date.now() > deadline) return yield* Effect.dieMessage(`Timed out after ${timeoutMs} ms waiting for ${label}`)
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
    }
  })

/**
 * Runs jobs through `driver` (connected via `proxy`), cuts the connection mid-run, checks that a push during
 * the outage fails with a typed DriverError in bounded time, restores the connection, and checks that every
 * job pushed before the outage completes.
 */
export const survivesOutage = (driver: Layer.Layer<JobDriver, unknown>, proxy: Proxy) =>
  Effect.gen(function*() {
    const queue = yield* JobQueue
    const done = new Set<number>()
    yield* queue.registerJob(Work, (params) =>
      Effect.sleep(2).pipe(Effect.zipRight(Effect.sync(() => done.add(params.n)))))
    const ids = yield* queue.pushMany(Array.from({ length: 200 }, (_, n) => new Work({ n })))
    yield* until("some jobs to complete", Effect.sync(() => done.size >= 20))
    yield* Effect.promise(() => proxy.cut())
    const started = Date.now()
    const failure = yield* Effect.flip(queue.push(new Work({ n: -1 })))
    // Cut mid-send: the push may or may not have reached the server, and says so.
    expect(["DriverError", "PushOutcomeUnknown"]).toContain(failure._tag)
    expect(Date.now() - started).toBeLessThan(10_000)
    yield* Effect.promise(() => proxy.restore())
    yield* until("every job to run after the outage", Effect.sync(() => done.size === 200), 30_000)
    // Outcomes that could not be written during the outage are written once the server is back.
    yield* until("every job to be recorded as completed", Effect.gen(function*() {
      for (const id of ids) {
        if (Option.getOrUndefined(yield* queue.get(id))?.state !== "completed") return false
      }
      return true
    }), 30_000)
  }).pipe(Effect.scoped, Effect.provide(JobQueue.layer(driver, { concurrency: 10, retention: { completed: "1 hour" } })))
