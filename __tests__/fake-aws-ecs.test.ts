import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type ListTaskDefinitionsCommandInput,
  RunTaskCommand,
  UpdateServiceCommand,
  paginateListTaskDefinitions,
  type RegisterTaskDefinitionCommandInput,
  type RunTaskCommandInput,
  type UpdateServiceCommandInput,
  type Service,
  type Task
} from '@aws-sdk/client-ecs'
import { startFakeAws, type FakeAws, type Fault } from './fake-aws/index.js'

let fake: FakeAws
let ecs: ECSClient
/** no retries: the first error is what the test sees */
let ecs1: ECSClient
const ARN = 'arn:aws:ecs:us-east-1:123456789012'
const EXECUTION_ROLE = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole'
const NETWORK = { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'], assignPublicIp: 'DISABLED' as const } }

interface SdkError extends Error {
  code?: string
  $fault?: string
  $metadata?: { httpStatusCode?: number }
  resourceIds?: string[]
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
/** a fresh name per use so tests do not see each other's families, clusters and services */
const fresh = (prefix = 'n') => `${prefix}${++counter}`

const fargateDefinition = (family: string, extra: Partial<RegisterTaskDefinitionCommandInput> = {}) =>
  ({
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    executionRoleArn: EXECUTION_ROLE,
    containerDefinitions: [{ name: 'app', image: 'busybox', command: ['echo', 'hi'] }],
    ...extra
  }) satisfies RegisterTaskDefinitionCommandInput

const register = (input: RegisterTaskDefinitionCommandInput) => ecs.send(new RegisterTaskDefinitionCommand(input))

async function describeService(cluster: string, service: string): Promise<Service> {
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))
  if (services?.[0] === undefined) throw new Error(`service ${service} not found`)
  return services[0]
}

async function describeTask(cluster: string, arn: string): Promise<Task> {
  const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))
  if (tasks?.[0] === undefined) throw new Error(`task ${arn} not found`)
  return tasks[0]
}

/** Polls as a waiting client does until `done` holds; returns the last value. */
async function poll<T>(read: () => Promise<T>, done: (v: T) => boolean, limitMs = 2000): Promise<T> {
  const deadline = Date.now() + limitMs
  for (;;) {
    const v = await read()
    if (done(v) || Date.now() > deadline) return v
    await sleep(3)
  }
}

/** A cluster, two revisions of a Fargate family and a service running revision 1. */
async function serviceSetup(breaker?: { enable: boolean; rollback: boolean }) {
  const cluster = fresh('cluster')
  const family = fresh('fam')
  const service = fresh('svc')
  fake.ecs.addCluster(cluster)
  const first = (await register(fargateDefinition(family))).taskDefinition?.taskDefinitionArn ?? ''
  const second = (await register(fargateDefinition(family))).taskDefinition?.taskDefinitionArn ?? ''
  fake.ecs.addService({
    cluster,
    serviceName: service,
    taskDefinition: `${family}:1`,
    desiredCount: 2,
    networkConfiguration: NETWORK,
    ...(breaker && { deploymentCircuitBreaker: breaker })
  })
  return { cluster, family, service, first, second }
}

beforeAll(async () => {
  fake = await startFakeAws()
  const config = {
    endpoint: fake.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' }
  }
  ecs = new ECSClient(config)
  ecs1 = new ECSClient({ ...config, maxAttempts: 1 })
})
afterAll(async () => {
  ecs.destroy()
  ecs1.destroy()
  await fake.close()
})
beforeEach(() => {
  fake.clearFaults()
  fake.ecs.setDeploymentOutcome({ result: 'COMPLETED' }, { stepMs: 10 })
  fake.ecs.setTaskOutcome({ exitCodes: {} }, { stepMs: 5 })
})

