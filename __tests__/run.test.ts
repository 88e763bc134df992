// run() in-process: every input error, and the parameter stage against the local AWS server.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { errorMessage } from '../src/errors.js'
import { useInProcessRun } from './in-process.js'

const { fake, runWith } = useInProcessRun()
const dir = await mkdtemp(join(tmpdir(), 'run-inputs-'))
const BROKEN = join(dir, 'broken.json')
await writeFile(BROKEN, '{"jobDefinitionName": ')
afterAll(() => rm(dir, { recursive: true, force: true }))

const managed = { 'managed-by': 'ssm-secrets-action' }
const arn = (name: string) => `arn:aws:ssm:us-east-1:123456789012:parameter${name}`
const lines = (count: number, line: (index: number) => string) => Array.from({ length: count }, (_, i) => line(i))
const sync = { secrets: '{"A": "a-value"}', path: '/t/' }
const job = { ...sync, 'job-definition': 'app' }
const queued = { ...job, 'job-queue': 'q' }
const task = { ...sync, 'task-definition': 'svc', containers: 'app' }
const runTask = { ...task, 'run-task': 'true' }
const service = { ...task, cluster: 'main', service: 'svc' }

/** [the input the error names, the inputs, the rest of the message (a string: all of it), extra environment] */
type BadInput = [string, Record<string, string>, RegExp | string, Record<string, string>?]
const BAD_INPUTS: BadInput[] = [
  ['path', { secrets: '{"A": "a"}' }, /is required to sync/],
  ['path', { ...sync, path: 't/' }, /'t\/' must start with '\/'/],
  ['path', { ...sync, path: '/ssm/x/' }, /'\/ssm\/x\/' must not begin with 'aws' or 'ssm'/],
  [
    'path',
    { ...sync, path: `/${lines(15, (i) => `l${i}`).join('/')}/` },
    'a parameter name under it has 16 levels; Parameter Store allows at most 15. Use a shorter path'
  ],
  ['tier', { ...sync, tier: 'fast' }, /'fast' is not one of auto, Standard, Advanced, Intelligent-Tiering/],
  ['prune', { ...sync, prune: 'yes' }, /must be true or false/],
  ['prune', { secrets: '{"github_token": "ghs_x"}', path: '/t/', prune: 'true' }, /is true but no secret or variable/],
  ['dry-run', { ...sync, 'dry-run': 'maybe' }, /must be true or false/],
  ['preflight', { ...sync, preflight: 'maybe' }, /'maybe' is not one of true, strict, false/],
  // Validated even when nothing is launched.
  ['launch', { ...sync, launch: 'sometimes' }, /'sometimes' is not one of always, on-change/],
  ['log-lines', { ...sync, 'log-lines': 'many' }, /'many' is not a whole number of at least 0/],
  ['region', { ...sync, region: 'moon-base' }, /'moon-base' is not an AWS region/],
  ['region', sync, /no region given/, { AWS_REGION: '', AWS_DEFAULT_REGION: '' }],
  ['kms-key-id', { ...sync, 'kms-key-id': 'billing' }, /Did you mean 'alias\/billing'\?/],
  ['tags', { ...sync, tags: 'team' }, /'team' is not a key=value line/],
  ['tags', { ...sync, tags: 'aws:x=1' }, /tag key 'aws:x' uses the reserved prefix/],
  ['tags', { ...sync, tags: 'a=1\na=2' }, /'a' is given twice/],
  ['tags', { ...sync, tags: lines(50, (i) => `k${i}=v`).join('\n') }, /50 tags given; at most 49/],
  ['references', { ...sync, references: 'DB' }, /'DB' is not a NAME=valueFrom line/],
  ['references', { ...sync, references: 'DB=/x/db\nDB=/x/db2' }, /'DB' is given twice/],
  ['references', { ...sync, references: 'A=/x/a' }, /'A' is also synced/],
  ['include', { ...sync, include: 'MISSING' }, /'MISSING' not found in secrets or variables/],
  ['secrets', { ...sync, secrets: '{"bad-name": "v"}' }, /'bad-name' is not a valid environment variable name/],
  ['secrets', { ...sync, secrets: '{"A": ""}' }, /the value of 'A' is empty/],
  ['secrets', { ...sync, secrets: '{"A": "unterminated' }, /is not valid JSON or YAML \(line 1, column \d+\)/],
  ['secrets', { ...sync, secrets: `{"A": "${'x'.repeat(4097)}"}`, tier: 'Standard' }, /the Standard tier allows/],
  ['variables', { ...sync, variables: '{"A": "v"}' }, /'A' is also in secrets/],
  ['variables', { ...sync, variables: '[1]' }, /must be a map/],
  ['containers', { ...sync, containers: 'app' }, /needs 'job-definition'/],
  ['keep-revisions', { ...sync, 'keep-revisions': '2' }, /needs 'job-definition'/],
  ['keep-revisions', { ...job, 'keep-revisions': '0' }, /'0' is not a whole number of at least 1/],
  ['keep-revisions', { ...job, 'keep-revisions': 'two' }, /'two' is not a whole number/],
  ['job-queue', { ...sync, 'job-queue': 'q' }, /needs 'job-definition'/],
  ['job-queue', { ...task, 'job-queue': 'q' }, /is for Batch; with 'task-definition' use 'service' or 'run-task'/],
  ['wait', { ...job, wait: 'true' }, /needs something to launch: 'job-queue', 'service' or 'run-task'/],
  ['wait-timeout', { ...queued, 'wait-timeout': 'soon' }, /'soon' is not a number of at least 0.01/],
  ['job-tags', { ...job, 'job-tags': 'a=b' }, /needs 'job-queue'/],
  ['job-tags', { ...queued, 'job-tags': 'aws:x=1' }, /tag key 'aws:x' uses the reserved prefix/],
  ['job-definition', { ...sync, 'job-definition': 'bad name!' }, /'bad name!' is neither a file nor a job definition/],
  ['job-definition', { ...sync, 'job-definition': 'app:latest' }, /'app:latest' is neither/],
  ['job-definition', { ...sync, 'job-definition': BROKEN }, /'.*broken.json' is not valid JSON/],
  ['launch', { ...queued, launch: 'sometimes' }, /'sometimes' is not one of always, on-change/],
  ['job-name', { ...queued, 'job-name': '-x y' }, /'-x y' must be 1 to 128 letters/],
  ['container-overrides', { ...queued, 'container-overrides': '{command: x}' }, /is not valid JSON/],
  ['container-overrides', { ...queued, 'container-overrides': '[1]' }, /must be a JSON object/],
  ['log-secret-options', { ...job, 'log-secret-options': 'k=NO' }, /'NO' is neither synced nor in references/],
  ['log-secret-options', { ...job, 'log-secret-options': 'apiKey' }, /'apiKey' is not a OPTION=NAME line/],
  ['task-definition', { ...task, 'job-definition': 'x' }, /give either 'job-definition' \(Batch\) or 'task-defi/],
  ['task-definition', { ...task, 'task-definition': 'svc:abc' }, /'svc:abc' is neither a file nor a task definition/],
  ['cluster', { ...task, service: 'svc' }, /is required with 'service'/],
  ['cluster', { ...task, cluster: 'main' }, /needs 'service' or 'run-task: true'/],
  ['cluster', { ...job, cluster: 'main' }, /is for ECS; with 'job-definition' use 'job-queue'/],
  ['run-task', { ...service, 'run-task': 'true' }, /give either 'service'/],
  ['run-task', { ...sync, 'run-task': 'true' }, /needs 'job-definition' or 'task-definition'/],
  ['subnets', { ...service, subnets: 'subnet-0a' }, /applies to 'run-task', not to a service/],
  ['subnets', { ...runTask, subnets: 'net-1' }, /'net-1' is not an id like subnet-0123456789abcdef0/],
  ['security-groups', { ...runTask, subnets: 'subnet-0a', 'security-groups': 'default' }, /'default' is not an id/],
  ['launch-type', { ...runTask, 'launch-type': 'LAMBDA' }, /'LAMBDA' is not one of FARGATE, EC2, EXTERNAL/],
  ['assign-public-ip', { ...runTask, 'assign-public-ip': 'yes' }, /'yes' is not one of ENABLED, DISABLED/]
]

describe('bad input fails with one error naming the input, before any request', () => {
  it.each(BAD_INPUTS)("Input '%s': %s", async (name, inputs, message, env) => {
    const result = await runWith(inputs, env)
    expect(result.failed).toBe(true)
    expect(result.errors).toHaveLength(1)
    const [error = ''] = result.errors
    expect(error.startsWith(`Input '${name}': `), error).toBe(true)
    if (typeof message === 'string') expect(error).toBe(`Input '${name}': ${message}`)
    else expect(error.slice(`Input '${name}': `.length)).toMatch(message)
    expect(fake().requests).toEqual([])
  })

  it('reports every bad input of a run at once, one error each', async () => {
    const inputs = { ...sync, path: 't/', tier: 'fast', 'kms-key-id': 'billing', 'dry-run': 'maybe' }
    const result = await runWith(inputs)
    expect(result.errors.map((error) => error.slice(0, error.indexOf(':')))).toEqual([
      "Input 'tier'",
      "Input 'path'",
      "Input 'kms-key-id'",
      "Input 'dry-run'"
    ])
    expect(fake().requests).toEqual([])
  })
})

describe('the parameter stage', () => {
  const parameters = (result: { outputs: Record<string, string> }) =>
    JSON.parse(result.outputs.parameters ?? '') as { name: string; arn: string; version: number; status: string }[]

  it('warns about an include glob that matched nothing, and syncs the rest', async () => {
    const result = await runWith({ secrets: '{"DB_A": "1", "OTHER": "2"}', path: '/w/', include: 'DB_*, NOPE_*' })
    expect(result.failed).toBe(false)
    expect(result.warnings).toContain(`include pattern 'NOPE_*' matched no secret or variable`)
    expect(
      fake()
        .ssm.names()
        .filter((name) => name.startsWith('/w/'))
    ).toEqual(['/w/DB_A'])
  })

  it('warns when include/exclude leave nothing, and does nothing', async () => {
    const result = await runWith({ secrets: '{"A": "1"}', path: '/n/', exclude: '*' })
    expect(result.failed).toBe(false)
    expect(result.warnings).toContain('include/exclude selected no secret or variable; nothing will be synced')
    expect(fake().requests).toEqual([])
    expect(result.outputs).toEqual({ parameters: '[]', changed: '0' })
  })

  it('puts user tags on new and rewritten parameters, and the KMS key on SecureStrings only', async () => {
    fake().ssm.put({ name: '/kms/EXISTING', value: 'old', type: 'SecureString', tags: { owner: 'someone' } })
    const keyId = 'alias/billing'
    const result = await runWith({
      secrets: JSON.stringify({ FRESH: 'f', EXISTING: 'new' }),
      variables: JSON.stringify({ LOG_LEVEL: 'debug' }),
      path: '/kms',
      tags: 'team=billing\ncost-center = 42',
      'kms-key-id': keyId
    })
    expect(result.failed).toBe(false)
    const tags = { team: 'billing', 'cost-center': '42', ...managed }
    expect(fake().ssm.get('/kms/FRESH')).toMatchObject({ tags, keyId })
    expect(fake().ssm.get('/kms/EXISTING')).toMatchObject({ tags: { ...tags, owner: 'someone' }, keyId, version: 2 })
    expect(fake().ssm.get('/kms/LOG_LEVEL')).toMatchObject({ type: 'String', value: 'debug', tags })
    expect(fake().ssm.get('/kms/LOG_LEVEL')?.keyId).toBeUndefined()
  })

  it('leaves ARNs empty with a warning when STS cannot be reached', async () => {
    fake().inject({ operation: 'GetCallerIdentity', kind: 'server-error', times: 10 })
    const result = await runWith({ secrets: '{"A": "a1"}', path: '/sts/' }, { AWS_MAX_ATTEMPTS: '1' })
    expect(result.failed).toBe(false)
    expect(result.warnings[0]).toMatch(/Could not read the account id \(STS GetCallerIdentity\)/)
    expect(parameters(result)).toEqual([{ name: '/sts/A', arn: '', version: 1, status: 'created' }])
  })

  it('without AWS credentials, points at configure-aws-credentials', async () => {
    const none = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' }
    const result = await runWith({ secrets: '{"A": "a1"}', path: '/nc/' }, { ...none, AWS_CONFIG_FILE: '/nonexistent' })
    expect(result.errors[0]).toMatch(
      /^Reading the current parameters failed, nothing was written: CredentialsProviderError: .*; the job has no AWS credentials: add aws-actions\/configure-aws-credentials before this step \(with `permissions: id-token: write` on the job for OIDC\)/
    )
  })

  it('tier auto: an update is sent as Intelligent-Tiering; the summary shows the tier the parameter got', async () => {
    fake().ssm.put({ name: '/tier/A', value: 'old', type: 'SecureString' })
    const result = await runWith({ secrets: '{"A": "new"}', path: '/tier/' })
    expect(fake().requests.find((r) => r.operation === 'PutParameter')?.input).toMatchObject({
      Tier: 'Intelligent-Tiering'
    })
    expect(result.summary).toContain(
      '<td><code>/tier/A</code></td><td>SecureString</td><td>updated</td><td>2</td><td>Standard</td>'
    )
  })

  it('says nothing was written when reading fails', async () => {
    fake().inject({ operation: 'GetParameters', kind: 'server-error', times: 10 })
    const result = await runWith({ secrets: '{"A": "a1"}', path: '/rf/' }, { AWS_MAX_ATTEMPTS: '1' })
    expect(result.failed).toBe(true)
    expect(result.errors[0]).toMatch(/^Reading the current parameters failed, nothing was written: InternalServerError/)
    expect(fake().writes()).toEqual([])
  })

  it('dry-run plans every kind of change, and writes nothing', async () => {
    fake().ssm.put({ name: '/d/OLD', value: 'o', type: 'String', tags: managed })
    fake().ssm.put({ name: '/d/ROTATED', value: 'r1', type: 'SecureString', tags: managed })
    fake().ssm.put({ name: '/d/SAME', value: 'same', type: 'SecureString' })
    const secrets = JSON.stringify({ NEW: 'n', SAME: 'same', ROTATED: 'r2' })
    const result = await runWith({ secrets, path: '/d/', prune: 'true', 'dry-run': 'true' })
    expect(result.failed).toBe(false)
    expect(fake().writes()).toEqual([])
    expect(fake().count('GetCallerIdentity')).toBe(0)
    for (const line of [
      '+ created   /d/NEW (SecureString, Standard)',
      '~ updated   /d/ROTATED (SecureString, Intelligent-Tiering: AWS picks Standard or Advanced, version 1 → 2)',
      '= unchanged /d/SAME (version 1)',
      '- deleted   /d/OLD (version 1)'
    ]) {
      expect(result.stdout).toContain(line)
    }
    expect(result.summary).toContain(
      'Dry run under `/d/`: nothing was written. Planned: 1 created, 1 updated, 1 unchanged, 1 deleted.'
    )
    expect(result.outputs.changed).toBe('3')
    expect(parameters(result)).toContainEqual({ name: '/d/OLD', arn: arn('/d/OLD'), version: 1, status: 'deleted' })
  })

  it('a write that keeps failing stops the run, says what was written, skips pruning; a re-run completes', async () => {
    fake().ssm.put({ name: '/pf/OLD', value: 'o', type: 'String', tags: managed })
    fake().inject({ operation: 'PutParameter', kind: 'server-error', skip: 1, times: 100 })
    const inputs = { secrets: '{"A": "a1", "B": "b1", "C": "c1", "D": "d1"}', path: '/pf/', prune: 'true' }
    const result = await runWith(inputs, { AWS_MAX_ATTEMPTS: '2' })
    expect(result.failed).toBe(true)
    // Three writers: the first write lands, the other three fail; which failure is named first varies.
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^Writing \/pf\/[BCD] failed: InternalServerError: Internal server error Written: \/pf\/A\. Not written: \/pf\/B, \/pf\/C, \/pf\/D\. Deleted: none\. Not deleted: \/pf\/OLD\. A re-run writes what is missing\.$/
      )
    ])
    expect(fake().ssm.get('/pf/OLD')).toBeDefined()
    expect(parameters(result).filter((parameter) => parameter.status === 'created')).toHaveLength(1)
    expect(result.summary).toContain('Stopped under `/pf/`: 1 created, 3 failed, 1 skipped.')

    fake().clearFaults()
    expect((await runWith(inputs)).failed).toBe(false)
    expect(
      fake()
        .ssm.names()
        .filter((name) => name.startsWith('/pf/'))
    ).toEqual(['/pf/A', '/pf/B', '/pf/C', '/pf/D'])
    expect(fake().ssm.get('/pf/A')?.version).toBe(1)
    expect(fake().ssm.get('/pf/OLD')).toBeUndefined()
  })

  it('reports a failed prune', async () => {
    fake().ssm.put({ name: '/pd/OLD', value: 'o', type: 'String', tags: managed })
    fake().inject({ operation: 'DeleteParameters', kind: 'server-error', times: 10 })
    const result = await runWith({ secrets: '{"A": "a1"}', path: '/pd/', prune: 'true' }, { AWS_MAX_ATTEMPTS: '1' })
    expect(result.failed).toBe(true)
    expect(result.errors[0]).toMatch(
      /^Pruning failed: InternalServerError.*Written: \/pd\/A\. Not written: none\. Deleted: none\. Not deleted: \/pd\/OLD\./
    )
  })

  it('masks each secret value and line, and never variables', async () => {
    const result = await runWith({ secrets: '{"M": "line-one\\nline-two"}', variables: '{"V": "plain"}', path: '/m/' })
    const masks = result.stdout.split('\n').filter((line) => line.startsWith('::add-mask::'))
    expect(masks).toEqual(['::add-mask::line-one%0Aline-two', '::add-mask::line-one', '::add-mask::line-two'])
  })
})

describe('errorMessage', () => {
  it('handles whatever was thrown', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom')
    expect(errorMessage('text')).toBe('text')
    expect(errorMessage({ code: 1 })).toBe('Unexpected error: {"code":1}')
    const circular: Record<string, unknown> = {}
    circular.self = circular
    expect(errorMessage(circular)).toBe('Unexpected error of unknown shape')
  })
})
