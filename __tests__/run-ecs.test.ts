// run() in-process for ECS: service deployments and tasks, and their failures.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useInProcessRun } from './in-process.js'
import { EXEC_ROLE, taskDefinition } from './reliability/fixtures.js'

const { fake, runWith } = useInProcessRun()
const dir = await mkdtemp(join(tmpdir(), 'run-ecs-'))
afterAll(() => rm(dir, { recursive: true, force: true }))

beforeAll(() => {
  fake().ecs.addCluster('main')
  const registered = fake().ecs.seedTaskDefinition({
    ...taskDefinition('svc'),
    containerDefinitions: [
      { name: 'app', image: 'app:1', essential: true, logConfiguration: { logDriver: 'awsfirelens' } },
      { name: 'sidecar', image: 'side:1', essential: false }
    ]
  })
  fake().ecs.addService({
    cluster: 'main',
    serviceName: 'svc',
    taskDefinition: registered.arn,
    deploymentCircuitBreaker: { enable: true, rollback: true }
  })
})

const base = { secrets: '{"API_TOKEN": "api-token-value-1"}', path: '/e/', 'task-definition': 'svc', containers: 'app' }
const service = { ...base, cluster: 'main', service: 'svc' }
const runTask = { ...base, 'run-task': 'true', cluster: 'main', subnets: 'subnet-0a', 'launch-type': 'FARGATE' }
const token = (value: number) => `{"API_TOKEN": "api-token-value-${value}"}`
const runId = (id: number) => ({ GITHUB_RUN_ID: String(id) })
const updateService = () => fake().requests.find((request) => request.operation === 'UpdateService')?.input

