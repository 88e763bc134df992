// run() in-process for the definition and launch stages: input errors and AWS failures at each stage.
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { useInProcessRun } from './in-process.js'

const { fake, runWith } = useInProcessRun()
const ROLE = 'arn:aws:iam::123456789012:role/exec'
let badJsonFile = ''

beforeAll(async () => {
  badJsonFile = join(await mkdtemp(join(tmpdir(), 'defs-')), 'broken.json')
  await writeFile(badJsonFile, '{"jobDefinitionName": ')
  fake().batch.addQueue('q')
  fake().batch.seedDefinition({
    jobDefinitionName: 'app',
    type: 'container',
    containerProperties: { image: 'app:1', executionRoleArn: ROLE, logConfiguration: { logDriver: 'awslogs' } }
  })
})

const base = { secrets: '{"TOKEN": "token-value-1"}', path: '/b/' }

describe('definition and launch inputs fail before any request', () => {
  it.each([
    ['containers without a definition', { ...base, containers: 'app' }, /Input 'containers': needs 'job-definition'/],
    [
      'keep-revisions without a definition',
      { ...base, 'keep-revisions': '2' },
      /Input 'keep-revisions': needs 'job-definition'/
    ],
    ['a queue without a definition', { ...base, 'job-queue': 'q' }, /Input 'job-queue': needs 'job-definition'/],
    [
      'wait without a queue',
      { ...base, 'job-definition': 'app', wait: 'true' },
      /Input 'wait': needs something to launch: 'job-queue', 'service' or 'run-task'/
    ],
    [
      'job-tags without a queue',
      { ...base, 'job-definition': 'app', 'job-tags': 'a=b' },
      /Input 'job-tags': needs 'job-queue'/
    ],
    [
      'a malformed definition reference',
      { ...base, 'job-definition': 'bad name!' },
      /Input 'job-definition': 'bad name!' is neither a file nor a job definition name/
    ],
    [
      'a revision that is not a number',
      { ...base, 'job-definition': 'app:latest' },
      /Input 'job-definition': 'app:latest' is neither/
    ],
    [
      'a definition file that is not JSON',
      { ...base, 'job-definition': '' },
      /Input 'job-definition': '.*broken.json' is not valid JSON/
    ],
    [
      'keep-revisions 0',
      { ...base, 'job-definition': 'app', 'keep-revisions': '0' },
      /Input 'keep-revisions': '0' is not a whole number of at least 1/
    ],
    [
      'keep-revisions two',
      { ...base, 'job-definition': 'app', 'keep-revisions': 'two' },
      /Input 'keep-revisions': 'two' is not a whole number/
    ],
    [
      'wait-timeout soon',
      { ...base, 'job-definition': 'app', 'job-queue': 'q', 'wait-timeout': 'soon' },
      /Input 'wait-timeout': 'soon' is not a number of at least 0.01/
    ],
    [
      'an unknown launch mode',
      { ...base, 'job-definition': 'app', 'job-queue': 'q', launch: 'sometimes' },
      /Input 'launch': 'sometimes' is not one of always, on-change/
    ],
    [
      'a bad job name',
      { ...base, 'job-definition': 'app', 'job-queue': 'q', 'job-name': '-x y' },
      /Input 'job-name': '-x y' must be 1 to 128 letters/
    ],
    [
      'overrides that are not JSON',
      { ...base, 'job-definition': 'app', 'job-queue': 'q', 'container-overrides': '{command: x}' },
      /Input 'container-overrides': is not valid JSON/
    ],
    [
      'overrides that are a list',
      { ...base, 'job-definition': 'app', 'job-queue': 'q', 'container-overrides': '[1]' },
      /Input 'container-overrides': must be a JSON object/
    ],
    [
      'a log option for an unknown secret',
      { ...base, 'job-definition': 'app', 'log-secret-options': 'apiKey=MISSING' },
      /Input 'log-secret-options': 'apiKey=MISSING': 'MISSING' is neither synced nor in references/
    ],
    [
      'a log option line without =',
      { ...base, 'job-definition': 'app', 'log-secret-options': 'apiKey' },
      /Input 'log-secret-options': 'apiKey' is not a OPTION=NAME line/
    ],
    [
      'a reserved job tag',
      { ...base, 'job-definition': 'app', 'job-queue': 'q', 'job-tags': 'aws:x=1' },
      /Input 'job-tags': tag key 'aws:x' uses the reserved prefix/
    ]
  ])('%s', async (_label, inputs, message) => {
    const given: Record<string, string> = inputs
    const result = await runWith(given['job-definition'] === '' ? { ...given, 'job-definition': badJsonFile } : given)
    expect(result.failed).toBe(true)
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]).toMatch(message)
    expect(fake().requests).toEqual([])
  })
})

