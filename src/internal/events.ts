/**
 * Subscriptions to a queue's events. Each subscription gets a buffer of its own that keeps the newest
 * `capacity` events, so a subscriber that stops reading holds a bounded amount of memory and never holds
 * back the other subscribers.
 */
import { Effect, PubSub, Queue, type Scope } from "effect"
import { InvalidOption } from "../QueueErrors.js"

/**
 * How many events one subscription holds before it drops its oldest: a positive integer, or `"unbounded"`
 * (it holds every event until read).
 *
 * @since 0.1.0
 */
export type EventsCapacity = number | "unbounded"

/** `capacity` if it is `"unbounded"` or a positive integer; otherwise an `InvalidOption` naming the option. */
export const checkEventsCapacity = (capacity: EventsCapacity): Effect.Effect<EventsCapacity, InvalidOption> =>
  capacity === "unbounded" || (Number.isInteger(capacity) && capacity > 0)
    ? Effect.succeed(capacity)
    : Effect.fail(
      new InvalidOption({
        option: "eventsCapacity",
        message: `eventsCapacity must be a positive integer or "unbounded", got ${capacity}`
      })
    )

/**
 * Subscribes to `hub` at once (nothing published after this call is missed) with a buffer of `capacity`.
 *
 * The hub is unbounded because publishers offer to it synchronously, where a full bounded hub would drop the
 * newest event for every subscriber. Each bounded subscription therefore drains its hub subscription
 * continuously into a sliding queue of its own, which drops that subscriber's oldest events only.
 */
const subscribe = <A>(
  hub: PubSub.PubSub<A>,
  capacity: EventsCapacity
): Effect.Effect<Queue.Dequeue<A>, never, Scope.Scope> =>
  capacity === "unbounded"
    ? PubSub.subscribe(hub)
    : Effect.gen(function*() {
      const source = yield* PubSub.subscribe(hub)
      const buffer = yield* Effect.acquireRelease(Queue.sliding<A>(capacity), Queue.shutdown)
      yield* Queue.takeBetween(source, 1, capacity).pipe(
        Effect.flatMap((batch) => Queue.offerAll(buffer, batch)),
        Effect.forever,
        Effect.forkScoped
      )
      return buffer
    })

/** A queue's event channel: subscriptions, and whether anyone is subscribed (events nobody gets go unbuilt). */
export interface EventHub<A> {
  /** Whether a subscription is open now; publishers skip building events while it is `false`. */
  readonly listening: () => boolean
  readonly publish: (event: A) => void
  /** Subscribes now, with a buffer of the hub's capacity (see `subscribe`). */
  readonly subscribe: Effect.Effect<Queue.Dequeue<A>, never, Scope.Scope>
}

/** An event hub whose subscriptions each hold up to `capacity` unread events. */
export const makeEventHub = <A>(capacity: EventsCapacity): Effect.Effect<EventHub<A>> =>
  Effect.map(PubSub.unbounded<A>(), (hub) => {
    let subscribers = 0
    return {
      listening: () => subscribers > 0,
      publish: (event) => {
        hub.unsafeOffer(event)
      },
      subscribe: Effect.acquireRelease(
        Effect.sync(() => subscribers++),
        () => Effect.sync(() => subscribers--)
      ).pipe(Effect.zipRight(subscribe(hub, capacity)))
    }
  })
