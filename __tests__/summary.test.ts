// The job summary, written exactly as the runner receives it (GITHUB_STEP_SUMMARY), for reports
// built by hand: deterministic, no AWS, no run().
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import type { ActionRequest } from '../src/inputs/index.js'
import { batchJobLink } from '../src/plan/links.js'
import { executionRolePolicy } from '../src/plan/policy.js'
import type { RunReport } from '../src/report/index.js'
import { writeSummary } from '../src/report/summary.js'
import type { ParameterOutcome } from '../src/apply/parameters.js'

const SECRET_VALUES = [
  'correct-horse-battery-staple',
  'sk_live_51Hdemo',
  '-----BEGIN KEY-----\nMIIEvQIBADAN\n-----END KEY-----'
]
const ACCOUNT = '123456789012'
const arn = (name: string): string => `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/prod/billing/${name}`

const dir = await mkdtemp(join(tmpdir(), 'summary-test-'))
const summaryFile = join(dir, 'step-summary.md')
// @actions/core remembers the summary path after its first write: one file for the whole file.
vi.stubEnv('GITHUB_STEP_SUMMARY', summaryFile)
afterAll(async () => {
  vi.unstubAllEnvs()
  await rm(dir, { recursive: true, force: true })
})

async function summaryOf(report: RunReport): Promise<string> {
  await writeFile(summaryFile, '')
  await writeSummary(report)
  return readFile(summaryFile, 'utf8')
}

/** The summary reads the path and, to redact them, the secret values; the rest of a request does not show. */
function request(overrides: Partial<ActionRequest> = {}): ActionRequest {
  const entries = [
    { key: 'API_KEY', value: SECRET_VALUES[1] as string, kind: 'secrets' },
    { key: 'DB_PASSWORD', value: SECRET_VALUES[0] as string, kind: 'secrets' },
    { key: 'TLS_KEY', value: SECRET_VALUES[2] as string, kind: 'secrets' },
    { key: 'LOG_LEVEL', value: 'info', kind: 'variables' }
  ]
  return { entries, path: '/prod/billing/', ...overrides } as ActionRequest
}

/** An outcome as the sync reports it; `planned` is what the plan said, `status` what happened. */
function outcome(
  name: string,
  fields: Pick<ParameterOutcome, 'status' | 'type'> & Partial<ParameterOutcome>
): ParameterOutcome {
  const planned = fields.status === 'failed' || fields.status === 'skipped' ? 'updated' : fields.status
  const result: ParameterOutcome = { name: `/prod/billing/${name}`, planned, arn: arn(name), ...fields }
  if (result.status !== 'deleted') result.key = name
  return result
}

const policy = executionRolePolicy({
  parameterArns: ['API_KEY', 'DB_PASSWORD', 'LOG_LEVEL', 'TLS_KEY'].map(arn),
  secretArns: [],
  kmsKeyId: 'alias/prod-secrets',
  partition: 'aws',
  region: 'eu-west-1',
  account: ACCOUNT
})

const JOB_ID = '4c7a1f0e-2b9d-4e51-9d0a-6f1c2b3a4d5e'

/** A deploy-on-merge run: one value created, one rotated, one unchanged, one pruned; new revision; job succeeded. */
function batchRun(): RunReport {
  return {
    request: request(),
    dryRun: false,
    outcomes: [
      outcome('API_KEY', { status: 'created', type: 'SecureString', version: 1, tier: 'Standard' }),
      outcome('DB_PASSWORD', { status: 'updated', type: 'SecureString', version: 4, tier: 'Intelligent-Tiering' }),
      outcome('TLS_KEY', { status: 'unchanged', type: 'SecureString', version: 2 }),
      outcome('LOG_LEVEL', { status: 'unchanged', type: 'String', version: 7 }),
      outcome('OLD_TOKEN', { status: 'deleted', type: 'SecureString', version: 3 })
    ],
    definition: {
      kind: 'batch',
      name: 'billing-report',
      before: 7,
      after: 8,
      arn: `arn:aws:batch:eu-west-1:${ACCOUNT}:job-definition/billing-report:8`,
      registered: true,
      changes: [
        `container 'billing-report': + secret API_KEY → ${arn('API_KEY')}`,
        `container 'billing-report': - secret OLD_TOKEN`,
        `container 'billing-report': - environment API_KEY`
      ],
      deregistered: [`arn:aws:batch:eu-west-1:${ACCOUNT}:job-definition/billing-report:2`]
    },
    launch: {
      kind: 'batch-job',
      label: 'job `billing-report-42-1` on queue `billing-jobs`',
      id: JOB_ID,
      status: 'SUCCEEDED',
      link: batchJobLink({ partition: 'aws', region: 'eu-west-1', jobId: JOB_ID })
    },
    launchOutputs: { 'job-id': JOB_ID, 'job-status': 'SUCCEEDED' },
    policy
  }
}