describe('definition and launch stages', () => {
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
    const latest = fake().batch.definitions('app').at(-1) as {
      containerProperties: { secrets: unknown[]; logConfiguration: unknown }
    }
    expect(latest.containerProperties.secrets).toEqual([
      { name: 'SHARED', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/shared/token' },
      { name: 'TOKEN', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/ok/TOKEN' }
    ])
    expect(latest.containerProperties.logConfiguration).toEqual({
      logDriver: 'awslogs',
      secretOptions: [{ name: 'apiKey', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/ok/TOKEN' }]
    })
    const policy = JSON.parse(result.outputs['execution-role-policy'] ?? '{}') as { Statement: { Sid: string }[] }
    expect(policy.Statement.map((statement) => statement.Sid)).toEqual(['ReadSecretParameters', 'DecryptSecureStrings'])
    expect(result.summary).toContain('<details><summary>Execution role policy')
    expect(result.summary).toMatch(
      /\*\*Job\*\* \[`[\w-]+`\]\(https:\/\/us-east-1\.console\.aws\.amazon\.com\/batch\/home\?region=us-east-1#jobs\/detail\/[\w-]+\) — job `app-42-1` on queue `q`: SUCCEEDED/
    )
  })

  it('with prune, drops the definition secret of a parameter it deleted', async () => {
    expect(
      (await runWith({ secrets: '{"A": "a-value-1", "B": "b-value-1"}', path: '/pr/', 'job-definition': 'app' })).failed
    ).toBe(false)
    const result = await runWith({
      secrets: '{"A": "a-value-1"}',
      path: '/pr/',
      'job-definition': 'app',
      prune: 'true'
    })
    expect(result.failed).toBe(false)
    const latest = fake().batch.definitions('app').at(-1) as { containerProperties: { secrets: { name: string }[] } }
    const names = latest.containerProperties.secrets.map((secret) => secret.name)
    expect(names).toContain('A')
    expect(names).not.toContain('B')
    expect(result.warnings).toContain(`container 'app': removed secret B, whose parameter is no longer synced`)
    expect(fake().ssm.get('/pr/B')).toBeUndefined()
  })

  it('with prune, keeps the definition secret of a parameter under the path that it does not manage', async () => {
    fake().ssm.put({ name: '/keep/OTHER', value: 'not-ours', type: 'SecureString' })
    const arn = (name: string) => `arn:aws:ssm:us-east-1:123456789012:parameter/keep/${name}`
    fake().batch.seedDefinition({
      jobDefinitionName: 'shared',
      type: 'container',
      containerProperties: {
        image: 'app:1',
        executionRoleArn: ROLE,
        secrets: [
          { name: 'OTHER', valueFrom: arn('OTHER') },
          { name: 'GONE', valueFrom: '/keep/GONE' }
        ]
      }
    })
    const result = await runWith({
      secrets: '{"A": "a-value-1"}',
      path: '/keep/',
      'job-definition': 'shared',
      prune: 'true'
    })
    expect(result.failed).toBe(false)
    const latest = fake().batch.definitions('shared').at(-1) as { containerProperties: { secrets: { name: string }[] } }
    expect(latest.containerProperties.secrets.map((secret) => secret.name).sort()).toEqual(['A', 'OTHER'])
    expect(fake().ssm.get('/keep/OTHER')?.value).toBe('not-ours')
    expect(
      fake().requests.find(
        (request) => request.operation === 'GetParameters' && JSON.stringify(request.input).includes('OTHER')
      )?.input
    ).toMatchObject({ WithDecryption: false })
  })

  it('fails a launch the inputs make impossible before writing anything', async () => {
    const tags = Array.from({ length: 49 }, (_, index) => `t${index}=v`).join('\n')
    const result = await runWith({ ...base, 'job-definition': 'app', 'job-queue': 'q', 'job-tags': tags })
    expect(result.errors[0]).toMatch(/^Input 'job-tags': 49 tags plus \d the action adds exceed Batch's 50/)
    expect(fake().writes()).toEqual([])
  })

  it('says nothing was written when the definition cannot be read', async () => {
    fake().inject({ operation: 'DescribeJobDefinitions', kind: 'server-error', times: 10 })
    const result = await runWith({ ...base, 'job-definition': 'app' }, { AWS_MAX_ATTEMPTS: '1' })
    expect(result.errors[0]).toMatch(/^Reading the job definition failed, nothing was written: ServerException/)
    expect(fake().writes()).toEqual([])
  })

  it('a failed write registers nothing and says so', async () => {
    fake().inject({ operation: 'PutParameter', kind: 'server-error', times: 10 })
    const result = await runWith(
      { secrets: '{"NEW": "new-value-1"}', path: '/fw/', 'job-definition': 'app', 'job-queue': 'q' },
      { AWS_MAX_ATTEMPTS: '1' }
    )
    expect(result.errors[0]).toMatch(
      /Writing \/fw\/NEW failed.*No definition was registered and nothing was launched\./
    )
    expect(fake().count('RegisterJobDefinition')).toBe(0)
    expect(fake().count('SubmitJob')).toBe(0)
  })

  it('a failed registration launches nothing and says the parameters are written', async () => {
    fake().inject({ operation: 'RegisterJobDefinition', kind: 'server-error', times: 10 })
    const result = await runWith(
      { secrets: '{"REG": "reg-value-1"}', path: '/fr/', 'job-definition': 'app', 'job-queue': 'q' },
      { AWS_MAX_ATTEMPTS: '1' }
    )
    expect(result.errors[0]).toMatch(
      /^Registering job definition app failed after the parameters were written; nothing was launched: Register job definition app failed after 5 attempts: ServerException/
    )
    // Each lost answer was looked up before the next attempt: no second revision.
    expect(fake().count('RegisterJobDefinition')).toBe(5)
    expect(fake().ssm.get('/fr/REG')).toBeDefined()
    expect(fake().count('SubmitJob')).toBe(0)
  })

  it('a register whose answer is lost is looked up, not sent again', async () => {
    fake().inject({ operation: 'RegisterJobDefinition', kind: 'drop-after' })
    const before = fake().batch.definitions('app').length
    const result = await runWith({ secrets: '{"LOST": "lost-value-1"}', path: '/lr/', 'job-definition': 'app' })
    expect(result.errors).toEqual([])
    expect(fake().count('RegisterJobDefinition')).toBe(1)
    expect(fake().batch.definitions('app')).toHaveLength(before + 1)
    expect(result.outputs.registered).toBe('true')
    expect(result.outputs['job-definition-arn']).toMatch(new RegExp(`job-definition/app:${before + 1}$`))
  })

  it('a register answered 200 without an ARN is looked up, not sent again', async () => {
    fake().inject({ operation: 'RegisterJobDefinition', kind: 'reshape', reshape: () => ({}) })
    const before = fake().batch.definitions('app').length
    const result = await runWith({ secrets: '{"SHAPE": "shape-value-1"}', path: '/rs/', 'job-definition': 'app' })
    expect(result.errors).toEqual([])
    expect(fake().count('RegisterJobDefinition')).toBe(1)
    expect(result.warnings.join('\n')).toMatch(/answered without the new revision's ARN; it is not registered again/)
    expect(result.outputs['job-definition-arn']).toMatch(new RegExp(`job-definition/app:${before + 1}$`))
  })

  it('a refused SubmitJob fails the step and says a re-run submits it', async () => {
    const result = await runWith({ ...base, path: '/fs/', 'job-definition': 'app', 'job-queue': 'no-such-queue' })
    expect(result.errors[0]).toMatch(
      /^Submitting job app-42-1 failed; the parameters and the definition are in place, a re-run launches it: ClientException/
    )
  })

  it('needs the account for definition ARNs: an STS failure is an error', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'defs-')), 'new.json')
    await writeFile(
      file,
      JSON.stringify({
        jobDefinitionName: 'brand-new',
        type: 'container',
        containerProperties: { image: 'x', executionRoleArn: ROLE }
      })
    )
    fake().inject({ operation: 'GetCallerIdentity', kind: 'server-error', times: 10 })
    const result = await runWith(
      { secrets: '{"S": "sts-value-1"}', path: '/sts-def/', 'job-definition': file },
      { AWS_MAX_ATTEMPTS: '1' }
    )
    expect(result.errors[0]).toMatch(/^Could not read the account id \(STS GetCallerIdentity\): InternalServerError/)
    expect(fake().writes()).toEqual([])
  })

  it('pins name:revision and ARN references', async () => {
    const [first] = fake().batch.definitions('app')
    const byRevision = await runWith({ path: '/pin/', 'job-definition': 'app:1', references: 'X=/shared/x' })
    expect(byRevision.failed).toBe(false)
    const byArn = await runWith({
      path: '/pin/',
      'job-definition': String(first?.jobDefinitionArn),
      references: 'X=/shared/x',
      'dry-run': 'true'
    })
    expect(byArn.failed).toBe(false)
    const missing = await runWith({ path: '/pin/', 'job-definition': 'app:999', references: 'X=/shared/x' })
    expect(missing.errors[0]).toMatch(/Input 'job-definition': job definition 'app:999' not found/)
  })
})
