import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  UpdateServiceCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand
} from '@aws-sdk/client-ecs'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, describe, expect, it } from 'vitest'
import type { AwsClients } from '../../src/aws/clients.js'
import { describeService, ecsDefinitions, runTask } from '../../src/aws/ecs.js'
import { deployServiceOnce } from '../../src/apply/send.js'
import { waitForTask } from '../../src/apply/wait.js'
import { waitForDeployment } from '../../src/apply/wait-deployment.js'

const ecsMock = mockClient(ECSClient)
const ecs = new ECSClient({ region: 'us-east-1' })
const clients = { ecs: () => ecs, ecsDeploy: () => ecs } as unknown as AwsClients
const log = { info: () => undefined, warning: () => undefined, debug: () => undefined, relay: () => undefined }
const sleep = async () => undefined

afterEach(() => ecsMock.reset())

const clientError = (message: string) => Object.assign(new Error(message), { name: 'ClientException' })
type Started = Parameters<typeof waitForDeployment>[0]['started']
const waitDeployment = (started: Started, service = 's', taskDefinition = 'arn:td/web:4') =>
  waitForDeployment({ clients, cluster: 'c', service, taskDefinition, started, timeoutMinutes: 1, log, sleep })

describe('ecsDefinitions', () => {
  const store = ecsDefinitions(
    () => ecs,
    () => ecs
  )

  it('describes with tags, and treats an unknown task definition as absent', async () => {
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolvesOnce({
        taskDefinition: { family: 'web', revision: 3, taskDefinitionArn: 'arn:td/web:3', status: 'ACTIVE' },
        tags: [{ key: 'team', value: 'web' }]
      })
      .rejectsOnce(clientError('Unable to describe task definition.'))
      .rejectsOnce(clientError('Something else'))
    expect(await store.latest('web')).toEqual({
      arn: 'arn:td/web:3',
      name: 'web',
      revision: 3,
      status: 'ACTIVE',
      document: {
        family: 'web',
        revision: 3,
        taskDefinitionArn: 'arn:td/web:3',
        status: 'ACTIVE',
        tags: [{ key: 'team', value: 'web' }]
      }
    })
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input.include).toEqual(['TAGS'])
    expect(await store.revision('web:9')).toBeUndefined()
    await expect(store.latest('web')).rejects.toThrow('Something else')
  })

  it('lists ACTIVE revisions of exactly this family, newest first, across pages', async () => {
    ecsMock
      .on(ListTaskDefinitionsCommand)
      .resolvesOnce({
        taskDefinitionArns: ['arn:aws:ecs:r:1:task-definition/web:3', 'arn:aws:ecs:r:1:task-definition/web-admin:9'],
        nextToken: 't'
      })
      .resolvesOnce({ taskDefinitionArns: ['arn:aws:ecs:r:1:task-definition/web:1'] })
    expect(await store.activeRevisions('web')).toEqual([
      { arn: 'arn:aws:ecs:r:1:task-definition/web:3', revision: 3 },
      { arn: 'arn:aws:ecs:r:1:task-definition/web:1', revision: 1 }
    ])
    expect(ecsMock.commandCalls(ListTaskDefinitionsCommand)[0]?.args[0].input).toMatchObject({
      familyPrefix: 'web',
      status: 'ACTIVE',
      sort: 'DESC'
    })
  })

  it('registers and deregisters', async () => {
    ecsMock
      .on(RegisterTaskDefinitionCommand)
      .resolves({ taskDefinition: { taskDefinitionArn: 'arn:td/web:4', revision: 4 } })
    ecsMock.on(DeregisterTaskDefinitionCommand).resolves({})
    expect(await store.register({ family: 'web' })).toEqual({ arn: 'arn:td/web:4', revision: 4 })
    await store.deregister('arn:td/web:1')
    expect(ecsMock.commandCalls(DeregisterTaskDefinitionCommand)[0]?.args[0].input).toEqual({
      taskDefinition: 'arn:td/web:1'
    })
  })
})

describe('service and task calls', () => {
  it('turns failures[] into errors', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'x', reason: 'MISSING' }] })
    await expect(describeService(ecs, 'main', 'web')).rejects.toThrow('DescribeServices: web in main: MISSING')
    ecsMock.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:MEMORY', detail: 'no capacity' }] })
    await expect(runTask(ecs, { taskDefinition: 'td', clientToken: 't', startedBy: 's', tags: [] })).rejects.toThrow(
      'RunTask failed: RESOURCE:MEMORY (no capacity)'
    )
    ecsMock.on(RunTaskCommand).resolves({ tasks: [], failures: [] })
    await expect(runTask(ecs, { taskDefinition: 'td', clientToken: 't', startedBy: 's', tags: [] })).rejects.toThrow(
      /RunTask was answered without a task and without a failure; it is not sent again/
    )
  })
})

