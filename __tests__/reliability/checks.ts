// Pure checks over one run of the bundle: how it failed, what it masked, what it leaked.
import { COMMAND_FILES, type BundleRun } from './process.js'

/** Decodes workflow-command data as the runner does (%25, %0D, %0A). */
export function decodeCommandData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

/** Encodes text as @actions/core encodes workflow-command data. */
export function encodeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** The `::error::` annotations of a run, decoded. */
export function errorAnnotations(run: Pick<BundleRun, 'stdout'>): string[] {
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('::error'))
    .map((line) => decodeCommandData(line.replace(/^::error[^:]*::/, '')))
}

/** The values registered with `::add-mask::`, decoded. */
export function maskedValues(stdout: string): Set<string> {
  return new Set(
    stdout
      .split('\n')
      .filter((line) => line.startsWith('::add-mask::'))
      .map((line) => decodeCommandData(line.slice('::add-mask::'.length)))
  )
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

/** One thing to look for: a secret value, or a line of one, in one of the forms it could be printed in. */
export interface Needle {
  /** which value: its label in the corpus */
  label: string
  form: string
  text: string
}

// Shorter fragments would match by chance; the corpus gives every line a marker that is longer.
const MIN_NEEDLE = 4

function htmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** The value, each of its lines (as is and trimmed), and the escaped forms a printer could produce. */
export function needlesFor(label: string, value: string): Needle[] {
  const forms: [string, string][] = [
    ['value', value],
    ['JSON-escaped value', JSON.stringify(value).slice(1, -1)],
    ['command-encoded value', encodeCommandData(value)],
    ['HTML-escaped value', htmlEscape(value)],
    ['URL-encoded value', encodeURIComponent(value)]
  ]
  const lines = value.split(/\r?\n/)
  if (lines.length > 1) {
    lines.forEach((line, index) => {
      forms.push([`line ${index + 1}`, line], [`line ${index + 1} trimmed`, line.trim()])
    })
  } else if (value.trim() !== value) forms.push(['trimmed value', value.trim()])
  const seen = new Set<string>()
  const needles: Needle[] = []
  for (const [form, text] of forms) {
    if (text.trim().length < MIN_NEEDLE || seen.has(text)) continue
    seen.add(text)
    needles.push({ label, form, text })
  }
  return needles
}

export interface Leak {
  channel: string
  label: string
  form: string
}

/** The channels of a run, by name: stdout without `::add-mask::` lines (the only place a value may be), and the rest whole. */
export function channelsOf(run: BundleRun): Record<string, string> {
  const channels: Record<string, string> = {
    stdout: run.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n'),
    stderr: run.stderr
  }
  for (const name of COMMAND_FILES) channels[name] = run.files[name]
  for (const [path, text] of Object.entries(run.otherFiles)) channels[`file ${path}`] = text
  return channels
}

export function findLeaks(run: BundleRun, values: Record<string, string>): { leaks: Leak[]; channels: number } {
  const channels = channelsOf(run)
  const needles = Object.entries(values).flatMap(([label, value]) => needlesFor(label, value))
  const leaks: Leak[] = []
  for (const [channel, text] of Object.entries(channels)) {
    const reported = new Set<string>()
    for (const needle of needles) {
      if (reported.has(needle.label) || !text.includes(needle.text)) continue
      reported.add(needle.label)
      leaks.push({ channel, label: needle.label, form: needle.form })
    }
  }
  return { leaks, channels: Object.keys(channels).length }
}

/** Values (or lines of them) that were never registered as masks; the runner would print them. */
export function unmasked(stdout: string, values: Record<string, string>): string[] {
  const masked = maskedValues(stdout)
  const missing: string[] = []
  for (const [label, value] of Object.entries(values)) {
    if (!masked.has(value)) missing.push(`${label} (whole value)`)
    const lines = value.split(/\r?\n/)
    if (lines.length > 1) {
      lines.forEach((line, index) => {
        if (line.trim() !== '' && !masked.has(line)) missing.push(`${label} line ${index + 1}`)
      })
    }
  }
  return missing
}
