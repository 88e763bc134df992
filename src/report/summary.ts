// The job summary: the run in Markdown, for the workflow run's page.
import * as core from '@actions/core'
import type { LaunchReport } from '../apply/launch.js'
import { OUTPUT } from '../names.js'
import type { DefinitionKind } from '../plan/definitions.js'
import { findingLine } from '../plan/preflight.js'
import { redact, secretValuesOf, type DefinitionReport, type RunReport } from './index.js'

/** Preflight stopped the run before any write. */
function preflightStopped(report: RunReport): boolean {
  return report.failure?.startsWith('Preflight:') === true
}

/**
 * The run stopped before the definition stage: preflight, or a sync failure (which leaves failed or
 * skipped parameters); a failure after that is the launch's.
 */
function syncStopped(report: RunReport): boolean {
  return (
    report.failure !== undefined &&
    (preflightStopped(report) ||
      report.outcomes.some((outcome) => outcome.status === 'failed' || outcome.status === 'skipped'))
  )
}

const DEFINITION_NOUN: Record<DefinitionKind, string> = { batch: 'Job definition', ecs: 'Task definition' }
const LAUNCH_NOUN: Record<LaunchReport['kind'], string> = {
  'batch-job': 'Job',
  'ecs-service': 'Deployment',
  'ecs-task': 'Task'
}

function revisionText(value: number | undefined): string {
  return value === undefined ? 'new' : String(value)
}

/** The whole run in one line: parameters, then the definition and the launch when there are any. */
function statusLine(report: RunReport): string {
  const { outcomes, dryRun, failure, request, definition, launch } = report
  const count = (status: string): number => outcomes.filter((outcome) => outcome.status === status).length
  const counts = ['created', 'updated', 'unchanged', 'deleted', 'failed', 'skipped']
    .filter((status) => count(status) > 0)
    .map((status) => `${count(status)} ${status}`)
    .join(', ')
  const where = request.path ? ` under \`${request.path}\`` : ''
  const stopped = syncStopped(report)
  const sentences: string[] = []
  if (preflightStopped(report)) sentences.push(`❌ Preflight failed${where}: nothing was written.`)
  else if (dryRun) sentences.push(`🔍 Dry run${where}: nothing was written. Planned: ${counts || 'nothing'}.`)
  else if (stopped) sentences.push(`❌ Stopped${where}: ${counts || 'no parameter'}.`)
  else if (outcomes.length === 0) sentences.push(`${failure ? '❌' : '✅'} No parameter to sync.`)
  else {
    const plural = outcomes.length === 1 ? '' : 's'
    sentences.push(`${failure ? '❌' : '✅'} Synced ${outcomes.length} parameter${plural}${where}: ${counts}.`)
  }
  if (definition) {
    const noun = `${DEFINITION_NOUN[definition.kind]} \`${definition.name}\``
    if (dryRun) sentences.push(`${noun}: ${definition.registered ? 'would register a new revision' : 'unchanged'}.`)
    else if (stopped) sentences.push(`${noun}: not registered.`)
    else if (definition.registered) sentences.push(`${noun}: revision ${revisionText(definition.after)} registered.`)
    else sentences.push(`${noun}: revision ${revisionText(definition.after)} unchanged.`)
  }
  if (launch) {
    if (dryRun) sentences.push(`Would launch ${launch.label}.`)
    else if (stopped || launch.skipped) sentences.push('Nothing launched.')
    else sentences.push(`${LAUNCH_NOUN[launch.kind]} ${launch.status ?? 'started'}.`)
  }
  return sentences.join(' ')
}

/** `container 'app': + secret X → arn` becomes `+ container 'app': secret X → arn`, so the diff is coloured. */
function diffLine(change: string): string {
  const match = /^(container '[^']*': )([+~-]) (.*)$/.exec(change)
  return match ? `${match[2]} ${match[1]}${match[3]}` : change
}

