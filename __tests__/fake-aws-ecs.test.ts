// The ECS contract the action depends on, one row per item, through the real SDK client against the fake.
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as sdk from '@aws-sdk/client-ecs'
import { startFakeAws, type DeploymentOutcome, type FakeAws } from './fake-aws/index.js'

let fake: FakeAws
let ecs: sdk.ECSClient
let config: sdk.ECSClientConfig
const ARN = 'arn:aws:ecs:us-east-1:123456789012'
let counter = 0
const fresh = (prefix: string) => `${prefix}${++counter}`

type Output = sdk.DescribeTaskDefinitionCommandOutput & sdk.DescribeServicesCommandOutput & sdk.RunTaskCommandOutput
type Answer = Output &
  sdk.ListTaskDefinitionsCommandOutput &
  sdk.ListTasksCommandOutput &
  sdk.DescribeClustersCommandOutput & { service?: sdk.Service }
const commands = sdk as unknown as Record<string, new (input: object) => sdk.RunTaskCommand>

/** Sends one request through the SDK's command for `operation`, without retries (see beforeAll). */
async function send(operation: string, input: object): Promise<Answer> {
  const Command = commands[`${operation}Command`]
  if (!Command) throw new Error(`no ${operation}Command`)
  return (await ecs.send(new Command(input))) as Answer
}

