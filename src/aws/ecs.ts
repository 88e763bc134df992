import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  paginateListTaskDefinitions,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
  type RunTaskCommandInput,
  type Service,
  type Task
} from '@aws-sdk/client-ecs'
import type { Lazy } from './clients.js'
import type { DefinitionDocument } from '../plan/definitions.js'
import type { RunTaskRequest } from '../plan/launch.js'
import type { DefinitionStore, DescribedDefinition } from './definition-store.js'

/** ECS answers an unknown task definition with this ClientException. */
function isUnknownTaskDefinition(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === 'ClientException' &&
    /Unable to describe task definition/i.test(error.message)
  )
}

async function describeTaskDefinition(ecs: ECSClient, reference: string): Promise<DescribedDefinition | undefined> {
  try {
    const response = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference, include: ['TAGS'] }))
    const definition = response.taskDefinition as unknown as Record<string, unknown> | undefined
    if (!definition) return undefined
    const tags = response.tags && response.tags.length > 0 ? { tags: response.tags } : {}
    return {
      arn: String(definition.taskDefinitionArn ?? ''),
      name: String(definition.family ?? ''),
      revision: Number(definition.revision ?? 0),
      status: String(definition.status ?? ''),
      document: { ...definition, ...tags }
    }
  } catch (error) {
    if (isUnknownTaskDefinition(error)) return undefined
    throw error
  }
}

async function activeRevisions(ecs: ECSClient, family: string): Promise<{ arn: string; revision: number }[]> {
  const revisions: { arn: string; revision: number }[] = []
  const pages = paginateListTaskDefinitions({ client: ecs }, { familyPrefix: family, status: 'ACTIVE', sort: 'DESC' })
  for await (const page of pages) {
    for (const arn of page.taskDefinitionArns ?? []) {
      // familyPrefix matches other families that start with the same text.
      const [name, revision] = arn.slice(arn.lastIndexOf('/') + 1).split(':')
      if (name === family) revisions.push({ arn, revision: Number(revision) })
    }
  }
  return revisions.sort((a, b) => b.revision - a.revision)
}

/**
 * ECS task definitions behind the DefinitionStore interface. `ecsOnce` registers: a client without
 * automatic retries, since a register resent after a lost answer adds a second revision; the caller
 * looks the revision up instead.
 */
export function ecsDefinitions(ecs: Lazy<ECSClient>, ecsOnce: Lazy<ECSClient>): DefinitionStore {
  return {
    latest: async (family) => describeTaskDefinition(ecs(), family),
    revision: async (reference) => describeTaskDefinition(ecs(), reference),
    register: async (document: DefinitionDocument) => {
      const response = await ecsOnce().send(
        new RegisterTaskDefinitionCommand(document as unknown as RegisterTaskDefinitionCommandInput)
      )
      return { arn: response.taskDefinition?.taskDefinitionArn ?? '', revision: response.taskDefinition?.revision ?? 0 }
    },
    activeRevisions: async (family) => activeRevisions(ecs(), family),
    deregister: async (arn) => {
      await ecs().send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }))
    }
  }
}

export async function updateService(
  ecs: ECSClient,
  options: { cluster: string; service: string; taskDefinition: string }
): Promise<Service> {
  const response = await ecs.send(
    new UpdateServiceCommand({
      cluster: options.cluster,
      service: options.service,
      taskDefinition: options.taskDefinition,
      // Tasks read secrets when they start: a new deployment even when the revision is the same.
      forceNewDeployment: true
    })
  )
  return response.service ?? {}
}

export async function describeService(ecs: ECSClient, cluster: string, service: string): Promise<Service | undefined> {
  const response = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))
  const failure = response.failures?.[0]
  if (failure) throw new Error(`DescribeServices: ${service} in ${cluster}: ${failure.reason ?? 'failed'}`)
  return response.services?.[0]
}

export async function runTask(ecs: ECSClient, input: RunTaskRequest): Promise<Task> {
  const response = await ecs.send(new RunTaskCommand(input as RunTaskCommandInput))
  const failure = response.failures?.[0]
  if (failure) {
    throw new Error(
      `RunTask failed: ${failure.reason ?? 'unknown reason'}${failure.detail ? ` (${failure.detail})` : ''}`
    )
  }
  const task = response.tasks?.[0]
  if (!task) {
    throw new Error(
      'RunTask was answered without a task and without a failure; it is not sent again, since a task may have started (look for it in the cluster)'
    )
  }
  return task
}

export async function describeTask(
  ecs: ECSClient,
  cluster: string | undefined,
  taskArn: string
): Promise<Task | undefined> {
  const response = await ecs.send(new DescribeTasksCommand({ ...(cluster ? { cluster } : {}), tasks: [taskArn] }))
  return response.tasks?.[0]
}

/**
 * The stopped tasks a service deployment started, at most `limit`: a service's tasks carry the
 * deployment id in startedBy (FAILURES.md, 3.3), and ListTasks filters by service and desired status.
 */
export async function stoppedTasksOf(
  ecs: ECSClient,
  options: { cluster: string; service: string; deploymentId: string; limit: number }
): Promise<Task[]> {
  const { cluster, service } = options
  const { taskArns = [] } = await ecs.send(
    new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'STOPPED' })
  )
  if (taskArns.length === 0) return []
  const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns.slice(0, 100) }))
  return tasks.filter((task) => task.startedBy === options.deploymentId).slice(0, options.limit)
}
