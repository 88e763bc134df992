import {
  BatchClient,
  DescribeComputeEnvironmentsCommand,
  type ComputeEnvironmentDetail,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  ListJobsCommand,
  SubmitJobCommand
} from '@aws-sdk/client-batch'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, describe, expect, it } from 'vitest'
import type { AwsClients } from '../../src/aws/clients.js'
import { submitJobOnce } from '../../src/apply/send.js'
import { waitForJob } from '../../src/apply/wait.js'
import { describeNodes } from '../../src/aws/batch.js'

const batchMock = mockClient(BatchClient)
const batch = new BatchClient({ region: 'us-east-1' })
const clients = { batch: () => batch, batchSubmit: () => batch } as unknown as AwsClients
const lines: string[] = []
const log = {
  info: (m: string) => lines.push(m),
  warning: (m: string) => lines.push(`warning: ${m}`),
  debug: () => undefined,
  relay: () => undefined
}
const sleeps: number[] = []
const sleep = async (ms: number) => {
  sleeps.push(ms)
  clock += ms
}
let clock = 1_000_000
const now = () => clock

afterEach(() => {
  batchMock.reset()
  lines.length = 0
  sleeps.length = 0
})

const request = { jobName: 'job-1-1', jobQueue: 'q', jobDefinition: 'arn:def:1', tags: {} }
const submit = (job: typeof request = request) => submitJobOnce({ clients, request: job, log, sleep, now })
const wait = (timeoutMinutes = 30) => waitForJob({ clients, jobId: 'j', timeoutMinutes, log, sleep, now })
const detail = (status: 'RUNNABLE' | 'RUNNING' | 'SUCCEEDED' | 'FAILED', extra: Record<string, unknown> = {}) => ({
  jobs: [{ jobId: 'j', jobName: 'n', jobQueue: 'q', jobDefinition: 'd', status, createdAt: 0, startedAt: 0, ...extra }]
})
const awsError = (name: string, status?: number) =>
  Object.assign(new Error(name), { name, ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }) })

describe('submitJobOnce', () => {
  it('resends a throttled request without looking it up', async () => {
    batchMock
      .on(SubmitJobCommand)
      .rejectsOnce(awsError('TooManyRequestsException', 429))
      .resolves({ jobId: 'j', jobArn: 'a', jobName: 'job-1-1' })
    expect(await submit()).toEqual({
      jobId: 'j',
      jobArn: 'a',
      jobName: 'job-1-1'
    })
    expect(batchMock.commandCalls(ListJobsCommand)).toHaveLength(0)
    expect(sleeps).toEqual([1000])
  })

  it('after a 5xx, finds the job by name instead of submitting twice', async () => {
    batchMock.on(SubmitJobCommand).rejects(awsError('ServerException', 500))
    batchMock.on(ListJobsCommand).resolves({
      jobSummaryList: [
        { jobId: 'old', jobName: 'job-1-1', createdAt: clock - 10 * 60_000, jobDefinition: 'arn:def:1' },
        { jobId: 'j', jobArn: 'a', jobName: 'job-1-1', createdAt: clock, jobDefinition: 'arn:def:1' }
      ]
    })
    expect((await submit()).jobId).toBe('j')
    expect(batchMock.commandCalls(SubmitJobCommand)).toHaveLength(1)
    expect(batchMock.commandCalls(ListJobsCommand)[0]?.args[0].input).toEqual({
      jobQueue: 'q',
      filters: [{ name: 'JOB_NAME', values: ['job-1-1'] }]
    })
  })

  it('after a lost answer, does not take a same-name job of another run for its own', async () => {
    const runTags = { 'github-run-id': '7', 'github-run-attempt': '2', team: 'x' }
    batchMock
      .on(SubmitJobCommand)
      .rejectsOnce(awsError('ServerException', 500))
      .resolves({ jobId: 'new', jobArn: 'a', jobName: 'nightly' })
    batchMock.on(ListJobsCommand).resolves({
      jobSummaryList: [{ jobId: 'earlier', jobName: 'nightly', createdAt: clock, jobDefinition: 'arn:def:1' }]
    })
    batchMock.on(DescribeJobsCommand).resolves({
      jobs: [
        {
          jobId: 'earlier',
          jobName: 'nightly',
          jobQueue: 'q',
          jobDefinition: 'arn:def:1',
          status: 'SUCCEEDED',
          startedAt: 0,
          tags: { 'github-run-id': '7', 'github-run-attempt': '1' }
        }
      ]
    })
    const job = await submit({ ...request, jobName: 'nightly', tags: runTags })
    expect(job.jobId).toBe('new')
    expect(batchMock.commandCalls(SubmitJobCommand)).toHaveLength(2)
  })

  it('submits again when the lost request never created the job, and gives up after 5 attempts', async () => {
    batchMock.on(SubmitJobCommand).rejects(awsError('TimeoutError'))
    batchMock.on(ListJobsCommand).resolves({ jobSummaryList: [] })
    await expect(submit()).rejects.toThrow(/SubmitJob job-1-1 failed after 5 attempts: TimeoutError/)
    expect(batchMock.commandCalls(SubmitJobCommand)).toHaveLength(5)
    expect(batchMock.commandCalls(ListJobsCommand)).toHaveLength(15)
  })

  it('never resends a SubmitJob that was answered, even without a jobId; looks the job up instead', async () => {
    batchMock.on(SubmitJobCommand).resolves({ jobName: 'job-1-1' })
    batchMock
      .on(ListJobsCommand)
      .resolvesOnce({ jobSummaryList: [] })
      .resolves({ jobSummaryList: [{ jobId: 'j', jobArn: 'a', jobName: 'job-1-1', createdAt: clock }] })
    expect((await submit()).jobId).toBe('j')
    expect(batchMock.commandCalls(SubmitJobCommand)).toHaveLength(1)
    expect(lines.join('\n')).toMatch(/answered without a jobId; it is not sent again/)
  })

  it('fails without resending when an answered SubmitJob cannot be read nor found', async () => {
    const unreadable = Object.assign(new Error('Unexpected end of JSON input'), { $metadata: { httpStatusCode: 200 } })
    batchMock.on(SubmitJobCommand).rejects(unreadable)
    batchMock.on(ListJobsCommand).resolves({ jobSummaryList: [] })
    await expect(submit()).rejects.toThrow(/was answered, so the job was submitted, .*it was not submitted again/)
    expect(batchMock.commandCalls(SubmitJobCommand)).toHaveLength(1)
  })

  it('does not retry a client error', async () => {
    batchMock.on(SubmitJobCommand).rejects(awsError('ClientException', 400))
    await expect(submit()).rejects.toThrow('ClientException')
    expect(batchMock.commandCalls(SubmitJobCommand)).toHaveLength(1)
  })
})

