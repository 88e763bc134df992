// Pure: the ECS task definition — its containers and the register request.
import { InputError } from '../errors.js'
import { INPUT } from '../names.js'
import type { ContainerLike } from './containers.js'
import {
  asObject,
  fill,
  isAwsTag,
  objectList,
  withoutEmptyValues,
  pick,
  requireObject,
  type DefinitionDocument,
  type DefinitionModel
} from './definitions.js'

// The members RegisterTaskDefinition takes. Everything else a describe returns (taskDefinitionArn,
// revision, status, requiresAttributes, compatibilities, registeredAt, registeredBy,
// deregisteredAt, deleteRequestedAt, and whatever AWS adds later) is output only.
const REGISTER_MEMBERS = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'tags',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection'
] as const

type TagList = { key?: string; value?: string }[]

const CPU_UNITS_PER_VCPU = 1024
const MIB_PER_GB = 1024

/**
 * Task-level cpu and memory as DescribeTaskDefinition returns them: strings of CPU units and MiB.
 * RegisterTaskDefinition also takes "1 vCPU", ".25 vcpu", "2 GB" (and numbers, in JSON files): "String
 * values are converted to an integer indicating the CPU units / MiB when the task definition is
 * registered" (API_RegisterTaskDefinition.html).
 */
function taskSize(value: unknown, unitsPer: number, unit: string): unknown {
  if (typeof value === 'number') return String(value)
  if (typeof value !== 'string') return value
  const match = new RegExp(`^\\s*(\\d*\\.?\\d+)\\s*${unit}\\s*$`, 'i').exec(value)
  return match ? String(Math.round(Number(match[1]) * unitsPer)) : value.trim()
}

/**
 * The task definition as ECS describes it: what it fills in on register, filled in. Evidence, with
 * links, in __tests__/fixtures/real-definitions/DEFAULTS.md: the AWS CLI's register-task-definition
 * example (file and answer), Terraform's container-definition normaliser and its acceptance tests,
 * and issue threads that print both. ECS does not fill in networkMode or requiresCompatibilities.
 */
function withEcsDefaults(document: DefinitionDocument): DefinitionDocument {
  const definition = structuredClone(document)
  definition.cpu = taskSize(definition.cpu, CPU_UNITS_PER_VCPU, 'vcpu')
  definition.memory = taskSize(definition.memory, MIB_PER_GB, 'gb')
  const hostPortIsContainerPort = definition.networkMode === 'awsvpc' || definition.networkMode === 'host'
  for (const container of objectList(definition.containerDefinitions)) {
    fill(container, 'cpu', 0)
    fill(container, 'essential', true)
    withoutEmptyValues(container)
    for (const mapping of objectList(container.portMappings)) {
      fill(mapping, 'protocol', 'tcp')
      // awsvpc and host: the container port; bridge (or no mode): 0, a dynamic host port.
      if (mapping.containerPort !== undefined)
        fill(mapping, 'hostPort', hostPortIsContainerPort ? mapping.containerPort : 0)
    }
    const healthCheck = asObject(container.healthCheck)
    if (healthCheck) {
      fill(healthCheck, 'interval', 30)
      fill(healthCheck, 'timeout', 5)
      fill(healthCheck, 'retries', 3)
    }
  }
  return definition
}

export const ecsModel: DefinitionModel = {
  kind: 'ecs',
  input: INPUT.taskDefinition,
  noun: 'task definition',
  // ECS's documented limit on a task definition.
  maxBytes: 64 * 1024,
  toRegisterRequest(document) {
    const request = pick(document, REGISTER_MEMBERS)
    if (Array.isArray(request.tags)) request.tags = objectList(request.tags).filter((tag) => !isAwsTag(tag.key))
    return request
  },
  withDefaults: withEcsDefaults,

  /** RegisterTaskDefinition shape, a task definition, or a whole DescribeTaskDefinition answer (tags beside it). */
  fromFile(data) {
    const record = requireObject(INPUT.taskDefinition, data, 'RegisterTaskDefinition or DescribeTaskDefinition')
    const inner = asObject(record.taskDefinition)
    if (inner) {
      const tags = Array.isArray(record.tags) && record.tags.length > 0 ? { tags: record.tags } : {}
      return ecsModel.fromFile({ ...inner, ...tags })
    }
    if (typeof record.family !== 'string' || record.family === '')
      throw new InputError(INPUT.taskDefinition, 'has no family')
    return record
  },

  nameOf: (document) => String(document.family),

  containers(definition) {
    const role = definition.executionRoleArn
    return objectList(definition.containerDefinitions).map((container, index) => ({
      id: typeof container.name === 'string' ? container.name : `#${index}`,
      container: container as ContainerLike,
      executionRoleArn: typeof role === 'string' ? role : undefined
    }))
  },

  keepTags(definition, current) {
    const currentTags = (current.tags ?? []) as TagList
    if (currentTags.length === 0) return definition
    const tags = (definition.tags ?? []) as TagList
    const given = new Set(tags.map((tag) => tag.key))
    return { ...definition, tags: [...currentTags.filter((tag) => !given.has(tag.key)), ...tags] }
  }
}