describe('a service', () => {
  it('redeploys the service, waits for the rollout and links to it', async () => {
    const result = await runWith({ ...service, wait: 'true', 'log-secret-options': 'apikey=API_TOKEN' })
    expect(result.errors).toEqual([])
    expect(result.outputs['task-definition-arn']).toMatch(/task-definition\/svc:2$/)
    expect(result.summary).toMatch(
      /\*\*Deployment\*\* \[`ecs-svc\/\d+`\]\(https:\/\/us-east-1\.console\.aws\.amazon\.com\/ecs\/v2\/clusters\/main\/services\/svc\/deployments\?region=us-east-1\) — service `svc` in cluster `main`: COMPLETED/
    )
    const latest = fake().ecs.taskDefinitions('svc').at(-1) as {
      containerDefinitions: { logConfiguration?: { secretOptions?: unknown[] } }[]
    }
    expect(latest.containerDefinitions[0]?.logConfiguration?.secretOptions).toEqual([
      { name: 'apikey', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/e/API_TOKEN' }
    ])
  })

  it('a rotation alone redeploys the same revision; on-change with nothing changed does not', async () => {
    expect((await runWith(service, runId(59))).errors).toEqual([])
    fake().clearRequests()
    const rotated = await runWith({ ...service, secrets: token(2) }, runId(60))
    expect(rotated.errors).toEqual([])
    expect(rotated.outputs.registered).toBe('false')
    expect(fake().count('PutParameter')).toBe(1)
    expect(fake().count('RegisterTaskDefinition')).toBe(0)
    expect(fake().count('UpdateService')).toBe(1)
    expect(updateService()).toMatchObject({ forceNewDeployment: true })

    fake().clearRequests()
    const unchanged = await runWith({ ...service, secrets: token(2), launch: 'on-change' }, runId(61))
    expect(unchanged.errors).toEqual([])
    expect(fake().count('UpdateService')).toBe(0)
    expect(fake().writes()).toEqual([])
  })

  it('a failed rollout fails the step with the reason and the service events', async () => {
    fake().ecs.setDeploymentOutcome({ result: 'FAILED', reason: 'tasks failed to start', rollback: true })
    const result = await runWith({ ...service, wait: 'true' }, runId(43))
    fake().ecs.setDeploymentOutcome({ result: 'COMPLETED' })
    expect(result.errors[0]).toMatch(
      /^Deployment ecs-svc\/\d+ of svc FAILED and was rolled back: .*tasks failed to start.*\nService events:\n- /s
    )
  })

  it('a failed rollout lists its stopped tasks with the last lines they logged, redacted', async () => {
    const awslogs = { 'awslogs-group': '/ecs/crashy', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true' }
    const definition = taskDefinition('crashy')
    const app = { ...definition.containerDefinitions[0], logConfiguration: { logDriver: 'awslogs', options: awslogs } }
    const registered = fake().ecs.seedTaskDefinition({ ...definition, containerDefinitions: [app] })
    fake().ecs.addService({
      cluster: 'main',
      serviceName: 'crashy',
      taskDefinition: registered.arn,
      deploymentCircuitBreaker: { enable: true, rollback: true }
    })
    fake().ecs.setDeploymentOutcome({ result: 'FAILED', reason: 'tasks failed to start', rollback: true })
    fake().ecs.setTaskOutcome(
      { exitCodes: { app: 1 } },
      { output: { app: { lines: ['boot', 'token api-token-value-1 rejected'] } } }
    )
    const inputs = { ...service, 'task-definition': 'crashy', service: 'crashy', wait: 'true' }
    const [error = ''] = (await runWith(inputs, runId(32))).errors
    fake().ecs.setDeploymentOutcome({ result: 'COMPLETED' })
    fake().ecs.setTaskOutcome({ exitCodes: {} })
    expect(error).toMatch(
      /\n- arn:aws:ecs:\S+: .*container 'app' exited with code 1\n {2}Last 2 log lines:\n {4}boot\n {4}token \*\*\* rejected/
    )
    expect(error).not.toContain('api-token-value-1')
  })

  it('a rollout whose tasks cannot read a parameter fails with its stopped tasks, their reason and the fix', async () => {
    // A service of its own: the revision registered here keeps the broken reference.
    const registered = fake().ecs.seedTaskDefinition(taskDefinition('broken'))
    const breaker = { enable: true, rollback: true }
    fake().ecs.addService({
      cluster: 'main',
      serviceName: 'broken',
      taskDefinition: registered.arn,
      deploymentCircuitBreaker: breaker
    })
    const gone = 'arn:aws:ssm:us-east-1:123456789012:parameter/gone/SVC'
    const inputs = {
      ...service,
      'task-definition': 'broken',
      service: 'broken',
      containers: '*',
      references: `GONE=${gone}`,
      // Preflight would stop the run first (see 'a missing referenced parameter stops the run').
      preflight: 'false'
    }
    const result = await runWith({ ...inputs, wait: 'true' }, runId(31))
    expect(result.errors).toHaveLength(1)
    const [error = ''] = result.errors
    const [, stopped = ''] = error.split(/\nStopped tasks of ecs-svc\/\d+:\n/)
    expect(stopped.split('\n').slice(0, 3)).toEqual(
      Array(3).fill(
        expect.stringMatching(
          new RegExp(
            `^- arn:aws:ecs:us-east-1:123456789012:task/main/\\w+: ResourceInitializationError: .*invalid ssm parameters: ${gone}$`
          )
        )
      )
    )
    expect(error).toContain(`\nThe container could not start: ${gone} does not exist where the task runs`)
  })

  it('a deployment still in progress at the timeout fails the step, saying it goes on', async () => {
    fake().ecs.setDeploymentOutcome({ result: 'COMPLETED' }, { holdInProgress: true })
    const result = await runWith({ ...service, wait: 'true', 'wait-timeout': '0.01' }, runId(44))
    fake().ecs.setDeploymentOutcome({ result: 'COMPLETED' })
    expect(result.errors[0]).toMatch(
      /^Timed out after 0.01 minutes waiting for deployment ecs-svc\/\d+ of service svc; its last status was IN_PROGRESS .* and the deployment goes on/
    )
  })

  it('a lost UpdateService answer is looked up, not sent again', async () => {
    fake().inject({ operation: 'UpdateService', kind: 'drop-after' })
    const before = fake().ecs.services()[0]?.deployments?.length ?? 0
    const result = await runWith(service, runId(45))
    expect(result.errors).toEqual([])
    expect(fake().count('UpdateService')).toBe(1)
    expect(fake().count('DescribeServices')).toBeGreaterThanOrEqual(1)
    expect(fake().ecs.services()[0]?.deployments?.length).toBe(before + 1)
  })

  it('a rotation whose UpdateService request is lost is sent again, not mistaken for the last deployment', async () => {
    expect((await runWith(service, runId(48))).errors).toEqual([])
    fake().clearRequests()
    fake().inject({ operation: 'UpdateService', kind: 'drop' })
    const rotated = await runWith({ ...service, secrets: token(3) }, runId(49))
    expect(rotated.errors).toEqual([])
    expect(fake().count('RegisterTaskDefinition')).toBe(0)
    expect(fake().count('UpdateService')).toBe(2)
  })

  it('an unknown service stops the run before any write; without preflight it fails after the definition is in place', async () => {
    fake().clearRequests()
    const stopped = await runWith({ ...service, service: 'nope' }, runId(46))
    expect(stopped.errors).toEqual([
      "Preflight: 1 check failed; nothing was written.\n- Service: service 'nope' does not exist in cluster main"
    ])
    expect(fake().writes()).toEqual([])
    expect(stopped.summary).toContain('❌ Preflight failed under `/e/`: nothing was written.')
    const result = await runWith({ ...service, service: 'nope', preflight: 'false' }, runId(46))
    expect(result.errors[0]).toMatch(
      /^Updating service nope failed; the parameters and the definition are in place, a re-run launches it: ServiceNotFoundException/
    )
  })

  it('a dry run says what it would launch and touches nothing', async () => {
    const result = await runWith({ ...service, secrets: token(4), 'dry-run': 'true' })
    expect(result.errors).toEqual([])
    expect(result.stdout).toContain('Would launch service svc in cluster main')
    expect(result.summary).toContain('**Deployment**: would launch service `svc` in cluster `main`')
    expect(fake().writes()).toEqual([])
  })
})

describe('a task', () => {
  it('runs a task with the network given, waits for it, and ignores a non-essential container exit', async () => {
    fake().ecs.setTaskOutcome({ exitCodes: { app: 0, sidecar: 137 } })
    const inputs = { ...runTask, 'assign-public-ip': 'DISABLED', wait: 'true' }
    const result = await runWith(inputs, runId(47))
    expect(result.errors).toEqual([])
    expect(result.outputs['task-arn']).toMatch(/^arn:aws:ecs:us-east-1:123456789012:task\/main\/\w+$/)
    expect(fake().ecs.tasks().at(-1)?.input).toMatchObject({
      startedBy: 'github-47-1',
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a'], assignPublicIp: 'DISABLED' } }
    })
  })

  it('an essential container exiting 1 fails the step with that exit code', async () => {
    fake().ecs.setTaskOutcome({ exitCodes: { app: 1 }, reasons: { app: 'migration failed' } })
    const result = await runWith({ ...runTask, 'security-groups': 'sg-0123abcd', wait: 'true' }, runId(50))
    fake().ecs.setTaskOutcome({ exitCodes: { app: 0 } })
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^Task arn:aws:ecs:us-east-1:123456789012:task\/main\/\w+ stopped: .*essential container 'app' exited with code 1: migration failed\./
      )
    ])
    expect(result.outputs['task-arn']).toBe(fake().ecs.tasks().at(-1)?.taskArn)
  })

  it('a missing referenced parameter stops the run; without preflight, the container cannot start and the error says why', async () => {
    const gone = 'arn:aws:ssm:us-east-1:123456789012:parameter/gone/LEGACY'
    // A family of its own: the revision registered without preflight keeps the broken reference.
    fake().ecs.seedTaskDefinition(taskDefinition('gone'))
    const task = { ...runTask, 'task-definition': 'gone', containers: '*' }
    const stopped = await runWith({ ...task, references: `LEGACY=${gone}`, wait: 'true' }, runId(53))
    expect(stopped.errors[0]).toContain(
      `- References: not found: /gone/LEGACY; containers referencing them would not start`
    )
    const inputs = { ...task, references: `LEGACY=${gone}`, wait: 'true', preflight: 'false' }
    const result = await runWith(inputs, runId(53))
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]).toContain(
      `unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: ${gone}`
    )
    expect(result.errors[0]).toContain(`\nThe container could not start: ${gone} does not exist where the task runs`)
    expect(result.summary).toContain(`${gone} does not exist where the task runs`)
  })

  it('a RunTask retried after a dropped connection starts one task', async () => {
    fake().inject({ operation: 'RunTask', kind: 'drop-after' })
    const tasks = fake().ecs.tasks().length
    const result = await runWith(runTask, runId(51))
    expect(result.errors).toEqual([])
    expect(fake().count('RunTask')).toBe(2)
    expect(fake().ecs.tasks()).toHaveLength(tasks + 1)
    expect(result.outputs['task-arn']).toBe(fake().ecs.tasks().at(-1)?.taskArn)
  })

  it('a missing cluster stops the run before any write; without preflight, RunTask is refused', async () => {
    fake().clearRequests()
    const stopped = await runWith({ ...runTask, cluster: 'elsewhere' }, runId(52))
    expect(stopped.errors[0]).toContain("- Cluster: cluster 'elsewhere' does not exist in this account and region")
    expect(fake().writes()).toEqual([])
    const result = await runWith({ ...runTask, cluster: 'elsewhere', preflight: 'false' }, runId(52))
    expect(result.errors[0]).toMatch(
      /^Running the task failed; the parameters and the definition are in place, a re-run launches it: ClusterNotFoundException/
    )
  })
})

