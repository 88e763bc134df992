// The report of a run: what was planned and what happened, and the text the log, the outputs and
// the job summary share. Names, types, versions and ARNs only; never a value.
import type { ActionRequest } from '../inputs/index.js'
import type { ParameterChange } from '../plan/parameters.js'
import type { PolicyDocument } from '../plan/policy.js'
import type { Finding } from '../plan/preflight.js'
import type { DefinitionKind } from '../plan/definitions.js'
import type { LaunchReport } from '../apply/launch.js'
import type { ParameterOutcome, SyncResult } from '../apply/parameters.js'
import type { OutputName } from '../names.js'

export interface DefinitionReport {
  kind: DefinitionKind
  name: string
  /** Revision before the run (undefined when the definition is new). */
  before: number | undefined
  /** Revision the job uses (undefined in a dry run that would register). */
  after: number | undefined
  arn: string
  registered: boolean
  changes: string[]
  deregistered: string[]
}

export interface RunReport {
  request: ActionRequest
  outcomes: readonly ParameterOutcome[]
  dryRun: boolean
  failure?: string
  definition?: DefinitionReport
  launch?: LaunchReport
  /** Outputs set by the launch (job-id, job-status, task-arn). */
  launchOutputs?: Partial<Record<OutputName, string>>
  policy?: PolicyDocument
  /** What the read-only checks before any write found. */
  preflight?: Finding[]
}

/** The values of the run's secrets (variables are not secret): what `redact` hides. */
export function secretValuesOf(request: Pick<ActionRequest, 'entries'>): string[] {
  return request.entries.filter((entry) => entry.kind === 'secrets').map((entry) => entry.value)
}

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

// Intelligent-Tiering is what the request says, not a tier a parameter ends up in.
const tierLabel = (tier: string | undefined) =>
  tier === 'Intelligent-Tiering' ? 'Intelligent-Tiering: AWS picks Standard or Advanced' : tier

/** One line per parameter; names, types and tiers only. */
export function planLines(changes: readonly ParameterChange[]): string[] {
  return changes.map((change) => {
    const detail =
      change.status === 'created'
        ? `${change.type}, ${tierLabel(change.tier)}`
        : change.status === 'updated'
          ? `${change.type}, ${tierLabel(change.tier)}, version ${change.version} → ${(change.version ?? 0) + 1}`
          : `version ${change.version}`
    return `${SYMBOL[change.status]} ${change.status.padEnd(9)} ${change.name} (${detail})`
  })
}

export function planSummaryLine(changes: readonly ParameterChange[]): string {
  const count = (status: string): number => changes.filter((change) => change.status === status).length
  return `${count('created')} to create, ${count('updated')} to update, ${count('unchanged')} unchanged, ${count('deleted')} to delete`
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
