/**
 * Small helpers shared by the benchmark scripts: timing, percentiles, a printed table and a JSON report.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { cpus } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/** One measured figure: the system, the scenario and its value (with the spread of the runs, when several). */
export interface Row {
  readonly system: string
  readonly scenario: string
  readonly value: number
  readonly unit: string
  readonly min?: number
  readonly max?: number
}

/** Milliseconds from a monotonic clock with sub-millisecond resolution. */
export const nowMs = (): number => performance.now()

/** The q-th percentile (0..1) of `values` by nearest rank; NaN for an empty list. */
export const percentile = (values: ReadonlyArray<number>, q: number): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank]!
}

/** The median of `values`. */
export const median = (values: ReadonlyArray<number>): number => percentile(values, 0.5)

/** The median of several runs' figures with their spread (none for a single run), as the fields of a `Row`. */
export const spread = (values: ReadonlyArray<number>): Pick<Row, "value" | "min" | "max"> =>
  values.length < 2 ? { value: median(values) } : { value: median(values), min: Math.min(...values), max: Math.max(...values) }

/** Formats a number for the table: integers with thousands separators, small values with two decimals. */
export const formatValue = (value: number): string =>
  Number.isNaN(value) ? "-" : Math.abs(value) >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(2)

/** A row's value for a table cell, followed by its spread `(min–max)` when the row has one. */
const formatCell = (row: Row | undefined): string =>
  row === undefined
    ? "-"
    : row.min === undefined || row.max === undefined
    ? formatValue(row.value)
    : `${formatValue(row.value)} (${formatValue(row.min)}–${formatValue(row.max)})`

/**
 * The rows as table cells: a header and one line per scenario, with one column per system and, for each of
 * `ours` (our systems' names), a ratio column `ours / other` (of the medians) for every other system.
 */
export const tableCells = (rows: ReadonlyArray<Row>, ours: ReadonlyArray<string> = []) => {
  const systems = [...new Set(rows.map((row) => row.system))]
  const scenarios = [...new Set(rows.map((row) => row.scenario))]
  const find = (system: string, scenario: string) =>
    rows.find((row) => row.system === system && row.scenario === scenario)
  const lookup = (system: string, scenario: string) => find(system, scenario)?.value
  const mine = ours.filter((name) => systems.includes(name))
  const pairs = mine.flatMap((a) => systems.filter((b) => !mine.includes(b)).map((b) => [a, b] as const))
  const header = ["scenario", ...systems, ...pairs.map(([a, b]) => `${a} / ${b}`)]
  const lines = scenarios.map((scenario) => {
    const unit = rows.find((row) => row.scenario === scenario)?.unit ?? ""
    const cells = systems.map((system) => formatCell(find(system, scenario)))
    const ratios = pairs.map(([a, b]) => {
      const ourValue = lookup(a, scenario)
      const theirs = lookup(b, scenario)
      return ourValue === undefined || theirs === undefined || theirs === 0 ? "-" : `${(ourValue / theirs).toFixed(2)}x`
    })
    return [`${scenario} (${unit})`, ...cells, ...ratios]
  })
  return { header, lines }
}

/** Prints rows as an aligned text table (see `tableCells`). */
export const printTable = (title: string, rows: ReadonlyArray<Row>, ours: ReadonlyArray<string> = []): void => {
  const { header, lines } = tableCells(rows, ours)
  const widths = header.map((cell, i) => Math.max(cell.length, ...lines.map((line) => line[i]!.length)))
  const render = (cells: ReadonlyArray<string>) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")
  console.log(`\n${title}`)
  console.log(render(header))
  console.log(widths.map((width) => "-".repeat(width)).join("-|-"))
  for (const line of lines) console.log(render(line))
}

/** The rows as a Markdown table (see `tableCells`). */
export const markdownTable = (rows: ReadonlyArray<Row>, ours: ReadonlyArray<string> = []): string => {
  const { header, lines } = tableCells(rows, ours)
  const render = (cells: ReadonlyArray<string>) => `| ${cells.join(" | ")} |`
  return [render(header), render(header.map(() => "---")), ...lines.map(render)].join("\n")
}

/** Writes `bench/results/<name>.json` with the rows and a description of the machine; returns the path. */
export const writeReport = (name: string, rows: ReadonlyArray<Row>, settings: Record<string, unknown>): string => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "results")
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `${name}.json`)
  const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown" }
  writeFileSync(path, JSON.stringify({ name, date: new Date().toISOString(), machine, settings, rows }, null, 2))
  return path
}

/**
 * The code a report measured: the commit checked out and the library files changed since (read without
 * taking git's index lock).
 */
export const codeState = (): { readonly commit: string; readonly changed: ReadonlyArray<string> } => {
  const git = (...args: Array<string>) => execFileSync("git", ["--no-optional-locks", ...args], { encoding: "utf8" })
  try {
    const changed = git("status", "--porcelain", "--", "index.ts", "src", "drivers").split("\n").filter((line) => line !== "")
    return { commit: git("rev-parse", "HEAD").trim(), changed }
  } catch {
    return { commit: "unknown", changed: [] }
  }
}