describe('task definitions', () => {
  it.each([
    [
      'run-task without subnets for an awsvpc task definition',
      { ...runTask, subnets: '' },
      /^Input 'subnets': the task definition uses networkMode awsvpc, so RunTask needs subnets/
    ],
    [
      'two containers and no containers input',
      { ...base, containers: '' },
      /^Input 'containers': the definition has 2 containers \('app', 'sidecar'\); name the ones that get the secrets, or '\*' for all$/
    ],
    [
      'a family that does not exist',
      { ...base, 'task-definition': 'no-such-family' },
      /^Input 'task-definition': no ACTIVE revision of task definition 'no-such-family'/
    ]
  ])('%s fails before any write', async (_label, inputs, message) => {
    const result = await runWith({ ...inputs, secrets: token(5) })
    expect(result.errors).toEqual([expect.stringMatching(message)])
    expect(fake().writes()).toEqual([])
  })

  it('registers a task definition file and keeps only the newest revisions', async () => {
    const definition = (image: string) => ({
      family: 'jobs',
      executionRoleArn: EXEC_ROLE,
      containerDefinitions: [{ name: 'main', image, memory: 512 }]
    })
    const file = join(dir, 'td.json')
    await writeFile(file, JSON.stringify(definition('jobs:1')))
    const inputs = { ...base, 'task-definition': file, containers: '' }
    expect((await runWith(inputs)).errors).toEqual([])
    // A new image is a real change: a new revision, and the older one deregistered.
    await writeFile(file, JSON.stringify(definition('jobs:2')))
    const again = await runWith({ ...inputs, secrets: token(9), 'keep-revisions': '1' })
    expect(again.errors).toEqual([])
    expect(again.stdout).toContain('~ containerDefinitions[main].image')
    expect(
      fake()
        .ecs.taskDefinitions('jobs')
        .map((definition) => definition.status)
    ).toEqual(['INACTIVE', 'ACTIVE'])
  })
})
