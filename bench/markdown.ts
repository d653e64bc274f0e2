/**
 * Prints each report in bench/results/*.json as a Markdown table, with ratios of every effect-jobs system
 * to every peer, for docs/benchmarks.md.
 *
 *   npx tsx bench/markdown.ts [--no-ratios]
 */
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { markdownTable, type Row } from "./lib/report.js"

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results")
const ratios = !process.argv.includes("--no-ratios")

for (const file of readdirSync(resultsDir).filter((name) => name.endsWith(".json")).sort()) {
  const report = JSON.parse(readFileSync(join(resultsDir, file), "utf8")) as {
    readonly name: string
    readonly date: string
    readonly machine: { readonly node: string; readonly cpus: number; readonly cpu: string }
    readonly rows: ReadonlyArray<Row>
  }
  const systems = [...new Set(report.rows.map((row) => row.system))]
  const ours = ratios ? systems.filter((system) => system.startsWith("effect-jobs")) : []
  const { cpu, cpus, node } = report.machine
  console.log(`### ${report.name} (${report.date.slice(0, 10)}, ${cpus} x ${cpu}, Node ${node})\n`)
  console.log(`${markdownTable(report.rows, ours)}\n`)
}
