import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  BatchClient,
  CancelJobCommand,
  DeregisterJobDefinitionCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobsCommand,
  ListJobsCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  paginateDescribeJobDefinitions,
  type DescribeJobDefinitionsCommandInput,
  type JobDefinition,
  type JobDetail,
  type JobStatus,
  type RegisterJobDefinitionCommandInput,
  type SubmitJobCommandInput
} from '@aws-sdk/client-batch'
import { startFakeAws, type FakeAws, type Fault } from './fake-aws/index.js'

let fake: FakeAws
let batch: BatchClient
/** no retries: the first error is what the test sees */
let batch1: BatchClient
const ARN = 'arn:aws:batch:us-east-1:123456789012'

interface SdkError extends Error {
  code?: string
  $fault?: string
  $metadata?: { httpStatusCode?: number }
}

async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise
  } catch (e) {
    return e as SdkError
  }
  throw new Error('expected the call to fail')
}

let counter = 0
/** a fresh name per use so tests do not see each other's definitions, queues and jobs */
const fresh = (prefix = 'n') => `${prefix}${++counter}`

const containerDefinition = (name: string, extra: Partial<RegisterJobDefinitionCommandInput> = {}) =>
  ({
    jobDefinitionName: name,
    type: 'container',
    containerProperties: { image: 'busybox', command: ['echo', 'hi'] },
    ...extra
  }) satisfies RegisterJobDefinitionCommandInput

const register = (input: RegisterJobDefinitionCommandInput) => batch.send(new RegisterJobDefinitionCommand(input))
const submit = (input: SubmitJobCommandInput) => batch.send(new SubmitJobCommand(input))
const describeJob = async (jobId: string): Promise<JobDetail> => {
  const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [jobId] }))
  if (jobs?.[0] === undefined) throw new Error(`job ${jobId} not found`)
  return jobs[0]
}

/** Polls DescribeJobs as a waiting client does; returns every status seen, in order, without repeats. */
async function follow(jobId: string, until: (s: JobStatus) => boolean, limitMs = 2000): Promise<JobStatus[]> {
  const seen: JobStatus[] = []
  const deadline = Date.now() + limitMs
  for (;;) {
    const status = (await describeJob(jobId)).status
    if (status !== undefined && seen[seen.length - 1] !== status) seen.push(status)
    if ((status !== undefined && until(status)) || Date.now() > deadline) return seen
    await sleep(3)
  }
}
const ended = (s: JobStatus) => s === 'SUCCEEDED' || s === 'FAILED'

/** a queue and a container definition of fresh names */
function setup(extra: Record<string, unknown> = {}) {
  const queue = fresh('q')
  const name = fresh('def')
  const queueArn = fake.batch.addQueue(queue)
  const { arn } = fake.batch.seedDefinition({ ...containerDefinition(name), ...extra })
  return { queue, queueArn, name, arn }
}

beforeAll(async () => {
  fake = await startFakeAws()
  const config = {
    endpoint: fake.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' }
  }
  batch = new BatchClient(config)
  batch1 = new BatchClient({ ...config, maxAttempts: 1 })
})
afterAll(async () => {
  batch.destroy()
  batch1.destroy()
  await fake.close()
})
beforeEach(() => {
  fake.clearFaults()
  fake.batch.setJobOutcome({ result: 'SUCCEEDED' })
})