describe('RegisterTaskDefinition, DescribeTaskDefinition, DeregisterTaskDefinition', () => {
  it('numbers revisions from 1 and never reuses one, even after a deregister', async () => {
    const family = fresh('fam')
    const { taskDefinition, tags } = await register(fargateDefinition(family, { tags: [{ key: 'team', value: 'a' }] }))
    expect(taskDefinition).toMatchObject({
      family,
      taskDefinitionArn: `${ARN}:task-definition/${family}:1`,
      revision: 1,
      status: 'ACTIVE',
      compatibilities: ['EC2', 'FARGATE'],
      requiresCompatibilities: ['FARGATE'],
      registeredBy: 'arn:aws:iam::123456789012:user/fake'
    })
    expect(taskDefinition?.registeredAt).toBeInstanceOf(Date)
    expect(taskDefinition?.requiresAttributes).toEqual(expect.arrayContaining([{ name: 'ecs.capability.task-eni' }]))
    // defaults AWS fills in
    expect(taskDefinition?.containerDefinitions?.[0]).toMatchObject({
      name: 'app',
      essential: true,
      cpu: 0,
      environment: [],
      portMappings: []
    })
    expect(tags).toEqual([{ key: 'team', value: 'a' }])
    expect((await register(fargateDefinition(family))).taskDefinition?.revision).toBe(2)
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${family}:2` }))
    expect((await register(fargateDefinition(family))).taskDefinition?.revision).toBe(3)
    expect(fake.ecs.taskDefinitions(family).map((d) => `${d.revision}:${d.status}`)).toEqual([
      '1:ACTIVE',
      '2:INACTIVE',
      '3:ACTIVE'
    ])
    expect(fake.ecs.taskDefinitions(family)[0]?.tags).toEqual([{ key: 'team', value: 'a' }])
  })

  it('describes what ECS fills in: ports by network mode, health check timings, sizes in units', async () => {
    const family = fresh('fam')
    const container = {
      name: 'app',
      image: 'app:1',
      memory: 256,
      portMappings: [{ containerPort: 80 }],
      healthCheck: { command: ['CMD', 'true'] },
      environment: [
        { name: 'EMPTY', value: '' },
        { name: 'SET', value: 'x' }
      ]
    }
    const bridge = await register({ family, cpu: '.25 vcpu', memory: '1 GB', containerDefinitions: [container] })
    expect(bridge.taskDefinition).toMatchObject({ cpu: '256', memory: '1024' })
    expect(bridge.taskDefinition).not.toHaveProperty('networkMode')
    expect(bridge.taskDefinition?.containerDefinitions?.[0]).toMatchObject({
      portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }],
      healthCheck: { command: ['CMD', 'true'], interval: 30, timeout: 5, retries: 3 },
      environment: [{ name: 'SET', value: 'x' }],
      systemControls: []
    })
    expect(bridge.taskDefinition?.containerDefinitions?.[0]?.healthCheck).not.toHaveProperty('startPeriod')
    const host = await register({ family, networkMode: 'host', containerDefinitions: [container] })
    expect(host.taskDefinition?.containerDefinitions?.[0]?.portMappings).toEqual([
      { containerPort: 80, hostPort: 80, protocol: 'tcp' }
    ])
  })

  it('describes by family (latest ACTIVE), family:revision and ARN; tags only with include TAGS', async () => {
    const family = fresh('fam')
    await register(fargateDefinition(family, { tags: [{ key: 'k', value: 'v1' }] }))
    await register(fargateDefinition(family, { tags: [{ key: 'k', value: 'v2' }], memory: '1024' }))
    const byFamily = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }))
    expect(byFamily.taskDefinition?.revision).toBe(2)
    expect(byFamily.tags).toBeUndefined()
    const byRevision = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${family}:1` }))
    expect(byRevision.taskDefinition?.memory).toBe('512')
    const byArn = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: `${ARN}:task-definition/${family}:2`, include: ['TAGS'] })
    )
    expect(byArn.taskDefinition?.memory).toBe('1024')
    expect(byArn.tags).toEqual([{ key: 'k', value: 'v2' }])

    const err = await failure(ecs1.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${family}:9` })))
    expect(err.name).toBe('ClientException')
    expect(err.message).toBe('Unable to describe task definition.')
    expect(err.$metadata?.httpStatusCode).toBe(400)
  })

  it('deregister marks a revision INACTIVE; the family then resolves to the latest ACTIVE one', async () => {
    const family = fresh('fam')
    await register(fargateDefinition(family))
    await register(fargateDefinition(family))
    const { taskDefinition } = await ecs.send(
      new DeregisterTaskDefinitionCommand({ taskDefinition: `${ARN}:task-definition/${family}:2` })
    )
    expect(taskDefinition).toMatchObject({ revision: 2, status: 'INACTIVE' })
    expect(taskDefinition?.deregisteredAt).toBeInstanceOf(Date)
    expect(
      (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }))).taskDefinition?.revision
    ).toBe(1)
    // An INACTIVE revision can still be described by its revision.
    expect(
      (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${family}:2` }))).taskDefinition?.status
    ).toBe('INACTIVE')
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${family}:1` }))
    const err = await failure(ecs1.send(new DescribeTaskDefinitionCommand({ taskDefinition: family })))
    expect(err.name).toBe('ClientException')
    // a family alone does not name a revision to deregister
    expect((await failure(ecs1.send(new DeregisterTaskDefinitionCommand({ taskDefinition: family })))).name).toBe(
      'ClientException'
    )
  })

  it('rejects what AWS rejects at registration', async () => {
    const family = fresh('fam')
    const cases: Array<[Partial<RegisterTaskDefinitionCommandInput>, string, RegExp]> = [
      [
        {
          executionRoleArn: undefined,
          containerDefinitions: [
            { name: 'app', image: 'busybox', secrets: [{ name: 'DB_PASSWORD', valueFrom: '/app/db-password' }] }
          ]
        },
        'ClientException',
        /^When you are specifying container secrets, you must also specify a value for 'executionRoleArn'\.$/
      ],
      [{ networkMode: 'bridge' }, 'ClientException', /^Fargate only supports network mode/],
      [{ cpu: undefined }, 'ClientException', /^Fargate requires that 'cpu' be defined at the task level\.$/],
      [{ memory: undefined }, 'ClientException', /^Fargate requires that 'memory' be defined at the task level\.$/],
      [{ cpu: '256', memory: '4096' }, 'ClientException', /^No Fargate configuration exists for given values/],
      [{ containerDefinitions: [] }, 'ClientException', /^Container list cannot be empty\.$/],
      [
        { containerDefinitions: [{ name: 'app', image: '' }] },
        'ClientException',
        /^Container\.image should not be null/
      ],
      [
        {
          containerDefinitions: [
            { name: 'app', image: 'a' },
            { name: 'app', image: 'b' }
          ]
        },
        'ClientException',
        /unique/
      ],
      [
        { containerDefinitions: [{ name: 'app', image: 'a', secrets: [{ name: 'X', valueFrom: undefined }] }] },
        'ClientException',
        /secrets\.valueFrom/
      ],
      [
        {
          executionRoleArn: undefined,
          containerDefinitions: [
            { name: 'app', image: 'a', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g' } } }
          ]
        },
        'ClientException',
        /^Fargate requires task definition to have execution role ARN to support log driver awslogs\.$/
      ],
      [{ family: 'bad name!' }, 'ClientException', /^Family contains invalid characters/],
      [{ tags: [{ key: 'aws:owner', value: 'x' }] }, 'InvalidParameterException', /aws:/]
    ]
    for (const [extra, name, message] of cases) {
      const err = await failure(ecs1.send(new RegisterTaskDefinitionCommand(fargateDefinition(family, extra))))
      expect(err.name, JSON.stringify(extra)).toBe(name)
      expect(err.message, JSON.stringify(extra)).toMatch(message)
    }
    // an EC2 task definition without task-level memory needs it per container
    const ec2 = await failure(
      ecs1.send(
        new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: 'app', image: 'busybox' }] })
      )
    )
    expect(ec2.message).toMatch(/At least one of 'memory' or 'memoryReservation' must be specified/)
    expect(fake.ecs.taskDefinitions(family)).toEqual([])
  })

  it('stores the documented members and ignores unknown ones', () => {
    const family = fresh('fam')
    fake.ecs.seedTaskDefinition({
      ...fargateDefinition(family),
      volumes: [{ name: 'data' }],
      ephemeralStorage: { sizeInGiB: 30 },
      runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
      notAMember: 'dropped'
    })
    const [def] = fake.ecs.taskDefinitions(family)
    expect(def).toMatchObject({
      volumes: [{ name: 'data' }],
      ephemeralStorage: { sizeInGiB: 30 },
      runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' }
    })
    expect(def).not.toHaveProperty('notAMember')
  })
})

describe('ListTaskDefinitions', () => {
  it('lists by family then revision, ASC or DESC, filters by full family and status, and paginates', async () => {
    const a = fresh('list-a')
    const b = fresh('list-b')
    for (const f of [b, a, b, a]) await register(fargateDefinition(f))
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${a}:1` }))
    const arns = async (input: ListTaskDefinitionsCommandInput) =>
      (await ecs.send(new ListTaskDefinitionsCommand(input))).taskDefinitionArns?.map((x) => x.split('/')[1])
    expect(await arns({ familyPrefix: a })).toEqual([`${a}:2`])
    expect(await arns({ familyPrefix: a, status: 'INACTIVE' })).toEqual([`${a}:1`])
    expect(await arns({ familyPrefix: b, sort: 'DESC' })).toEqual([`${b}:2`, `${b}:1`])
    // familyPrefix is a full family name, not a prefix
    expect(await arns({ familyPrefix: 'list-' })).toEqual([])

    const all = (await arns({}))?.filter((x) => x?.startsWith(a) || x?.startsWith(b))
    expect(all).toEqual([`${a}:2`, `${b}:1`, `${b}:2`])

    const pages: string[][] = []
    for await (const page of paginateListTaskDefinitions({ client: ecs, pageSize: 1 }, { familyPrefix: b })) {
      pages.push(page.taskDefinitionArns?.map((x) => x.split('/')[1] ?? '') ?? [])
    }
    expect(pages).toEqual([[`${b}:1`], [`${b}:2`]])
    const desc = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: b, sort: 'DESC', maxResults: 1 }))
    const next = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: b, sort: 'DESC', maxResults: 1, nextToken: desc.nextToken })
    )
    expect(next.taskDefinitionArns).toEqual([`${ARN}:task-definition/${b}:1`])
    expect(next.nextToken).toBeUndefined()

    const err = await failure(ecs1.send(new ListTaskDefinitionsCommand({ maxResults: 101 })))
    expect(err.name).toBe('InvalidParameterException')
  })
})

