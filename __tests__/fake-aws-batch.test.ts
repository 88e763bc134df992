// The fake AWS Batch's contract: one row per thing the action relies on, through the real SDK client.
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as B from '@aws-sdk/client-batch'
import { startFakeAws, type FakeAws, type JobOutcome } from './fake-aws/index.js'

let fake: FakeAws
/** no retries: the first answer is what the test sees */
let batch: B.BatchClient
const ARN = 'arn:aws:batch:us-east-1:123456789012'
const container = (name: string, extra: Partial<B.RegisterJobDefinitionCommandInput> = {}) => ({
  jobDefinitionName: name,
  type: 'container' as const,
  containerProperties: { image: 'busybox' },
  ...extra
})
type SubmitInput = Partial<B.SubmitJobCommandInput>
const job = (extra: SubmitInput = {}) => ({ jobName: 'j', jobQueue: 'q', jobDefinition: 'app', ...extra })
const submit = async (extra: SubmitInput = {}) => (await batch.send(new B.SubmitJobCommand(job(extra)))).jobId ?? ''
const detail = async (jobId: string) => (await batch.send(new B.DescribeJobsCommand({ jobs: [jobId] }))).jobs?.[0]
const described = async (input: B.DescribeJobDefinitionsCommandInput) =>
  (await batch.send(new B.DescribeJobDefinitionsCommand(input))).jobDefinitions ?? []
const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']))
const big = { p: 'x'.repeat(24_576) }
const [etlOverride, ecsOverride] = [{ jobDefinition: 'etl', containerOverrides: {} }, { ecsPropertiesOverride: {} }]

beforeAll(async () => {
  fake = await startFakeAws()
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }
  batch = new B.BatchClient({ endpoint: fake.url, region: 'us-east-1', credentials, maxAttempts: 1 })
  fake.batch.addQueue('q')
  for (let i = 0; i < 4; i++) fake.batch.seedDefinition(container('app'))
  await batch.send(new B.DeregisterJobDefinitionCommand({ jobDefinition: 'app:4' }))
  await batch.send(new B.DeregisterJobDefinitionCommand({ jobDefinition: `${ARN}:job-definition/app:2` }))
  fake.batch.seedDefinition({ jobDefinitionName: 'etl', type: 'container', ecsProperties: { taskProperties: [] } })
})
afterAll(async () => {
  batch.destroy()
  await fake.close()
})