describe('waitForJob', () => {
  it('logs each status change and backs off between polls', async () => {
    batchMock
      .on(DescribeJobsCommand)
      .resolvesOnce(detail('RUNNABLE'))
      .resolvesOnce(detail('RUNNABLE'))
      .resolvesOnce(detail('RUNNING'))
      .resolves(detail('SUCCEEDED'))
    const result = await wait()
    expect(result.status).toBe('SUCCEEDED')
    expect(result.failure).toBeUndefined()
    expect(sleeps).toEqual([1000, 2000, 3000])
    expect(lines.map((line) => line.replace(/^\S+ /, ''))).toEqual([
      'job j: RUNNABLE',
      'job j: RUNNING',
      'job j: SUCCEEDED'
    ])
  })

  it('describes a failed job without a container exit code', async () => {
    batchMock
      .on(DescribeJobsCommand)
      .resolves(
        detail('FAILED', { statusReason: 'Host terminated', container: { reason: 'CannotPullContainerError' } })
      )
    const result = await wait()
    expect(result.failure).toBe('Job n (j) FAILED: Host terminated. Container: CannotPullContainerError.')
  })

  it('says what it was waiting for when the status cannot be read', async () => {
    batchMock.on(DescribeJobsCommand).rejects(awsError('ServerException', 500))
    await expect(wait()).rejects.toThrow(
      /^Waiting for job j failed: ServerException: ServerException\. It was started and goes on without the wait/
    )
  })

  // Shapes from the AWS CLI's describe-job-queues / describe-compute-environments examples (FAILURES.md, 2.3).
  const ce = (name: string, extra: Partial<ComputeEnvironmentDetail>): ComputeEnvironmentDetail => ({
    computeEnvironmentName: name,
    computeEnvironmentArn: `arn:aws:batch:us-east-1:012345678910:compute-environment/${name}`,
    state: 'ENABLED',
    status: 'VALID',
    statusReason: 'ComputeEnvironment Healthy',
    ...extra
  })
  const stuck = {
    statusReason:
      'MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue cannot meet the CPU requirement of the job.',
    container: { resourceRequirements: [{ type: 'VCPU', value: '16' }] }
  }

  it("after 5 minutes in RUNNABLE warns once why: Batch's reason and what the compute environments show", async () => {
    batchMock.on(DescribeJobsCommand).resolves(detail('RUNNABLE', stuck))
    batchMock.on(DescribeJobQueuesCommand).resolves({
      jobQueues: [
        {
          jobQueueName: 'q',
          jobQueueArn: 'arn:aws:batch:us-east-1:012345678910:job-queue/q',
          state: 'ENABLED',
          status: 'VALID',
          priority: 1,
          computeEnvironmentOrder: ['small', 'off', 'broken'].map((name, order) => ({
            order,
            computeEnvironment: `arn:aws:batch:us-east-1:012345678910:compute-environment/${name}`
          }))
        }
      ]
    })
    batchMock.on(DescribeComputeEnvironmentsCommand).resolves({
      computeEnvironments: [
        ce('small', { computeResources: { type: 'EC2', maxvCpus: 8 } }),
        ce('off', { state: 'DISABLED' }),
        ce('broken', { status: 'INVALID', statusReason: 'CLIENT_ERROR - Clusters can not be blank.' })
      ]
    })
    await wait(12)
    expect(lines.filter((line) => line.startsWith('warning:'))).toEqual([
      `warning: Job n (j) has been RUNNABLE for 5 minutes. Batch says: ${stuck.statusReason} The job asks for 16 vCPUs; compute environment small has maxvCpus 8. Compute environment off is DISABLED: enable it. Compute environment broken is INVALID: CLIENT_ERROR - Clusters can not be blank.`
    ])
    expect(batchMock.commandCalls(DescribeJobQueuesCommand)).toHaveLength(1)
    expect(batchMock.commandCalls(DescribeJobQueuesCommand)[0]?.args[0].input).toEqual({ jobQueues: ['q'] })
  })

  it('a queue it may not read is said in the warning, and the wait goes on', async () => {
    batchMock.on(DescribeJobsCommand).resolves(detail('RUNNABLE'))
    batchMock.on(DescribeJobQueuesCommand).rejects(awsError('ClientException', 400))
    const result = await wait(6)
    expect(lines.filter((line) => line.startsWith('warning:'))).toEqual([
      'warning: Job n (j) has been RUNNABLE for 5 minutes. Its job queue could not be read (ClientException: ClientException); this check needs batch:DescribeJobQueues and batch:DescribeComputeEnvironments.'
    ])
    expect(result.failure).toMatch(/^Timed out after 6 minutes/)
  })

  it('caps the backoff at 30 s and stops at the timeout', async () => {
    batchMock.on(DescribeJobsCommand).resolves(detail('RUNNING'))
    const result = await wait(3)
    expect(result.failure).toBe(
      'Timed out after 3 minutes waiting for job j; its last status was RUNNING and it is still running (wait-timeout sets the limit)'
    )
    expect(Math.max(...sleeps)).toBe(30_000)
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(180_000)
  })
})

