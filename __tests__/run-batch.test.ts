// run() in-process for Batch: the definition and launch stages, and AWS failures at each stage.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useInProcessRun } from './in-process.js'
import { addQueue } from './reliability/fixtures.js'

const { fake, runWith } = useInProcessRun()
const ROLE = 'arn:aws:iam::123456789012:role/exec'
const arn = (name: string) => `arn:aws:ssm:us-east-1:123456789012:parameter${name}`
const container = (image: string) => ({ image, executionRoleArn: ROLE, logConfiguration: { logDriver: 'awslogs' } })
const dir = await mkdtemp(join(tmpdir(), 'run-batch-'))
afterAll(() => rm(dir, { recursive: true, force: true }))

const seed = (jobDefinitionName: string, containerProperties: object) =>
  fake().batch.seedDefinition({ jobDefinitionName, type: 'container', containerProperties })

beforeAll(() => {
  addQueue(fake(), 'q', 'EC2')
  // The parameters referenced below exist: a Batch container whose secret does not exist never starts.
  for (const name of ['/shared/token', '/shared/x']) fake().ssm.put({ name, value: 'shared', type: 'SecureString' })
  seed('app', container('app:1'))
  seed('norole', { image: 'x' })
})

const base = { secrets: '{"TOKEN": "token-value-1"}', path: '/b/' }
type Secrets = { containerProperties: { secrets: { name: string; valueFrom: string }[] } }
const latest = (name: string) => fake().batch.definitions(name).at(-1) as Record<string, unknown> & Secrets
const secretNames = (name: string) => latest(name).containerProperties.secrets.map((secret) => secret.name)