describe('RegisterJobDefinition and DescribeJobDefinitions', () => {
  it('numbers revisions from 1 and never reuses one, even after a deregister', async () => {
    const name = fresh('def')
    expect(await register(containerDefinition(name))).toMatchObject({
      jobDefinitionName: name,
      jobDefinitionArn: `${ARN}:job-definition/${name}:1`,
      revision: 1
    })
    expect((await register(containerDefinition(name))).revision).toBe(2)
    await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: `${name}:2` }))
    expect((await register(containerDefinition(name))).revision).toBe(3)
    expect(fake.batch.definitions(name).map((d) => `${d.revision}:${d.status}`)).toEqual([
      '1:ACTIVE',
      '2:INACTIVE',
      '3:ACTIVE'
    ])
  })

  it('returns what was registered plus the output-only members, tags included', async () => {
    const name = fresh('def')
    await register(
      containerDefinition(name, {
        parameters: { day: 'today' },
        retryStrategy: { attempts: 2 },
        tags: { team: 'billing' },
        platformCapabilities: ['FARGATE']
      })
    )
    const { jobDefinitions } = await batch.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: name }))
    expect(jobDefinitions).toEqual([
      {
        jobDefinitionName: name,
        jobDefinitionArn: `${ARN}:job-definition/${name}:1`,
        revision: 1,
        status: 'ACTIVE',
        type: 'container',
        containerOrchestrationType: 'ECS',
        parameters: { day: 'today' },
        retryStrategy: { attempts: 2, evaluateOnExit: [] },
        tags: { team: 'billing' },
        platformCapabilities: ['FARGATE'],
        // AWS returns these lists as [] when the definition has none, and the Fargate platform
        // version as LATEST (__tests__/fixtures/real-definitions/DEFAULTS.md).
        containerProperties: {
          image: 'busybox',
          command: ['echo', 'hi'],
          environment: [],
          mountPoints: [],
          resourceRequirements: [],
          secrets: [],
          ulimits: [],
          volumes: [],
          fargatePlatformConfiguration: { platformVersion: 'LATEST' }
        }
      }
    ] satisfies JobDefinition[])
    expect(fake.batch.definitions(name)).toEqual(jobDefinitions)
  })

  it('describes what Batch fills in: empty values dropped, actions lower-case, node and ECS containers', async () => {
    const name = fresh('def')
    await register({
      jobDefinitionName: name,
      type: 'container',
      retryStrategy: { attempts: 2, evaluateOnExit: [{ onExitCode: '137', action: 'RETRY' }] },
      containerProperties: {
        image: 'busybox',
        environment: [
          { name: 'EMPTY', value: '' },
          { name: 'SET', value: 'x' }
        ],
        logConfiguration: { logDriver: 'awslogs' }
      }
    })
    const [described] = fake.batch.definitions(name)
    expect(described?.retryStrategy).toEqual({ attempts: 2, evaluateOnExit: [{ onExitCode: '137', action: 'retry' }] })
    expect(described?.containerProperties).toMatchObject({
      environment: [{ name: 'SET', value: 'x' }],
      logConfiguration: { logDriver: 'awslogs', secretOptions: [] }
    })
    expect(described).not.toHaveProperty('propagateTags')
    expect(described).not.toHaveProperty('platformCapabilities')
    const pair = fresh('def')
    await register({
      jobDefinitionName: pair,
      type: 'container',
      ecsProperties: { taskProperties: [{ containers: [{ name: 'main', image: 'main:1' }] }] }
    })
    const [task] = (fake.batch.definitions(pair)[0]?.ecsProperties as { taskProperties: Record<string, unknown>[] })
      .taskProperties
    expect(task).toMatchObject({ platformVersion: 'LATEST', containers: [{ name: 'main', essential: true }] })
  })

  it('marks EKS definitions and ignores members RegisterJobDefinition does not have', async () => {
    const name = fresh('eks')
    fake.batch.seedDefinition({
      jobDefinitionName: name,
      type: 'container',
      eksProperties: { podProperties: { containers: [{ image: 'busybox' }] } },
      someFieldAwsAddsLater: true
    })
    const [definition] = fake.batch.definitions(name)
    expect(definition).toMatchObject({ containerOrchestrationType: 'EKS', revision: 1 })
    expect(definition).not.toHaveProperty('someFieldAwsAddsLater')
  })

  it('validates the name, the type and its properties, tags, retries, timeout and environment', async () => {
    const name = fresh('def')
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ jobDefinitionName: 'has space' }, /Job definition name/],
      [{ jobDefinitionName: 'x'.repeat(129) }, /Job definition name/],
      [{ type: 'batch' }, /Invalid job definition type/],
      [{ nodeProperties: { numNodes: 1, mainNode: 0, nodeRangeProperties: [] } }, /exactly one of/],
      [{ containerProperties: undefined }, /exactly one of/],
      [{ type: 'multinode' }, /requires nodeProperties/],
      [{ tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, /at most 50 tags/],
      [{ tags: { 'AWS:owner': 'me' } }, /reserved prefix/],
      [{ tags: { k: 'v'.repeat(257) } }, /256/],
      [{ retryStrategy: { attempts: 11 } }, /between 1 and 10/],
      [{ retryStrategy: { evaluateOnExit: [{ onExitCode: '1', action: 'EXIT' }] } }, /attempts must be specified/],
      [
        { retryStrategy: { attempts: 2, evaluateOnExit: [{ onExitCode: 'one', action: 'EXIT' }] } },
        /only numbers|of numbers/
      ],
      [{ retryStrategy: { attempts: 2, evaluateOnExit: [{ onReason: 'x', action: 'STOP' }] } }, /RETRY or EXIT/],
      [{ timeout: { attemptDurationSeconds: 59 } }, /between 60/],
      [{ containerProperties: { image: 'x', environment: [{ name: 'AWS_BATCH_X', value: '1' }] } }, /AWS_BATCH/],
      [{ containerProperties: { image: 'x', command: ['x'.repeat(25 * 1024)] } }, /maximum is 24 KiB/]
    ]
    for (const [patch, message] of cases) {
      const input = { ...containerDefinition(name), ...patch } as RegisterJobDefinitionCommandInput
      const err = await failure(batch1.send(new RegisterJobDefinitionCommand(input)))
      expect(err.name, JSON.stringify(patch).slice(0, 80)).toBe('ClientException')
      expect(err.message).toMatch(message)
      expect(err.$metadata?.httpStatusCode).toBe(400)
      expect(err.$fault).toBe('client')
    }
    expect(fake.batch.definitions(name)).toEqual([])
    expect(() => fake.batch.seedDefinition({ jobDefinitionName: name, type: 'container' })).toThrow(/exactly one of/)
  })

  it('describes by name and status, by name:revision, by ARN, and by a bare name in jobDefinitions', async () => {
    const name = fresh('def')
    const other = fresh('def')
    for (let i = 0; i < 3; i++) fake.batch.seedDefinition(containerDefinition(name))
    fake.batch.seedDefinition(containerDefinition(other))
    await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: `${ARN}:job-definition/${name}:2` }))
    const describe = async (input: DescribeJobDefinitionsCommandInput) =>
      ((await batch.send(new DescribeJobDefinitionsCommand(input))).jobDefinitions ?? []).map(
        (d) => `${d.jobDefinitionName}:${d.revision}:${d.status}`
      )

    expect(await describe({ jobDefinitionName: name })).toEqual([
      `${name}:1:ACTIVE`,
      `${name}:2:INACTIVE`,
      `${name}:3:ACTIVE`
    ])
    expect(await describe({ jobDefinitionName: name, status: 'ACTIVE' })).toEqual([
      `${name}:1:ACTIVE`,
      `${name}:3:ACTIVE`
    ])
    expect(await describe({ jobDefinitionName: name, status: 'INACTIVE' })).toEqual([`${name}:2:INACTIVE`])
    expect(await describe({ jobDefinitions: [`${name}:3`, `${ARN}:job-definition/${other}:1`, `${name}:9`] })).toEqual([
      `${name}:3:ACTIVE`,
      `${other}:1:ACTIVE`
    ])
    expect(await describe({ jobDefinitions: [name] })).toHaveLength(3)
    expect(
      await describe({ jobDefinitions: [`arn:aws:batch:eu-west-1:123456789012:job-definition/${name}:1`] })
    ).toEqual([])

    for (const input of [
      { jobDefinitions: [`${name}:1`], status: 'ACTIVE' },
      { jobDefinitions: Array.from({ length: 101 }, (_, i) => `${name}:${i + 1}`) },
      { status: 'DELETED' },
      { maxResults: 101 },
      { maxResults: 0 },
      { nextToken: 'not-a-token' }
    ]) {
      expect((await failure(batch1.send(new DescribeJobDefinitionsCommand(input)))).name, JSON.stringify(input)).toBe(
        'ClientException'
      )
    }
  })

  it('paginates: at most 100 a page by default, maxResults otherwise, and a paginator sees every revision', async () => {
    const name = fresh('many')
    for (let i = 0; i < 105; i++) fake.batch.seedDefinition(containerDefinition(name))
    await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: `${name}:50` }))

    const first = await batch.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: name, status: 'ACTIVE' }))
    expect(first.jobDefinitions).toHaveLength(100)
    expect(first.nextToken).toEqual(expect.any(String))
    const second = await batch.send(
      new DescribeJobDefinitionsCommand({ jobDefinitionName: name, status: 'ACTIVE', nextToken: first.nextToken })
    )
    expect(second.jobDefinitions?.map((d) => d.revision)).toEqual([102, 103, 104, 105])
    expect(second.nextToken).toBeUndefined()

    const revisions: number[] = []
    for await (const page of paginateDescribeJobDefinitions(
      { client: batch, pageSize: 30 },
      { jobDefinitionName: name, status: 'ACTIVE' }
    )) {
      expect(page.jobDefinitions?.length).toBeLessThanOrEqual(30)
      revisions.push(...(page.jobDefinitions ?? []).map((d) => d.revision ?? 0))
    }
    expect(revisions).toHaveLength(104)
    expect(Math.max(...revisions)).toBe(105)
    expect(revisions).not.toContain(50)
  })
})

