/**
 * `effect-jobs generate job <name> [--dir D]`: writes a new job's module with `generateJob` and prints the
 * next steps. It opens no queue.
 *
 * @since 0.1.0
 */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"

/**
 * The `generate` command and its `job` subcommand, printing JSON when `json` is set.
 *
 * @since 0.1.0
 */
export const generateCommand = (json: Options.Options<boolean>) => {
  const job = Command.make("job", {
    json,
    name: Args.text({ name: "name" }).pipe(
      Args.withDescription("The job's name in any spelling: SendEmail, send-email, \"send email\"")
    ),
    dir: Options.text("dir").pipe(
      Options.withPseudoName("DIR"),
      Options.withDescription("Directory of the new module, from the current one (default src/jobs)"),
      Options.withDefault("src/jobs")
    )
  }, (flags) =>
    // Loaded here: the file-writing modules cost start-up time every queue command would pay for nothing.
    Effect.promise(() => import("./generate.js")).pipe(
      Effect.flatMap(({ generateJob }) => generateJob({ name: flags.name, dir: flags.dir, cwd: process.cwd() })),
      Effect.flatMap((generated) =>
        Console.log(flags.json ? JSON.stringify(generated, null, 2) : generated.instructions)
      )
    )).pipe(Command.withDescription("Write the module of a new job: its parameters class and handler"))
  return Command.make("generate").pipe(
    Command.withDescription("Write code for the application"),
    Command.withSubcommands([job])
  )
}