describe('describeNodes', () => {
  it("describes a multi-node job's nodes as <jobId>#<index>, in index order, a node not found as {}", async () => {
    batchMock.on(DescribeJobsCommand, { jobs: ['j#0', 'j#1', 'j#2'] }).resolves({
      jobs: [
        { jobId: 'j#2', container: { logStreamName: 's2' } },
        { jobId: 'j#0', container: { logStreamName: 's0' } }
      ] as never
    })
    const nodes = await describeNodes(batch, 'j', 3)
    expect(nodes.map((node) => node.container?.logStreamName)).toEqual(['s0', undefined, 's2'])
  })
})

describe('waitForJob: an ecsProperties job that fails', () => {
  it('names each container that exited non-zero or did not exit normally', async () => {
    const containers = [
      { name: 'app', exitCode: 2, reason: 'OutOfMemoryError' },
      { name: 'side', exitCode: 0 },
      { name: 'init', reason: 'CannotPullContainerError: no such image' }
    ]
    const ecsProperties = { taskProperties: [{ containers }] }
    batchMock
      .on(DescribeJobsCommand)
      .resolves(detail('FAILED', { statusReason: 'Essential container in task exited', ecsProperties }))
    expect((await wait()).failure).toBe(
      "Job n (j) FAILED: Essential container in task exited. Container 'app' exited with code 2: OutOfMemoryError. Container 'init' did not exit normally: CannotPullContainerError: no such image."
    )
  })
})