describe('DeregisterJobDefinition', () => {
  it('marks the revision INACTIVE, takes name:revision or an ARN, and rejects unknown or bare names', async () => {
    const name = fresh('def')
    const { arn } = fake.batch.seedDefinition(containerDefinition(name))
    fake.batch.seedDefinition(containerDefinition(name))
    await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: arn }))
    await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: `${name}:2` }))
    expect(fake.batch.definitions(name).map((d) => d.status)).toEqual(['INACTIVE', 'INACTIVE'])

    for (const jobDefinition of [`${name}:3`, name, 'nope:1']) {
      const err = await failure(batch1.send(new DeregisterJobDefinitionCommand({ jobDefinition })))
      expect(err.name, jobDefinition).toBe('ClientException')
    }
    expect(fake.writes().filter((r) => r.operation === 'DeregisterJobDefinition').length).toBeGreaterThanOrEqual(5)
  })
})

describe('SubmitJob', () => {
  it('takes the queue and the definition by name or ARN, the name meaning the latest ACTIVE revision', async () => {
    const { queue, queueArn, name } = setup()
    fake.batch.seedDefinition(containerDefinition(name))
    fake.batch.seedDefinition(containerDefinition(name))
    await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: `${name}:3` }))

    const byName = await submit({ jobName: 'a', jobQueue: queue, jobDefinition: name })
    expect(byName).toMatchObject({
      jobName: 'a',
      jobId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      jobArn: `${ARN}:job/${byName.jobId}`
    })
    await submit({ jobName: 'b', jobQueue: queueArn, jobDefinition: `${name}:1` })
    await submit({ jobName: 'c', jobQueue: queue, jobDefinition: `${ARN}:job-definition/${name}` })
    await submit({ jobName: 'd', jobQueue: queue, jobDefinition: `${ARN}:job-definition/${name}:1` })
    const mine = fake.batch.jobs().filter((j) => j.jobQueue === queueArn)
    expect(mine.map((j) => `${j.jobName}→${j.jobDefinition.split('/')[1]}`)).toEqual([
      `a→${name}:2`,
      `b→${name}:1`,
      `c→${name}:2`,
      `d→${name}:1`
    ])
    expect(mine[0]).toMatchObject({ jobId: byName.jobId, input: { jobQueue: queue, jobDefinition: name } })
  })

  it('rejects a bad job name, an unknown queue, and an unknown or INACTIVE definition', async () => {
    const { queue, name } = setup()
    fake.batch.seedDefinition(containerDefinition(name))
    await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: `${name}:2` }))
    const gone = fresh('def')
    fake.batch.seedDefinition(containerDefinition(gone))
    await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: `${gone}:1` }))
    const before = fake.batch.jobs().length

    const cases: Array<[Partial<SubmitJobCommandInput>, RegExp]> = [
      [{ jobName: '-starts-with-hyphen' }, /Job name should match valid pattern/],
      [{ jobName: '_underscore' }, /Job name should match valid pattern/],
      [{ jobName: 'has.dot' }, /Job name should match valid pattern/],
      [{ jobName: 'x'.repeat(129) }, /Job name should match valid pattern/],
      [{ jobQueue: 'no-such-queue' }, /^JobQueue no-such-queue not found\.$/],
      [{ jobQueue: `arn:aws:batch:eu-west-1:123456789012:job-queue/${queue}` }, /not found/],
      [
        { jobDefinition: 'no-such-definition' },
        /^JobDefinition name no-such-definition does not exist or is not in ACTIVE status$/
      ],
      [{ jobDefinition: `${name}:2` }, /does not exist or is not in ACTIVE status/],
      [{ jobDefinition: `${name}:9` }, /does not exist or is not in ACTIVE status/],
      [{ jobDefinition: gone }, /does not exist or is not in ACTIVE status/],
      [{ jobDefinition: `${ARN}:job-definition/${gone}:1` }, /does not exist or is not in ACTIVE status/],
      [{ ecsPropertiesOverride: { taskProperties: [] } }, /can't be used with job definition/],
      [{ containerOverrides: { environment: [{ name: 'AWS_BATCH_JOB_ID', value: 'x' }] } }, /AWS_BATCH/],
      [{ shareIdentifier: 'team-a' }, /fair-share/],
      [{ tags: { 'aws:x': 'y' } }, /reserved prefix/],
      [{ dependsOn: [{ jobId: '00000000-0000-0000-0000-000000000000' }] }, /does not exist/]
    ]
    for (const [patch, message] of cases) {
      const input = { jobName: 'ok', jobQueue: queue, jobDefinition: name, ...patch }
      const err = await failure(batch1.send(new SubmitJobCommand(input)))
      expect(err.name, JSON.stringify(patch).slice(0, 80)).toBe('ClientException')
      expect(err.message).toMatch(message)
      expect(err.$metadata?.httpStatusCode).toBe(400)
    }
    expect(fake.batch.jobs()).toHaveLength(before)
  })

  it('keeps everything the job was submitted with', async () => {
    const { queue, name } = setup()
    const input = {
      jobName: 'full',
      jobQueue: queue,
      jobDefinition: name,
      parameters: { day: 'monday' },
      containerOverrides: { environment: [{ name: 'MODE', value: 'full' }] },
      tags: { 'github-run-id': '42' },
      propagateTags: true,
      retryStrategy: { attempts: 3 },
      timeout: { attemptDurationSeconds: 600 }
    } satisfies SubmitJobCommandInput
    const { jobId } = await submit(input)
    const job = fake.batch.jobs().find((j) => j.jobId === jobId)
    expect(job).toMatchObject({
      ...input,
      jobQueue: `${ARN}:job-queue/${queue}`,
      jobDefinition: `${ARN}:job-definition/${name}:1`
    })
    expect(job?.input).toEqual(input)
    expect(job?.tags).toEqual({ 'github-run-id': '42' })
  })
})

