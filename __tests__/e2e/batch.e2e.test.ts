import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeAws, type FakeAws } from '../fake-aws/index.js'
import { assertRuntimesPresent, errorAnnotations, ACTION_RUNTIME, runAction } from './harness.js'

const ROLE = 'arn:aws:iam::123456789012:role/batch-exec'
const PATH = '/prod/billing/'
const arn = (key: string) => `arn:aws:ssm:us-east-1:123456789012:parameter/prod/billing/${key}`
const UNRELATED = { name: 'LEGACY', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-AbCdEf' }

function singleContainer(): Record<string, unknown> {
  return {
    jobDefinitionName: 'billing-report',
    type: 'container',
    parameters: { day: 'today' },
    retryStrategy: { attempts: 2 },
    tags: { team: 'billing', owner: 'ops' },
    platformCapabilities: ['FARGATE'],
    containerProperties: {
      image: 'registry.example/billing:1.4',
      command: ['report', 'Ref::day'],
      executionRoleArn: ROLE,
      resourceRequirements: [
        { type: 'VCPU', value: '1' },
        { type: 'MEMORY', value: '2048' }
      ],
      environment: [{ name: 'MODE', value: 'batch' }],
      secrets: [UNRELATED],
      networkConfiguration: { assignPublicIp: 'DISABLED' }
    }
  }
}

function multiContainer(): Record<string, unknown> {
  return {
    jobDefinitionName: 'etl',
    type: 'container',
    platformCapabilities: ['FARGATE'],
    ecsProperties: {
      taskProperties: [
        {
          executionRoleArn: ROLE,
          containers: [
            { name: 'extract', image: 'extract:1', essential: true },
            { name: 'load', image: 'load:1', essential: false }
          ]
        }
      ]
    }
  }
}

function multiNode(): Record<string, unknown> {
  return {
    jobDefinitionName: 'mpi',
    type: 'multinode',
    nodeProperties: {
      numNodes: 3,
      mainNode: 0,
      nodeRangeProperties: [
        { targetNodes: '0', container: { image: 'main:1', vcpus: 2, memory: 2048, executionRoleArn: ROLE } },
        { targetNodes: '1:', container: { image: 'worker:1', vcpus: 2, memory: 2048, executionRoleArn: ROLE } }
      ]
    }
  }
}

const SECRETS = JSON.stringify({ DB_PASSWORD: 'pw-1', API_KEY: 'key-1' })

beforeAll(assertRuntimesPresent)

describe.each([ACTION_RUNTIME])('Batch end to end under $label', ({ node }) => {
  let fake: FakeAws
  let dir: string
  const run = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
    runAction({ endpoint: fake.url, node, inputs: { path: PATH, secrets: SECRETS, ...inputs }, env })
  const jobSecrets = (definition: Record<string, unknown>) =>
    ((definition.containerProperties as { secrets: { name: string; valueFrom: string }[] }).secrets ?? [])
      .map((secret) => `${secret.name}=${secret.valueFrom}`)
      .sort()

  beforeEach(async () => {
    fake = await startFakeAws()
    fake.batch.addQueue('jobs')
    dir = await mkdtemp(join(tmpdir(), 'batch-e2e-'))
  })
  afterEach(async () => {
    await fake.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('registers a revision that references the synced ARNs, keeps the rest, and runs it', async () => {
    fake.batch.seedDefinition(singleContainer())
    const result = await run({ 'job-definition': 'billing-report', 'job-queue': 'jobs' })
    expect(result.exitCode, result.stdout).toBe(0)

    const revisions = fake.batch.definitions('billing-report')
    expect(revisions.map((d) => d.revision)).toEqual([1, 2])
    const [before, after] = revisions as [Record<string, unknown>, Record<string, unknown>]
    expect(jobSecrets(after)).toEqual([
      `API_KEY=${arn('API_KEY')}`,
      `DB_PASSWORD=${arn('DB_PASSWORD')}`,
      `LEGACY=${UNRELATED.valueFrom}`
    ])
    const strip = (d: Record<string, unknown>) => {
      const { jobDefinitionArn: _a, revision: _r, status: _s, containerOrchestrationType: _c, ...rest } = d
      const container = { ...(rest.containerProperties as Record<string, unknown>) }
      delete container.secrets
      return { ...rest, containerProperties: container }
    }
    expect(strip(after)).toEqual(strip(before))
    expect(after.tags).toEqual({ team: 'billing', owner: 'ops' })

    const [job] = fake.batch.jobs()
    expect(fake.batch.jobs()).toHaveLength(1)
    expect(job?.jobDefinition).toBe(after.jobDefinitionArn)
    expect(job?.jobName).toBe('billing-report-1234-1')
    expect(job?.tags).toMatchObject({
      'github-repository': 'octo/app',
      'github-run-id': '1234',
      'github-sha': 'a'.repeat(40)
    })
    expect(result.outputs).toMatchObject({
      registered: 'true',
      'job-definition-arn': after.jobDefinitionArn,
      'job-id': job?.jobId,
      'job-status': 'SUBMITTED',
      changed: '2'
    })
    const policy = JSON.parse(result.outputs['execution-role-policy'] ?? '{}') as {
      Statement: { Action: string; Resource: string[] }[]
    }
    // Exactly the secrets the action manages; the definition's unrelated secret is not its business.
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Action: 'ssm:GetParameters', Resource: [arn('API_KEY'), arn('DB_PASSWORD')] })
    ])
    expect(result.summary).toContain('revision 1 → 2')
    expect(result.summary).toContain(
      `https://us-east-1.console.aws.amazon.com/batch/home?region=us-east-1#jobs/detail/${job?.jobId}`
    )
  })

  it('a second run registers nothing and submits one job; on-change submits none; a rotation submits one', async () => {
    fake.batch.seedDefinition(singleContainer())
    expect((await run({ 'job-definition': 'billing-report', 'job-queue': 'jobs' })).exitCode).toBe(0)

    fake.clearRequests()
    const again = await run({ 'job-definition': 'billing-report', 'job-queue': 'jobs' }, { GITHUB_RUN_ID: '1235' })
    expect(again.exitCode, again.stdout).toBe(0)
    expect(fake.count('PutParameter')).toBe(0)
    expect(fake.count('RegisterJobDefinition')).toBe(0)
    expect(fake.count('SubmitJob')).toBe(1)
    expect(again.outputs.registered).toBe('false')

    fake.clearRequests()
    const onChange = await run(
      { 'job-definition': 'billing-report', 'job-queue': 'jobs', launch: 'on-change' },
      { GITHUB_RUN_ID: '1236' }
    )
    expect(onChange.exitCode, onChange.stdout).toBe(0)
    expect(fake.count('SubmitJob')).toBe(0)
    expect(fake.writes()).toEqual([])
    expect(onChange.summary).toContain('nothing launched — launch is on-change and no parameter or definition changed')

    fake.clearRequests()
    const rotated = await run(
      {
        'job-definition': 'billing-report',
        'job-queue': 'jobs',
        launch: 'on-change',
        secrets: JSON.stringify({ DB_PASSWORD: 'pw-2', API_KEY: 'key-1' })
      },
      { GITHUB_RUN_ID: '1237' }
    )
    expect(rotated.exitCode, rotated.stdout).toBe(0)
    expect(fake.count('PutParameter')).toBe(1)
    expect(fake.count('RegisterJobDefinition')).toBe(0)
    expect(fake.count('SubmitJob')).toBe(1)
    expect(fake.batch.definitions('billing-report')).toHaveLength(2)
    expect(fake.batch.jobs()).toHaveLength(3)
  })

  it('a multi-container definition without containers fails before any write, naming them', async () => {
    fake.batch.seedDefinition(multiContainer())
    const result = await run({ 'job-definition': 'etl', 'job-queue': 'jobs' })
    expect(result.exitCode).toBe(1)
    expect(errorAnnotations(result)).toEqual([
      `Input 'containers': the definition has 2 containers ('extract', 'load'); name the ones that get the secrets, or '*' for all`
    ])
    expect(fake.writes()).toEqual([])
  })

  it('rewrites the chosen container of a multi-container definition and every node range of a multi-node one', async () => {
    fake.batch.seedDefinition(multiContainer())
    fake.batch.seedDefinition(multiNode())
    const etl = await run({ 'job-definition': 'etl', containers: 'load' })
    expect(etl.exitCode, etl.stdout).toBe(0)
    const etlLatest = fake.batch.definitions('etl')[1] as {
      ecsProperties: { taskProperties: { containers: { name: string; secrets?: unknown[] }[] }[] }
    }
    const [extract, load] = etlLatest.ecsProperties.taskProperties[0]?.containers ?? []
    // Batch describes a container without secrets with an empty list.
    expect(extract?.secrets).toEqual([])
    expect(load?.secrets).toHaveLength(2)

    const mpi = await run({ 'job-definition': 'mpi', containers: '*' })
    expect(mpi.exitCode, mpi.stdout).toBe(0)
    const mpiLatest = fake.batch.definitions('mpi')[1] as {
      nodeProperties: { nodeRangeProperties: { container: { secrets: unknown[] } }[] }
    }
    expect(mpiLatest.nodeProperties.nodeRangeProperties.map((range) => range.container.secrets.length)).toEqual([2, 2])
  })

  it('a SubmitJob whose answer is lost after the job was created leaves exactly one job', async () => {
    fake.batch.seedDefinition(singleContainer())
    fake.inject({ operation: 'SubmitJob', kind: 'drop-after' })
    const result = await run({ 'job-definition': 'billing-report', 'job-queue': 'jobs' })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(fake.count('SubmitJob')).toBe(1)
    expect(fake.count('ListJobs')).toBeGreaterThanOrEqual(1)
    expect(fake.batch.jobs()).toHaveLength(1)
    expect(result.outputs['job-id']).toBe(fake.batch.jobs()[0]?.jobId)
  })

  it('a SubmitJob dropped before Batch saw it is sent again, and one job runs', async () => {
    fake.batch.seedDefinition(singleContainer())
    fake.inject({ operation: 'SubmitJob', kind: 'drop' })
    const result = await run({ 'job-definition': 'billing-report', 'job-queue': 'jobs' })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(fake.count('SubmitJob')).toBe(2)
    expect(fake.batch.jobs()).toHaveLength(1)
  })

  it('wait: a FAILED job fails the step with its reason, exit code and log stream', async () => {
    fake.batch.seedDefinition(singleContainer())
    fake.batch.setJobOutcome({
      result: 'FAILED',
      statusReason: 'Essential container in task exited',
      exitCode: 3,
      containerReason: 'OutOfMemoryError: Container killed due to memory usage',
      logStreamName: 'billing-report/default/abc123'
    })
    const result = await run({ 'job-definition': 'billing-report', 'job-queue': 'jobs', wait: 'true' })
    expect(result.exitCode).toBe(1)
    const [error] = errorAnnotations(result)
    expect(error).toMatch(
      /FAILED: Essential container in task exited\. Container exit code 3: OutOfMemoryError: Container killed due to memory usage\. Log stream: billing-report\/default\/abc123\./
    )
    expect(result.outputs['job-status']).toBe('FAILED')
    expect(result.stdout).toMatch(/\d{4}-\d\d-\d\dT[\d:.]+Z job [\w-]+: FAILED/)
  })

  it('wait: a SUCCEEDED job sets job-status', async () => {
    fake.batch.seedDefinition(singleContainer())
    const result = await run({ 'job-definition': 'billing-report', 'job-queue': 'jobs', wait: 'true' })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(result.outputs['job-status']).toBe('SUCCEEDED')
  })

  it('wait: a timeout fails the step with the last status, saying the job still runs', async () => {
    fake.batch.seedDefinition(singleContainer())
    fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { holdAt: 'RUNNING' })
    const result = await run({
      'job-definition': 'billing-report',
      'job-queue': 'jobs',
      wait: 'true',
      'wait-timeout': '0.04'
    })
    expect(result.exitCode).toBe(1)
    expect(errorAnnotations(result)[0]).toMatch(
      /Timed out after 0.04 minutes waiting for job .*; its last status was RUNNING and it is still running/
    )
  })

  it('a describe-shaped file with an unknown extra field registers cleanly', async () => {
    const file = join(dir, 'job-definition.json')
    const described = {
      ...singleContainer(),
      jobDefinitionArn: 'arn:aws:batch:us-east-1:123456789012:job-definition/billing-report:7',
      revision: 7,
      status: 'ACTIVE',
      containerOrchestrationType: 'ECS',
      someFieldAwsAddsLater: { enabled: true }
    }
    await writeFile(file, JSON.stringify({ jobDefinitions: [described] }))
    const result = await run({ 'job-definition': file, 'job-queue': 'jobs' })
    expect(result.exitCode, result.stdout).toBe(0)
    const [registered] = fake.batch.definitions('billing-report') as Record<string, unknown>[]
    expect(registered?.revision).toBe(1)
    expect(registered?.someFieldAwsAddsLater).toBeUndefined()
    expect(jobSecrets(registered as Record<string, unknown>)).toHaveLength(3)
    expect(fake.batch.jobs()[0]?.jobDefinition).toBe(registered?.jobDefinitionArn)
  })

  it('dry-run prints the parameter changes, the definition diff and the job, and writes nothing', async () => {
    fake.batch.seedDefinition(singleContainer())
    const result = await run({ 'job-definition': 'billing-report', 'job-queue': 'jobs', 'dry-run': 'true' })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(fake.writes()).toEqual([])
    expect(result.stdout).toContain('+ created   /prod/billing/DB_PASSWORD (SecureString, Standard)')
    expect(result.stdout).toContain(`container 'billing-report': + secret DB_PASSWORD → ${arn('DB_PASSWORD')}`)
    expect(result.stdout).toContain('Would launch job billing-report-1234-1 on queue jobs')
    expect(result.summary).toContain('would register a new revision (current: 1)')
  })

  it('a missing definition fails before any parameter write', async () => {
    const result = await run({ 'job-definition': 'nope', 'job-queue': 'jobs' })
    expect(result.exitCode).toBe(1)
    expect(errorAnnotations(result)[0]).toMatch(/Input 'job-definition': no ACTIVE revision of job definition 'nope'/)
    expect(fake.writes()).toEqual([])
  })

  it('a definition without an execution role fails before any write and prints the policy it needs', async () => {
    const definition = singleContainer()
    delete (definition.containerProperties as Record<string, unknown>).executionRoleArn
    fake.batch.seedDefinition(definition)
    const result = await run({ 'job-definition': 'billing-report' })
    expect(result.exitCode).toBe(1)
    const [error] = errorAnnotations(result)
    expect(error).toMatch(/container 'billing-report' of 'billing-report' has no executionRoleArn/)
    expect(error).toContain('"ssm:GetParameters"')
    expect(error).toContain(arn('DB_PASSWORD'))
    expect(fake.writes()).toEqual([])
  })

  it('keep-revisions deregisters older ACTIVE revisions beyond the newest N', async () => {
    for (let i = 0; i < 4; i++) fake.batch.seedDefinition({ ...singleContainer(), parameters: { day: `d${i}` } })
    const result = await run({ 'job-definition': 'billing-report', 'keep-revisions': '2' })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(fake.batch.definitions('billing-report').map((d) => `${d.revision}:${d.status}`)).toEqual([
      '1:INACTIVE',
      '2:INACTIVE',
      '3:INACTIVE',
      '4:ACTIVE',
      '5:ACTIVE'
    ])
  })
})