describe('errors', () => {
  it.each<[string, object, RegExp]>([
    ['Register: a bad name', new B.RegisterJobDefinitionCommand(container('a b')), /Job definition name can be up/],
    ['Register: type x', new B.RegisterJobDefinitionCommand({ ...container('x'), type: 'x' as 'container' }), /type/],
    ['Register: an aws: tag', new B.RegisterJobDefinitionCommand(container('x', { tags: { 'aws:x': '1' } })), /aws:/],
    ['Register: over 24 KiB', new B.RegisterJobDefinitionCommand(container('x', { parameters: big })), /24 KiB/],
    ['Deregister: an unknown revision', new B.DeregisterJobDefinitionCommand({ jobDefinition: 'app:9' }), /not exist/],
    ['Submit: a name starting with -', new B.SubmitJobCommand(job({ jobName: '-x' })), /should match valid pattern/],
    ['Submit: a missing queue', new B.SubmitJobCommand(job({ jobQueue: 'nope' })), /^JobQueue nope not found\.$/],
    ['Submit: a missing definition', new B.SubmitJobCommand(job({ jobDefinition: 'no' })), /^JobDefinition name no /],
    ['Submit: an INACTIVE revision', new B.SubmitJobCommand(job({ jobDefinition: 'app:2' })), /not in ACTIVE/],
    ['Submit: containerOverrides, ecsProperties', new B.SubmitJobCommand(job(etlOverride)), /containerOverrides can't/],
    ['Submit: ecsPropertiesOverride, container', new B.SubmitJobCommand(job(ecsOverride)), /ecsProperties\w+ can't/],
    ['Submit: 51 tags', new B.SubmitJobCommand(job({ tags: tags(51) })), /at most 50 tags/],
    ['DescribeJobs: 101 ids', new B.DescribeJobsCommand({ jobs: Array.from({ length: 101 }, () => 'x') }), /100/],
    ['ListJobs: a missing queue', new B.ListJobsCommand({ jobQueue: 'nope' }), /^JobQueue nope not found/]
  ])('%s → ClientException 400, nothing changes', async (_, command, message) => {
    const before = [fake.batch.definitions().length, fake.batch.jobs().length]
    const err = await batch.send(command as B.SubmitJobCommand).catch((e: unknown) => e as Error)
    expect(err).toMatchObject({ name: 'ClientException', $fault: 'client', $metadata: { httpStatusCode: 400 } })
    expect((err as Error).message).toMatch(message)
    expect([fake.batch.definitions().length, fake.batch.jobs().length]).toEqual(before)
  })

  it.each([
    ['server-error', 'ServerException', 500],
    ['throttle', 'ThrottlingException', 400]
  ] as const)('an injected %s is answered %s %d', async (kind, name, httpStatusCode) => {
    fake.inject({ operation: 'SubmitJob', kind })
    expect(await submit().catch((e: unknown) => e)).toMatchObject({ name, $metadata: { httpStatusCode } })
  })
})

describe('job definitions', () => {
  it('revisions count from 1 and are never reused; Deregister by name:revision or ARN makes one INACTIVE', () => {
    const states = fake.batch.definitions('app').map((d) => `${d.revision}:${d.status}`)
    expect(states).toEqual(['1:ACTIVE', '2:INACTIVE', '3:ACTIVE', '4:INACTIVE'])
  })

  it('Describe fills in what Batch fills in (fixtures/real-definitions/DEFAULTS.md)', async () => {
    const env = [{ name: 'EMPTY', value: '' }, { name: 'SET', value: '1' }] // prettier-ignore
    const retryStrategy = { attempts: 2, evaluateOnExit: [{ onExitCode: '1', action: 'RETRY' as const }] }
    const node = { numNodes: 1, mainNode: 0, nodeRangeProperties: [{ targetNodes: '0:', container: { image: 'i' } }] }
    const logConfiguration = { logDriver: 'awslogs' as const }
    const ecs = { taskProperties: [{ containers: [{ image: 'i' }] }] }
    for (const input of [
      container('def', { retryStrategy, platformCapabilities: ['FARGATE'] }),
      container('def', { containerProperties: { image: 'i', environment: env, logConfiguration } }),
      { jobDefinitionName: 'def', type: 'container', ecsProperties: ecs },
      { jobDefinitionName: 'def', type: 'multinode', nodeProperties: node }
    ] satisfies B.RegisterJobDefinitionCommandInput[]) {
      await batch.send(new B.RegisterJobDefinitionCommand(input))
    }
    const keys = 'command environment mountPoints resourceRequirements secrets ulimits volumes'.split(' ')
    const lists = Object.fromEntries(keys.map((k) => [k, []]))
    const [fargate, plain, tasks, nodes] = await described({ jobDefinitionName: 'def' })
    expect(fargate).toEqual({
      ...{ jobDefinitionName: 'def', jobDefinitionArn: `${ARN}:job-definition/def:1`, revision: 1, status: 'ACTIVE' },
      ...{ type: 'container', containerOrchestrationType: 'ECS', parameters: {}, tags: {} },
      platformCapabilities: ['FARGATE'],
      retryStrategy: { attempts: 2, evaluateOnExit: [{ onExitCode: '1', action: 'retry' }] },
      containerProperties: { image: 'busybox', ...lists, fargatePlatformConfiguration: { platformVersion: 'LATEST' } }
    })
    expect(plain?.containerProperties).toMatchObject({ environment: [env[1]], logConfiguration: { secretOptions: [] } })
    expect([plain?.platformCapabilities, plain?.propagateTags]).toEqual([undefined, undefined])
    const task = tasks?.ecsProperties?.taskProperties?.[0]
    expect(task).toMatchObject({
      platformVersion: 'LATEST',
      containers: [{ essential: true, secrets: [], command: [] }]
    })
    expect(nodes?.nodeProperties?.nodeRangeProperties?.[0]).toMatchObject({ instanceTypes: [], container: lists })
    fake.batch.seedDefinition({ ...container('unknown-member'), someFieldAwsAddsLater: 1 })
    expect(fake.batch.definitions('unknown-member')[0]).not.toHaveProperty('someFieldAwsAddsLater')
  })

  it('by name and status ACTIVE, 100 a page, which the paginator follows', async () => {
    for (let i = 0; i < 102; i++) fake.batch.seedDefinition(container('many'))
    await batch.send(new B.DeregisterJobDefinitionCommand({ jobDefinition: 'many:7' }))
    const query = { jobDefinitionName: 'many', status: 'ACTIVE' }
    const first = await batch.send(new B.DescribeJobDefinitionsCommand(query))
    expect([first.jobDefinitions?.length, first.nextToken]).toEqual([100, expect.any(String)])
    const seen: number[] = []
    for await (const page of B.paginateDescribeJobDefinitions({ client: batch }, query)) {
      seen.push(...(page.jobDefinitions ?? []).map((d) => d.revision ?? 0))
    }
    expect(seen).toEqual(Array.from({ length: 102 }, (_, i) => i + 1).filter((r) => r !== 7))
  })

  it('by jobDefinitions: name:revision and ARN; an ARN of another region names nothing', async () => {
    const found = await described({ jobDefinitions: ['app:3', `${ARN}:job-definition/etl:1`, 'app:98'] })
    expect(found.map((d) => `${d.jobDefinitionName}:${d.revision}`)).toEqual(['app:3', 'etl:1'])
    const elsewhere = 'arn:aws:batch:eu-west-1:123456789012:job-definition/app:1'
    expect(await described({ jobDefinitions: [elsewhere] })).toEqual([])
  })
})

describe('jobs', () => {
  it('Submit takes the queue by name or ARN, the definition by name (latest ACTIVE), name:revision or ARN', async () => {
    const refs = ['app', 'app:1', `${ARN}:job-definition/app:1`, `${ARN}:job-definition/app`]
    for (const [i, ref] of refs.entries()) {
      await submit({ jobName: `ref${i}`, jobDefinition: ref, jobQueue: i % 2 ? `${ARN}:job-queue/q` : 'q' })
    }
    const mine = fake.batch.jobs().filter((j) => j.jobName.startsWith('ref'))
    const expected = [3, 1, 1, 3].map((r) => `${ARN}:job-queue/q ${ARN}:job-definition/app:${r}`)
    expect(mine.map((j) => `${j.jobQueue} ${j.jobDefinition}`)).toEqual(expected)
  })

  const failed = { statusReason: 'Task failed', exitCode: 3, containerReason: 'OOM', logStreamName: 's/1' }
  const ok = 'Essential container in task exited'
  const stream = expect.stringMatching(/^app\/default\/[0-9a-f]{32}$/)
  it.each<[B.JobStatus, JobOutcome, string | undefined, object]>([
    ['SUCCEEDED', { result: 'SUCCEEDED' }, ok, { exitCode: 0, logStreamName: stream }],
    ['FAILED', { result: 'FAILED', ...failed }, 'Task failed', { exitCode: 3, reason: 'OOM', logStreamName: 's/1' }],
    ['RUNNING', { result: 'SUCCEEDED' }, undefined, { logStreamName: stream }]
  ])('a job ends %s as the wait reads it', async (status, outcome, reason, container) => {
    fake.batch.setJobOutcome(outcome, { stepMs: 40, ...(status === 'RUNNING' && { holdAt: 'RUNNING' }) })
    const jobId = await submit({ tags: { run: '1' } })
    const seen: string[] = []
    for (const end = Date.now() + 3000; Date.now() < end && seen.at(-1) !== status; await sleep(2)) {
      const now = (await detail(jobId))?.status ?? ''
      if (seen.at(-1) !== now) seen.push(now)
    }
    await sleep(60)
    const d = await detail(jobId)
    expect(seen).toEqual([...new Set(['SUBMITTED', 'RUNNABLE', 'STARTING', 'RUNNING', status])])
    expect(d).toMatchObject({ jobId, jobName: 'j', status, tags: { run: '1' }, startedAt: expect.any(Number) })
    expect([d?.statusReason, !d?.stoppedAt, d?.container]).toEqual([reason, status === 'RUNNING', container])
  })

  it('DescribeJobs leaves unknown ids out and lists each id once', async () => {
    const jobId = await submit()
    const { jobs } = await batch.send(new B.DescribeJobsCommand({ jobs: [jobId, 'no-such-job', jobId] }))
    expect(jobs?.map((j) => j.jobId)).toEqual([jobId])
  })

  it('ListJobs by JOB_NAME: every status, newest first, case-insensitive, * for a prefix', async () => {
    fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { stepMs: 0 })
    const done = await submit({ jobName: 'nightly' })
    fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { stepMs: 60_000 })
    const [queued, other] = [await submit({ jobName: 'Nightly' }), await submit({ jobName: 'nightly-2' })]
    const list = async (value: string) =>
      (await batch.send(new B.ListJobsCommand({ jobQueue: 'q', filters: [{ name: 'JOB_NAME', values: [value] }] })))
        .jobSummaryList ?? []
    const exact = await list('NIGHTLY')
    expect(exact.map((j) => `${j.jobId} ${j.status}`)).toEqual([`${queued} SUBMITTED`, `${done} SUCCEEDED`])
    const summary = { jobName: 'nightly', createdAt: expect.any(Number), jobDefinition: `${ARN}:job-definition/app:3` }
    expect(exact[1]).toMatchObject(summary)
    expect((await list('nightly*')).map((j) => j.jobId)).toEqual([other, queued, done])
  })

  it('drop-after on SubmitJob creates the job and loses the answer; drop loses the request', async () => {
    for (const kind of ['drop-after', 'drop'] as const) {
      fake.inject({ operation: 'SubmitJob', kind })
      await expect(submit({ jobName: kind })).rejects.toMatchObject({ code: 'ECONNRESET' })
      expect(fake.batch.jobs().filter((j) => j.jobName === kind)).toHaveLength(kind === 'drop' ? 0 : 1)
    }
  })
})

