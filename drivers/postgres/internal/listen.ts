/**
 * The wake-up listener: one dedicated connection LISTENing on the queue's channel, watched and reconnected.
 */
import { Deferred, Effect, type PubSub, Schedule } from "effect"
import pg from "pg"
import { ANY_JOB, redactText } from "../../../src/driver/index.js"
import { quoteIdentifier } from "./sql.js"

/** How fast a dropped LISTEN connection is retried: quickly at first, then every two seconds. */
const reconnectSchedule = Schedule.exponential("100 millis").pipe(Schedule.union(Schedule.spaced("2 seconds")))

/**
 * Keeps one connection LISTENing on `channel` and offers every notification's payload to `wakeups`. When
 * the connection drops it reconnects with backoff (restarted after every connection that was established),
 * and every connection after the first offers `ANY_JOB` so workers catch up on pushes made while nobody
 * was listening. `listening` completes once the first LISTEN is in place. Runs until interrupted.
 */
export const listen = (
  settings: pg.ClientConfig,
  channel: string,
  wakeups: PubSub.PubSub<string>,
  listening: Deferred.Deferred<void>
) => {
  let connections = 0
  /** One connection's life: fails if it cannot be set up, succeeds when an established connection drops. */
  const session = Effect.async<string, Error>((resume) => {
    let established = false
    let over = false
    const client = new pg.Client(settings)
    const dropped = (error?: Error) => {
      if (over) return
      over = true
      void client.end().catch(() => undefined)
      const reason = error?.message ?? "connection ended"
      resume(established ? Effect.succeed(reason) : Effect.fail(error ?? new Error(reason)))
    }
    client.on("notification", (message) => wakeups.unsafeOffer(message.payload || ANY_JOB))
    client.on("error", dropped)
    client.on("end", () => dropped())
    client
      .connect()
      .then(() => client.query(`LISTEN ${quoteIdentifier(channel)}`))
      .then(() => {
        established = true
        if (connections++ > 0) wakeups.unsafeOffer(ANY_JOB)
        else Deferred.unsafeDone(listening, Effect.void)
      })
      .catch(dropped)
    return Effect.promise(() => client.end().catch(() => undefined))
  })
  return session.pipe(
    Effect.tapError((error) => Effect.logWarning(`Postgres LISTEN connection failed; retrying: ${redactText(error.message)}`)),
    Effect.retry(reconnectSchedule),
    Effect.tap((reason) => Effect.logWarning(`Postgres LISTEN connection lost (${redactText(reason)}); reconnecting`)),
    Effect.forever
  )
}