describe('the definition and launch stages', () => {
  it('registers, submits with parameters, overrides and tags, waits, and reports', async () => {
    const result = await runWith({
      ...base,
      path: '/ok/',
      references: 'SHARED=/shared/token',
      'log-secret-options': 'apiKey=TOKEN',
      'job-definition': 'app',
      'job-queue': 'q',
      'job-parameters': 'day=monday',
      'container-overrides': '{"command": ["run", "Ref::day"]}',
      'job-tags': 'team=core',
      wait: 'true',
      'kms-key-id': 'alias/app'
    })
    expect(result.errors).toEqual([])
    expect(result.outputs['job-status']).toBe('SUCCEEDED')
    const job = fake().batch.jobs().at(-1)
    expect(job?.input).toMatchObject({
      jobName: 'app-42-1',
      parameters: { day: 'monday' },
      containerOverrides: { command: ['run', 'Ref::day'] },
      tags: { team: 'core', 'github-run-id': '42' }
    })
    const { containerProperties } = latest('app') as Secrets & { containerProperties: { logConfiguration: unknown } }
    expect(containerProperties.secrets).toEqual([
      { name: 'SHARED', valueFrom: arn('/shared/token') },
      { name: 'TOKEN', valueFrom: arn('/ok/TOKEN') }
    ])
    expect(containerProperties.logConfiguration).toEqual({
      logDriver: 'awslogs',
      secretOptions: [{ name: 'apiKey', valueFrom: arn('/ok/TOKEN') }]
    })
    const policy = JSON.parse(result.outputs['execution-role-policy'] ?? '{}') as { Statement: { Sid: string }[] }
    expect(policy.Statement.map((statement) => statement.Sid)).toEqual(['ReadSecretParameters', 'DecryptSecureStrings'])
    expect(result.summary).toContain('<details><summary>Execution role policy')
    expect(result.summary).toMatch(
      /\*\*Job\*\* \[`[\w-]+`\]\(https:\/\/us-east-1\.console\.aws\.amazon\.com\/batch\/home\?region=us-east-1#jobs\/detail\/[\w-]+\) — job `app-42-1` on queue `q`: SUCCEEDED/
    )
  })

  it('a second run registers nothing and submits; on-change submits nothing; a rotation alone submits', async () => {
    const inputs = { ...base, path: '/again/', 'job-definition': 'app', 'job-queue': 'q' }
    expect((await runWith(inputs)).outputs.registered).toBe('true')
    const revisions = fake().batch.definitions('app').length
    const runs = [
      [{}, 1],
      [{ launch: 'on-change' }, 0],
      [{ launch: 'on-change', secrets: '{"TOKEN": "token-value-2"}' }, 1]
    ] as const
    for (const [extra, submitted] of runs) {
      fake().clearRequests()
      const result = await runWith({ ...inputs, ...extra })
      expect(result.errors).toEqual([])
      expect(result.outputs.registered).toBe('false')
      expect(fake().count('RegisterJobDefinition')).toBe(0)
      expect(fake().count('SubmitJob')).toBe(submitted)
      if (!submitted) expect(fake().writes()).toEqual([])
      if (!submitted) expect(result.summary).toContain('nothing launched — launch is on-change and no parameter')
    }
    expect(fake().count('PutParameter')).toBe(1)
    expect(fake().batch.definitions('app')).toHaveLength(revisions)
  })

  it('with prune, keeps the definition secret of a parameter under the path that it does not manage', async () => {
    fake().ssm.put({ name: '/keep/OTHER', value: 'not-ours', type: 'SecureString' })
    const secrets = [
      { name: 'OTHER', valueFrom: arn('/keep/OTHER') },
      { name: 'GONE', valueFrom: '/keep/GONE' }
    ]
    seed('shared', { image: 'app:1', executionRoleArn: ROLE, secrets })
    const result = await runWith({ secrets: '{"A": "a-1"}', path: '/keep/', 'job-definition': 'shared', prune: 'true' })
    expect(result.failed).toBe(false)
    expect(secretNames('shared').sort()).toEqual(['A', 'OTHER'])
    expect(result.warnings).toContain(`container 'shared': removed secret GONE, whose parameter is no longer synced`)
    expect(fake().ssm.get('/keep/OTHER')?.value).toBe('not-ours')
    const read = fake().requests.find(
      (request) => request.operation === 'GetParameters' && JSON.stringify(request.input).includes('OTHER')
    )
    expect(read?.input).toMatchObject({ WithDecryption: false })
  })

  it('dry-run prints the parameter changes, the definition diff and the job, and writes nothing', async () => {
    const revision = fake().batch.definitions('app').length
    const inputs = { secrets: '{"DRY": "dry-value-1"}', path: '/dry/', 'job-definition': 'app', 'job-queue': 'q' }
    const result = await runWith({ ...inputs, 'dry-run': 'true' })
    expect(result.errors).toEqual([])
    expect(fake().writes()).toEqual([])
    expect(result.stdout).toContain('+ created   /dry/DRY (SecureString, Standard)')
    expect(result.stdout).toContain(`container 'app': + secret DRY → ${arn('/dry/DRY')}`)
    expect(result.stdout).toContain('Would launch job app-42-1 on queue q')
    expect(result.summary).toContain(`would register a new revision (current: ${revision})`)
  })

  it('keep-revisions deregisters older ACTIVE revisions beyond the newest N', async () => {
    for (const image of ['a', 'b', 'c', 'd']) seed('kept', container(image))
    expect((await runWith({ ...base, 'job-definition': 'kept', 'keep-revisions': '2' })).errors).toEqual([])
    expect(
      fake()
        .batch.definitions('kept')
        .map((d) => `${d.revision}:${d.status}`)
    ).toEqual(['1:INACTIVE', '2:INACTIVE', '3:INACTIVE', '4:ACTIVE', '5:ACTIVE'])
  })

  it('pins name:revision and ARN references', async () => {
    const [first] = fake().batch.definitions('app')
    const pinned = { path: '/pin/', references: 'X=/shared/x' }
    expect((await runWith({ ...pinned, 'job-definition': 'app:1' })).failed).toBe(false)
    const arnPinned = { ...pinned, 'job-definition': String(first?.jobDefinitionArn), 'dry-run': 'true' }
    expect((await runWith(arnPinned)).failed).toBe(false)
  })
})

describe('fails before writing anything', () => {
  const tags49 = Array.from({ length: 49 }, (_, i) => `t${i}=v`).join('\n')
  it.each([
    [
      'job tags that exceed the limit with the tags the action adds',
      { 'job-definition': 'app', 'job-queue': 'q', 'job-tags': tags49 },
      /^Input 'job-tags': 49 tags plus \d the action adds exceed Batch's 50/
    ],
    [
      'a definition that does not exist',
      { 'job-definition': 'nope' },
      /^Input 'job-definition': no ACTIVE revision of job definition 'nope'/
    ],
    [
      'a revision that does not exist',
      { 'job-definition': 'app:999' },
      /^Input 'job-definition': job definition 'app:999' not found/
    ],
    [
      'a container without an execution role (the error shows the policy it needs)',
      { 'job-definition': 'norole' },
      /container 'norole' of 'norole' has no executionRoleArn[\s\S]*"ssm:GetParameters"[\s\S]*parameter\/b\/TOKEN/
    ]
  ])('%s', async (_label, inputs, message) => {
    const result = await runWith({ ...base, ...inputs })
    expect(result.failed).toBe(true)
    expect(result.errors).toEqual([expect.stringMatching(message)])
    expect(fake().writes()).toEqual([])
  })

  it('says nothing was written when the definition cannot be read', async () => {
    fake().inject({ operation: 'DescribeJobDefinitions', kind: 'server-error', times: 10 })
    const result = await runWith({ ...base, 'job-definition': 'app' }, { AWS_MAX_ATTEMPTS: '1' })
    expect(result.errors[0]).toMatch(/^Reading the job definition failed, nothing was written: ServerException/)
    expect(fake().writes()).toEqual([])
  })

  it('needs the account for definition ARNs: an STS failure is an error', async () => {
    const file = join(dir, 'new.json')
    const definition = { jobDefinitionName: 'brand-new', type: 'container', containerProperties: container('x') }
    await writeFile(file, JSON.stringify(definition))
    fake().inject({ operation: 'GetCallerIdentity', kind: 'server-error', times: 10 })
    const result = await runWith({ ...base, path: '/sts-def/', 'job-definition': file }, { AWS_MAX_ATTEMPTS: '1' })
    expect(result.errors[0]).toMatch(/^Could not read the account id \(STS GetCallerIdentity\): InternalServerError/)
    expect(fake().writes()).toEqual([])
  })

  it('asks STS who the caller is once, for the account and for preflight alike', async () => {
    const file = join(dir, 'newer.json')
    const definition = { jobDefinitionName: 'brand-newer', type: 'container', containerProperties: container('x') }
    await writeFile(file, JSON.stringify(definition))
    fake().clearRequests()
    const result = await runWith({ ...base, path: '/sts-once/', 'job-definition': file })
    expect(result.errors).toEqual([])
    expect(fake().count('GetCallerIdentity')).toBe(1)
  })
})

describe('preflight: a secret referenced without its 6-character suffix', () => {
  const role = 'arn:aws:iam::123456789012:role/exact'
  const legacy = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy'
  const grant = (secretResource: string) =>
    fake().iam.putRole(role, [
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' },
          { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretResource }
        ]
      }
    ])
  const runPartial = async (name: string) => {
    fake().batch.seedDefinition({
      jobDefinitionName: name,
      type: 'container',
      containerProperties: { image: 'x', executionRoleArn: role }
    })
    return runWith({ ...base, path: `/${name}/`, references: `LEGACY=${legacy}`, 'job-definition': name })
  }

  it('is simulated on the ARN DescribeSecret read, so a grant of exactly that ARN passes', async () => {
    grant(`${legacy}-AbCdEf`)
    const result = await runPartial('partial-ok')
    expect(result.errors).toEqual([])
    expect(fake().count('RegisterJobDefinition')).toBeGreaterThan(0)
  })

  it('a grant of another secret fails, naming the ARN the container would be refused', async () => {
    grant('arn:aws:secretsmanager:us-east-1:123456789012:secret:other-*')
    const result = await runPartial('partial-denied')
    expect(result.errors[0]).toContain(
      `cannot secretsmanager:GetSecretValue on ${legacy}-AbCdEf (implicitDeny); its containers would not start`
    )
    expect(fake().writes()).toEqual([])
  })
})

