import * as core from '@actions/core'
import type { ActionRequest } from './inputs/index.js'
import type { ParameterChange } from './plan/parameters.js'
import type { PolicyDocument } from './plan/policy.js'
import type { DefinitionKind } from './plan/definitions.js'
import type { LaunchReport } from './launch/index.js'
import type { ParameterOutcome, SyncResult } from './sync.js'

export const OUTPUT = {
  parameters: 'parameters',
  changed: 'changed',
  jobDefinitionArn: 'job-definition-arn',
  registered: 'registered',
  taskDefinitionArn: 'task-definition-arn',
  jobId: 'job-id',
  jobStatus: 'job-status',
  taskArn: 'task-arn',
  executionRolePolicy: 'execution-role-policy'
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
  launchOutputs?: Record<string, string>
  policy?: PolicyDocument
}

export function setOutputs(report: RunReport): void {
  core.setOutput(OUTPUT.parameters, JSON.stringify(outputParameters(report.outcomes)))
  core.setOutput(OUTPUT.changed, String(changedCount(report.outcomes)))
  if (report.policy) core.setOutput(OUTPUT.executionRolePolicy, JSON.stringify(report.policy))
  if (report.definition) {
    core.setOutput(OUTPUT.registered, String(report.definition.registered))
    const arnOutput = report.definition.kind === 'batch' ? OUTPUT.jobDefinitionArn : OUTPUT.taskDefinitionArn
    if (report.definition.arn) core.setOutput(arnOutput, report.definition.arn)
  }
  for (const [name, value] of Object.entries(report.launchOutputs ?? {})) core.setOutput(name, value)
}

function statusLine(report: RunReport): string {
  const { outcomes, dryRun, failure, request } = report
  const count = (status: string): number => outcomes.filter((outcome) => outcome.status === status).length
  const counts = ['created', 'updated', 'unchanged', 'deleted', 'failed', 'skipped']
    .filter((status) => count(status) > 0)
    .map((status) => `${count(status)} ${status}`)
    .join(', ')
  const where = request.path ? ` under \`${request.path}\`` : ''
  if (dryRun) return `🔍 Dry run${where}: nothing was written. Planned: ${counts || 'nothing'}.`
  if (failure) return `❌ Stopped${where}: ${counts || 'no parameter'}.`
  return `✅ Synced ${outcomes.length} parameter${outcomes.length === 1 ? '' : 's'}${where}: ${counts || 'nothing to do'}.`
}

function definitionLines(report: RunReport, definition: DefinitionReport): string[] {
  const revision = (value: number | undefined): string => (value === undefined ? 'new' : String(value))
  const head = report.dryRun
    ? definition.registered
      ? `would register a new revision (current: ${revision(definition.before)})`
      : `revision ${revision(definition.before)} unchanged`
    : definition.registered
      ? `revision ${revision(definition.before)} → ${revision(definition.after)}`
      : `revision ${revision(definition.after)} unchanged`
  const noun = definition.kind === 'batch' ? 'Job definition' : 'Task definition'
  const lines = [`**${noun}** \`${definition.name}\`: ${head}`]
  if (definition.changes.length > 0) lines.push('', '```diff', ...definition.changes, '```')
  if (definition.deregistered.length > 0)
    lines.push('', `Deregistered: ${definition.deregistered.map((arn) => `\`${arn}\``).join(', ')}`)
  return lines
}

function launchLine(report: RunReport, launch: LaunchReport): string {
  const what = { 'batch-job': 'Job', 'ecs-service': 'Deployment', 'ecs-task': 'Task' }[launch.kind]
  if (launch.skipped) return `**${what}**: nothing launched — ${launch.skipped}`
  if (report.dryRun) return `**${what}**: would launch ${launch.label}`
  const id = launch.id ? (launch.link ? `[\`${launch.id}\`](${launch.link})` : `\`${launch.id}\``) : ''
  return `**${what}** ${id} — ${launch.label}: ${launch.status ?? 'started'}`
}

export async function writeSummary(report: RunReport): Promise<void> {
  const summary = core.summary.addHeading('SSM secrets sync', 2).addRaw(statusLine(report), true)
  if (report.failure) summary.addRaw(`\n${report.failure}\n`, true)
  if (report.outcomes.length > 0) {
    summary.addTable([
      [
        { data: 'Parameter', header: true },
        { data: 'Type', header: true },
        { data: report.dryRun ? 'Planned' : 'Status', header: true },
        { data: 'Version', header: true },
        { data: 'Tier', header: true }
      ],
      ...report.outcomes.map((outcome) => [
        `<code>${outcome.name}</code>`,
        outcome.type,
        outcome.status,
        // An empty cell would be written as an unclosed <td> by the summary builder.
        outcome.version === undefined ? '—' : String(outcome.version),
        outcome.tier ?? '—'
      ])
    ])
  }
  if (report.definition) summary.addRaw(`\n${definitionLines(report, report.definition).join('\n')}\n`, true)
  if (report.launch) summary.addRaw(`\n${launchLine(report, report.launch)}\n`, true)
  if (report.policy && report.policy.Statement.length > 0) {
    summary.addDetails(
      'Execution role policy (least privilege for these secrets)',
      `\n\n\`\`\`json\n${JSON.stringify(report.policy, null, 2)}\n\`\`\`\n`
    )
  }
  await summary.write()
}
