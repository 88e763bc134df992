// run() in-process for ECS: launch inputs, service deployments and tasks, and their failures.
import { beforeAll, describe, expect, it } from 'vitest'
import { useInProcessRun } from './in-process.js'

const { fake, runWith } = useInProcessRun()
const ROLE = 'arn:aws:iam::123456789012:role/exec'
let serviceArnDefinition = ''

beforeAll(() => {
  fake().ecs.addCluster('main')
  const registered = fake().ecs.seedTaskDefinition({
    family: 'svc',
    executionRoleArn: ROLE,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      { name: 'app', image: 'app:1', essential: true, logConfiguration: { logDriver: 'awsfirelens' } },
      { name: 'sidecar', image: 'side:1', essential: false }
    ]
  })
  serviceArnDefinition = registered.arn
  fake().ecs.addService({
    cluster: 'main',
    serviceName: 'svc',
    taskDefinition: registered.arn,
    deploymentCircuitBreaker: { enable: true, rollback: true }
  })
})

const base = { secrets: '{"API_TOKEN": "api-token-value-1"}', path: '/e/', 'task-definition': 'svc', containers: 'app' }

describe('ECS inputs fail before any request', () => {
  it.each([
    [
      'both definitions',
      { ...base, 'job-definition': 'x' },
      /Input 'task-definition': give either 'job-definition' \(Batch\) or 'task-definition' \(ECS\), not both/
    ],
    ['service without cluster', { ...base, service: 'svc' }, /Input 'cluster': is required with 'service'/],
    [
      'service and run-task',
      { ...base, cluster: 'main', service: 'svc', 'run-task': 'true' },
      /Input 'run-task': give either 'service'/
    ],
    [
      'subnets for a service',
      { ...base, cluster: 'main', service: 'svc', subnets: 'subnet-0a' },
      /Input 'subnets': applies to 'run-task', not to a service/
    ],
    ['cluster alone', { ...base, cluster: 'main' }, /Input 'cluster': needs 'service' or 'run-task: true'/],
    [
      'a bad subnet id',
      { ...base, 'run-task': 'true', subnets: 'net-1' },
      /Input 'subnets': 'net-1' is not an id like subnet-0123456789abcdef0/
    ],
    [
      'a bad security group',
      { ...base, 'run-task': 'true', subnets: 'subnet-0a', 'security-groups': 'default' },
      /Input 'security-groups': 'default' is not an id like sg-/
    ],
    [
      'an unknown launch type',
      { ...base, 'run-task': 'true', 'launch-type': 'LAMBDA' },
      /Input 'launch-type': 'LAMBDA' is not one of FARGATE, EC2, EXTERNAL, MANAGED_INSTANCES/
    ],
    [
      'a bad public ip choice',
      { ...base, 'run-task': 'true', 'assign-public-ip': 'yes' },
      /Input 'assign-public-ip': 'yes' is not one of ENABLED, DISABLED/
    ],
    [
      'a Batch input with a task definition',
      { ...base, 'job-queue': 'q' },
      /Input 'job-queue': is for Batch; with 'task-definition' use 'service' or 'run-task'/
    ],
    [
      'an ECS input with a job definition',
      { secrets: base.secrets, path: '/e/', 'job-definition': 'x', cluster: 'main' },
      /Input 'cluster': is for ECS; with 'job-definition' use 'job-queue'/
    ],
    [
      'run-task without a definition',
      { ...base, 'task-definition': '', 'run-task': 'true', containers: '' },
      /Input 'run-task': needs 'job-definition' or 'task-definition'/
    ],
    [
      'a malformed family',
      { ...base, 'task-definition': 'svc:abc' },
      /Input 'task-definition': 'svc:abc' is neither a file nor a task definition family/
    ]
  ])('%s', async (_label, inputs, message) => {
    const result = await runWith(inputs)
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]).toMatch(message)
    expect(fake().requests).toEqual([])
  })
})