describe('job progression and DescribeJobs', () => {
  it('moves SUBMITTED → RUNNABLE → STARTING → RUNNING → SUCCEEDED with exit code 0', async () => {
    const { queue, queueArn, arn, name } = setup({
      parameters: { day: 'today', region: 'eu' },
      containerProperties: {
        image: 'busybox',
        environment: [
          { name: 'MODE', value: 'batch' },
          { name: 'KEEP', value: '1' }
        ]
      }
    })
    fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { stepMs: 40 })
    const { jobId = '' } = await submit({
      jobName: 'progress',
      jobQueue: queue,
      jobDefinition: name,
      parameters: { day: 'monday' },
      containerOverrides: {
        command: ['run'],
        environment: [
          { name: 'MODE', value: 'full' },
          { name: 'NEW', value: '2' }
        ]
      },
      tags: { team: 'billing' }
    })
    expect(await follow(jobId, ended)).toEqual(['SUBMITTED', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED'])

    const job = await describeJob(jobId)
    expect(job).toMatchObject({
      jobArn: `${ARN}:job/${jobId}`,
      jobName: 'progress',
      jobId,
      jobQueue: queueArn,
      jobDefinition: arn,
      status: 'SUCCEEDED',
      statusReason: 'Essential container in task exited',
      parameters: { day: 'monday', region: 'eu' },
      tags: { team: 'billing' },
      dependsOn: [],
      container: {
        image: 'busybox',
        command: ['run'],
        environment: [
          { name: 'MODE', value: 'full' },
          { name: 'KEEP', value: '1' },
          { name: 'NEW', value: '2' }
        ],
        exitCode: 0,
        logStreamName: expect.stringMatching(new RegExp(`^${name}/default/[0-9a-f]{32}$`))
      }
    })
    expect(job.container?.reason).toBeUndefined()
    expect(job.attempts).toEqual([
      {
        container: { exitCode: 0, logStreamName: job.container?.logStreamName },
        startedAt: job.startedAt,
        stoppedAt: job.stoppedAt,
        statusReason: 'Essential container in task exited'
      }
    ])
    const { createdAt = 0, startedAt = 0, stoppedAt = 0 } = job
    expect(createdAt).toBeGreaterThan(Date.now() - 60_000)
    expect(startedAt - createdAt).toBeGreaterThanOrEqual(120)
    expect(stoppedAt - startedAt).toBeGreaterThanOrEqual(40)
  })

  it('a FAILED job carries the status reason, exit code, container reason and log stream', async () => {
    const { queue, name } = setup()
    fake.batch.setJobOutcome({
      result: 'FAILED',
      statusReason: 'Essential container in task exited',
      exitCode: 3,
      containerReason: 'OutOfMemoryError: Container killed due to memory usage'
    })
    const { jobId = '' } = await submit({ jobName: 'fails', jobQueue: queue, jobDefinition: name })
    const statuses = await follow(jobId, ended)
    expect(statuses.at(-1)).toBe('FAILED')
    expect(statuses).not.toContain('SUCCEEDED')
    const job = await describeJob(jobId)
    expect(job).toMatchObject({
      status: 'FAILED',
      statusReason: 'Essential container in task exited',
      container: {
        exitCode: 3,
        reason: 'OutOfMemoryError: Container killed due to memory usage',
        logStreamName: expect.stringMatching(new RegExp(`^${name}/default/[0-9a-f]{32}$`))
      }
    })
    expect(job.attempts).toHaveLength(1)
    expect(fake.batch.jobs().find((j) => j.jobId === jobId)).toMatchObject({
      status: 'FAILED',
      statusReason: 'Essential container in task exited',
      attempts: 1
    })

    fake.batch.setJobOutcome({ result: 'FAILED', statusReason: 'Host EC2 terminated', logStreamName: 'custom/stream' })
    const { jobId: other = '' } = await submit({ jobName: 'fails-2', jobQueue: queue, jobDefinition: name })
    await follow(other, ended)
    const detail = await describeJob(other)
    expect(detail.container).toMatchObject({ logStreamName: 'custom/stream' })
    expect(detail.container?.exitCode).toBeUndefined()
  })

  it('retries a failed attempt per the retry strategy, and stops early on an EXIT condition', async () => {
    const { queue, name } = setup({ retryStrategy: { attempts: 2 } })
    fake.batch.setJobOutcome(
      { result: 'FAILED', statusReason: 'Essential container in task exited', exitCode: 1 },
      { stepMs: 30 }
    )
    const { jobId = '' } = await submit({ jobName: 'retried', jobQueue: queue, jobDefinition: name })
    expect(await follow(jobId, ended)).toEqual([
      'SUBMITTED',
      'RUNNABLE',
      'STARTING',
      'RUNNING',
      'RUNNABLE',
      'STARTING',
      'RUNNING',
      'FAILED'
    ])
    expect((await describeJob(jobId)).attempts?.map((a) => a.container?.exitCode)).toEqual([1, 1])

    const { jobId: exits = '' } = await submit({
      jobName: 'exits',
      jobQueue: queue,
      jobDefinition: name,
      retryStrategy: {
        attempts: 3, // "The values aren't case sensitive."
        evaluateOnExit: [{ onExitCode: '1*', action: 'exit' as 'EXIT' }]
      }
    })
    await follow(exits, ended)
    expect((await describeJob(exits)).attempts).toHaveLength(1)
  })

  it('holdAt RUNNING keeps the job RUNNING, with startedAt and no stoppedAt', async () => {
    const { queue, name } = setup()
    fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { holdAt: 'RUNNING', stepMs: 5 })
    const { jobId = '' } = await submit({ jobName: 'held', jobQueue: queue, jobDefinition: name })
    await follow(jobId, (s) => s === 'RUNNING')
    await sleep(60)
    const job = await describeJob(jobId)
    expect(job.status).toBe('RUNNING')
    expect(job.startedAt).toEqual(expect.any(Number))
    expect(job.stoppedAt).toBeUndefined()
    expect(job.attempts).toEqual([])
    expect(job.container?.logStreamName).toMatch(new RegExp(`^${name}/default/`))
    expect(job.container?.exitCode).toBeUndefined()
  })

  it('a job that depends on another waits in PENDING, and fails when its dependency fails', async () => {
    const { queue, name } = setup()
    fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { stepMs: 30 })
    const { jobId: first = '' } = await submit({ jobName: 'first', jobQueue: queue, jobDefinition: name })
    const { jobId: second = '' } = await submit({
      jobName: 'second',
      jobQueue: queue,
      jobDefinition: name,
      dependsOn: [{ jobId: first }]
    })
    expect(await follow(second, ended)).toEqual([
      'SUBMITTED',
      'PENDING',
      'RUNNABLE',
      'STARTING',
      'RUNNING',
      'SUCCEEDED'
    ])
    expect((await describeJob(second)).dependsOn).toEqual([{ jobId: first }])
    expect((await describeJob(first)).stoppedAt ?? Infinity).toBeLessThanOrEqual(
      (await describeJob(second)).startedAt ?? 0
    )

    fake.batch.setJobOutcome({ result: 'FAILED', statusReason: 'boom', exitCode: 1 }, { stepMs: 10 })
    const { jobId: failing = '' } = await submit({ jobName: 'failing', jobQueue: queue, jobDefinition: name })
    const { jobId: dependent = '' } = await submit({
      jobName: 'dependent',
      jobQueue: queue,
      jobDefinition: name,
      dependsOn: [{ jobId: failing }]
    })
    await follow(dependent, ended)
    expect(await describeJob(dependent)).toMatchObject({
      status: 'FAILED',
      statusReason: 'Dependent Job failed',
      attempts: []
    })
  })

  it('an ecsProperties job applies ecsPropertiesOverride per container and reports the essential container', async () => {
    const queue = fresh('q')
    fake.batch.addQueue(queue)
    const name = fresh('ecs')
    fake.batch.seedDefinition({
      jobDefinitionName: name,
      type: 'container',
      ecsProperties: {
        taskProperties: [
          {
            containers: [
              { name: 'sidecar', image: 'side:1', essential: false },
              { name: 'main', image: 'main:1', environment: [{ name: 'MODE', value: 'batch' }] }
            ]
          }
        ]
      }
    })
    fake.batch.setJobOutcome({ result: 'FAILED', statusReason: 'Essential container in task exited', exitCode: 2 })
    const { jobId = '' } = await submit({
      jobName: 'multi',
      jobQueue: queue,
      jobDefinition: name,
      ecsPropertiesOverride: {
        taskProperties: [{ containers: [{ name: 'main', environment: [{ name: 'MODE', value: 'full' }] }] }]
      }
    })
    await follow(jobId, ended)
    const job = await describeJob(jobId)
    expect(job.container).toBeUndefined()
    const [sidecar, main] = job.ecsProperties?.taskProperties?.[0]?.containers ?? []
    expect(main).toMatchObject({
      name: 'main',
      environment: [{ name: 'MODE', value: 'full' }],
      exitCode: 2,
      logStreamName: expect.stringMatching(new RegExp(`^${name}/main/[0-9a-f]{32}$`))
    })
    expect(sidecar?.exitCode).toBeUndefined()
    const err = await failure(
      batch1.send(
        new SubmitJobCommand({
          jobName: 'x',
          jobQueue: queue,
          jobDefinition: name,
          containerOverrides: { command: ['x'] }
        })
      )
    )
    expect(err.message).toMatch(/containerOverrides can't be used/)
  })

  it('DescribeJobs takes 1 to 100 ids and leaves unknown ones out', async () => {
    const { queue, name } = setup()
    const { jobId = '' } = await submit({ jobName: 'known', jobQueue: queue, jobDefinition: name })
    const { jobs } = await batch.send(
      new DescribeJobsCommand({ jobs: [jobId, '00000000-0000-0000-0000-000000000000', jobId] })
    )
    expect(jobs?.map((j) => j.jobId)).toEqual([jobId])
    for (const ids of [[], Array.from({ length: 101 }, () => jobId)]) {
      expect((await failure(batch1.send(new DescribeJobsCommand({ jobs: ids })))).name).toBe('ClientException')
    }
  })
})

