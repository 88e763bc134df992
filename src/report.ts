import * as core from '@actions/core'
import type { SyncRequest } from './inputs.js'
import type { ParameterChange } from './plan/parameters.js'
import type { ParameterOutcome, SyncResult } from './sync.js'

export const OUTPUT = {
  parameters: 'parameters',
  changed: 'changed'
} as const

/** Replaces every secret value, and every line of one, with ***: for text that came from AWS. */
export function redact(text: string, values: readonly string[]): string {
  const needles = values
    .flatMap((value) => [value, ...value.split(/\r?\n/)])
    .filter((needle) => needle.trim() !== '')
    .sort((a, b) => b.length - a.length)
  let redacted = text
  for (const needle of needles) redacted = redacted.split(needle).join('***')
  return redacted
}

const SYMBOL: Record<string, string> = { created: '+', updated: '~', unchanged: '=', deleted: '-' }

/** One line per parameter; names, types and tiers only. */
export function planLines(changes: readonly ParameterChange[]): string[] {
  return changes.map((change) => {
    const detail =
      change.status === 'created'
        ? `${change.type}, ${change.tier}`
        : change.status === 'updated'
          ? `${change.type}, ${change.tier}, version ${change.version} → ${(change.version ?? 0) + 1}`
          : `version ${change.version}`
    return `${SYMBOL[change.status]} ${change.status.padEnd(9)} ${change.name} (${detail})`
  })
}

export function planSummaryLine(changes: readonly ParameterChange[]): string {
  const count = (status: string): number => changes.filter((change) => change.status === status).length
  return `${count('created')} to create, ${count('updated')} to update, ${count('unchanged')} unchanged, ${count('deleted')} to delete`
}

export interface OutputParameter {
  name: string
  arn: string
  version: number | null
  status: string
}

export function outputParameters(outcomes: readonly ParameterOutcome[]): OutputParameter[] {
  return outcomes.map((outcome) => ({
    name: outcome.name,
    arn: outcome.arn,
    version: outcome.version ?? null,
    status: outcome.status
  }))
}

export function changedCount(outcomes: readonly ParameterOutcome[]): number {
  return outcomes.filter((outcome) => ['created', 'updated', 'deleted'].includes(outcome.status)).length
}

/** Says what was and was not done, for a run that stopped on a failure. */
export function describeFailure(result: SyncResult): string {
  const names = (planned: string[], done: boolean): string =>
    result.outcomes
      .filter((outcome) => planned.includes(outcome.planned) && (outcome.status === outcome.planned) === done)
      .map((outcome) => outcome.name)
      .join(', ') || 'none'
  const sentences = [
    result.failure,
    `Written: ${names(['created', 'updated'], true)}.`,
    `Not written: ${names(['created', 'updated'], false)}.`
  ]
  if (result.outcomes.some((outcome) => outcome.planned === 'deleted')) {
    sentences.push(`Deleted: ${names(['deleted'], true)}.`, `Not deleted: ${names(['deleted'], false)}.`)
  }
  sentences.push('A re-run writes what is missing.')
  return sentences.join(' ')
}

export function setSyncOutputs(outcomes: readonly ParameterOutcome[]): void {
  core.setOutput(OUTPUT.parameters, JSON.stringify(outputParameters(outcomes)))
  core.setOutput(OUTPUT.changed, String(changedCount(outcomes)))
}

export interface SummaryOptions {
  request: SyncRequest
  outcomes: readonly ParameterOutcome[]
  dryRun: boolean
  failure?: string
}

function statusLine(options: SummaryOptions): string {
  const { outcomes, dryRun, failure, request } = options
  const count = (status: string): number => outcomes.filter((outcome) => outcome.status === status).length
  const counts = ['created', 'updated', 'unchanged', 'deleted', 'failed', 'skipped']
    .filter((status) => count(status) > 0)
    .map((status) => `${count(status)} ${status}`)
    .join(', ')
  const where = request.path ? ` under \`${request.path}\`` : ''
  if (dryRun) return `🔍 Dry run${where}: nothing was written. Planned: ${counts || 'nothing'}.`
  if (failure) return `❌ Sync${where} stopped: ${counts}.`
  return `✅ Synced ${outcomes.length} parameter${outcomes.length === 1 ? '' : 's'}${where}: ${counts || 'nothing to do'}.`
}

export async function writeSummary(options: SummaryOptions): Promise<void> {
  const summary = core.summary.addHeading('SSM secrets sync', 2).addRaw(statusLine(options), true)
  if (options.failure) summary.addRaw(`\n\n${options.failure}\n`, true)
  if (options.outcomes.length > 0) {
    summary.addTable([
      [
        { data: 'Parameter', header: true },
        { data: 'Type', header: true },
        { data: options.dryRun ? 'Planned' : 'Status', header: true },
        { data: 'Version', header: true },
        { data: 'Tier', header: true }
      ],
      ...options.outcomes.map((outcome) => [
        `<code>${outcome.name}</code>`,
        outcome.type,
        outcome.status,
        // An empty cell would be written as an unclosed <td> by the summary builder.
        outcome.version === undefined ? '—' : String(outcome.version),
        outcome.tier ?? '—'
      ])
    ])
  }
  await summary.write()
}
