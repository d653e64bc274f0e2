/**
 * The `effect-jobs` commands. Each opens the queue named by its connection flags (see `driver.ts`) as a
 * `JobAdmin`, does one thing, and prints text for people or, with `--json`, one JSON document.
 *
 * @since 0.1.0
 */
import { Args, Command, Options } from "@effect/cli"
import { Clock, Console, Effect, Either, Option } from "effect"
import type { JobAdminShape } from "../index.js"
import { connectionOptions, type ConnectionFlags, describeTarget, openAdmin, type Target } from "./driver.js"
import { parseDuration } from "./duration.js"
import { NotFound, UsageError } from "./errors.js"
import {
  instancesJson,
  jobJson,
  listJson,
  renderInstances,
  renderJob,
  renderList,
  renderSchedules,
  renderStatus,
  schedulesJson,
  statusJson
} from "./format.js"
import { generateCommand } from "./generateCommand.js"

/** What a command prints: text for people, or the JSON document of `--json`. */
interface Report {
  readonly text: string
  readonly json: unknown
}

const json = Options.boolean("json").pipe(Options.withDescription("Print one JSON document instead of text"))

/** The flags every queue command takes. */
const common = { ...connectionOptions, json }

/** Prints a report as its flags ask. */
export const print = (asJson: boolean, report: Report): Effect.Effect<void> =>
  Console.log(asJson ? JSON.stringify(report.json, null, 2) : report.text)

/** Opens the queue, runs `use` on it and prints what it reports; the connections close before returning. */
const withQueue = <E>(
  flags: ConnectionFlags & { readonly json: boolean },
  use: (admin: JobAdminShape, target: Target) => Effect.Effect<Report, E>
) =>
  Effect.scoped(
    openAdmin(flags).pipe(
      Effect.flatMap(({ admin, target }) => use(admin, target)),
      Effect.flatMap((report) => print(flags.json, report))
    )
  )

const jobId = Args.text({ name: "id" }).pipe(Args.withDescription("The job's id"))

const names = Options.text("name").pipe(
  Options.withPseudoName("NAME"),
  Options.withDescription("Only jobs of this name (repeat for several)"),
  Options.repeated
)

const noJob = (id: string) => new NotFound({ message: `No job with id ${JSON.stringify(id)}` })

/** Why a job the command could not act on was left alone: it does not exist, or is in another state. */
const refusal = (admin: JobAdminShape, id: string, why: (state: string) => string) =>
  admin.get(id).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.fail(noJob(id)),
      onSome: (job) => Effect.fail(new NotFound({ message: why(job.state) }))
    }))
  )

const status = Command.make("status", common, (flags) =>
  withQueue(flags, (admin, target) =>
    Effect.all({ paused: admin.isPaused, counts: admin.counts, names: admin.countsByName }).pipe(
      Effect.map((found) => {
        const shown = { ...found, queue: describeTarget(target) }
        return { text: renderStatus(shown), json: statusJson(shown) }
      })
    ))).pipe(Command.withDescription("Jobs per state and per job name, and whether the queue is paused"))

const list = Command.make("list", {
  ...common,
  state: Args.choice([
    ["pending", "pending"],
    ["active", "active"],
    ["completed", "completed"],
    ["failed", "failed"],
    ["cancelled", "cancelled"]
  ] as const, { name: "state" }).pipe(Args.withDescription("The state to list")),
  names,
  search: Options.text("search").pipe(
    Options.withPseudoName("TEXT"),
    Options.withDescription("Only jobs whose id, unique key or payload contains this text (case-sensitive)"),
    Options.optional
  ),
  limit: Options.integer("limit").pipe(Options.withPseudoName("N"), Options.withDescription("Jobs per page, 1 to 1000"), Options.withDefault(50)),
  after: Options.text("after").pipe(
    Options.withPseudoName("CURSOR"),
    Options.withDescription("Continue after this page (the cursor a previous page printed)"),
    Options.optional
  ),
  order: Options.choice("order", ["newest", "oldest"]).pipe(
    Options.withDescription("newest first (default) or oldest first"),
    Options.withDefault("newest" as const)
  )
}, (flags) =>
  withQueue(flags, (admin) =>
    admin.list({
      state: flags.state,
      names: flags.names,
      search: Option.getOrUndefined(flags.search),
      limit: flags.limit,
      after: Option.getOrUndefined(flags.after),
      order: flags.order
    }).pipe(Effect.map(({ jobs, next }) => ({
      text: renderList(flags.state, jobs, next),
      json: listJson(jobs, next)
    }))))).pipe(Command.withDescription("One page of the jobs in a state; prints the cursor of the next page"))

const show = Command.make("show", { ...common, id: jobId }, (flags) =>
  withQueue(flags, (admin) =>
    Effect.gen(function*() {
      const job = yield* admin.get(flags.id).pipe(Effect.flatMap(Option.match({
        onNone: () => Effect.fail(noJob(flags.id)),
        onSome: Effect.succeed
      })))
      return { text: renderJob(job, yield* Clock.currentTimeMillis), json: jobJson(job) }
    }))).pipe(Command.withDescription("One job: payload, attempts, last error, times, progress and lease"))

