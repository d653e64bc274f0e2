/**
 * An HTTP app that pushes jobs and runs them in the same process.
 *
 *   JOBS_DRIVER=memory PORT=3000 npx tsx examples/app/main.ts
 *   curl -X POST localhost:3000/emails -d '{"to":"ada@example.com","subject":"hi"}'
 *   curl localhost:3000/jobs/1
 *
 * POST /emails validates the body, pushes a SendEmail job and answers 202 at once; GET /jobs/:id shows the
 * job as JSON (encoded with the JobInfo schema: null for absent values, ISO 8601 times). SIGTERM (or Ctrl-C) stops the HTTP server, lets running jobs finish (up to JOBS_SHUTDOWN_TIMEOUT_MS),
 * releases the rest and exits.
 */
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Config, Effect, Layer, Option, Schema } from "effect"
import { JobInfo, JobQueue, PinoLogger } from "effect-jobs"
import { createServer } from "node:http"
import pino from "pino"
import { JobsLive } from "../shared/config.js"
import { logEvents, registerEmailHandler, SendEmail } from "../shared/jobs.js"

const EmailRequest = Schema.Struct({
  to: Schema.String,
  subject: Schema.String,
  workMillis: Schema.optionalWith(Schema.Number, { exact: true })
})

const routes = HttpRouter.empty.pipe(
  HttpRouter.post(
    "/emails",
    Effect.gen(function*() {
      const body = yield* HttpServerRequest.schemaBodyJson(EmailRequest)
      const queue = yield* JobQueue
      const id = yield* queue.push(new SendEmail(body))
      return yield* HttpServerResponse.json({ id }, { status: 202 })
    }).pipe(
      Effect.catchTags({
        ParseError: (error) => HttpServerResponse.json({ error: error.message }, { status: 400 }),
        RequestError: (error) => HttpServerResponse.json({ error: error.message }, { status: 400 }),
        InvalidJobParameters: (error) => HttpServerResponse.json({ error: error.message }, { status: 400 }),
        PayloadTooLarge: (error) => HttpServerResponse.json({ error: error.message }, { status: 413 })
      })
    )
  ),
  HttpRouter.get(
    "/jobs/:id",
    Effect.gen(function*() {
      const { id } = yield* HttpRouter.params
      const queue = yield* JobQueue
      const info = yield* queue.get(id ?? "")
      return yield* Option.match(info, {
        onNone: () => HttpServerResponse.json({ error: "not found" }, { status: 404 }),
        onSome: (job) => HttpServerResponse.schemaJson(JobInfo)(job)
      })
    })
  )
)

const HttpLive = HttpServer.serve(routes).pipe(
  HttpServer.withLogAddress,
  Layer.provide(NodeHttpServer.layerConfig(() => createServer(), { port: Config.integer("PORT").pipe(Config.withDefault(3000)) }))
)

/** Workers in this process; the finalizer logs first when shutdown starts (finalizers run in reverse). */
const WorkersLive = Layer.scopedDiscard(Effect.gen(function*() {
  yield* logEvents
  yield* registerEmailHandler
  yield* Effect.addFinalizer(() => Effect.logInfo("shutting down: no new jobs start; draining running ones"))
}))

const AppLive = Layer.mergeAll(HttpLive, WorkersLive).pipe(
  Layer.provide(JobsLive),
  Layer.provide(PinoLogger.layer(pino()))
)

NodeRuntime.runMain(Layer.launch(AppLive))
