// Number formatting, medians and markdown tables shared by the benchmark's sections.
import type { Measurement } from './scenarios.js'

export const median = (values: number[]): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  return sorted.length === 0 ? NaN : (sorted[Math.floor((sorted.length - 1) / 2)] as number)
}
export const ms = (value: number) => (Number.isFinite(value) ? String(Math.round(value)) : '–')
export const seconds = (value: number) => (Number.isFinite(value) ? (value / 1000).toFixed(1) : '–')
export const ratio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : '–'

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/** The run with the median wall time (lower middle), so counts and times come from one run. */
export function medianRun(runs: Measurement[]): Measurement {
  const ok = runs.filter((run) => run.ok)
  const pool = ok.length > 0 ? ok : runs
  const sorted = [...pool].sort((a, b) => a.wallMs - b.wallMs)
  return sorted[Math.floor((sorted.length - 1) / 2)] as Measurement
}

export function describeRun(run: Measurement): string {
  return run.ok
    ? `${ms(run.wallMs)} ms, ${run.total} requests, ${run.throttled} throttled`
    : `FAILED: ${run.problem ?? ''}`
}