const retry = Command.make("retry", {
  ...common,
  id: jobId.pipe(Args.optional),
  allFailed: Options.boolean("all-failed").pipe(Options.withDescription("Retry every failed job (of --name, if given)")),
  names
}, (flags) =>
  Option.isSome(flags.id) === flags.allFailed
    ? new UsageError({ message: "Pass either a job id or --all-failed (with --name to narrow it)" })
    : Option.isSome(flags.id) && flags.names.length > 0
    ? new UsageError({ message: "--name narrows --all-failed, not a job id" })
    : withQueue(flags, (admin) =>
      Effect.gen(function*() {
        if (Option.isNone(flags.id)) {
          const count = yield* admin.retryAll({ state: "failed", names: flags.names })
          return { text: `Retried ${count} failed job${count === 1 ? "" : "s"}.`, json: { retried: count } }
        }
        const id = flags.id.value
        if (!(yield* admin.retry(id))) {
          return yield* refusal(admin, id, (state) => `Job ${id} is ${state}: only failed or cancelled jobs can be retried`)
        }
        return { text: `Job ${id} is pending again, with fresh attempts.`, json: { id, result: "retried" } }
      }))).pipe(Command.withDescription("Move a failed or cancelled job (or every failed job) back to pending"))

const cancel = Command.make("cancel", { ...common, id: jobId }, (flags) =>
  withQueue(flags, (admin) =>
    Effect.gen(function*() {
      const result = yield* admin.cancel(flags.id)
      if (result === "not-found") return yield* noJob(flags.id)
      if (result === "finished") {
        return yield* refusal(admin, flags.id, (state) => `Job ${flags.id} is ${state} already: nothing to cancel`)
      }
      return { text: `Cancelled job ${flags.id}.`, json: { id: flags.id, result } }
    }))).pipe(Command.withDescription("Cancel a pending or running job"))

const remove = Command.make("remove", { ...common, id: jobId }, (flags) =>
  withQueue(flags, (admin) =>
    Effect.gen(function*() {
      const result = yield* admin.remove(flags.id)
      if (result === "not-found") return yield* noJob(flags.id)
      if (result === "active") {
        return yield* new NotFound({ message: `Job ${flags.id} is running: cancel it first, then remove it` })
      }
      return { text: `Removed job ${flags.id}.`, json: { id: flags.id, result } }
    }))).pipe(Command.withDescription("Delete a job that is not running"))

const pause = Command.make("pause", common, (flags) =>
  withQueue(flags, (admin) =>
    admin.pause.pipe(Effect.as({ text: "Paused: no job starts until resume.", json: { paused: true } })))).pipe(
    Command.withDescription("Stop every instance from starting jobs (running ones finish)")
  )

const resume = Command.make("resume", common, (flags) =>
  withQueue(flags, (admin) => admin.resume.pipe(Effect.as({ text: "Resumed.", json: { paused: false } })))).pipe(
    Command.withDescription("Let instances start jobs again")
  )

const clean = Command.make("clean", {
  ...common,
  state: Options.choice("state", ["completed", "failed", "cancelled"]).pipe(
    Options.withDescription("Which finished jobs to delete")
  ),
  olderThan: Options.text("older-than").pipe(
    Options.withPseudoName("DURATION"),
    Options.withDescription("Delete those finished longer ago than this: 1d, 12h, 30m, 7 days")
  )
}, (flags) =>
  Either.match(parseDuration(flags.olderThan), {
    onLeft: (message) => new UsageError({ message }),
    onRight: (age) =>
      withQueue(flags, (admin) =>
        admin.clean({ state: flags.state, olderThan: age }).pipe(Effect.map((removed) => ({
          text: `Removed ${removed} ${flags.state} job${removed === 1 ? "" : "s"} finished more than ${flags.olderThan} ago.`,
          json: { removed }
        }))))
  })).pipe(Command.withDescription("Delete finished jobs of one state older than a duration"))

const removeSchedule = Command.make("remove", {
  ...common,
  key: Args.text({ name: "key" }).pipe(Args.withDescription("The schedule's key, as `schedules` lists it"))
}, (flags) =>
  withQueue(flags, (admin) =>
    admin.removeSchedule(flags.key).pipe(Effect.flatMap((removed) =>
      removed
        ? Effect.succeed({ text: `Removed schedule ${flags.key}.`, json: { schedule: flags.key, result: "removed" } })
        : Effect.fail(new NotFound({ message: `No schedule with key ${JSON.stringify(flags.key)}` }))
    )))).pipe(Command.withDescription("Stop a schedule until an instance registers it again"))

const schedules = Command.make("schedules", common, (flags) =>
  withQueue(flags, (admin) =>
    Effect.gen(function*() {
      const found = yield* admin.schedules
      return { text: renderSchedules(found, yield* Clock.currentTimeMillis), json: schedulesJson(found) }
    }))).pipe(
    Command.withDescription("Recurring schedules with their last and next slots"),
    Command.withSubcommands([removeSchedule])
  )

const instances = Command.make("instances", common, (flags) =>
  withQueue(flags, (admin) =>
    Effect.gen(function*() {
      const found = yield* admin.instances
      return { text: renderInstances(found, yield* Clock.currentTimeMillis), json: instancesJson(found) }
    }))).pipe(Command.withDescription("The instances running the queue, as their heartbeats report them"))

/**
 * The whole command line.
 *
 * @since 0.1.0
 */
export const rootCommand = Command.make("effect-jobs").pipe(
  Command.withDescription("Inspect and operate an effect-jobs queue on Redis or Postgres"),
  Command.withSubcommands([
    status,
    list,
    show,
    retry,
    cancel,
    remove,
    pause,
    resume,
    clean,
    schedules,
    instances,
    generateCommand(json)
  ])
)