describe('UpdateService and DescribeServices', () => {
  it('a new task definition starts a PRIMARY deployment that completes; older deployments drain', async () => {
    const { cluster, service, first, second } = await serviceSetup()
    const before = await describeService(cluster, service)
    expect(before).toMatchObject({
      serviceArn: `${ARN}:service/${cluster}/${service}`,
      clusterArn: `${ARN}:cluster/${cluster}`,
      status: 'ACTIVE',
      desiredCount: 2,
      runningCount: 2,
      taskDefinition: first,
      launchType: 'FARGATE'
    })
    expect(before.deployments).toHaveLength(1)
    expect(before.deployments?.[0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'COMPLETED' })

    const { service: updated } = await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: second }))
    expect(updated?.taskDefinition).toBe(second)
    expect(updated?.deployments?.map((d) => [d.status, d.rolloutState, d.taskDefinition])).toEqual([
      ['PRIMARY', 'IN_PROGRESS', second],
      ['ACTIVE', 'COMPLETED', first]
    ])
    const primary = updated?.deployments?.[0]
    expect(primary?.id).toMatch(/^ecs-svc\/\d{19}$/)
    expect(primary?.createdAt).toBeInstanceOf(Date)
    expect(primary?.updatedAt).toBeInstanceOf(Date)

    const done = await poll(
      () => describeService(cluster, service),
      (s) => s.deployments?.[0]?.rolloutState !== 'IN_PROGRESS'
    )
    expect(done.deployments).toHaveLength(1)
    expect(done.deployments?.[0]).toMatchObject({
      id: primary?.id,
      status: 'PRIMARY',
      rolloutState: 'COMPLETED',
      runningCount: 2
    })
    const messages = done.events?.map((e) => e.message ?? '') ?? []
    expect(messages[0]).toBe(`(service ${service}) has reached a steady state.`)
    expect(messages).toContain(`(service ${service}) (deployment ${primary?.id}) deployment completed.`)
    expect(messages.some((m) => m.startsWith(`(service ${service}) has started 2 tasks:`))).toBe(true)
    // newest first
    const times = done.events?.map((e) => e.createdAt?.getTime() ?? 0) ?? []
    expect([...times].sort((x, y) => y - x)).toEqual(times)
    expect(done.events?.every((e) => typeof e.id === 'string')).toBe(true)
  })

  it('forceNewDeployment starts a deployment with the same task definition; a no-op update does not', async () => {
    const { cluster, service, first } = await serviceSetup()
    const same = await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: first }))
    expect(same.service?.deployments).toHaveLength(1)
    const forced = await ecs.send(new UpdateServiceCommand({ cluster, service, forceNewDeployment: true }))
    expect(forced.service?.deployments?.map((d) => [d.status, d.taskDefinition])).toEqual([
      ['PRIMARY', first],
      ['ACTIVE', first]
    ])
    expect(fake.ecs.services().find((s) => s.serviceName === service)?.deployments).toHaveLength(2)
    const scaled = await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 3 }))
    expect(scaled.service?.desiredCount).toBe(3)
    expect(scaled.service?.deployments).toHaveLength(2)
  })

  it('a FAILED deployment with circuit-breaker rollback rolls back to the previous task definition', async () => {
    const { cluster, service, first, second } = await serviceSetup({ enable: true, rollback: true })
    fake.ecs.setDeploymentOutcome({ result: 'FAILED', rollback: true }, { stepMs: 10 })
    const { service: updated } = await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: second }))
    const failedId = updated?.deployments?.[0]?.id ?? ''
    const rolledBack = await poll(
      () => describeService(cluster, service),
      (s) => s.deployments?.length === 1 && s.deployments[0]?.rolloutState === 'COMPLETED'
    )
    expect(rolledBack.taskDefinition).toBe(first)
    expect(rolledBack.deployments?.[0]).toMatchObject({ status: 'PRIMARY', taskDefinition: first })
    expect(rolledBack.deployments?.[0]?.id).not.toBe(failedId)
    const messages = rolledBack.events?.map((e) => e.message ?? '') ?? []
    expect(messages).toContain(
      `(service ${service}) (deployment ${failedId}) deployment failed: tasks failed to start.`
    )
    expect(messages.some((m) => m.startsWith(`(service ${service}) rolling back to deployment ecs-svc/`))).toBe(true)
    expect(messages[0]).toBe(`(service ${service}) has reached a steady state.`)
  })

  it('a FAILED deployment without rollback stays FAILED next to the previous deployment', async () => {
    const { cluster, service, first, second } = await serviceSetup({ enable: true, rollback: false })
    fake.ecs.setDeploymentOutcome({
      result: 'FAILED',
      reason: 'ECS deployment circuit breaker: tasks failed health checks.'
    })
    await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: second }))
    const failed = await poll(
      () => describeService(cluster, service),
      (s) => s.deployments?.[0]?.rolloutState === 'FAILED'
    )
    expect(failed.deployments?.map((d) => [d.status, d.rolloutState, d.taskDefinition])).toEqual([
      ['PRIMARY', 'FAILED', second],
      ['ACTIVE', 'COMPLETED', first]
    ])
    expect(failed.deployments?.[0]?.rolloutStateReason).toBe(
      'ECS deployment circuit breaker: tasks failed health checks.'
    )
    expect(failed.deployments?.[0]?.failedTasks).toBeGreaterThan(0)
    expect(failed.events?.[0]?.message).toMatch(/deployment failed: tasks failed health checks\.$/)
  })

  it('without a circuit breaker a failing deployment never fails: it stays IN_PROGRESS', async () => {
    const { cluster, service, second } = await serviceSetup()
    fake.ecs.setDeploymentOutcome({ result: 'FAILED' }, { stepMs: 5 })
    await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: second }))
    await sleep(30)
    const s = await describeService(cluster, service)
    expect(s.deployments?.[0]).toMatchObject({ rolloutState: 'IN_PROGRESS', taskDefinition: second })
    expect(s.events?.[0]?.message).toMatch(/is unable to consistently start tasks successfully/)
  })

  it('holdInProgress keeps the deployment IN_PROGRESS', async () => {
    const { cluster, service, second } = await serviceSetup()
    fake.ecs.setDeploymentOutcome({ result: 'COMPLETED' }, { holdInProgress: true })
    await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: second }))
    await sleep(120)
    expect((await describeService(cluster, service)).deployments?.map((d) => d.rolloutState)).toEqual([
      'IN_PROGRESS',
      'COMPLETED'
    ])
  })

  it('a deployment whose secrets do not exist in SSM fails to start its tasks', async () => {
    const cluster = fresh('cluster')
    const family = fresh('fam')
    const service = fresh('svc')
    fake.ecs.addCluster(cluster)
    await register(fargateDefinition(family))
    const secretDef = fargateDefinition(family, {
      containerDefinitions: [{ name: 'app', image: 'busybox', secrets: [{ name: 'X', valueFrom: `/${family}/x` }] }]
    })
    const { taskDefinition } = await register(secretDef)
    fake.ecs.addService({
      cluster,
      serviceName: service,
      taskDefinition: `${family}:1`,
      networkConfiguration: NETWORK,
      deploymentCircuitBreaker: { enable: true, rollback: false }
    })
    await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: taskDefinition?.taskDefinitionArn }))
    const s = await poll(
      () => describeService(cluster, service),
      (x) => x.deployments?.[0]?.rolloutState !== 'IN_PROGRESS'
    )
    expect(s.deployments?.[0]).toMatchObject({
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.'
    })
  })

  it('reports missing clusters, services and task definitions as AWS does', async () => {
    const { cluster, service, family } = await serviceSetup()
    const cases: Array<[UpdateServiceCommandInput, string, string]> = [
      [{ cluster: 'no-such-cluster', service }, 'ClusterNotFoundException', 'Cluster not found.'],
      [{ cluster, service: 'no-such-service' }, 'ServiceNotFoundException', 'Service not found.'],
      [{ cluster, service, taskDefinition: `${family}:99` }, 'ClientException', 'TaskDefinition not found.'],
      [{ service }, 'ClusterNotFoundException', 'Cluster not found.']
    ]
    for (const [input, name, message] of cases) {
      const err = await failure(ecs1.send(new UpdateServiceCommand(input)))
      expect(err.name, JSON.stringify(input)).toBe(name)
      expect(err.message).toBe(message)
      expect(err.$fault).toBe('client')
    }
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${family}:2` }))
    const inactive = await failure(
      ecs1.send(new UpdateServiceCommand({ cluster, service, taskDefinition: `${family}:2` }))
    )
    expect(inactive.name).toBe('InvalidParameterException')
    expect(inactive.message).toBe('TaskDefinition is inactive')

    const { services, failures } = await ecs.send(
      new DescribeServicesCommand({ cluster, services: [service, 'ghost'], include: ['TAGS'] })
    )
    expect(services?.map((s) => s.serviceName)).toEqual([service])
    expect(services?.[0]?.tags).toEqual([])
    expect(failures).toEqual([{ arn: `${ARN}:service/${cluster}/ghost`, reason: 'MISSING' }])
    const tooMany = Array.from({ length: 11 }, (_, i) => `s${i}`)
    expect((await failure(ecs1.send(new DescribeServicesCommand({ cluster, services: tooMany })))).name).toBe(
      'InvalidParameterException'
    )
  })
})

describe('RunTask and DescribeTasks', () => {
  /** a cluster and a Fargate task definition of fresh names */
  async function taskSetup(extra: Partial<RegisterTaskDefinitionCommandInput> = {}) {
    const cluster = fresh('cluster')
    const family = fresh('fam')
    fake.ecs.addCluster(cluster)
    const arn = (await register(fargateDefinition(family, extra))).taskDefinition?.taskDefinitionArn ?? ''
    const run = (input: Partial<RunTaskCommandInput> = {}) =>
      ecs.send(
        new RunTaskCommand({
          cluster,
          taskDefinition: family,
          launchType: 'FARGATE',
          networkConfiguration: NETWORK,
          ...input
        })
      )
    return { cluster, family, arn, run }
  }

  it('validates the launch against the task definition', async () => {
    const { cluster, family } = await taskSetup()
    const cases: Array<[Partial<RunTaskCommandInput>, string, RegExp]> = [
      [
        { launchType: 'FARGATE' },
        'InvalidParameterException',
        /^Network Configuration must be provided when networkMode 'awsvpc' is specified\.$/
      ],
      [{ launchType: 'EC2', networkConfiguration: NETWORK }, 'InvalidParameterException', /No Container Instances/],
      [
        { launchType: 'FARGATE', networkConfiguration: NETWORK, count: 11 },
        'InvalidParameterException',
        /count must be between 1 and 10/
      ],
      [
        { launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: [] } } },
        'InvalidParameterException',
        /subnets/
      ],
      [
        {
          launchType: 'FARGATE',
          networkConfiguration: NETWORK,
          overrides: { containerOverrides: [{ name: 'nope', command: ['x'] }] }
        },
        'InvalidParameterException',
        /^Override for container named nope is not a container in the TaskDefinition\.$/
      ],
      [
        { cluster: 'ghost', launchType: 'FARGATE', networkConfiguration: NETWORK },
        'ClusterNotFoundException',
        /Cluster not found/
      ]
    ]
    for (const [extra, name, message] of cases) {
      const err = await failure(ecs1.send(new RunTaskCommand({ cluster, taskDefinition: family, ...extra })))
      expect(err.name, JSON.stringify(extra)).toBe(name)
      expect(err.message, JSON.stringify(extra)).toMatch(message)
    }
    // a task definition registered without FARGATE compatibility cannot run on Fargate
    const ec2Family = fresh('fam')
    fake.ecs.seedTaskDefinition({
      family: ec2Family,
      networkMode: 'awsvpc',
      memory: '512',
      containerDefinitions: [{ name: 'app', image: 'busybox' }]
    })
    const err = await failure(
      ecs1.send(
        new RunTaskCommand({ cluster, taskDefinition: ec2Family, launchType: 'FARGATE', networkConfiguration: NETWORK })
      )
    )
    expect(err.name).toBe('InvalidParameterException')
    expect(err.message).toBe('Task definition does not support launch_type FARGATE.')
    expect(fake.ecs.tasks().filter((t) => t.cluster === cluster)).toEqual([])
  })

  it('starts a task that goes PROVISIONING → PENDING → RUNNING → DEPROVISIONING → STOPPED with exit codes', async () => {
    const { cluster, arn, run } = await taskSetup({
      containerDefinitions: [
        { name: 'app', image: 'busybox' },
        { name: 'sidecar', image: 'busybox', essential: false }
      ]
    })
    fake.ecs.setTaskOutcome(
      { exitCodes: { app: 3 }, reasons: { app: 'boom' }, stoppedReason: 'Essential container in task exited' },
      { stepMs: 30 }
    )
    const { tasks, failures } = await run({ startedBy: 'ci', tags: [{ key: 'run', value: '1' }] })
    expect(failures).toEqual([])
    const task = tasks?.[0]
    expect(task).toMatchObject({
      clusterArn: `${ARN}:cluster/${cluster}`,
      taskDefinitionArn: arn,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      launchType: 'FARGATE',
      startedBy: 'ci',
      tags: [{ key: 'run', value: '1' }],
      cpu: '256',
      memory: '512'
    })
    expect(task?.group).toMatch(/^family:fam\d+$/)
    expect(task?.taskArn).toMatch(new RegExp(`^${ARN}:task/${cluster}/[0-9a-f]{32}$`))
    expect(task?.createdAt).toBeInstanceOf(Date)
    expect(task?.containers?.map((c) => [c.name, c.lastStatus])).toEqual([
      ['app', 'PENDING'],
      ['sidecar', 'PENDING']
    ])
    expect(task?.containers?.[0]?.containerArn).toMatch(new RegExp(`^${ARN}:container/${cluster}/[0-9a-f]{32}/`))

    const seen: string[] = []
    const stopped = await poll(
      async () => {
        const t = await describeTask(cluster, task?.taskArn ?? '')
        if (t.lastStatus !== undefined && seen.at(-1) !== t.lastStatus) seen.push(t.lastStatus)
        return t
      },
      (t) => t.lastStatus === 'STOPPED'
    )
    // polled every few ms, each status lasting 30 ms: every one is seen, in order
    expect(seen).toEqual(['PROVISIONING', 'PENDING', 'RUNNING', 'DEPROVISIONING', 'STOPPED'])
    expect(stopped).toMatchObject({
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited'
    })
    expect(stopped.stoppedAt).toBeInstanceOf(Date)
    expect(stopped.startedAt).toBeInstanceOf(Date)
    expect(stopped.tags).toBeUndefined()
    expect(stopped.containers?.map((c) => [c.name, c.lastStatus, c.exitCode, c.reason])).toEqual([
      ['app', 'STOPPED', 3, 'boom'],
      ['sidecar', 'STOPPED', 0, undefined]
    ])
    const withTags = await ecs.send(
      new DescribeTasksCommand({ cluster, tasks: [task?.taskArn ?? ''], include: ['TAGS'] })
    )
    expect(withTags.tasks?.[0]?.tags).toEqual([{ key: 'run', value: '1' }])
    expect(fake.ecs.tasks().find((t) => t.taskArn === task?.taskArn)?.input).toMatchObject({
      startedBy: 'ci',
      clientToken: expect.any(String)
    })
  })

  it('an EC2 task in bridge mode needs a container instance and skips PROVISIONING', async () => {
    const cluster = fresh('cluster')
    const family = fresh('fam')
    fake.ecs.addCluster(cluster, { containerInstances: 1 })
    await register({ family, containerDefinitions: [{ name: 'app', image: 'busybox', memory: 128 }] })
    const bridged = await failure(
      ecs1.send(new RunTaskCommand({ cluster, taskDefinition: family, networkConfiguration: NETWORK }))
    )
    expect(bridged.message).toBe(
      'Network Configuration is not valid for the given networkMode of this task definition.'
    )
    // no launch type and no default capacity provider strategy: EC2
    const task = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }))).tasks?.[0]
    expect(task).toMatchObject({ lastStatus: 'PENDING', launchType: 'EC2', attachments: [] })
    expect(task?.containerInstanceArn).toMatch(new RegExp(`^${ARN}:container-instance/${cluster}/[0-9a-f]{32}$`))
    const stopped = await poll(
      () => describeTask(cluster, task?.taskArn ?? ''),
      (t) => t.lastStatus === 'STOPPED'
    )
    expect(stopped.containers?.[0]).toMatchObject({ exitCode: 0, memory: '128' })
  })

  it('holdRunning keeps the task RUNNING', async () => {
    const { cluster, run } = await taskSetup()
    fake.ecs.setTaskOutcome({ exitCodes: {} }, { holdRunning: true })
    const arn = (await run()).tasks?.[0]?.taskArn ?? ''
    await sleep(150)
    const t = await describeTask(cluster, arn)
    expect(t.lastStatus).toBe('RUNNING')
    expect(t.containers?.[0]?.exitCode).toBeUndefined()
  })

  it('a clientToken used twice starts one task; a different request with it is a ConflictException', async () => {
    const { cluster, run } = await taskSetup()
    const first = await run({ clientToken: 'token-1' })
    const second = await run({ clientToken: 'token-1' })
    expect(second.tasks?.map((t) => t.taskArn)).toEqual(first.tasks?.map((t) => t.taskArn))
    expect(fake.ecs.tasks().filter((t) => t.cluster === cluster)).toHaveLength(1)
    const err = await failure(
      ecs1.send(
        new RunTaskCommand({
          cluster,
          taskDefinition: first.tasks?.[0]?.taskDefinitionArn,
          launchType: 'FARGATE',
          networkConfiguration: NETWORK,
          clientToken: 'token-1',
          startedBy: 'someone-else'
        })
      )
    )
    expect(err.name).toBe('ConflictException')
    expect(err.resourceIds).toEqual(first.tasks?.map((t) => t.taskArn))
    // tokens are per cluster
    const other = fresh('cluster')
    fake.ecs.addCluster(other)
    const elsewhere = await ecs.send(
      new RunTaskCommand({
        cluster: other,
        taskDefinition: first.tasks?.[0]?.taskDefinitionArn,
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
        clientToken: 'token-1'
      })
    )
    expect(elsewhere.tasks?.[0]?.taskArn).not.toBe(first.tasks?.[0]?.taskArn)
    const bad = await failure(ecs1.send(new RunTaskCommand({ cluster, taskDefinition: 'x', clientToken: 'a b' })))
    expect(bad.name).toBe('InvalidParameterException')
  })

  it('drop-after on RunTask: the SDK retries with the same token and gets the same task back', async () => {
    const { cluster, run } = await taskSetup()
    fake.inject({ operation: 'RunTask', kind: 'drop-after' })
    // no clientToken given: the SDK generates one and keeps it across retries
    const { tasks } = await run()
    const started = fake.ecs.tasks().filter((t) => t.cluster === cluster)
    expect(started).toHaveLength(1)
    expect(tasks?.map((t) => t.taskArn)).toEqual([started[0]?.taskArn])
    const runs = fake.requests.filter((r) => r.operation === 'RunTask').slice(-2)
    expect(runs.map((r) => r.status)).toEqual(['dropped', 200])
    expect(new Set(runs.map((r) => (r.input as { clientToken?: string }).clientToken)).size).toBe(1)
    expect(
      fake
        .writes()
        .slice(-2)
        .map((r) => r.operation)
    ).toEqual(['RunTask', 'RunTask'])
  })

  it('secrets are fetched when the task starts: a missing SSM parameter stops it with TaskFailedToStart', async () => {
    const parameter = `/${fresh('app')}/db-password`
    const { cluster, run } = await taskSetup({
      containerDefinitions: [
        { name: 'app', image: 'busybox', secrets: [{ name: 'DB_PASSWORD', valueFrom: parameter }] }
      ]
    })
    const failed = (await run()).tasks?.[0]?.taskArn ?? ''
    const t = await poll(
      () => describeTask(cluster, failed),
      (x) => x.lastStatus === 'STOPPED'
    )
    expect(t.stopCode).toBe('TaskFailedToStart')
    expect(t.stoppedReason).toMatch(/^ResourceInitializationError: unable to pull secrets or registry auth: /)
    expect(t.stoppedReason).toContain(parameter)
    expect(t.startedAt).toBeUndefined()
    expect(t.containers?.[0]?.exitCode).toBeUndefined()

    fake.ssm.put({ name: parameter, value: 's3cret', type: 'SecureString' })
    const ok = (await run()).tasks?.[0]?.taskArn ?? ''
    const t2 = await poll(
      () => describeTask(cluster, ok),
      (x) => x.lastStatus === 'STOPPED'
    )
    expect(t2.stopCode).toBe('EssentialContainerExited')
    expect(t2.containers?.[0]?.exitCode).toBe(0)
  })

  it('DescribeTasks reports unknown tasks as MISSING', async () => {
    const { cluster, run } = await taskSetup()
    const arn = (await run()).tasks?.[0]?.taskArn ?? ''
    const id = 'f'.repeat(32)
    const { tasks, failures } = await ecs.send(
      new DescribeTasksCommand({ cluster, tasks: [arn.split('/').at(-1) ?? '', id] })
    )
    expect(tasks?.map((t) => t.taskArn)).toEqual([arn])
    expect(failures).toEqual([{ arn: `${ARN}:task/${cluster}/${id}`, reason: 'MISSING' }])
  })
})

describe('faults on ECS operations', () => {
  it('throttling and server errors reach a client without retries; the SDK retries them otherwise', async () => {
    const family = fresh('fam')
    const cases: Array<{ fault: Omit<Fault, 'operation'>; name: string; status: number }> = [
      { fault: { kind: 'throttle' }, name: 'ThrottlingException', status: 400 },
      { fault: { kind: 'too-many-requests' }, name: 'TooManyRequestsException', status: 429 },
      { fault: { kind: 'server-error' }, name: 'ServerException', status: 500 },
      { fault: { kind: 'server-error', status: 503 }, name: 'ServiceUnavailable', status: 503 }
    ]
    for (const c of cases) {
      fake.inject({ operation: 'RegisterTaskDefinition', ...c.fault })
      const err = await failure(ecs1.send(new RegisterTaskDefinitionCommand(fargateDefinition(family))))
      expect(err.name, c.fault.kind).toBe(c.name)
      expect(err.$metadata?.httpStatusCode).toBe(c.status)
    }
    expect(fake.ecs.taskDefinitions(family)).toEqual([])
    fake.inject({ operation: 'RegisterTaskDefinition', kind: 'server-error' })
    fake.inject({ operation: 'RegisterTaskDefinition', kind: 'drop', skip: 1 })
    expect((await register(fargateDefinition(family))).taskDefinition?.revision).toBe(1)
    expect(fake.requests.filter((r) => r.service === 'ecs').at(-1)).toMatchObject({
      operation: 'RegisterTaskDefinition',
      status: 200
    })
  })
})