describe('ECS stages', () => {
  it('redeploys the service, waits for the rollout and links to it', async () => {
    const result = await runWith({
      ...base,
      cluster: 'main',
      service: 'svc',
      wait: 'true',
      'log-secret-options': 'apikey=API_TOKEN'
    })
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

  it('a failed rollout fails the step with the reason', async () => {
    fake().ecs.setDeploymentOutcome({ result: 'FAILED', reason: 'tasks failed to start', rollback: true })
    const result = await runWith({ ...base, cluster: 'main', service: 'svc', wait: 'true' }, { GITHUB_RUN_ID: '43' })
    expect(result.errors[0]).toMatch(
      /^Deployment ecs-svc\/\d+ of svc FAILED and was rolled back: .*tasks failed to start/
    )
    fake().ecs.setDeploymentOutcome({ result: 'COMPLETED' })
  })

  it('a deployment still in progress at the timeout fails the step, saying it goes on', async () => {
    fake().ecs.setDeploymentOutcome({ result: 'COMPLETED' }, { holdInProgress: true })
    const result = await runWith(
      { ...base, cluster: 'main', service: 'svc', wait: 'true', 'wait-timeout': '0.01' },
      { GITHUB_RUN_ID: '44' }
    )
    expect(result.errors[0]).toMatch(
      /^Timed out after 0.01 minutes waiting for deployment ecs-svc\/\d+ of service svc; its last status was IN_PROGRESS .* and the deployment goes on/
    )
    fake().ecs.setDeploymentOutcome({ result: 'COMPLETED' })
  })

  it('a lost UpdateService answer is looked up, not sent again', async () => {
    fake().inject({ operation: 'UpdateService', kind: 'drop-after' })
    const before = fake().ecs.services()[0]?.deployments?.length ?? 0
    const result = await runWith({ ...base, cluster: 'main', service: 'svc' }, { GITHUB_RUN_ID: '45' })
    expect(result.errors).toEqual([])
    expect(fake().count('UpdateService')).toBe(1)
    expect(fake().count('DescribeServices')).toBeGreaterThanOrEqual(1)
    expect(fake().ecs.services()[0]?.deployments?.length).toBe(before + 1)
  })

  it('an UpdateService answered 200 whose PRIMARY deployment still shows the previous revision is sent once', async () => {
    const settled = await runWith({ ...base, cluster: 'main', service: 'svc' }, { GITHUB_RUN_ID: '50' })
    expect(settled.errors).toEqual([])
    fake().clearRequests()
    fake().inject({
      operation: 'UpdateService',
      kind: 'reshape',
      // The answer lists only the deployment that was PRIMARY before the request.
      reshape: (output) => {
        const service = output.service as { deployments: { status: string; taskDefinition: string }[] }
        const [, previous] = service.deployments
        return { ...output, service: { ...service, deployments: previous ? [{ ...previous, status: 'PRIMARY' }] : [] } }
      }
    })
    const rotated = await runWith(
      { ...base, secrets: '{"API_TOKEN": "api-token-value-5"}', cluster: 'main', service: 'svc', wait: 'true' },
      { GITHUB_RUN_ID: '51' }
    )
    expect(rotated.errors).toEqual([])
    expect(fake().count('UpdateService')).toBe(1)
    expect(rotated.warnings.join('\n')).toMatch(/UpdateService svc was answered.*it is not sent again/)
    expect(rotated.summary).toMatch(/\*\*Deployment\*\*.*: COMPLETED/)
  })

  it('a rotation whose UpdateService request is lost is sent again, not mistaken for the last deployment', async () => {
    const settled = await runWith({ ...base, cluster: 'main', service: 'svc' }, { GITHUB_RUN_ID: '48' })
    expect(settled.errors).toEqual([])
    fake().clearRequests()
    fake().inject({ operation: 'UpdateService', kind: 'drop' })
    const rotated = await runWith(
      { ...base, secrets: '{"API_TOKEN": "api-token-value-2"}', cluster: 'main', service: 'svc' },
      { GITHUB_RUN_ID: '49' }
    )
    expect(rotated.errors).toEqual([])
    expect(fake().count('RegisterTaskDefinition')).toBe(0)
    expect(fake().count('UpdateService')).toBe(2)
  })

  it('an unknown service fails the step after the definition is in place', async () => {
    const result = await runWith({ ...base, cluster: 'main', service: 'nope' }, { GITHUB_RUN_ID: '46' })
    expect(result.errors[0]).toMatch(
      /^Updating service nope failed; the parameters and the definition are in place, a re-run launches it: ServiceNotFoundException/
    )
  })

  it('runs a task, waits for it, and reports a clean exit', async () => {
    fake().ecs.setTaskOutcome({ exitCodes: { app: 0, sidecar: 137 } })
    const result = await runWith(
      {
        ...base,
        'run-task': 'true',
        cluster: 'main',
        subnets: 'subnet-0a',
        'launch-type': 'FARGATE',
        'assign-public-ip': 'DISABLED',
        wait: 'true'
      },
      { GITHUB_RUN_ID: '47' }
    )
    expect(result.errors).toEqual([])
    expect(result.outputs['task-arn']).toMatch(/^arn:aws:ecs:us-east-1:123456789012:task\/main\/\w+$/)
    const task = fake().ecs.tasks().at(-1)
    expect(task?.input).toMatchObject({
      startedBy: 'github-47-1',
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a'], assignPublicIp: 'DISABLED' } }
    })
  })

  it('refuses run-task without subnets for an awsvpc task definition, before any write', async () => {
    const result = await runWith(
      { ...base, secrets: '{"API_TOKEN": "api-token-value-2"}', 'run-task': 'true', cluster: 'main' },
      { GITHUB_RUN_ID: '48' }
    )
    expect(result.errors[0]).toMatch(
      /Input 'subnets': the task definition uses networkMode awsvpc, so RunTask needs subnets/
    )
  })

  it('a refused RunTask fails the step', async () => {
    const result = await runWith(
      { ...base, 'run-task': 'true', cluster: 'elsewhere', subnets: 'subnet-0a' },
      { GITHUB_RUN_ID: '49' }
    )
    expect(result.errors[0]).toMatch(
      /^Running the task failed; the parameters and the definition are in place, a re-run launches it: ClusterNotFoundException/
    )
  })

  it('registers a task definition file and keeps only the newest revisions', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const file = join(await mkdtemp(join(tmpdir(), 'td-')), 'td.json')
    const writeDefinition = (image: string) =>
      writeFile(
        file,
        JSON.stringify({
          family: 'jobs',
          executionRoleArn: ROLE,
          containerDefinitions: [{ name: 'main', image, memory: 512 }]
        })
      )
    await writeDefinition('jobs:1')
    expect((await runWith({ ...base, 'task-definition': file, containers: '' })).errors).toEqual([])
    // A new image is a real change: a new revision, and the older one deregistered.
    await writeDefinition('jobs:2')
    const again = await runWith({
      ...base,
      secrets: '{"API_TOKEN": "api-token-value-9"}',
      'task-definition': file,
      containers: '',
      'keep-revisions': '1'
    })
    expect(again.errors).toEqual([])
    expect(again.stdout).toContain('~ containerDefinitions[main].image')
    expect(
      fake()
        .ecs.taskDefinitions('jobs')
        .map((definition) => definition.status)
    ).toEqual(['INACTIVE', 'ACTIVE'])
    const missing = await runWith({ ...base, 'task-definition': 'no-such-family' })
    expect(missing.errors[0]).toMatch(/Input 'task-definition': no ACTIVE revision of task definition 'no-such-family'/)
  })

  it('a dry run says what it would launch and touches nothing', async () => {
    const result = await runWith({
      ...base,
      secrets: '{"API_TOKEN": "api-token-value-3"}',
      cluster: 'main',
      service: 'svc',
      'dry-run': 'true'
    })
    expect(result.errors).toEqual([])
    expect(result.stdout).toContain('Would launch service svc in cluster main')
    expect(result.summary).toContain('**Deployment**: would launch service `svc` in cluster `main`')
    expect(fake().writes()).toEqual([])
    expect(serviceArnDefinition).toMatch(/svc:1$/)
  })
})
