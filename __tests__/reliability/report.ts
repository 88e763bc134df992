// What each case reports, and RELIABILITY.md from the results: the figures, the must-be-zero counts,
// every failed case.

export type Section = 'bad-input' | 'leak' | 'fault' | 'partial-failure' | 'concurrency' | 'nothing-lost'

export interface CaseResult {
  section: Section
  name: string
  /** the runtime it ran under */
  runtime: string
  ok: boolean
  /** why it is not ok (empty when ok) */
  problems: string[]
  /** how the (first) run ended: 'succeeded', 'failed cleanly', ... */
  outcome?: string
  /** jobs, deployments or tasks started beyond one per run */
  duplicates: number
  /** protected parameters written, deleted or changed */
  unmanagedTouched: number
  /** things worth knowing that are not failures */
  notes?: string[]
  /** leak cases: values × channels checked, and the leaks found */
  leakChecks?: { values: number; channels: number; leaks: number }
  ms: number
}

type Fields = Partial<Pick<CaseResult, 'outcome' | 'duplicates' | 'notes' | 'leakChecks' | 'ms'>>

/** A case's result; `touched` lists the protected parameters it wrote, deleted or changed. */
export function result(
  section: Section,
  name: string,
  runtime: string,
  { touched = [], ...fields }: Fields & { problems: string[]; touched?: string[] }
): CaseResult {
  const problems = [...fields.problems]
  if (touched.length > 0) problems.push(`touched parameters it does not manage: ${touched.join(', ')}`)
  const duplicates = fields.duplicates ?? 0
  const ok = problems.length === 0 && duplicates === 0
  return { section, name, runtime, ms: 0, ...fields, problems, duplicates, unmanagedTouched: touched.length, ok }
}

export type ReportContext = Record<'date' | 'machine' | 'bundle' | 'command', string> & {
  durationMs: number
  runtimes: { label: string; scope: string }[]
}

const of = (results: readonly CaseResult[], section: Section) => results.filter((item) => item.section === section)
const sum = (items: readonly CaseResult[], value: (item: CaseResult) => number) =>
  items.reduce((total, item) => total + value(item), 0)

export function totals(results: readonly CaseResult[]) {
  const count = (section: Section) => ({
    tried: of(results, section).length,
    ok: of(results, section).filter((item) => item.ok).length
  })
  const [leaks, faults] = [of(results, 'leak'), of(results, 'fault')]
  const t = {
    badInputs: count('bad-input'),
    leaks: {
      ...count('leak'),
      cases: sum(leaks, (item) => item.leakChecks?.values ?? 0),
      checks: sum(leaks, (item) => (item.leakChecks?.values ?? 0) * (item.leakChecks?.channels ?? 0)),
      found: sum(leaks, (item) => item.leakChecks?.leaks ?? 0)
    },
    faults: {
      ...count('fault'),
      succeeded: faults.filter((item) => item.outcome === 'succeeded').length,
      failedCleanly: faults.filter((item) => item.outcome === 'failed cleanly').length
    },
    duplicates: sum(results, (item) => item.duplicates),
    unmanagedTouched: sum(results, (item) => item.unmanagedTouched),
    partial: count('partial-failure'),
    concurrency: count('concurrency'),
    nothingLost: count('nothing-lost'),
    failed: results.filter((item) => !item.ok)
  }
  // Everything that must hold for the suite to pass.
  const passed = t.failed.length === 0 && t.duplicates === 0 && t.unmanagedTouched === 0 && t.leaks.found === 0
  return { ...t, passed }
}

function seconds(ms: number): string {
  const total = Math.round(ms / 1000)
  return total >= 60 ? `${Math.floor(total / 60)} min ${total % 60} s` : `${total} s`
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** The fault matrix as a table: one row per flow and operation, one column per fault. */
function faultTable(results: readonly CaseResult[]): string[] {
  const faults = of(results, 'fault')
  const kinds = [...new Set(faults.map((item) => item.name.split(' / ')[2] ?? ''))]
  const rows = [...new Set(faults.map((item) => item.name.split(' / ').slice(0, 2).join(' / ')))]
  const mark = (item: CaseResult): string =>
    !item.ok ? '**FAIL**' : item.outcome === 'succeeded' ? 'ok' : 'failed → ok'
  const cells = (row: string) =>
    kinds.map((kind) => [...new Set(faults.filter((item) => item.name === `${row} / ${kind}`).map(mark))].join(', '))
  return [
    `| flow / operation | ${kinds.join(' | ')} |`,
    `| --- | ${kinds.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row} | ${cells(row).join(' | ')} |`)
  ]
}

/** '95 cases × 2 runtimes' or '324 under node X + 108 under node Y'. */
function runsOf(results: readonly CaseResult[], section: Section): string {
  const byRuntime = new Map<string, number>()
  for (const item of of(results, section)) byRuntime.set(item.runtime, (byRuntime.get(item.runtime) ?? 0) + 1)
  const counts = [...byRuntime.values()]
  if (counts.length > 1 && counts.every((count) => count === counts[0])) {
    return `${counts[0]} cases × ${counts.length} runtimes`
  }
  return [...byRuntime].map(([runtime, count]) => `${count} under ${runtime}`).join(' + ')
}

