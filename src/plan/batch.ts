// Pure: the Batch job definition — its containers, the register request, the job name.
import {
  chooseContainers,
  containerChanges,
  DefinitionError,
  rewriteContainer,
  sameDefinition,
  type ContainerLike,
  type ContainerSlot,
  type RewriteOptions
} from './containers.js'

export type JobDefinitionDocument = Record<string, unknown>

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

/** The RegisterJobDefinition request for a definition in either shape. */
export function toRegisterRequest(document: JobDefinitionDocument): JobDefinitionDocument {
  const request: JobDefinitionDocument = {}
  for (const member of REGISTER_MEMBERS) {
    if (document[member] !== undefined && document[member] !== null) request[member] = structuredClone(document[member])
  }
  return request
}

/** A definition file: RegisterJobDefinition shape, one described definition, or a whole describe answer. */
export function definitionFromFile(data: unknown): JobDefinitionDocument {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new DefinitionError('must hold a JSON object (RegisterJobDefinition or DescribeJobDefinitions shape)')
  }
  const record = data as Record<string, unknown>
  if (Array.isArray(record.jobDefinitions)) {
    if (record.jobDefinitions.length !== 1) {
      throw new DefinitionError(
        `holds ${record.jobDefinitions.length} job definitions in jobDefinitions; keep exactly one`
      )
    }
    return definitionFromFile(record.jobDefinitions[0])
  }
  if (typeof record.jobDefinitionName !== 'string' || record.jobDefinitionName === '') {
    throw new DefinitionError('has no jobDefinitionName')
  }
  return record
}

function object(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((item) => object(item) !== undefined) : []
}

function ecsSlots(ecsProperties: unknown, prefix = ''): ContainerSlot[] {
  return list(object(ecsProperties)?.taskProperties).flatMap((task) =>
    list(task.containers).map((container, index) => ({
      id: `${prefix}${typeof container.name === 'string' ? container.name : `#${index}`}`,
      container: container as ContainerLike,
      executionRoleArn: typeof task.executionRoleArn === 'string' ? task.executionRoleArn : undefined
    }))
  )
}

/** Every container of the definition, with the name `containers` uses for it. */
export function batchContainers(definition: JobDefinitionDocument): ContainerSlot[] {
  if (definition.eksProperties) {
    throw new DefinitionError(
      `Input 'job-definition': '${String(definition.jobDefinitionName)}' runs on EKS, where secrets are Kubernetes secrets, not SSM parameters; this action supports ECS-based Batch job definitions`
    )
  }
  const single = object(definition.containerProperties)
  if (single) {
    return [
      {
        id: String(definition.jobDefinitionName),
        container: single as ContainerLike,
        executionRoleArn: single.executionRoleArn as string | undefined
      }
    ]
  }
  const nodeRanges = list(object(definition.nodeProperties)?.nodeRangeProperties)
  if (nodeRanges.length > 0) {
    return nodeRanges.flatMap((range) => {
      const container = object(range.container)
      const target = String(range.targetNodes)
      if (container)
        return [
          {
            id: target,
            container: container as ContainerLike,
            executionRoleArn: container.executionRoleArn as string | undefined
          }
        ]
      return ecsSlots(range.ecsProperties, `${target}/`)
    })
  }
  return ecsSlots(definition.ecsProperties)
}

/** Writes rewritten containers back into a copy of the definition, at the same places. */
function replaceContainers(
  definition: JobDefinitionDocument,
  rewritten: Map<ContainerLike, ContainerLike>
): JobDefinitionDocument {
  const swap = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(swap)
    if (value !== null && typeof value === 'object') {
      const replacement = rewritten.get(value as ContainerLike)
      if (replacement) return replacement
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, swap(inner)]))
    }
    return value
  }
  return swap(definition) as JobDefinitionDocument
}

export interface DefinitionPlan<T> {
  definition: T
  /** False when the rewritten definition equals the current one (order of secrets aside). */
  changed: boolean
  /** The containers that got the secrets. */
  containers: ContainerSlot[]
  /** What changed in each chosen container, one line per secret (names and ARNs, never values). */
  changes: string[]
  warnings: string[]
}

export interface BatchPlanOptions extends RewriteOptions {
  /** The register request to start from: the current definition, or the file's. */
  source: JobDefinitionDocument
  /** The current ACTIVE definition in AWS (register shape), when there is one. */
  current: JobDefinitionDocument | undefined
  containers: readonly string[] | undefined
}

export function planBatchDefinition(options: BatchPlanOptions): DefinitionPlan<JobDefinitionDocument> {
  const source = toRegisterRequest(options.source)
  const chosen = chooseContainers(batchContainers(source), options.containers)
  const warnings: string[] = []
  const changes: string[] = []
  const rewritten = new Map<ContainerLike, ContainerLike>()
  for (const slot of chosen) {
    const result = rewriteContainer(slot, options)
    rewritten.set(slot.container, result.container)
    warnings.push(...result.warnings)
    changes.push(...containerChanges(slot.id, slot.container, result.container))
  }
  const definition = replaceContainers(source, rewritten)
  // The current definition's tags are kept: a file without tags does not drop them.
  const currentTags = object(options.current?.tags)
  if (currentTags) definition.tags = { ...currentTags, ...object(definition.tags) }
  const changed = options.current === undefined || !sameDefinition(definition, toRegisterRequest(options.current))
  return { definition, changed, containers: chosen, changes, warnings }
}

const JOB_NAME_LIMIT = 128

/** Batch job names: up to 128 letters, numbers, hyphens and underscores, alphanumeric first. */
export function cleanJobName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z0-9]+/, '')
  return (cleaned || 'job').slice(0, JOB_NAME_LIMIT)
}

export function isJobName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(name)
}
