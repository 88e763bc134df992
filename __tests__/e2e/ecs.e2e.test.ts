import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeAws, type FakeAws } from '../fake-aws/index.js'
import { assertRuntimesPresent, errorAnnotations, ACTION_RUNTIME, runAction } from './harness.js'

const EXEC_ROLE = 'arn:aws:iam::123456789012:role/web-exec'
const PATH = '/prod/web/'
const arn = (key: string) => `arn:aws:ssm:us-east-1:123456789012:parameter/prod/web/${key}`
const SECRETS = JSON.stringify({ DB_PASSWORD: 'web-db-password-1', SESSION_KEY: 'web-session-key-1' })

function webTaskDefinition(): Record<string, unknown> {
  return {
    family: 'web',
    executionRoleArn: EXEC_ROLE,
    taskRoleArn: 'arn:aws:iam::123456789012:role/web-task',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'app',
        image: 'registry.example/web:3.1',
        essential: true,
        portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
        environment: [{ name: 'PORT', value: '8080' }],
        secrets: [{ name: 'LEGACY', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-AbCdEf' }]
      }
    ],
    tags: [
      { key: 'team', value: 'web' },
      { key: 'cost-center', value: '7' }
    ]
  }
}

beforeAll(assertRuntimesPresent)

describe.each([ACTION_RUNTIME])('ECS end to end under $label', ({ node }) => {
  let fake: FakeAws
  let dir: string
  const run = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
    runAction({ endpoint: fake.url, node, inputs: { path: PATH, secrets: SECRETS, ...inputs }, env })
  const service = { 'task-definition': 'web', cluster: 'main', service: 'web' }

  beforeEach(async () => {
    fake = await startFakeAws()
    fake.ecs.addCluster('main')
    const registered = fake.ecs.seedTaskDefinition(webTaskDefinition())
    fake.ecs.addService({
      cluster: 'main',
      serviceName: 'web',
      taskDefinition: registered.arn,
      desiredCount: 2,
      deploymentCircuitBreaker: { enable: true, rollback: true }
    })
    dir = await mkdtemp(join(tmpdir(), 'ecs-e2e-'))
  })
  afterEach(async () => {
    await fake.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('registers a revision with full-ARN secrets, keeps the rest and the tags, and redeploys the service to it', async () => {
    const result = await run(service)
    expect(result.exitCode, result.stdout).toBe(0)
    const [before, after] = fake.ecs.taskDefinitions('web') as [Record<string, unknown>, Record<string, unknown>]
    expect(after.revision).toBe(2)
    const containers = after.containerDefinitions as { secrets: { name: string; valueFrom: string }[] }[]
    expect(containers[0]?.secrets.map((secret) => `${secret.name}=${secret.valueFrom}`).sort()).toEqual([
      `DB_PASSWORD=${arn('DB_PASSWORD')}`,
      'LEGACY=arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-AbCdEf',
      `SESSION_KEY=${arn('SESSION_KEY')}`
    ])
    const withoutSecrets = (definition: Record<string, unknown>) => {
      // requiresAttributes follows from the content: AWS adds the SSM-secrets capability.
      const {
        taskDefinitionArn: _a,
        revision: _r,
        registeredAt: _t,
        requiresAttributes: _q,
        containerDefinitions,
        ...rest
      } = definition
      const [app] = containerDefinitions as Record<string, unknown>[]
      return { ...rest, app: { ...app, secrets: undefined } }
    }
    expect(withoutSecrets(after)).toEqual(withoutSecrets(before))
    expect(after.tags).toEqual(before.tags)

    const [web] = fake.ecs.services()
    expect(web?.taskDefinition).toBe(after.taskDefinitionArn)
    expect(fake.count('UpdateService')).toBe(1)
    expect(fake.requests.find((request) => request.operation === 'UpdateService')?.input).toMatchObject({
      forceNewDeployment: true,
      taskDefinition: after.taskDefinitionArn
    })
    expect(result.outputs).toMatchObject({
      registered: 'true',
      'task-definition-arn': after.taskDefinitionArn,
      changed: '2'
    })
    expect(JSON.parse(result.outputs['execution-role-policy'] ?? '{}')).toMatchObject({
      Statement: [{ Action: 'ssm:GetParameters', Resource: [arn('DB_PASSWORD'), arn('SESSION_KEY')] }]
    })
    expect(result.summary).toContain('**Task definition** `web`: revision 1 → 2')
    expect(result.summary).toContain(
      'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/main/services/web/deployments?region=us-east-1'
    )
  })

  it('a rotation alone redeploys the same revision; on-change with nothing changed does not', async () => {
    expect((await run(service)).exitCode).toBe(0)
    fake.clearRequests()
    const rotatedSecrets = JSON.stringify({ DB_PASSWORD: 'web-db-password-2', SESSION_KEY: 'web-session-key-1' })
    const rotated = await run({ ...service, secrets: rotatedSecrets }, { GITHUB_RUN_ID: '1235' })
    expect(rotated.exitCode, rotated.stdout).toBe(0)
    expect(fake.count('PutParameter')).toBe(1)
    expect(fake.count('RegisterTaskDefinition')).toBe(0)
    expect(fake.count('UpdateService')).toBe(1)
    expect(fake.requests.find((request) => request.operation === 'UpdateService')?.input).toMatchObject({
      forceNewDeployment: true
    })
    expect(rotated.outputs.registered).toBe('false')

    fake.clearRequests()
    const unchanged = await run({ ...service, secrets: rotatedSecrets, launch: 'on-change' }, { GITHUB_RUN_ID: '1236' })
    expect(unchanged.exitCode, unchanged.stdout).toBe(0)
    expect(fake.count('UpdateService')).toBe(0)
    expect(fake.writes()).toEqual([])
  })

  it('two containers and no containers input: exit 1 before any write, naming both', async () => {
    const definition = webTaskDefinition()
    ;(definition.containerDefinitions as unknown[]).push({
      name: 'worker',
      image: 'registry.example/worker:1',
      essential: false
    })
    fake.ecs.seedTaskDefinition(definition)
    const result = await run(service)
    expect(result.exitCode).toBe(1)
    expect(errorAnnotations(result)).toEqual([
      `Input 'containers': the definition has 2 containers ('app', 'worker'); name the ones that get the secrets, or '*' for all`
    ])
    expect(fake.writes()).toEqual([])
  })

  it('wait: a rollout that fails fails the step with the reason and the service events', async () => {
    fake.ecs.setDeploymentOutcome({
      result: 'FAILED',
      reason: 'ECS deployment circuit breaker: tasks failed to start.',
      rollback: true
    })
    const result = await run({ ...service, wait: 'true' })
    expect(result.exitCode).toBe(1)
    const [error] = errorAnnotations(result)
    // Depending on when the poll lands, the failed deployment is still listed or already drained.
    expect(error).toMatch(/^Deployment ecs-svc\/\d+ of web FAILED and was rolled back: .*tasks failed to start/)
    expect(error).toMatch(/\nService events:\n- /)
  })

  it('wait: a rollout that completes ends the step green', async () => {
    const result = await run({ ...service, wait: 'true' })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(result.stdout).toMatch(/deployment ecs-svc\/\d+ of service web: COMPLETED/)
  })

  it('run-task: an essential container exiting 1 fails the step with that exit code', async () => {
    fake.ecs.setTaskOutcome({ exitCodes: { app: 1 }, reasons: { app: 'migration failed' } })
    const result = await run({
      'task-definition': 'web',
      cluster: 'main',
      'run-task': 'true',
      subnets: 'subnet-0123abcd',
      'security-groups': 'sg-0123abcd',
      'launch-type': 'FARGATE',
      wait: 'true'
    })
    expect(result.exitCode).toBe(1)
    expect(errorAnnotations(result)[0]).toMatch(
      /Task arn:aws:ecs:us-east-1:123456789012:task\/main\/\w+ stopped: .*essential container 'app' exited with code 1: migration failed\./
    )
    expect(result.outputs['task-arn']).toMatch(/^arn:aws:ecs:us-east-1:123456789012:task\/main\//)
  })

  it('run-task: a RunTask retried after a dropped connection starts one task', async () => {
    fake.inject({ operation: 'RunTask', kind: 'drop-after' })
    const result = await run({
      'task-definition': 'web',
      cluster: 'main',
      'run-task': 'true',
      subnets: 'subnet-0123abcd',
      'launch-type': 'FARGATE'
    })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(fake.count('RunTask')).toBe(2)
    expect(fake.ecs.tasks()).toHaveLength(1)
    expect(result.outputs['task-arn']).toBe(fake.ecs.tasks()[0]?.taskArn)
  })

  it('a describe-shaped task definition file with an unknown extra field registers cleanly', async () => {
    const file = join(dir, 'task-definition.json')
    const describedFile = {
      taskDefinition: {
        ...webTaskDefinition(),
        family: 'api',
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:12',
        revision: 12,
        status: 'ACTIVE',
        requiresAttributes: [{ name: 'ecs.capability.secrets.ssm.environment-variables' }],
        compatibilities: ['EC2', 'FARGATE'],
        registeredAt: 1700000000,
        registeredBy: 'arn:aws:sts::123456789012:assumed-role/deployer/ci',
        deregisteredAt: null,
        aFieldAwsAddsLater: { value: 1 }
      },
      tags: [{ key: 'team', value: 'api' }]
    }
    delete (describedFile.taskDefinition as Record<string, unknown>).tags
    await writeFile(file, JSON.stringify(describedFile))
    const result = await run({ 'task-definition': file })
    expect(result.exitCode, result.stdout).toBe(0)
    const [registered] = fake.ecs.taskDefinitions('api') as Record<string, unknown>[]
    expect(registered?.revision).toBe(1)
    expect(registered?.aFieldAwsAddsLater).toBeUndefined()
    expect(registered?.tags).toEqual([{ key: 'team', value: 'api' }])
  })

  it('keep-revisions deregisters older task definition revisions', async () => {
    fake.ecs.seedTaskDefinition({ ...webTaskDefinition(), cpu: '512', memory: '1024' })
    const result = await run({ 'task-definition': 'web', 'keep-revisions': '1' })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(fake.ecs.taskDefinitions('web').map((definition) => `${definition.revision}:${definition.status}`)).toEqual([
      '1:INACTIVE',
      '2:INACTIVE',
      '3:ACTIVE'
    ])
  })
})