export function renderReport(results: readonly CaseResult[], context: ReportContext): string {
  const t = totals(results)
  const yes = (good: boolean) => (good ? 'yes' : '**NO**')
  const all = ({ ok, tried }: { ok: number; tried: number }) => `${ok} of ${tried}`
  const notes = results.flatMap((item) => (item.notes ?? []).map((note) => `${item.name} (${item.runtime}): ${note}`))
  const lines = [
    '# Reliability',
    '',
    `Generated by \`${context.command}\` on ${context.date}; do not edit by hand. The suite runs the built bundle`,
    '(`dist/index.js`) as the runner does, against the local AWS-protocol server in `__tests__/fake-aws/`;',
    'its cases are data in `__tests__/reliability/`.',
    '',
    `**Result: ${t.passed ? 'PASS' : 'FAIL'}**`,
    '',
    '| | |',
    '| --- | --- |',
    `| Machine | ${cell(context.machine)} |`,
    ...context.runtimes.map((runtime) => `| Node | ${cell(runtime.label)}: ${cell(runtime.scope)} |`),
    `| Bundle | ${cell(context.bundle)} |`,
    `| Duration | ${seconds(context.durationMs)} |`,
    '',
    '## Figures',
    '',
    '| check | figure | must be | holds |',
    '| --- | --- | --- | --- |',
    `| Bad inputs rejected cleanly (exit 1, one error naming the input and the fix, no write request) | ${all(t.badInputs)} runs (${runsOf(results, 'bad-input')}) | all | ${yes(t.badInputs.ok === t.badInputs.tried)} |`,
    `| Leak cases (value × stage or failure path, RUNNER_DEBUG=1) × channels checked | ${t.leaks.cases} value cases × their channels = ${t.leaks.checks} checks, in ${t.leaks.tried} runs (${runsOf(results, 'leak')}) | — | — |`,
    `| Leaks found (a value, a line of one, or an escaped form outside \`::add-mask::\`) | ${t.leaks.found} | 0 | ${yes(t.leaks.found === 0)} |`,
    `| Leak runs that masked every value and took the intended path | ${all(t.leaks)} | all | ${yes(t.leaks.ok === t.leaks.tried)} |`,
    `| Fault cases converged (right state, or a clean failure, then a plain re-run reaches the right state) | ${all(t.faults)} (${runsOf(results, 'fault')}; ${t.faults.succeeded} runs succeeded despite the fault, ${t.faults.failedCleanly} failed cleanly) | all | ${yes(t.faults.ok === t.faults.tried)} |`,
    `| Duplicate launches (a second job, deployment or task for one run) | ${t.duplicates} | 0 | ${yes(t.duplicates === 0)} |`,
    `| Unmanaged parameters touched (written or deleted: untagged, another tool's, deeper, other path) | ${t.unmanagedTouched} | 0 | ${yes(t.unmanagedTouched === 0)} |`,
    `| Partial failures reported exactly (error, job summary, \`parameters\` output, server agree; nothing registered or launched) | ${all(t.partial)} (${runsOf(results, 'partial-failure')}) | all | ${yes(t.partial.ok === t.partial.tried)} |`,
    `| Concurrent run pairs left a consistent state | ${all(t.concurrency)} (${runsOf(results, 'concurrency')}) | all | ${yes(t.concurrency.ok === t.concurrency.tried)} |`,
    `| Prune cases that lost nothing | ${all(t.nothingLost)} (${runsOf(results, 'nothing-lost')}) | all | ${yes(t.nothingLost.ok === t.nothingLost.tried)} |`,
    '',
    '## Failed cases',
    '',
    ...(t.failed.length === 0 ? ['None.'] : []),
    ...t.failed.flatMap((item) => [
      `- **${item.section}: ${cell(item.name)}** (${item.runtime}, ${item.outcome ?? 'no outcome'})`,
      ...item.problems.map((problem) => `  - ${cell(problem).slice(0, 600)}`),
      ...(item.duplicates > 0 ? [`  - ${item.duplicates} duplicate launches`] : []),
      ...(item.unmanagedTouched > 0 ? [`  - ${item.unmanagedTouched} unmanaged parameters touched`] : [])
    ]),
    '',
    '## Fault matrix',
    '',
    'Each cell is one case per runtime: the fault is injected into every matching request until it has fired',
    'the given number of times (twice for the transient kinds and `drop-after`, once for `slow`, always for `persistent-*`,',
    'which run with `AWS_MAX_ATTEMPTS=3`); `ok` means the run succeeded with the right state, `failed → ok` that it',
    'failed cleanly and a plain re-run (the next run attempt) converged. `slow` answers after the client timeout',
    '(`SSM_SECRETS_ACTION_REQUEST_TIMEOUT_MS`). ListJobs and DescribeServices are reached through a lost',
    'SubmitJob or UpdateService answer.',
    '',
    ...faultTable(results),
    '',
    '## Notes',
    '',
    ...(notes.length === 0 ? ['None.'] : notes.map((note) => `- ${cell(note)}`)),
    '',
    '## Cases',
    '',
    ...(['partial-failure', 'concurrency', 'nothing-lost', 'leak'] as const).flatMap((section) => [
      `### ${section}`,
      '',
      ...of(results, section).map(
        (item) => `- ${item.ok ? 'ok' : '**FAIL**'} ${cell(item.name)} (${item.runtime}): ${cell(item.outcome ?? '')}`
      ),
      ''
    ])
  ]
  return `${lines.join('\n').trimEnd()}\n`
}