describe('ListJobs', () => {
  it('with a JOB_NAME filter returns every status, newest first; the name matches case-insensitively or by prefix', async () => {
    const { queue, name } = setup()
    fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { stepMs: 1 })
    const { jobId: done = '' } = await submit({ jobName: 'nightly-run', jobQueue: queue, jobDefinition: name })
    await follow(done, ended)
    fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { holdAt: 'RUNNING', stepMs: 1 })
    const { jobId: running = '' } = await submit({ jobName: 'Nightly-Run', jobQueue: queue, jobDefinition: name })
    await follow(running, (s) => s === 'RUNNING')
    fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { stepMs: 10_000 })
    const { jobId: submitted = '' } = await submit({ jobName: 'nightly-run', jobQueue: queue, jobDefinition: name })
    await submit({ jobName: 'nightly-run-2', jobQueue: queue, jobDefinition: name })

    const list = async (value: string, jobStatus?: JobStatus) =>
      (
        await batch.send(
          new ListJobsCommand({
            jobQueue: queue,
            filters: [{ name: 'JOB_NAME', values: [value] }],
            ...(jobStatus && { jobStatus })
          })
        )
      ).jobSummaryList ?? []

    const exact = await list('nightly-run', 'SUCCEEDED')
    expect(exact.map((j) => [j.jobId, j.status])).toEqual([
      [submitted, 'SUBMITTED'],
      [running, 'RUNNING'],
      [done, 'SUCCEEDED']
    ])
    expect(exact[2]).toEqual({
      jobArn: `${ARN}:job/${done}`,
      jobId: done,
      jobName: 'nightly-run',
      createdAt: expect.any(Number),
      status: 'SUCCEEDED',
      statusReason: 'Essential container in task exited',
      startedAt: expect.any(Number),
      stoppedAt: expect.any(Number),
      container: { exitCode: 0 },
      jobDefinition: `${ARN}:job-definition/${name}:1`
    })
    expect(await list('nightly-run*')).toHaveLength(4)
    expect(await list('NIGHTLY')).toEqual([])
  })

  it('without a filter lists RUNNING jobs unless jobStatus says otherwise', async () => {
    const { queue, name } = setup()
    fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { holdAt: 'RUNNING', stepMs: 1 })
    const { jobId: running = '' } = await submit({ jobName: 'held', jobQueue: queue, jobDefinition: name })
    fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { stepMs: 1 })
    const { jobId: done = '' } = await submit({ jobName: 'done', jobQueue: queue, jobDefinition: name })
    await follow(running, (s) => s === 'RUNNING')
    await follow(done, ended)

    const ids = async (jobStatus?: JobStatus) =>
      (
        (await batch.send(new ListJobsCommand({ jobQueue: queue, ...(jobStatus && { jobStatus }) }))).jobSummaryList ??
        []
      ).map((j) => j.jobId)
    expect(await ids()).toEqual([running])
    expect(await ids('SUCCEEDED')).toEqual([done])
    expect(await ids('FAILED')).toEqual([])
  })

  it('filters by job definition and creation time, paginates, and rejects what AWS rejects', async () => {
    const { queue, name, arn } = setup()
    fake.batch.seedDefinition(containerDefinition(name))
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      const { jobId = '' } = await submit({
        jobName: `j${i}`,
        jobQueue: queue,
        jobDefinition: i < 2 ? `${name}:1` : name
      })
      ids.push(jobId)
      await sleep(2)
    }
    const list = async (filterName: string, value: string) =>
      (
        (await batch.send(new ListJobsCommand({ jobQueue: queue, filters: [{ name: filterName, values: [value] }] })))
          .jobSummaryList ?? []
      ).map((j) => j.jobId)
    expect(await list('JOB_DEFINITION', name)).toEqual([...ids].reverse())
    expect(await list('JOB_DEFINITION', arn)).toEqual([ids[1], ids[0]])
    expect(await list('JOB_DEFINITION', `${name.slice(0, 2)}*`)).toHaveLength(5)
    const created = fake.batch.jobs().find((j) => j.jobId === ids[2])?.createdAt ?? 0
    expect(await list('AFTER_CREATED_AT', String(created))).toEqual([ids[4], ids[3]])
    expect(await list('BEFORE_CREATED_AT', String(created))).toEqual([ids[1], ids[0]])

    const pages: string[][] = []
    let nextToken: string | undefined
    do {
      const page = await batch.send(
        new ListJobsCommand({
          jobQueue: queue,
          filters: [{ name: 'JOB_NAME', values: ['j*'] }],
          maxResults: 2,
          nextToken
        })
      )
      pages.push((page.jobSummaryList ?? []).map((j) => j.jobId ?? ''))
      nextToken = page.nextToken
    } while (nextToken)
    expect(pages).toEqual([[ids[4], ids[3]], [ids[2], ids[1]], [ids[0]]])

    for (const input of [
      {},
      { jobQueue: 'no-such-queue' },
      { jobQueue: queue, jobStatus: 'DONE' as JobStatus },
      { jobQueue: queue, maxResults: 0 },
      {
        jobQueue: queue,
        filters: [
          { name: 'JOB_NAME', values: ['a'] },
          { name: 'JOB_DEFINITION', values: [name] }
        ]
      },
      { jobQueue: queue, filters: [{ name: 'job_name', values: ['a'] }] },
      { jobQueue: queue, filters: [{ name: 'AFTER_CREATED_AT', values: ['yesterday'] }] }
    ]) {
      expect((await failure(batch1.send(new ListJobsCommand(input)))).name, JSON.stringify(input)).toBe(
        'ClientException'
      )
    }
  })
})

