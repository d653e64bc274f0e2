/**
 * Small helpers shared by the benchmark scripts: timing, percentiles, a printed table and a JSON report.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { cpus } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/** One measured figure: the system, the scenario and its value. */
export interface Row {
  readonly system: string
  readonly scenario: string
  readonly value: number
  readonly unit: string
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

/** Formats a number for the table: integers with thousands separators, small values with two decimals. */
export const formatValue = (value: number): string =>
  Number.isNaN(value) ? "-" : Math.abs(value) >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(2)

/**
 * Prints rows as a table with one column per system, and a ratio column `ours / baseline` for each other
 * system when `ours` is given.
 */
export const printTable = (title: string, rows: ReadonlyArray<Row>, ours?: string): void => {
  const systems = [...new Set(rows.map((row) => row.system))]
  const scenarios = [...new Set(rows.map((row) => row.scenario))]
  const lookup = (system: string, scenario: string) =>
    rows.find((row) => row.system === system && row.scenario === scenario)
  const others = ours === undefined ? [] : systems.filter((system) => system !== ours)
  const header = ["scenario", ...systems, ...others.map((other) => `${ours} / ${other}`)]
  const lines = scenarios.map((scenario) => {
    const unit = rows.find((row) => row.scenario === scenario)?.unit ?? ""
    const cells = systems.map((system) => formatValue(lookup(system, scenario)?.value ?? Number.NaN))
    const ratios = others.map((other) => {
      const a = lookup(ours!, scenario)?.value
      const b = lookup(other, scenario)?.value
      return a === undefined || b === undefined || b === 0 ? "-" : `${(a / b).toFixed(2)}x`
    })
    return [`${scenario} (${unit})`, ...cells, ...ratios]
  })
  const widths = header.map((cell, i) => Math.max(cell.length, ...lines.map((line) => line[i]!.length)))
  const render = (cells: ReadonlyArray<string>) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")
  console.log(`\n${title}`)
  console.log(render(header))
  console.log(widths.map((width) => "-".repeat(width)).join("-|-"))
  for (const line of lines) console.log(render(line))
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
