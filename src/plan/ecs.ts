// Pure: the ECS task definition — its containers and the register request.
import { DefinitionError, type ContainerLike } from './containers.js'
import { asObject, objectList, pick, requireObject, type DefinitionModel } from './definitions.js'

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

export const ecsModel: DefinitionModel = {
  kind: 'ecs',
  input: 'task-definition',
  noun: 'task definition',
  // ECS's documented limit on a task definition.
  maxBytes: 64 * 1024,
  toRegisterRequest: (document) => pick(document, REGISTER_MEMBERS),

  /** RegisterTaskDefinition shape, a task definition, or a whole DescribeTaskDefinition answer (tags beside it). */
  fromFile(data) {
    const record = requireObject(data, 'RegisterTaskDefinition or DescribeTaskDefinition')
    const inner = asObject(record.taskDefinition)
    if (inner) {
      const tags = Array.isArray(record.tags) && record.tags.length > 0 ? { tags: record.tags } : {}
      return ecsModel.fromFile({ ...inner, ...tags })
    }
    if (typeof record.family !== 'string' || record.family === '') throw new DefinitionError('has no family')
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