describe('faults and the wire', () => {
  it('drop-after on SubmitJob creates the job and loses the answer; ListJobs finds it by name', async () => {
    const { queue, name } = setup()
    fake.inject({ operation: 'SubmitJob', kind: 'drop-after' })
    const err = await failure(
      batch1.send(new SubmitJobCommand({ jobName: 'lost-answer', jobQueue: queue, jobDefinition: name }))
    )
    expect(err.code).toBe('ECONNRESET')
    const created = fake.batch.jobs().filter((j) => j.jobName === 'lost-answer')
    expect(created).toHaveLength(1)
    const { jobSummaryList } = await batch.send(
      new ListJobsCommand({ jobQueue: queue, filters: [{ name: 'JOB_NAME', values: ['lost-answer'] }] })
    )
    expect(jobSummaryList?.map((j) => j.jobId)).toEqual([created[0]?.jobId])
    expect(fake.requests.find((r) => r.operation === 'SubmitJob' && r.status === 'dropped')).toMatchObject({
      service: 'batch',
      fault: 'drop-after'
    })
  })

  it('drop closes the connection before the job exists', async () => {
    const { queue, name } = setup()
    fake.inject({ operation: 'SubmitJob', kind: 'drop' })
    const err = await failure(
      batch1.send(new SubmitJobCommand({ jobName: 'never', jobQueue: queue, jobDefinition: name }))
    )
    expect(err.code).toBe('ECONNRESET')
    expect(fake.batch.jobs().filter((j) => j.jobName === 'never')).toEqual([])
  })

  it('throttling and server errors reach a client without retries; the SDK retries them otherwise', async () => {
    const { queue, name } = setup()
    const cases: Array<{ fault: Omit<Fault, 'operation'>; name: string; status: number }> = [
      { fault: { kind: 'throttle' }, name: 'ThrottlingException', status: 400 },
      { fault: { kind: 'too-many-requests' }, name: 'TooManyRequestsException', status: 429 },
      { fault: { kind: 'server-error' }, name: 'ServerException', status: 500 },
      { fault: { kind: 'server-error', status: 503 }, name: 'ServiceUnavailable', status: 503 }
    ]
    for (const c of cases) {
      fake.inject({ operation: 'SubmitJob', ...c.fault })
      const err = await failure(
        batch1.send(new SubmitJobCommand({ jobName: 'x', jobQueue: queue, jobDefinition: name }))
      )
      expect(err.name, c.fault.kind).toBe(c.name)
      expect(err.$metadata?.httpStatusCode).toBe(c.status)
    }
    expect(fake.batch.jobs().filter((j) => j.jobName === 'x')).toEqual([])

    fake.inject({ operation: 'DescribeJobDefinitions', kind: 'throttle' })
    fake.inject({ operation: 'DescribeJobDefinitions', kind: 'server-error', skip: 1 })
    const before = fake.count('DescribeJobDefinitions')
    await batch.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: name }))
    expect(fake.count('DescribeJobDefinitions') - before).toBe(3)
  })

  it('answers an operation the fake lacks with 404 UnknownOperationException, and records batch writes', async () => {
    const err = await failure(batch1.send(new CancelJobCommand({ jobId: 'x', reason: 'r' })))
    expect(err.name).toBe('UnknownOperationException')
    expect(err.$metadata?.httpStatusCode).toBe(404)

    fake.clearRequests()
    const { queue, name } = setup()
    await register(containerDefinition(name))
    await submit({ jobName: 'w', jobQueue: queue, jobDefinition: name })
    await batch.send(new ListJobsCommand({ jobQueue: queue }))
    expect(fake.requests.map((r) => [r.service, r.operation, r.status, r.region])).toEqual([
      ['batch', 'RegisterJobDefinition', 200, 'us-east-1'],
      ['batch', 'SubmitJob', 200, 'us-east-1'],
      ['batch', 'ListJobs', 200, 'us-east-1']
    ])
    expect(fake.writes().map((r) => r.operation)).toEqual(['RegisterJobDefinition', 'SubmitJob'])
    expect(fake.requests[1]?.input).toMatchObject({ jobName: 'w', jobQueue: queue, jobDefinition: name })
  })
})
