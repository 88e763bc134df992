// The shipped bundle registers a Batch job definition and an ECS task definition and launches them
// (the lazily loaded SDK chunks included), with the outputs and the summary the runner reads.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeAws, type FakeAws } from '../fake-aws/index.js'
import { addQueue, addService, batchDefinition, LEGACY, seedAccount, taskDefinition } from '../reliability/fixtures.js'
import { assertRuntimesPresent, ACTION_RUNTIME, runAction } from './harness.js'

type Json = Record<string, unknown>
type Secret = { name: string; valueFrom: string }
const arn = (name: string) => `arn:aws:ssm:us-east-1:123456789012:parameter/prod/app/${name}`
const SECRETS = JSON.stringify({ DB_PASSWORD: 'db-password-1', API_KEY: 'api-key-1' })
const pairs = (secrets: Secret[]) => secrets.map((secret) => `${secret.name}=${secret.valueFrom}`).sort()
const EXPECTED = [`API_KEY=${arn('API_KEY')}`, `DB_PASSWORD=${arn('DB_PASSWORD')}`, `LEGACY=${LEGACY.valueFrom}`]
/** A revision without what AWS sets on each one and without the secrets: what the action must keep. */
function rest(definition: Json, container: (definition: Json) => Json, ...generated: string[]): Json {
  const copy = structuredClone(definition)
  for (const key of generated) delete copy[key]
  delete container(copy).secrets
  return copy
}

let fake: FakeAws
const run = (inputs: Record<string, string>) =>
  runAction({
    endpoint: fake.url,
    node: ACTION_RUNTIME.node,
    inputs: { path: '/prod/app/', secrets: SECRETS, ...inputs }
  })

beforeAll(assertRuntimesPresent)
beforeEach(async () => {
  fake = await startFakeAws()
  seedAccount(fake)
})
afterEach(async () => {
  await fake.close()
})

describe(`definitions end to end under ${ACTION_RUNTIME.label}`, () => {
  it('Batch: registers a revision that references the synced ARNs, keeps the rest, and submits it', async () => {
    addQueue(fake, 'jobs')
    fake.batch.seedDefinition({
      ...batchDefinition(),
      parameters: { day: 'today' },
      retryStrategy: { attempts: 2 },
      tags: { team: 'billing', owner: 'ops' }
    })
    const result = await run({ 'job-definition': 'billing-report', 'job-queue': 'jobs' })
    expect(result.exitCode, result.stdout).toBe(0)

    const [before, after] = fake.batch.definitions('billing-report') as [Json, Json]
    expect(after.revision).toBe(2)
    const container = (definition: Json) => definition.containerProperties as Json
    expect(pairs(container(after).secrets as Secret[])).toEqual(EXPECTED)
    const generated = ['jobDefinitionArn', 'revision', 'status', 'containerOrchestrationType']
    expect(rest(after, container, ...generated)).toEqual(rest(before, container, ...generated))

    const jobs = fake.batch.jobs()
    expect(jobs).toHaveLength(1)
    expect(jobs[0]).toMatchObject({
      jobDefinition: after.jobDefinitionArn,
      jobName: 'billing-report-1234-1',
      tags: { 'github-repository': 'octo/app', 'github-run-id': '1234', 'github-sha': 'a'.repeat(40) }
    })
    expect(result.outputs).toMatchObject({
      registered: 'true',
      'job-definition-arn': after.jobDefinitionArn,
      'job-id': jobs[0]?.jobId,
      'job-status': 'SUBMITTED',
      changed: '2'
    })
    // Exactly the secrets the action manages; the definition's unrelated secret is not its business.
    expect(JSON.parse(result.outputs['execution-role-policy'] ?? '{}')).toMatchObject({
      Statement: [{ Action: 'ssm:GetParameters', Resource: [arn('API_KEY'), arn('DB_PASSWORD')] }]
    })
    expect(result.summary).toContain('revision 1 → 2')
    expect(result.summary).toContain(
      `https://us-east-1.console.aws.amazon.com/batch/home?region=us-east-1#jobs/detail/${jobs[0]?.jobId}`
    )
  })

  it('ECS: registers a revision with full-ARN secrets, keeps the rest and the tags, and redeploys the service', async () => {
    fake.ecs.addCluster('main')
    const seeded = fake.ecs.seedTaskDefinition({
      ...taskDefinition(),
      taskRoleArn: 'arn:aws:iam::123456789012:role/web-task',
      tags: [
        { key: 'team', value: 'web' },
        { key: 'cost-center', value: '7' }
      ]
    })
    addService(fake, seeded.arn)
    const result = await run({ 'task-definition': 'web', cluster: 'main', service: 'web' })
    expect(result.exitCode, result.stdout).toBe(0)

    const [before, after] = fake.ecs.taskDefinitions('web') as [Json, Json]
    expect(after.revision).toBe(2)
    const container = (definition: Json) => (definition.containerDefinitions as Json[])[0] as Json
    expect(pairs(container(after).secrets as Secret[])).toEqual(EXPECTED)
    // requiresAttributes follows from the content: AWS adds the SSM-secrets capability.
    const generated = ['taskDefinitionArn', 'revision', 'registeredAt', 'requiresAttributes']
    expect(rest(after, container, ...generated)).toEqual(rest(before, container, ...generated))
    expect(after.tags).toEqual(before.tags)

    expect(fake.ecs.services()[0]?.taskDefinition).toBe(after.taskDefinitionArn)
    expect(fake.requests.filter((request) => request.operation === 'UpdateService')).toEqual([
      expect.objectContaining({ input: expect.objectContaining({ forceNewDeployment: true }) })
    ])
    expect(result.outputs).toMatchObject({
      registered: 'true',
      'task-definition-arn': after.taskDefinitionArn,
      changed: '2'
    })
    expect(result.summary).toContain('**Task definition** `web`: revision 1 → 2')
    expect(result.summary).toContain(
      'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/main/services/web/deployments?region=us-east-1'
    )
  })
})