describe('container logs and attempts (LOGS.md 2.1, FAILURES.md 1.8)', () => {
  const ROLE = 'arn:aws:iam::123456789012:role/exec'
  const PARAM = 'arn:aws:ssm:us-east-1:123456789012:parameter/logs/token'
  const secrets = [{ name: 'TOKEN', valueFrom: PARAM }, { name: 'PLAIN', valueFrom: '/logs/plain' }] // prettier-ignore
  const props = { image: 'i', executionRoleArn: ROLE, environment: [{ name: 'MODE', value: 'ci' }], secrets }
  let n = 0
  /** Submits a job of a fresh definition named logs<n> with these containerProperties. */
  const launch = (extra: object = {}, fargate = false) => {
    const def = container(`logs${++n}`, { containerProperties: { ...props, ...extra } })
    fake.batch.seedDefinition({ ...def, ...(fargate && { platformCapabilities: ['FARGATE'] }) })
    return submit({ jobDefinition: `logs${n}` })
  }
  const ended = async (jobId: string) => {
    for (let d = await detail(jobId); ; await sleep(5), d = await detail(jobId)) {
      if (d?.status === 'SUCCEEDED' || d?.status === 'FAILED') return d
    }
  }
  beforeAll(() => {
    fake.ssm.put({ name: '/logs/token', value: 'tok-secret', type: 'SecureString' })
    fake.ssm.put({ name: '/logs/plain', value: 'plain' })
  })

  it('prints its environment, then lines over time, into <definition>/default/<task id>; attempts[] once ended', async () => {
    const output = { printEnvironment: true, lines: ['a', 'b'], everyMs: 50 }
    fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { stepMs: 5, output })
    const jobId = await launch()
    await sleep(40)
    const running = await detail(jobId)
    const stream = running?.container?.logStreamName ?? ''
    expect([running?.status, running?.attempts, stream]).toEqual([
      'RUNNING',
      [],
      `logs${n}/default/${stream.slice(-32)}`
    ])
    const d = await ended(jobId)
    const events = fake.logs.events('/aws/batch/job', stream)
    const printed = events.map((e) => [e.message, e.timestamp - (d.startedAt ?? 0)])
    expect(printed).toEqual([['MODE=ci', 0], ['TOKEN=tok-secret', 50], ['PLAIN=plain', 100], ['a', 150], ['b', 200]]) // prettier-ignore
    expect(d.stoppedAt).toBeGreaterThan(events.at(-1)?.timestamp ?? Infinity)
    const taskArn = expect.stringMatching(/^arn:aws:ecs:us-east-1:123456789012:task\/\w+\/[0-9a-f]{32}$/)
    const { startedAt, stoppedAt } = d
    const statusReason = 'Essential container in task exited'
    const attempt = { container: { exitCode: 0, logStreamName: stream, taskArn }, startedAt, stoppedAt, statusReason }
    expect(d.attempts).toEqual([attempt])
  })

  const denied = (task: string) =>
    `AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/exec/${task} is not authorized to perform: ssm:GetParameters on resource: ${PARAM} because no identity-based policy allows the ssm:GetParameters action`
  // prettier-ignore
  const failures: Array<[string, boolean, object, (task: string) => string]> = [
    ['denied role, EC2', false, {}, (t) => `^Fetching secret data from SSM Parameter Store in us-east-1: ${denied(t)} status code: 400, request id: [\\w-]+$`],
    ['denied role, Fargate', true, {}, (t) => `^ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time\\(s\\): operation error SSM: GetParameters, https response error StatusCode: 400, RequestID: [\\w-]+, api error ${denied(t)}$`],
    ['a missing parameter, EC2', false, { secrets: [{ name: 'G', valueFrom: '/logs/gone' }] }, () => '^Fetching secret data from SSM Parameter Store in us-east-1: invalid parameters: /logs/gone$']
  ]
  it.each(failures)(
    '%s: FAILED, Task failed to start, its stream named, never created',
    async (what, fargate, extra, reason) => {
      fake.denySecretReads(ROLE, what.startsWith('denied'))
      const d = await ended(await launch(extra, fargate))
      fake.denySecretReads(ROLE, false)
      const { container: c, attempts: [attempt] = [] } = d
      const stream = expect.stringMatching(/\/default\//)
      expect([d.statusReason, d.startedAt, c?.exitCode, attempt?.startedAt, c?.logStreamName]).toEqual(['Task failed to start', undefined, undefined, undefined, stream]) // prettier-ignore
      expect(c?.reason).toMatch(new RegExp(reason(attempt?.container?.taskArn?.split('/').at(-1) ?? '')))
      expect(fake.logs.streams('/aws/batch/job')).not.toContain(c?.logStreamName)
    }
  )

  it('awslogs options: its group (awslogs-create-group) and prefix; another driver: no stream', async () => {
    fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { stepMs: 2, output: { lines: ['hi'] } })
    const options = { 'awslogs-group': '/custom', 'awslogs-stream-prefix': 'pre', 'awslogs-create-group': 'true' }
    const custom = await ended(await launch({ logConfiguration: { logDriver: 'awslogs', options } }))
    const splunk = await ended(await launch({ logConfiguration: { logDriver: 'splunk', options: {} } }))
    const stream = custom.container?.logStreamName ?? ''
    expect([stream.split('/')[0], fake.logs.events('/custom', stream).map((e) => e.message)]).toEqual(['pre', ['hi']])
    expect([splunk.container?.logStreamName, splunk.attempts?.[0]?.container?.logStreamName]).toEqual([
      undefined,
      undefined
    ])
  })
})

