/**
 * Draws each benchmark report in bench/results/*.json as an SVG bar chart in docs/img/, one panel per
 * scenario unit (jobs/s, ms), one bar per system.
 *
 *   npx tsx bench/plot.ts
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { formatValue, type Row } from "./lib/report.js"

const here = dirname(fileURLToPath(import.meta.url))
const resultsDir = join(here, "results")
const imageDir = join(here, "..", "docs", "img")
const palette = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2"]

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/** One horizontal bar chart: a group of bars per scenario, one bar per system. */
const chart = (title: string, rows: ReadonlyArray<Row>): string => {
  const systems = [...new Set(rows.map((row) => row.system))]
  const scenarios = [...new Set(rows.map((row) => row.scenario))]
  const max = Math.max(...rows.map((row) => row.value).filter(Number.isFinite), 1)
  const bar = 16
  const label = 230
  const width = 900
  const plot = width - label - 110
  const groupHeight = systems.length * bar + 14
  const height = 60 + scenarios.length * groupHeight + systems.length * 18
  const parts: Array<string> = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">${escape(title)}</text>`
  ]
  scenarios.forEach((scenario, group) => {
    const top = 40 + group * groupHeight
    parts.push(`<text x="10" y="${top + (systems.length * bar) / 2 + 4}">${escape(scenario)}</text>`)
    systems.forEach((system, index) => {
      const row = rows.find((candidate) => candidate.system === system && candidate.scenario === scenario)
      if (row === undefined || !Number.isFinite(row.value)) return
      const y = top + index * bar
      const length = Math.max(1, (row.value / max) * plot)
      parts.push(`<rect x="${label}" y="${y}" width="${length.toFixed(1)}" height="${bar - 3}" fill="${palette[index % palette.length]}"/>`)
      parts.push(`<text x="${label + length + 4}" y="${y + bar - 5}">${formatValue(row.value)} ${escape(row.unit)}</text>`)
    })
  })
  const legendTop = 40 + scenarios.length * groupHeight
  systems.forEach((system, index) => {
    const y = legendTop + index * 18
    parts.push(`<rect x="${label}" y="${y}" width="12" height="12" fill="${palette[index % palette.length]}"/>`)
    parts.push(`<text x="${label + 18}" y="${y + 10}">${escape(system)}</text>`)
  })
  parts.push("</svg>")
  return parts.join("\n")
}

mkdirSync(imageDir, { recursive: true })
for (const file of readdirSync(resultsDir).filter((name) => name.endsWith(".json"))) {
  const report = JSON.parse(readFileSync(join(resultsDir, file), "utf8")) as { name: string; rows: Array<Row> }
  for (const unit of new Set(report.rows.map((row) => row.unit))) {
    const rows = report.rows.filter((row) => row.unit === unit)
    const slug = unit.replace(/[^a-z]+/gi, "-").replace(/-$/, "")
    const path = join(imageDir, `${report.name}-${slug}.svg`)
    writeFileSync(path, chart(`${report.name}: ${unit}`, rows))
    console.log(`wrote ${path}`)
  }
}