type Registration = sdk.RegisterTaskDefinitionCommandInput
const container = (extra: sdk.ContainerDefinition = {}) => ({ name: 'app', image: 'app:1', memory: 256, ...extra })
const bridge = (extra = {}): Registration => ({ family: 'd', containerDefinitions: [container(extra)] })
const FARGATE: Partial<Registration> = { networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256' }
const ROLE = 'arn:aws:iam::123456789012:role/exec'
const fargate = (extra = {}): Registration => ({ ...bridge(extra), ...FARGATE, memory: '512', executionRoleArn: ROLE })
const withSecret = (valueFrom: string) => fargate({ secrets: [{ name: 'S', valueFrom }] })
const register = async (input: Registration, family = fresh('fam')): Promise<string> =>
  (await send('RegisterTaskDefinition', { ...input, family })).taskDefinition?.taskDefinitionArn ?? ''
const described = (taskDefinition: string) => send('DescribeTaskDefinition', { taskDefinition, include: ['TAGS'] })
const web = { cluster: 'main', taskDefinition: 'web', launchType: 'FARGATE' }
const vpc = { ...web, networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'] } } }
const EC2 = { cluster: 'ec2', taskDefinition: 'bridge', launchType: 'EC2', networkConfiguration: undefined }
const run = async (input: object = {}) => (await send('RunTask', { ...vpc, ...input })).tasks?.[0]?.taskArn ?? ''
const task = async (arn: string): Promise<sdk.Task> =>
  (await send('DescribeTasks', { cluster: arn.split('/')[1], tasks: [arn] })).tasks?.[0] ?? {}
const service = async (name: string): Promise<sdk.Service> =>
  (await send('DescribeServices', { cluster: 'main', services: [name] })).services?.[0] ?? {}

/** A service on revision 1 of a fresh family, and how to update it (by default to revision 2, `next`). */
async function serviceWith(deploymentCircuitBreaker?: { enable: boolean; rollback: boolean }, next = fargate()) {
  const family = fresh('fam')
  const [first, second] = [await register(fargate(), family), await register(next, family)]
  const name = fresh('svc')
  const breaker = deploymentCircuitBreaker && { deploymentCircuitBreaker }
  fake.ecs.addService({ cluster: 'main', serviceName: name, taskDefinition: first, ...breaker })
  const update = async (input: object = { taskDefinition: second }): Promise<sdk.Service> =>
    (await send('UpdateService', { cluster: 'main', service: name, ...input })).service ?? {}
  return { name, first, update }
}

beforeAll(async () => {
  fake = await startFakeAws()
  const credentials = { accessKeyId: 'a', secretAccessKey: 's' }
  config = { endpoint: fake.url, region: 'us-east-1', credentials, maxAttempts: 1 }
  ecs = new sdk.ECSClient(config)
  fake.ecs.addCluster('main')
  fake.ecs.addCluster('ec2', { containerInstances: 1 })
  fake.ssm.put({ name: '/p/s', value: 'v', type: 'SecureString' })
  const secret = withSecret('arn:aws:ssm:us-east-1:123456789012:parameter/p/s')
  const seeds = { web: fargate(), bridge: bridge(), gone: bridge(), secret, 'no-secret': withSecret('/no/such') }
  for (const [family, definition] of Object.entries(seeds)) await register(definition, family)
  await send('DeregisterTaskDefinition', { taskDefinition: 'gone:1' })
  fake.ecs.addService({ cluster: 'main', serviceName: 'api', taskDefinition: 'web:1' })
})
afterAll(async () => {
  ecs.destroy()
  await fake.close()
})
beforeEach(() => {
  fake.ecs.setDeploymentOutcome({ result: 'COMPLETED' }, { stepMs: 5 })
  fake.ecs.setTaskOutcome({ exitCodes: { app: 3 }, reasons: { app: 'boom' } }, { stepMs: 5 })
})

const refusals: Record<string, Array<[string, object]>> = {
  DescribeTaskDefinition: [['ClientException: Unable to describe task definition.', { taskDefinition: 'nope' }]],
  RegisterTaskDefinition: [
    ['ClientException: When you are specifying container secrets', bridge({ secrets: [{ name: 'S' }] })],
    ["ClientException: Actual length: '65", fargate({ command: ['x'.repeat(65_536)] })],
    ["InvalidParameterException: Tag keys and values can't", { ...bridge(), tags: [{ key: 'aws:a' }] }],
    ['ClientException: Container names must be unique', { ...bridge(), containerDefinitions: [{}, {}].map(container) }]
  ],
  DeregisterTaskDefinition: [['ClientException: The specified task definition does not', { taskDefinition: 'x:9' }]],
  ListTaskDefinitions: [['InvalidParameterException: The nextToken is not valid.', { nextToken: 'bogus' }]],
  RunTask: [
    ['ClusterNotFoundException: Cluster not found.', { ...vpc, cluster: 'nope' }],
    ['ClientException: TaskDefinition not found.', { ...vpc, taskDefinition: 'web:9' }],
    ['InvalidParameterException: TaskDefinition is inactive', { ...vpc, taskDefinition: 'gone:1' }],
    ['InvalidParameterException: Network Configuration must be provided', web],
    [
      'InvalidParameterException: subnets can not be empty.',
      { ...vpc, networkConfiguration: { awsvpcConfiguration: {} } }
    ],
    ['InvalidParameterException: Network Configuration is not valid', { ...vpc, ...EC2, networkConfiguration: {} }],
    ['InvalidParameterException: Task definition does not support', { ...web, taskDefinition: 'bridge' }],
    ['InvalidParameterException: No Container Instances', { cluster: 'main', taskDefinition: 'bridge' }],
    ['InvalidParameterException: clientToken must be 1 to 64', { ...vpc, clientToken: 't'.repeat(65) }],
    ['InvalidParameterException: startedBy can be up to 128', { ...vpc, startedBy: 's'.repeat(129) }]
  ],
  UpdateService: [
    ['ServiceNotFoundException: Service not found.', { cluster: 'main', service: 'nope' }],
    ['ClientException: TaskDefinition not found.', { cluster: 'main', service: 'api', taskDefinition: 'web:9' }]
  ]
}

describe('ECS refuses these requests with these errors', () => {
  const rows = Object.entries(refusals).flatMap(([operation, list]) => list.map((row) => [operation, ...row] as const))
  it.each(rows)('%s: %s', async (operation, expected, input) => {
    const error = (await send(operation, input).catch((e: unknown) => e)) as Error
    expect(`${error.name}: ${error.message}`).toContain(expected)
  })

  it('ServerException: its internal error, HTTP 500', async () => {
    fake.inject({ operation: 'DescribeServices', kind: 'server-error' })
    await expect(service('api')).rejects.toMatchObject({ name: 'ServerException', $metadata: { httpStatusCode: 500 } })
  })
})

const first = (expected: object) => ({ containerDefinitions: [expect.objectContaining(expected)] })
const lists = { environment: [], portMappings: [], mountPoints: [], volumesFrom: [], systemControls: [] }
const port = (hostPort: number) => ({ portMappings: [{ containerPort: 80, hostPort, protocol: 'tcp' }] })
const ports = { portMappings: [{ containerPort: 80 }] }
const [health, timings] = [{ healthCheck: { command: ['true'] } }, { interval: 30, timeout: 5, retries: 3 }]
const defaults: Array<[string, Registration, object]> = [
  ['container cpu 0, essential true, empty lists', bridge(), first({ cpu: 0, essential: true, ...lists })],
  ['no environment entry without a value', bridge({ environment: [{ name: 'E', value: '' }] }), first(lists)],
  ['bridge ports: host port 0, tcp', bridge(ports), first(port(0))],
  ['awsvpc ports: the container port, tcp', fargate(ports), first(port(80))],
  ['health check timings', bridge(health), first({ healthCheck: { ...health.healthCheck, ...timings } })],
  ['task size in CPU units and MiB', { ...bridge(), cpu: '.25 vCPU', memory: '1 GB' }, { cpu: '256', memory: '1024' }],
  ['output-only members', fargate(), { status: 'ACTIVE', compatibilities: ['EC2', 'FARGATE'], volumes: [] }]
]

describe('task definitions', () => {
  it.each(defaults)('DescribeTaskDefinition fills in %s', async (_, input, expected) => {
    expect((await described(await register(input))).taskDefinition).toMatchObject(expected)
  })

  it('revisions count from 1, never repeat; a family names its latest ACTIVE one; tags with include TAGS', async () => {
    const family = fresh('fam')
    for (const n of ['1', '2', '3']) await register({ ...fargate(), tags: [{ key: 'n', value: n }] }, family)
    await send('DeregisterTaskDefinition', { taskDefinition: `${ARN}:task-definition/${family}:3` })
    expect(await register(fargate(), family)).toBe(`${ARN}:task-definition/${family}:4`)
    await send('DeregisterTaskDefinition', { taskDefinition: `${family}:4` })
    expect((await described(family)).taskDefinition?.revision).toBe(2)
    const inactive = await described(`${family}:3`)
    expect([inactive.taskDefinition?.status, inactive.tags]).toEqual(['INACTIVE', [{ key: 'n', value: '3' }]])
    expect((await send('DescribeTaskDefinition', { taskDefinition: family })).tags).toBeUndefined()
  })

  it('ListTaskDefinitions: the whole family name, ACTIVE unless asked, DESC, a page at a time', async () => {
    const family = fresh('list')
    for (const name of [family, family, family, `${family}x`]) await register(fargate(), name)
    await send('DeregisterTaskDefinition', { taskDefinition: `${family}:2` })
    const pages = sdk.paginateListTaskDefinitions({ client: ecs, pageSize: 1 }, { familyPrefix: family, sort: 'DESC' })
    const listed: string[][] = []
    for await (const page of pages) listed.push(page.taskDefinitionArns?.map((arn) => arn.split('/')[1] ?? '') ?? [])
    expect(listed).toEqual([[`${family}:3`], [`${family}:1`]])
    const inactive = await send('ListTaskDefinitions', { familyPrefix: family, status: 'INACTIVE' })
    expect(inactive.taskDefinitionArns).toEqual([`${ARN}:task-definition/${family}:2`])
  })
})

const ROLLBACK = { enable: true, rollback: true }
const BREAKER = { enable: true, rollback: false }
const NEW = ['PRIMARY', 'FAILED', '2']
const OLD = ['ACTIVE', 'COMPLETED', '1']
const FAILED: DeploymentOutcome = { result: 'FAILED' }
const deployments: Record<string, [DeploymentOutcome, RegExp, string[][], typeof BREAKER?, Registration?]> = {
  'completes; the older one drains': [{ result: 'COMPLETED' }, /deployment completed/, [NEW.with(1, 'COMPLETED')]],
  'fails, rolled back': [{ ...FAILED, rollback: true }, /failed: tasks fail/, [OLD.with(0, 'PRIMARY')], ROLLBACK],
  'fails under a breaker without rollback': [{ ...FAILED, reason: 'health' }, /failed: health/, [NEW, OLD], BREAKER],
  'fails without a breaker: IN_PROGRESS': [FAILED, /unable to consistently start/, [NEW.with(1, 'IN_PROGRESS'), OLD]],
  'fails if its SSM secret is missing': [{ result: 'COMPLETED' }, /tasks fail/, [NEW, OLD], BREAKER, withSecret('/no')]
}

describe('UpdateService of a service on revision 1 to revision 2', () => {
  it.each(Object.entries(deployments))('%s', async (_, [outcome, event, expected, breaker, next]) => {
    fake.ecs.setDeploymentOutcome(outcome, { stepMs: 5 })
    const { name, update } = await serviceWith(breaker, next)
    await update()
    await sleep(60)
    const after = await service(name)
    const states = after.deployments?.map((d) => [d.status, d.rolloutState, d.taskDefinition?.split(':')[6]])
    expect(states).toEqual(expected)
    expect(after.events?.map((e) => e.message).join('\n')).toMatch(event)
  })

  it('whose SSM secret is missing leaves 3 stopped tasks, startedBy the deployment, listed by ListTasks', async () => {
    const { name, update } = await serviceWith(BREAKER, withSecret('/no'))
    const id = (await update()).deployments?.[0]?.id
    const list = (desiredStatus?: string) => send('ListTasks', { cluster: 'main', serviceName: name, desiredStatus })
    expect((await list()).taskArns).toEqual([])
    const { taskArns = [] } = await list('STOPPED')
    const { tasks = [] } = await send('DescribeTasks', { cluster: 'main', tasks: taskArns })
    const seen = tasks.map((t) => [
      t.startedBy,
      t.group,
      t.lastStatus,
      t.stopCode,
      t.stoppedReason?.includes('invalid ssm parameters: /no')
    ])
    expect(seen).toEqual(Array(3).fill([id, `service:${name}`, 'STOPPED', 'TaskFailedToStart', true]))
  })

  it('holdInProgress holds it IN_PROGRESS', async () => {
    fake.ecs.setDeploymentOutcome({ result: 'COMPLETED' }, { holdInProgress: true })
    const { name, update } = await serviceWith()
    await update()
    await sleep(60)
    expect((await service(name)).deployments?.map((d) => d.rolloutState)).toEqual(['IN_PROGRESS', 'COMPLETED'])
  })

  it('to the same revision is a no-op unless forced; its answer shows it IN_PROGRESS even if it ends at once', async () => {
    const { name, first, update } = await serviceWith()
    expect((await update({ taskDefinition: first })).deployments).toHaveLength(1)
    fake.ecs.setDeploymentOutcome({ result: 'COMPLETED' }, { stepMs: 0 })
    const forced = await update({ forceNewDeployment: true })
    const states = forced.deployments?.map((d) => [d.status, d.rolloutState, d.taskDefinition])
    expect(states).toEqual([OLD.with(0, 'PRIMARY').with(1, 'IN_PROGRESS').with(2, first), OLD.with(2, first)])
    const id = forced.deployments?.[0]?.id ?? ''
    expect(id).toMatch(/^ecs-svc\/\d{19}$/)
    const [steady, completed] = (await service(name)).events?.map((e) => e.message) ?? []
    expect([steady, completed]).toEqual([`(service ${name}) has reached a steady state.`, expect.stringContaining(id)])
  })
})

const STARTS = ['PROVISIONING', 'PENDING']
const ENDS = ['DEPROVISIONING', 'STOPPED']
const EXITED = { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' }
const NEVER_RAN = { stopCode: 'TaskFailedToStart', stoppedReason: expect.stringContaining('parameters: /no/such') }
const lifecycles: Array<[string, object, string[], object]> = [
  ['on Fargate', {}, [...STARTS, 'RUNNING', ...ENDS], EXITED],
  ['on EC2, in bridge mode', EC2, ['PENDING', 'RUNNING', 'STOPPED'], { ...EXITED, launchType: 'EC2' }],
  ['whose SSM secret exists (named by ARN)', { taskDefinition: 'secret' }, [...STARTS, 'RUNNING', ...ENDS], EXITED],
  ['whose SSM secret does not exist', { taskDefinition: 'no-secret' }, [...STARTS, ...ENDS], NEVER_RAN]
]

describe('RunTask and DescribeTasks', () => {
  it.each(lifecycles)('a task %s: each status in turn, then how it stopped', async (_, input, statuses, end) => {
    // Each status lasts 80 ms, long enough for every one to be seen even on a busy machine.
    fake.ecs.setTaskOutcome({ exitCodes: { app: 3 }, reasons: { app: 'boom' } }, { stepMs: 80 })
    const [started] = (await send('RunTask', { ...vpc, startedBy: 'ci', ...input })).tasks ?? []
    const arn = started?.taskArn ?? ''
    expect(arn).toMatch(new RegExp(`^${ARN}:task/\\w+/[0-9a-f]{32}$`))
    const seen = [started?.lastStatus]
    for (let last = ''; last !== 'STOPPED' && seen.length < 9; await sleep(3)) {
      last = (await task(arn)).lastStatus ?? ''
      if (seen.at(-1) !== last) seen.push(last)
    }
    const stopped = await task(arn)
    expect([seen, stopped]).toEqual([statuses, expect.objectContaining({ startedBy: 'ci', ...end })])
    const exit = statuses.includes('RUNNING') ? [3, 'boom'] : [undefined, undefined]
    expect(stopped.containers?.map((c) => [c.exitCode, c.reason])).toEqual([exit])
  })

  it('a clientToken sent again to its cluster gets the same task, also when the SDK retries a lost answer', async () => {
    const arn = await run({ clientToken: 'token-1' })
    expect(await run({ clientToken: 'token-1' })).toBe(arn)
    expect(await run({ ...EC2, clientToken: 'token-1' })).not.toBe(arn)
    fake.inject({ operation: 'RunTask', kind: 'drop-after' })
    const retrying = new sdk.ECSClient({ ...config, maxAttempts: 2 })
    const before = fake.ecs.tasks().length
    const answer = await retrying.send(new sdk.RunTaskCommand(vpc as sdk.RunTaskCommandInput))
    retrying.destroy()
    expect(fake.requests.filter((r) => r.operation === 'RunTask').map((r) => r.status)).toContain('dropped')
    const started = fake.ecs.tasks().slice(before)
    expect(started.map((t) => t.taskArn)).toEqual([answer.tasks?.[0]?.taskArn])
  })

  it('DescribeClusters: by name or ARN, the default cluster without one, MISSING failures', async () => {
    fake.ecs.addCluster('gone', { status: 'INACTIVE', capacityProviders: ['FARGATE'] })
    const { clusters, failures } = await send('DescribeClusters', { clusters: ['main', `${ARN}:cluster/gone`, 'x'] })
    expect(clusters?.map((c) => [c.clusterName, c.status, c.capacityProviders])).toEqual([
      ['main', 'ACTIVE', []],
      ['gone', 'INACTIVE', ['FARGATE']]
    ])
    expect(failures).toEqual([{ arn: `${ARN}:cluster/x`, reason: 'MISSING' }])
    expect((await send('DescribeClusters', {})).failures).toEqual([
      { arn: `${ARN}:cluster/default`, reason: 'MISSING' }
    ])
    const error = await send('RunTask', { ...vpc, cluster: 'gone' }).catch((e: Error) => `${e.name}: ${e.message}`)
    expect(error).toBe('ClusterNotFoundException: The referenced cluster was inactive.')
  })

  it('DescribeServices: status, deploymentController, launchType or capacityProviderStrategy', async () => {
    const strategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }]
    const seeds = [
      { serviceName: 'cd', deploymentController: 'CODE_DEPLOY' as const, launchType: 'FARGATE' as const },
      { serviceName: 'spot', capacityProviderStrategy: strategy },
      { serviceName: 'old', status: 'INACTIVE' as const }
    ]
    for (const seed of seeds) fake.ecs.addService({ cluster: 'main', taskDefinition: 'web:1', ...seed })
    const { services = [] } = await send('DescribeServices', {
      cluster: 'main',
      services: ['api', 'cd', 'spot', 'old']
    })
    const seen = services.map((s) => [s.status, s.deploymentController?.type, s.launchType, s.capacityProviderStrategy])
    expect(seen).toEqual([
      ['ACTIVE', 'ECS', 'FARGATE', undefined],
      ['ACTIVE', 'CODE_DEPLOY', 'FARGATE', undefined],
      ['ACTIVE', 'ECS', undefined, strategy],
      ['INACTIVE', 'ECS', 'FARGATE', undefined]
    ])
    const update = (service: string) =>
      send('UpdateService', { cluster: 'main', service, taskDefinition: 'web:1' }).catch((e: Error) => `${e.name}: ${e.message}`) // prettier-ignore
    expect(await update('cd')).toMatch(/^InvalidParameterException: Unable to update task definition on services with a CODE_DEPLOY deployment controller\./) // prettier-ignore
    expect(await update('old')).toBe('ServiceNotActiveException: Service was not ACTIVE.')
  })

  it('DescribeTasks and DescribeServices answer MISSING, with its ARN, for what they do not know', async () => {
    const id = 'f'.repeat(32)
    const tasks = await send('DescribeTasks', { cluster: 'main', tasks: [id] })
    expect(tasks.failures).toEqual([{ arn: `${ARN}:task/main/${id}`, reason: 'MISSING' }])
    const services = await send('DescribeServices', { cluster: 'main', services: ['api', 'ghost'] })
    expect(services.services?.map((s) => s.serviceName)).toEqual(['api'])
    expect(services.failures).toEqual([{ arn: `${ARN}:service/main/ghost`, reason: 'MISSING' }])
  })
})

describe('container logs (LOGS.md 2.2) and a denied execution role (FAILURES.md 1.3)', () => {
  const awslogs = (group: string, prefix = {}) => ({
    logDriver: 'awslogs' as const,
    options: { 'awslogs-group': group, 'awslogs-create-group': 'true', ...prefix }
  })
  const stopped = async (arn: string) => {
    for (let t = await task(arn); ; await sleep(5), t = await task(arn)) if (t.lastStatus === 'STOPPED') return t
  }
  const id = (t: string | sdk.Task) => (typeof t === 'string' ? t : (t.taskArn ?? '')).split('/').at(-1) ?? ''
  const PARAM = 'arn:aws:ssm:us-east-1:123456789012:parameter/p/s'

  it('each container prints into <prefix>/<container>/<task id>; RUNNING lasts until the last line', async () => {
    const side = { name: 'side', image: 'i', logConfiguration: { logDriver: 'splunk' as const, options: {} } }
    const env = { environment: [{ name: 'E', value: '1' }], secrets: [{ name: 'S', valueFrom: PARAM }] }
    const app = container({ ...env, logConfiguration: awslogs('/ecs/a', { 'awslogs-stream-prefix': 'ecs' }) })
    const def = await register({ ...fargate(), containerDefinitions: [app, side] })
    const output = { app: { printEnvironment: true, lines: ['done'], everyMs: 40 }, side: { lines: ['lost'] } }
    fake.ecs.setTaskOutcome({ exitCodes: {} }, { stepMs: 5, output })
    const t = await stopped(await run({ taskDefinition: def }))
    const events = fake.logs.events('/ecs/a', `ecs/app/${id(t)}`)
    const printed = events.map((e) => [e.message, e.timestamp - (t.startedAt?.getTime() ?? 0)])
    expect(printed).toEqual([['E=1', 0], ['S=v', 40], ['done', 80]]) // prettier-ignore
    expect(t.stoppingAt?.getTime()).toBeGreaterThan(events.at(-1)?.timestamp ?? Infinity)
    expect(fake.logs.streams('/ecs/a')).toEqual([`ecs/app/${id(t)}`])
  })

  it('on EC2 without a stream prefix: a stream named after the Docker container id', async () => {
    await stopped(
      await run({ ...EC2, taskDefinition: await register(bridge({ logConfiguration: awslogs('/ecs/b') })) })
    )
    expect(fake.logs.streams('/ecs/b')).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)])
  })

  it('denySecretReads(role): the task fails to start, the Fargate AccessDenied names its first parameter', async () => {
    fake.denySecretReads(ROLE)
    const t = await stopped(await run({ taskDefinition: 'secret' }))
    fake.denySecretReads(ROLE, false)
    const user = `arn:aws:sts::123456789012:assumed-role/exec/${id(t)}`
    const denied = `api error AccessDeniedException: User: ${user} is not authorized to perform: ssm:GetParameters on resource: ${PARAM} because no identity-based policy allows the ssm:GetParameters action`
    expect([t.stopCode, t.stoppedReason?.replace(/^ResourceInitializationError: unable to pull secrets .+ api error /, 'api error ')]).toEqual(['TaskFailedToStart', denied]) // prettier-ignore
  })

  it("a failing deployment's tasks that ran wrote their logs before it failed", async () => {
    fake.ecs.setDeploymentOutcome(FAILED, { stepMs: 5 })
    fake.ecs.setTaskOutcome({ exitCodes: { app: 1 } }, { stepMs: 5, output: { app: { lines: ['crash'] } } })
    const next = fargate({ logConfiguration: awslogs('/ecs/svc', { 'awslogs-stream-prefix': 'svc' }) })
    const { name, update } = await serviceWith(BREAKER, next)
    await update()
    while ((await service(name)).deployments?.[0]?.rolloutState !== 'FAILED') await sleep(5)
    const { taskArns = [] } = await send('ListTasks', { cluster: 'main', serviceName: name, desiredStatus: 'STOPPED' })
    const logged = taskArns.map((arn) => fake.logs.events('/ecs/svc', `svc/app/${id(arn)}`).map((e) => e.message))
    expect(logged).toEqual(Array(3).fill(['crash']))
  })
})