const BATCH_RUN_SUMMARY = [
  '<h2>SSM secrets sync</h2>',
  '',
  '✅ Synced 5 parameters under `/prod/billing/`: 1 created, 1 updated, 2 unchanged, 1 deleted. Job definition `billing-report`: revision 8 registered. Job SUCCEEDED.',
  '',
  '<table><tr><th>Parameter</th><th>Type</th><th>Status</th><th>Version</th><th>Tier</th></tr>' +
    '<tr><td><code>/prod/billing/API_KEY</code></td><td>SecureString</td><td>created</td><td>1</td><td>Standard</td></tr>' +
    '<tr><td><code>/prod/billing/DB_PASSWORD</code></td><td>SecureString</td><td>updated</td><td>4</td><td>Intelligent-Tiering</td></tr>' +
    '<tr><td><code>/prod/billing/TLS_KEY</code></td><td>SecureString</td><td>unchanged</td><td>2</td><td>—</td></tr>' +
    '<tr><td><code>/prod/billing/LOG_LEVEL</code></td><td>String</td><td>unchanged</td><td>7</td><td>—</td></tr>' +
    '<tr><td><code>/prod/billing/OLD_TOKEN</code></td><td>SecureString</td><td>deleted</td><td>3</td><td>—</td></tr></table>',
  '',
  '**Job definition** `billing-report`: revision 7 → 8',
  '',
  '```diff',
  `+ container 'billing-report': secret API_KEY → arn:aws:ssm:eu-west-1:123456789012:parameter/prod/billing/API_KEY`,
  `- container 'billing-report': secret OLD_TOKEN`,
  `- container 'billing-report': environment API_KEY`,
  '```',
  '',
  'Deregistered: `arn:aws:batch:eu-west-1:123456789012:job-definition/billing-report:2`',
  '',
  '**Job** [`4c7a1f0e-2b9d-4e51-9d0a-6f1c2b3a4d5e`](https://eu-west-1.console.aws.amazon.com/batch/home?region=eu-west-1#jobs/detail/4c7a1f0e-2b9d-4e51-9d0a-6f1c2b3a4d5e) — job `billing-report-42-1` on queue `billing-jobs`: SUCCEEDED',
  '',
  '<details><summary>Execution role policy (least privilege for these secrets)</summary>',
  '',
  'What the execution role of a job or task needs to read exactly these secrets when its container starts (also the `execution-role-policy` output).',
  '',
  '```json',
  JSON.stringify(policy, null, 2),
  '```',
  '',
  '</details>',
  ''
].join('\n')

function expectNoSecretValue(summary: string): void {
  for (const value of SECRET_VALUES) {
    for (const piece of [value, ...value.split('\n')]) expect(summary).not.toContain(piece)
  }
}