function definitionLines(report: RunReport, definition: DefinitionReport): string[] {
  const head = report.dryRun
    ? definition.registered
      ? `would register a new revision (current: ${revisionText(definition.before)})`
      : `revision ${revisionText(definition.before)} unchanged`
    : syncStopped(report)
      ? `not registered: the run stopped before this stage (current: ${revisionText(definition.before)})`
      : definition.registered
        ? `revision ${revisionText(definition.before)} → ${revisionText(definition.after)}`
        : `revision ${revisionText(definition.after)} unchanged`
  const lines = [`**${DEFINITION_NOUN[definition.kind]}** \`${definition.name}\`: ${head}`]
  if (definition.changes.length > 0) lines.push('', '```diff', ...definition.changes.map(diffLine), '```')
  if (definition.deregistered.length > 0)
    lines.push('', `Deregistered: ${definition.deregistered.map((arn) => `\`${arn}\``).join(', ')}`)
  return lines
}

function launchLine(report: RunReport, launch: LaunchReport): string {
  const what = LAUNCH_NOUN[launch.kind]
  if (report.dryRun) return `**${what}**: would launch ${launch.label}`
  if (syncStopped(report)) return `**${what}**: nothing launched — the run stopped before this stage`
  if (launch.skipped) return `**${what}**: nothing launched — ${launch.skipped}`
  const id = launch.id ? (launch.link ? ` [\`${launch.id}\`](${launch.link})` : ` \`${launch.id}\``) : ''
  const ran = [
    launch.durationSeconds === undefined ? '' : `ran ${duration(launch.durationSeconds)}`,
    launch.exitCode === undefined ? '' : `exit code ${launch.exitCode}`
  ].filter(Boolean)
  return `**${what}**${id} — ${launch.label}: ${launch.status ?? 'started'}${ran.length > 0 ? ` (${ran.join(', ')})` : ''}`
}

function duration(seconds: number): string {
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string)

/** Each container's log stream, linked, or where its logs go; then the last lines of a failure, folded. */
function logLines(launch: LaunchReport, secretValues: readonly string[]): string[] {
  const lines = (launch.logs ?? []).map(({ container, link, elsewhere }) =>
    link ? `- Logs of \`${container}\`: [CloudWatch Logs](${link})` : `- ${redact(elsewhere ?? '', secretValues)}`
  )
  if (launch.lastLines && launch.lastLines.length > 0) {
    const text = redact(launch.lastLines.join('\n'), secretValues)
    lines.push(
      '',
      `<details><summary>Last ${launch.lastLines.length} log lines</summary>\n\n<pre>${escapeHtml(text)}</pre>\n\n</details>`
    )
  }
  return lines
}

/** Multi-line text as a Markdown quote, so lines AWS sent (service events) stay together. */
function quote(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => `> ${line}`.trimEnd())
    .join('\n')
}

/**
 * The job summary: a status line, the failure if any, the parameters table, the definition
 * change, the launch with its console link and the execution-role policy folded away.
 * Names, types, versions and ARNs only; failure text from AWS is redacted of every secret value.
 */
export async function writeSummary(report: RunReport): Promise<void> {
  const summary = core.summary.emptyBuffer().addHeading('SSM secrets sync', 2)
  // Blank lines between blocks: Markdown right after an HTML block would be rendered as plain text.
  const block = (markdown: string): void => void summary.addRaw(`\n${markdown}\n`)
  block(statusLine(report))
  if (report.failure) {
    block(quote(redact(report.failure, secretValuesOf(report.request))))
  }
  if (report.outcomes.length > 0) {
    summary.addRaw('\n').addTable([
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
  if (report.preflight && report.preflight.length > 0) {
    block(['**Preflight**', '', ...report.preflight.map((finding) => `- ${findingLine(finding)}`)].join('\n'))
  }
  if (report.definition) block(definitionLines(report, report.definition).join('\n'))
  if (report.launch) {
    block([launchLine(report, report.launch), ...logLines(report.launch, secretValuesOf(report.request))].join('\n'))
  }
  if (report.policy && report.policy.Statement.length > 0) {
    summary
      .addRaw('\n')
      .addDetails(
        'Execution role policy (least privilege for these secrets)',
        `\n\nWhat the execution role of a job or task needs to read exactly these secrets when its container starts (also the \`${OUTPUT.executionRolePolicy}\` output).\n\n\`\`\`json\n${JSON.stringify(report.policy, null, 2)}\n\`\`\`\n\n`
      )
  }
  await summary.write()
}
