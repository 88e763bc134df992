// Pure: the Batch job definition — its containers, the register request, the job name.
import { InputError } from '../errors.js'
import { INPUT } from '../names.js'
import type { ContainerLike, ContainerSlot } from './containers.js'
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

// The members RegisterJobDefinition takes. Everything else a describe returns (jobDefinitionArn,
// revision, status, containerOrchestrationType, and whatever AWS adds later) is output only.
const REGISTER_MEMBERS = [
  'jobDefinitionName',
  'type',
  'parameters',
  'schedulingPriority',
  'containerProperties',
  'nodeProperties',
  'retryStrategy',
  'propagateTags',
  'timeout',
  'tags',
  'platformCapabilities',
  'eksProperties',
  'ecsProperties',
  'consumableResourceProperties'
] as const

function ecsPropertiesContainers(ecsProperties: unknown, prefix = ''): ContainerSlot[] {
  return objectList(asObject(ecsProperties)?.taskProperties).flatMap((task) =>
    objectList(task.containers).map((container, index) => ({
      id: `${prefix}${typeof container.name === 'string' ? container.name : `#${index}`}`,
      container: container as ContainerLike,
      executionRoleArn: typeof task.executionRoleArn === 'string' ? task.executionRoleArn : undefined
    }))
  )
}

/**
 * The job definition as Batch describes it, with what it fills in on register filled in, and the
 * documented defaults it may or may not echo (platformCapabilities EC2, propagateTags false, no
 * public IP) taken as given, since answers vary. Evidence, with links, in
 * __tests__/fixtures/real-definitions/DEFAULTS.md: a published describe-job-definitions answer of 21
 * revisions, Terraform's normalisers and acceptance tests, and the API reference.
 */
function withBatchDefaults(document: DefinitionDocument): DefinitionDocument {
  const definition = structuredClone(document)
  if (definition.eksProperties === undefined) {
    fill(definition, 'platformCapabilities', ['EC2'])
    fill(definition, 'propagateTags', false)
  }
  // "The values aren't case sensitive" (API_EvaluateOnExit.html); answers may carry either case.
  for (const rule of objectList(asObject(definition.retryStrategy)?.evaluateOnExit)) {
    if (typeof rule.action === 'string') rule.action = rule.action.toLowerCase()
  }
  const fargate = Array.isArray(definition.platformCapabilities) && definition.platformCapabilities.includes('FARGATE')
  const container = asObject(definition.containerProperties)
  if (container && fargate) {
    const network = { ...asObject(container.networkConfiguration) }
    fill(network, 'assignPublicIp', 'DISABLED')
    const platform = { ...asObject(container.fargatePlatformConfiguration) }
    fill(platform, 'platformVersion', 'LATEST')
    Object.assign(container, { networkConfiguration: network, fargatePlatformConfiguration: platform })
  }
  const nodeContainers = objectList(asObject(definition.nodeProperties)?.nodeRangeProperties).map((range) =>
    asObject(range.container)
  )
  for (const each of [container, ...nodeContainers]) if (each) withoutEmptyValues(each)
  for (const task of objectList(asObject(definition.ecsProperties)?.taskProperties)) {
    fill(task, 'platformVersion', 'LATEST')
    for (const each of objectList(task.containers)) {
      fill(each, 'essential', true)
      withoutEmptyValues(each)
    }
  }
  return definition
}

function containerSlot(id: string, container: Record<string, unknown>): ContainerSlot {
  const role = container.executionRoleArn
  return { id, container: container as ContainerLike, executionRoleArn: typeof role === 'string' ? role : undefined }
}

export const batchModel: DefinitionModel = {
  kind: 'batch',
  input: INPUT.jobDefinition,
  noun: 'job definition',
  // Batch's documented limit on a job definition.
  maxBytes: 24 * 1024,
  toRegisterRequest(document) {
    const request = pick(document, REGISTER_MEMBERS)
    const tags = asObject(request.tags)
    if (tags) request.tags = Object.fromEntries(Object.entries(tags).filter(([key]) => !isAwsTag(key)))
    return request
  },
  withDefaults: withBatchDefaults,

  /** RegisterJobDefinition shape, one described definition, or a whole DescribeJobDefinitions answer. */
  fromFile(data) {
    const record = requireObject(INPUT.jobDefinition, data, 'RegisterJobDefinition or DescribeJobDefinitions')
    if (Array.isArray(record.jobDefinitions)) {
      if (record.jobDefinitions.length !== 1) {
        throw new InputError(
          INPUT.jobDefinition,
          `holds ${record.jobDefinitions.length} job definitions in jobDefinitions; keep exactly one`
        )
      }
      return batchModel.fromFile(record.jobDefinitions[0])
    }
    if (typeof record.jobDefinitionName !== 'string' || record.jobDefinitionName === '') {
      throw new InputError(INPUT.jobDefinition, 'has no jobDefinitionName')
    }
    return record
  },

  nameOf: (document) => String(document.jobDefinitionName),

  /** Every container, with the name `containers` uses for it (node ranges by their targetNodes). */
  containers(definition) {
    if (definition.eksProperties) {
      throw new InputError(
        INPUT.jobDefinition,
        `'${String(definition.jobDefinitionName)}' runs on EKS, where secrets are Kubernetes secrets, not SSM parameters; this action supports ECS-based Batch job definitions`
      )
    }
    const single = asObject(definition.containerProperties)
    if (single) return [containerSlot(String(definition.jobDefinitionName), single)]
    const nodeRanges = objectList(asObject(definition.nodeProperties)?.nodeRangeProperties)
    if (nodeRanges.length > 0) {
      return nodeRanges.flatMap((range) => {
        const container = asObject(range.container)
        const target = String(range.targetNodes)
        return container
          ? [containerSlot(target, container)]
          : ecsPropertiesContainers(range.ecsProperties, `${target}/`)
      })
    }
    return ecsPropertiesContainers(definition.ecsProperties)
  },

  keepTags(definition, current) {
    const currentTags = asObject(current.tags)
    return currentTags ? { ...definition, tags: { ...currentTags, ...asObject(definition.tags) } } : definition
  }
}

export type JobDefinitionDocument = DefinitionDocument

const JOB_NAME_LIMIT = 128

/** Batch job names: up to 128 letters, numbers, hyphens and underscores, alphanumeric first. */
export function cleanJobName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z0-9]+/, '')
  return (cleaned || 'job').slice(0, JOB_NAME_LIMIT)
}

export function isJobName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(name)
}