describe('AWS failures after the first write', () => {
  const once = { AWS_MAX_ATTEMPTS: '1' }

  it('a failed write registers nothing and says so', async () => {
    fake().inject({ operation: 'PutParameter', kind: 'server-error', times: 10 })
    const result = await runWith({ ...base, path: '/fw/', 'job-definition': 'app', 'job-queue': 'q' }, once)
    expect(result.errors[0]).toMatch(
      /Writing \/fw\/TOKEN failed.*No definition was registered and nothing was launched\./
    )
    expect(fake().count('RegisterJobDefinition')).toBe(0)
    expect(fake().count('SubmitJob')).toBe(0)
  })

  it('a failed registration launches nothing and says the parameters are written', async () => {
    fake().inject({ operation: 'RegisterJobDefinition', kind: 'server-error', times: 10 })
    const result = await runWith({ ...base, path: '/fr/', 'job-definition': 'app', 'job-queue': 'q' }, once)
    expect(result.errors[0]).toMatch(
      /^Registering job definition app failed after the parameters were written; nothing was launched: Register job definition app failed after 5 attempts: ServerException/
    )
    // Each lost answer was looked up before the next attempt: no second revision.
    expect(fake().count('RegisterJobDefinition')).toBe(5)
    expect(fake().ssm.get('/fr/TOKEN')).toBeDefined()
    expect(fake().count('SubmitJob')).toBe(0)
  })

  it.each([
    ['whose answer is lost', { kind: 'drop-after' } as const, undefined],
    [
      'answered 200 without an ARN',
      { kind: 'reshape', reshape: () => ({}) } as const,
      /answered without the new revision's ARN; it is not registered again/
    ]
  ])('a register %s is looked up, not sent again', async (_label, fault, warning) => {
    fake().inject({ operation: 'RegisterJobDefinition', ...fault })
    const before = fake().batch.definitions('app').length
    const result = await runWith({ ...base, path: `/lost-${fault.kind}/`, 'job-definition': 'app' })
    expect(result.errors).toEqual([])
    expect(fake().count('RegisterJobDefinition')).toBe(1)
    expect(fake().batch.definitions('app')).toHaveLength(before + 1)
    expect(result.outputs.registered).toBe('true')
    expect(result.outputs['job-definition-arn']).toMatch(new RegExp(`job-definition/app:${before + 1}$`))
    if (warning) expect(result.warnings.join('\n')).toMatch(warning)
  })

  it.each([
    ['lost after Batch created the job is looked up, not sent again', 'drop-after', 1],
    ['dropped before Batch saw it is sent again', 'drop', 2]
  ] as const)('a SubmitJob %s: one job', async (_label, kind, sent) => {
    fake().inject({ operation: 'SubmitJob', kind })
    const jobs = fake().batch.jobs().length
    const result = await runWith({ ...base, path: `/submit-${kind}/`, 'job-definition': 'app', 'job-queue': 'q' })
    expect(result.errors).toEqual([])
    expect(fake().count('SubmitJob')).toBe(sent)
    expect(fake().batch.jobs()).toHaveLength(jobs + 1)
    expect(result.outputs['job-id']).toBe(fake().batch.jobs().at(-1)?.jobId)
    if (kind === 'drop-after') expect(fake().count('ListJobs')).toBeGreaterThanOrEqual(1)
  })

  it('a missing queue stops the run before any write; without preflight, SubmitJob is refused', async () => {
    fake().clearRequests()
    const inputs = { ...base, path: '/fs/', 'job-definition': 'app', 'job-queue': 'no-such-queue' }
    const stopped = await runWith(inputs)
    expect(stopped.errors[0]).toContain(
      "- Job queue: job queue 'no-such-queue' does not exist in this account and region"
    )
    expect(fake().writes()).toEqual([])
    const result = await runWith({ ...inputs, preflight: 'false' })
    expect(result.errors[0]).toMatch(
      /^Submitting job app-42-1 failed; the parameters and the definition are in place, a re-run launches it: ClientException/
    )
  })

  it('wait: a FAILED job fails the step with its reason, exit code and log stream', async () => {
    fake().batch.setJobOutcome({
      result: 'FAILED',
      statusReason: 'Essential container in task exited',
      exitCode: 3,
      containerReason: 'OutOfMemoryError: Container killed due to memory usage',
      logStreamName: 'app/default/abc123'
    })
    const result = await runWith({ ...base, 'job-definition': 'app', 'job-queue': 'q', wait: 'true' })
    fake().batch.setJobOutcome({ result: 'SUCCEEDED' })
    expect(result.errors).toEqual([
      expect.stringMatching(
        /FAILED: Essential container in task exited\. Container exit code 3: OutOfMemoryError: Container killed due to memory usage\. Log stream: app\/default\/abc123\./
      )
    ])
    expect(result.outputs['job-status']).toBe('FAILED')
    expect(result.stdout).toMatch(/\d{4}-\d\d-\d\dT[\d:.]+Z job [\w-]+: FAILED/)
  })

  it('wait: when waiting fails, the log readers stop too and the run ends', async () => {
    fake().batch.setJobOutcome({ result: 'SUCCEEDED' }, { stepMs: 0, output: { lines: ['a', 'b'], everyMs: 60_000 } })
    fake().inject({ operation: 'DescribeJobs', kind: 'server-error', skip: 1, times: 10 })
    const result = await runWith({ ...base, 'job-definition': 'app', 'job-queue': 'q', wait: 'true' })
    fake().clearFaults()
    fake().batch.setJobOutcome({ result: 'SUCCEEDED' })
    expect(result.errors).toEqual([expect.stringMatching(/^Waiting for job [\w-]+ failed: ServerException/)])
    expect(result.stdout).toContain('::stop-commands::')
    const reads = fake().count('GetLogEvents')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(fake().count('GetLogEvents')).toBe(reads)
  })
})
