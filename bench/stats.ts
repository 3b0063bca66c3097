/**
 * Small statistics and output helpers for the benchmarks.
 */

/** The q-quantile (0..1) of samples. */
export function quantile (samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[idx]!
}

/** One benchmark result against its same-run baseline. */
export interface BenchResult {
  name: string
  value: number
  unit: string
  baseline: string
  baselineValue: number
  ratio: number
}

/** Builds a result, rounding for display. */
export function result (name: string, value: number, unit: string, baseline: string, baselineValue: number): BenchResult {
  const round = (v: number): number => Math.round(v * 1000) / 1000
  return { name, value: round(value), unit, baseline, baselineValue: round(baselineValue), ratio: round(value / baselineValue) }
}

/** Prints results as a table, or as one JSON object per line. */
export function report (results: BenchResult[], json: boolean): void {
  if (json) {
    for (const r of results) process.stdout.write(JSON.stringify(r) + '\n')
    return
  }
  const rows = results.map((r) => [r.name, `${r.value} ${r.unit}`, r.baseline, `${r.baselineValue} ${r.unit}`, `${r.ratio}x`])
  const header = ['benchmark', 'kith', 'baseline', 'baseline value', 'ratio']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')
  process.stdout.write(line(header) + '\n' + widths.map((w) => '-'.repeat(w)).join('  ') + '\n')
  for (const r of rows) process.stdout.write(line(r) + '\n')
}
