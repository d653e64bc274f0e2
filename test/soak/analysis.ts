/**
 * What the soak's records say: which jobs ran more than once and why, and how long a killed worker's jobs
 * waited before they ran again.
 */

/** One line a worker appended: an attempt's start ("s") or end ("e"). */
export interface RunLine {
  readonly k: "s" | "e"
  readonly id: string
  /** The attempt number. */
  readonly a: number
  /** The worker. */
  readonly w: string
  readonly t: number
}

/** A worker killed with SIGKILL at `at`, and the jobs still leased to it once it was gone. */
export interface Kill {
  readonly worker: string
  readonly at: number
  readonly held: ReadonlyArray<string>
}

/** A worker sent SIGTERM at `at`, and the jobs still leased to it once it had exited. */
export interface Term {
  readonly worker: string
  readonly at: number
  readonly exitCode: number | null
  readonly exitMs: number
  readonly leftLeased: ReadonlyArray<string>
}

/** A server restart or connection cut, from its start until the server answered again. */
export interface Outage {
  readonly kind: "restart" | "cut"
  readonly from: number
  readonly to: number
}

/** Runs beyond the first of a job, by what the worker of the run before it went through. */
export interface Duplicates {
  /** The previous run's worker was killed while it held the job: allowed. */
  readonly afterKill: number
  /** The previous run's worker was sent SIGTERM: never allowed. */
  readonly afterSigterm: number
  /** The previous run overlapped a server restart or connection cut (give or take a lease). */
  readonly afterOutage: number
  /** Anything else: a finished job run again. */
  readonly other: number
}

/** A repeated job and every run it had (worker, attempt, start and end if it ended), to look into. */
export interface DuplicateExample {
  readonly id: string
  readonly runs: ReadonlyArray<{ readonly w: string; readonly a: number; readonly start: number; readonly end: number | undefined }>
}

export interface Analysis {
  /** Attempts started. */
  readonly runs: number
  /** Jobs that started at least once. */
  readonly jobsRun: number
  readonly duplicates: Duplicates
  /** Per cause not explained by a kill, the first few jobs with their runs. */
  readonly examples: {
    readonly afterSigterm: ReadonlyArray<DuplicateExample>
    readonly afterOutage: ReadonlyArray<DuplicateExample>
    readonly other: ReadonlyArray<DuplicateExample>
  }
  /** The longest wait from a kill to the next start of a job the killed worker held; null with no such job. */
  readonly worstRecoveryMs: number | null
  /** Jobs a killed worker held that never started again. */
  readonly unrecovered: ReadonlyArray<string>
}

const groupStarts = (lines: ReadonlyArray<RunLine>) => {
  const starts = new Map<string, Array<RunLine>>()
  for (const line of lines) {
    if (line.k !== "s") continue
    const list = starts.get(line.id)
    if (list === undefined) starts.set(line.id, [line])
    else list.push(line)
  }
  for (const list of starts.values()) list.sort((a, b) => a.t - b.t)
  return starts
}

/** Sorts every repeated run of a job by cause, and measures recovery after each kill. */
export const analyse = (
  lines: ReadonlyArray<RunLine>,
  kills: ReadonlyArray<Kill>,
  terms: ReadonlyArray<Term>,
  outages: ReadonlyArray<Outage>,
  leaseMs: number
): Analysis => {
  const starts = groupStarts(lines)
  const ends = new Map(lines.filter((line) => line.k === "e").map((line) => [`${line.id}/${line.a}/${line.w}`, line.t]))
  const killOf = new Map(kills.map((kill) => [kill.worker, kill]))
  const termedAt = new Map(terms.map((term) => [term.worker, term.at]))
  const duplicates = { afterKill: 0, afterSigterm: 0, afterOutage: 0, other: 0 }
  const examples = {
    afterSigterm: [] as Array<DuplicateExample>,
    afterOutage: [] as Array<DuplicateExample>,
    other: [] as Array<DuplicateExample>
  }
  const example = (cause: keyof typeof examples, id: string, list: ReadonlyArray<RunLine>) => {
    if (examples[cause].length >= 10 || examples[cause].some((known) => known.id === id)) return
    const runs = list.map((run) => ({ w: run.w, a: run.a, start: run.t, end: ends.get(`${id}/${run.a}/${run.w}`) }))
    examples[cause].push({ id, runs })
  }
  for (const [id, list] of starts) {
    for (let index = 1; index < list.length; index++) {
      const previous = list[index - 1]!
      const previousEnd = ends.get(`${id}/${previous.a}/${previous.w}`) ?? list[index]!.t
      const overlapsOutage = outages.some((outage) =>
        previous.t <= outage.to + leaseMs && previousEnd >= outage.from - leaseMs)
      // A run that overlapped a server crash or a cut may be forgotten by it, whoever ran it: that cause comes
      // first. A repeat counts against SIGTERM only when the SIGTERM came before the repeat started.
      const termed = termedAt.get(previous.w)
      if (killOf.get(previous.w)?.held.includes(id)) {
        duplicates.afterKill++
      } else if (overlapsOutage) {
        duplicates.afterOutage++
        example("afterOutage", id, list)
      } else if (termed !== undefined && termed <= list[index]!.t) {
        duplicates.afterSigterm++
        example("afterSigterm", id, list)
      } else {
        duplicates.other++
        example("other", id, list)
      }
    }
  }
  let worstRecoveryMs: number | null = null
  const unrecovered: Array<string> = []
  for (const kill of kills) {
    for (const id of kill.held) {
      const next = starts.get(id)?.find((line) => line.t > kill.at)
      if (next === undefined) unrecovered.push(id)
      else worstRecoveryMs = Math.max(worstRecoveryMs ?? 0, next.t - kill.at)
    }
  }
  return {
    runs: [...starts.values()].reduce((sum, list) => sum + list.length, 0),
    jobsRun: starts.size,
    duplicates,
    examples,
    worstRecoveryMs,
    unrecovered
  }
}