describe('waits', () => {
  const deployment = { id: 'ecs-svc/1', createdAt: new Date(0) }

  it('reports a FAILED deployment that is still listed, without rollback', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          deployments: [
            { id: 'ecs-svc/1', status: 'PRIMARY', rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' }
          ],
          events: [{ message: 'first', createdAt: new Date(1000) }]
        }
      ]
    })
    ecsMock.on(ListTasksCommand).resolves({ taskArns: ['arn:t/a', 'arn:t/b'] })
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: 'arn:t/a',
          startedBy: 'ecs-svc/1',
          stoppedReason: 'Essential container in task exited',
          containers: [
            { name: 'app', exitCode: 1 },
            { name: 'log', exitCode: 0 }
          ]
        },
        {
          taskArn: 'arn:t/b',
          startedBy: 'ecs-svc/0',
          stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/0)'
        }
      ]
    })
    const result = await waitDeployment({ deployment, earlier: new Set() })
    expect(result.failure).toBe(
      "Deployment ecs-svc/1 of s FAILED: tasks failed to start\nService events:\n- first\nStopped tasks of ecs-svc/1:\n- arn:t/a: Essential container in task exited; container 'app' exited with code 1"
    )
    expect(ecsMock.commandCalls(ListTasksCommand)[0]?.args[0].input).toEqual({
      cluster: 'c',
      serviceName: 's',
      desiredStatus: 'STOPPED'
    })
    ecsMock.on(ListTasksCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
    expect((await waitDeployment({ deployment, earlier: new Set() })).failure).toMatch(
      /- first\nIts stopped tasks could not be read \(AccessDeniedException: denied\); this needs ecs:ListTasks and ecs:DescribeTasks\.$/
    )
  })

  it('reports a deployment replaced without a failure', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolves({ services: [{ deployments: [{ id: 'ecs-svc/2', status: 'PRIMARY' }], events: [] }] })
    const result = await waitDeployment({ deployment, earlier: new Set() })
    expect(result).toEqual({
      status: 'REPLACED',
      failure: 'Deployment ecs-svc/1 of s was replaced by another deployment before it completed.'
    })
  })

  it('reports an essential container that never ran', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: 'arn:task/1',
          lastStatus: 'STOPPED',
          stoppedReason: 'ResourceInitializationError: unable to pull secrets',
          containers: [
            { name: 'app', reason: 'CannotStartContainerError' },
            { name: 'side', exitCode: 2 }
          ]
        }
      ]
    })
    const result = await waitForTask({
      clients,
      cluster: undefined,
      taskArn: 'arn:task/1',
      essentialContainers: new Set(['app']),
      timeoutMinutes: 1,
      log,
      sleep
    })
    expect(result.failure).toBe(
      "Task arn:task/1 stopped: ResourceInitializationError: unable to pull secrets; essential container 'app' did not exit normally: CannotStartContainerError."
    )
    expect(ecsMock.commandCalls(DescribeTasksCommand)[0]?.args[0].input).toEqual({ tasks: ['arn:task/1'] })
  })
})

describe('deployServiceOnce: a 2xx answer is never sent again', () => {
  const arn = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:4'
  const warnings: string[] = []
  const warn = { ...log, warning: (message: string) => warnings.push(message) }
  afterEach(() => (warnings.length = 0))
  const deploy = () =>
    deployServiceOnce({ clients, cluster: 'c', service: 'web', taskDefinition: arn, log: warn, sleep })
  const previous = {
    id: 'ecs-svc/old',
    status: 'PRIMARY',
    taskDefinition: arn.replace(':4', ':3'),
    createdAt: new Date(0)
  }

  it('takes an UpdateService answer whose PRIMARY deployment still shows the previous revision, once', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ deployments: [previous] }] })
    ecsMock.on(UpdateServiceCommand).resolves({ service: { deployments: [previous] } })
    const started = await deploy()
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1)
    expect(started.deployment).toBeUndefined()
    expect(started.earlier).toEqual(new Set(['ecs-svc/old']))
    expect(warnings.join('\n')).toMatch(/answered.*no PRIMARY deployment of .*web:4; it is not sent again/)
  })

  it('accepts a deployment that names its revision as family:revision', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ deployments: [previous] }] })
    const ours = { id: 'ecs-svc/new', status: 'PRIMARY', taskDefinition: 'web:4', createdAt: new Date() }
    ecsMock.on(UpdateServiceCommand).resolves({ service: { deployments: [ours, { ...previous, status: 'ACTIVE' }] } })
    const started = await deploy()
    expect(started.deployment?.id).toBe('ecs-svc/new')
    expect(warnings).toEqual([])
  })

  it('does not resend when the 2xx answer could not be read, and finds the deployment by describing', async () => {
    const unreadable = Object.assign(new SyntaxError('Unexpected token < in JSON'), {
      $metadata: { httpStatusCode: 200 }
    })
    const ours = { id: 'ecs-svc/new', status: 'PRIMARY', taskDefinition: arn, createdAt: new Date() }
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [{ deployments: [previous] }] })
      .resolves({ services: [{ deployments: [ours, { ...previous, status: 'ACTIVE' }] }] })
    ecsMock.on(UpdateServiceCommand).rejects(unreadable)
    const started = await deploy()
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1)
    expect(started.deployment?.id).toBe('ecs-svc/new')
  })

  it('the wait finds the deployment the answer did not show', async () => {
    const ours = { id: 'ecs-svc/new', status: 'PRIMARY', taskDefinition: arn, rolloutState: 'COMPLETED' as const }
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [{ deployments: [previous] }] })
      .resolves({ services: [{ deployments: [ours] }] })
    const result = await waitDeployment({ deployment: undefined, earlier: new Set(['ecs-svc/old']) }, 'web', arn)
    expect(result.status).toBe('COMPLETED (0/0 running)')
    expect(result.failure).toBeUndefined()
  })
})