describe('DescribeJobQueues and DescribeComputeEnvironments (DESCRIBE.md 3)', () => {
  const CE = `${ARN}:compute-environment/`
  beforeAll(() => {
    fake.batch.addComputeEnvironment({ name: 'spot', type: 'SPOT', maxvCpus: 16, state: 'DISABLED' })
    fake.batch.addComputeEnvironment({ name: 'fg', type: 'FARGATE', maxvCpus: 4 })
    fake.batch.addComputeEnvironment({ name: 'bad', type: 'EC2', maxvCpus: 8, status: 'INVALID', statusReason: 'CLIENT_ERROR - x' }) // prettier-ignore
    fake.batch.addComputeEnvironment({ name: 'own', type: 'UNMANAGED' })
    fake.batch.addQueue('mixed', { computeEnvironments: ['fg', 'spot'] })
    fake.batch.addQueue('off', { state: 'DISABLED', status: 'INVALID', statusReason: 'ACTION_REQUIRED - x' })
  })
  const queues = async (jobQueues?: string[]) =>
    (await batch.send(new B.DescribeJobQueuesCommand({ jobQueues }))).jobQueues ?? []
  const environments = async (computeEnvironments?: string[]) =>
    (await batch.send(new B.DescribeComputeEnvironmentsCommand({ computeEnvironments }))).computeEnvironments ?? []

  it('queues by name or ARN, unknown ones left out; CEs in order, as ARNs', async () => {
    expect(await queues(['mixed', `${ARN}:job-queue/off`, 'nope'])).toEqual([
      { jobQueueName: 'mixed', jobQueueArn: `${ARN}:job-queue/mixed`, state: 'ENABLED', status: 'VALID', statusReason: 'JobQueue Healthy', priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: `${CE}fg` }, { order: 2, computeEnvironment: `${CE}spot` }] }, // prettier-ignore
      expect.objectContaining({ jobQueueName: 'off', state: 'DISABLED', status: 'INVALID', statusReason: 'ACTION_REQUIRED - x' }) // prettier-ignore
    ])
    expect((await queues()).map((q) => [q.jobQueueName, q.computeEnvironmentOrder])).toContainEqual(['q', []])
  })

  it.each<[string, object]>([
    ['fg', { type: 'MANAGED', state: 'ENABLED', status: 'VALID', statusReason: 'ComputeEnvironment Healthy', computeResources: { type: 'FARGATE', maxvCpus: 4 } }], // prettier-ignore
    [`${CE}spot`, { state: 'DISABLED', computeResources: { type: 'SPOT', maxvCpus: 16 } }],
    ['bad', { status: 'INVALID', statusReason: 'CLIENT_ERROR - x', computeResources: { type: 'EC2', maxvCpus: 8 } }],
    ['own', { type: 'UNMANAGED' }]
  ])('compute environment %s', async (ref, expected) => {
    const [ce] = await environments([ref, 'nope'])
    expect(ce).toMatchObject({ ...expected, computeEnvironmentArn: `${CE}${ref.split('/').at(-1)}` })
    expect('computeResources' in (ce ?? {})).toBe(ref !== 'own')
  })

  it('SubmitJob to a DISABLED or INVALID queue is not modelled', async () => {
    await expect(submit({ jobQueue: 'off' })).rejects.toMatchObject({ name: 'NotModelledByFake' })
  })
})