describe('job summary', () => {
  it('shows a deploy run at a glance: status line, parameters, definition change, job link, policy folded', async () => {
    const summary = await summaryOf(batchRun())
    expect(summary).toBe(BATCH_RUN_SUMMARY)
    expectNoSecretValue(summary)
  })

  it('shows what a dry run of an ECS service redeploy would do', async () => {
    const summary = await summaryOf({
      request: request(),
      dryRun: true,
      outcomes: [
        outcome('API_KEY', { status: 'unchanged', type: 'SecureString', version: 1 }),
        outcome('DB_PASSWORD', { status: 'updated', type: 'SecureString', version: 4, tier: 'Intelligent-Tiering' })
      ],
      definition: {
        kind: 'ecs',
        name: 'web',
        before: 12,
        after: undefined,
        arn: '',
        registered: true,
        changes: [`container 'app': ~ secret DB_PASSWORD → ${arn('DB_PASSWORD')} (was /old/DB_PASSWORD)`],
        deregistered: []
      },
      launch: { kind: 'ecs-service', label: 'service `web` in cluster `main`' }
    })
    expect(summary).toBe(
      [
        '<h2>SSM secrets sync</h2>',
        '',
        '🔍 Dry run under `/prod/billing/`: nothing was written. Planned: 1 updated, 1 unchanged. Task definition `web`: would register a new revision. Would launch service `web` in cluster `main`.',
        '',
        '<table><tr><th>Parameter</th><th>Type</th><th>Planned</th><th>Version</th><th>Tier</th></tr>' +
          '<tr><td><code>/prod/billing/API_KEY</code></td><td>SecureString</td><td>unchanged</td><td>1</td><td>—</td></tr>' +
          '<tr><td><code>/prod/billing/DB_PASSWORD</code></td><td>SecureString</td><td>updated</td><td>4</td><td>Intelligent-Tiering</td></tr></table>',
        '',
        '**Task definition** `web`: would register a new revision (current: 12)',
        '',
        '```diff',
        `~ container 'app': secret DB_PASSWORD → ${arn('DB_PASSWORD')} (was /old/DB_PASSWORD)`,
        '```',
        '',
        '**Deployment**: would launch service `web` in cluster `main`',
        ''
      ].join('\n')
    )
  })

  it('says a run that stopped on a write registered and launched nothing', async () => {
    const failure =
      'Writing /prod/billing/DB_PASSWORD failed: ParameterMaxVersionLimitExceeded: too many versions. Written: /prod/billing/API_KEY. Not written: /prod/billing/DB_PASSWORD. A re-run writes what is missing. No definition was registered and nothing was launched.'
    const report = batchRun()
    report.failure = failure
    report.outcomes = [
      outcome('API_KEY', { status: 'created', type: 'SecureString', version: 1, tier: 'Standard' }),
      outcome('DB_PASSWORD', { status: 'failed', type: 'SecureString', version: 3 })
    ]
    Object.assign(report.definition ?? {}, { after: undefined, arn: '', deregistered: [] })
    report.launch = { kind: 'batch-job', label: 'job `billing-report-42-1` on queue `billing-jobs`' }
    delete report.launchOutputs
    const lines = (await summaryOf(report)).split('\n')
    expect(lines.slice(0, 5)).toEqual([
      '<h2>SSM secrets sync</h2>',
      '',
      '❌ Stopped under `/prod/billing/`: 1 created, 1 failed. Job definition `billing-report`: not registered. Nothing launched.',
      '',
      `> ${failure}`
    ])
    expect(lines).toContain(
      '**Job definition** `billing-report`: not registered: the run stopped before this stage (current: 7)'
    )
    expect(lines).toContain('**Job**: nothing launched — the run stopped before this stage')
  })

  it('quotes a failed launch, with every secret value redacted from what AWS said', async () => {
    const report = batchRun()
    report.launch = { ...(report.launch as NonNullable<RunReport['launch']>), status: 'FAILED' }
    report.failure = `Job billing-report-42-1 (${JOB_ID}) FAILED: Essential container exited.\nContainer exit code 1: bad token ${SECRET_VALUES[1]}\nkey line MIIEvQIBADAN`
    const summary = await summaryOf(report)
    expect(summary).toContain(
      '❌ Synced 5 parameters under `/prod/billing/`: 1 created, 1 updated, 2 unchanged, 1 deleted. Job definition `billing-report`: revision 8 registered. Job FAILED.'
    )
    expect(summary).toContain(
      `> Job billing-report-42-1 (${JOB_ID}) FAILED: Essential container exited.\n> Container exit code 1: bad token ***\n> key line ***\n`
    )
    expectNoSecretValue(summary)
  })

  it('after a wait: duration, exit code, each log stream or where the logs go, the last lines folded and escaped', async () => {
    const report = batchRun()
    const link =
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/g'
    Object.assign(report.launch ?? {}, {
      status: 'FAILED',
      durationSeconds: 125,
      exitCode: 2,
      logs: [
        { container: 'app', link },
        { container: 'router', elsewhere: "container 'router' sends its logs through FireLens" }
      ],
      lastLines: ['<b>&', `token ${SECRET_VALUES[1]}`]
    })
    const summary = await summaryOf(report)
    expect(summary).toContain(': FAILED (ran 2 min 5 s, exit code 2)')
    expect(summary).toContain(
      `- Logs of \`app\`: [CloudWatch Logs](${link})\n- container 'router' sends its logs through FireLens`
    )
    expect(summary).toContain('<details><summary>Last 2 log lines</summary>\n\n<pre>&lt;b&gt;&amp;\ntoken ***</pre>')
    expectNoSecretValue(summary)
  })

  it('says so when nothing is synced and only the launch was skipped', async () => {
    const summary = await summaryOf({
      request: request({ entries: [], path: '' }),
      dryRun: false,
      outcomes: [],
      definition: {
        kind: 'batch',
        name: 'billing-report',
        before: 8,
        after: 8,
        arn: `arn:aws:batch:eu-west-1:${ACCOUNT}:job-definition/billing-report:8`,
        registered: false,
        changes: [],
        deregistered: []
      },
      launch: {
        kind: 'batch-job',
        label: 'job `billing-report-42-1` on queue `billing-jobs`',
        skipped: 'launch is on-change and no parameter or definition changed'
      }
    })
    expect(summary).toBe(
      [
        '<h2>SSM secrets sync</h2>',
        '',
        '✅ No parameter to sync. Job definition `billing-report`: revision 8 unchanged. Nothing launched.',
        '',
        '**Job definition** `billing-report`: revision 8 unchanged',
        '',
        '**Job**: nothing launched — launch is on-change and no parameter or definition changed',
        ''
      ].join('\n')
    )
  })
})
