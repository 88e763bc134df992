// Pure checks over one run of the bundle: how it failed, what it masked, what it leaked.
import type { BundleRun } from './process.js'

/** Decodes workflow-command data as the runner does (%25, %0D, %0A). */
const decode = (text: string) => text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
/** Encodes text as @actions/core encodes workflow-command data. */
const encode = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
const htmlEscape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** The `::error::` annotations of a run, decoded. */
export function errorAnnotations(run: Pick<BundleRun, 'stdout'>): string[] {
  const lines = run.stdout.split('\n').filter((line) => line.startsWith('::error'))
  return lines.map((line) => decode(line.replace(/^::error[^:]*::/, '')))
}

const STACK_FRAME = /^\s+at .+(\(.+:\d+:\d+\)|:\d+:\d+)$/m

/**
 * Why a run did not fail cleanly (exit 1, exactly one error annotation that reads as a sentence,
 * no stack trace), or [] when it did.
 */
export function unclean(run: BundleRun): string[] {
  const problems: string[] = []
  if (run.timedOut) problems.push('killed: still running at the time limit')
  if (run.exitCode !== 1) problems.push(`exit code ${run.exitCode}, expected 1`)
  const errors = errorAnnotations(run)
  if (errors.length !== 1) problems.push(`${errors.length} error annotations, expected 1: ${JSON.stringify(errors)}`)
  for (const error of errors) {
    if (/\bundefined\b|\[object Object\]|\bNaN\b/.test(error)) problems.push(`error reads oddly: ${error}`)
    if (error.trim().length < 20) problems.push(`error too terse to act on: ${JSON.stringify(error)}`)
    // A bare SDK message ('Rate exceeded', 'socket hang up') does not say what failed or what is left.
    if (!/fail|Input '|Timed out|could not|stopped|rolled back|was replaced/i.test(error)) {
      problems.push(`the error does not say what failed: ${JSON.stringify(error)}`)
    }
  }
  if (STACK_FRAME.test(run.stdout) || STACK_FRAME.test(run.stderr)) problems.push('a stack trace was printed')
  if (/UnhandledPromiseRejection|unhandled/i.test(run.stderr)) problems.push('an unhandled rejection was printed')
  return problems
}

// Shorter fragments would match by chance; the corpus gives every line a marker that is longer.
const MIN_NEEDLE = 4

/** The value, each of its lines (as is and trimmed), and the escaped forms a printer could produce: [form, text]. */
function needlesFor(value: string): [string, string][] {
  const forms: [string, string][] = [
    ['value', value],
    ['JSON-escaped value', JSON.stringify(value).slice(1, -1)],
    ['command-encoded value', encode(value)],
    ['HTML-escaped value', htmlEscape(value)],
    ['URL-encoded value', encodeURIComponent(value)]
  ]
  const lines = value.split(/\r?\n/)
  if (lines.length > 1) {
    lines.forEach((line, index) => forms.push([`line ${index + 1}`, line], [`line ${index + 1} trimmed`, line.trim()]))
  } else if (value.trim() !== value) forms.push(['trimmed value', value.trim()])
  const seen = new Set<string>()
  return forms.filter(([, text]) => text.trim().length >= MIN_NEEDLE && !seen.has(text) && seen.add(text))
}

type Leak = { channel: string; label: string; form: string }

/**
 * Every value's first needle found in each channel: stdout without `::add-mask::` lines (the only
 * place a value may be), stderr, the command files, and every other file.
 */
export function findLeaks(run: BundleRun, values: Record<string, string>): { leaks: Leak[]; channels: number } {
  const channels: Record<string, string> = {
    stdout: run.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n'),
    stderr: run.stderr,
    ...run.files,
    ...Object.fromEntries(Object.entries(run.otherFiles).map(([path, text]) => [`file ${path}`, text]))
  }
  const leaks: Leak[] = []
  for (const [channel, text] of Object.entries(channels)) {
    for (const [label, value] of Object.entries(values)) {
      const found = needlesFor(value).find(([, needle]) => text.includes(needle))
      if (found) leaks.push({ channel, label, form: found[0] })
    }
  }
  return { leaks, channels: Object.keys(channels).length }
}

/** Values (or lines of them) that were never registered as masks; the runner would print them. */
export function unmasked(stdout: string, values: Record<string, string>): string[] {
  const masks = stdout.split('\n').filter((line) => line.startsWith('::add-mask::'))
  const masked = new Set(masks.map((line) => decode(line.slice('::add-mask::'.length))))
  return Object.entries(values).flatMap(([label, value]) => {
    const lines = value.split(/\r?\n/)
    const missing = (line: string, index: number) =>
      lines.length > 1 && line.trim() !== '' && !masked.has(line) ? [`${label} line ${index + 1}`] : []
    return [...(masked.has(value) ? [] : [`${label} (whole value)`]), ...lines.flatMap(missing)]
  })
}
