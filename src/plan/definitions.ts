// Pure: what Batch job definitions and ECS task definitions have in common for this action —
// read a file, find the containers, rewrite them, compare with the current revision.
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

export type DefinitionDocument = Record<string, unknown>
export type DefinitionKind = 'batch' | 'ecs'

/** The service-specific shape of a definition. */
export interface DefinitionModel {
  kind: DefinitionKind
  /** The input that names it: 'job-definition' or 'task-definition'. */
  input: string
  /** 'job definition' or 'task definition', for messages. */
  noun: string
  /** The largest register request the service accepts, in bytes of JSON. */
  maxBytes: number
  /** The register request for a definition in register or describe shape. */
  toRegisterRequest(document: DefinitionDocument): DefinitionDocument
  /** The definition in a file, in any shape the service's API uses. */
  fromFile(data: unknown): DefinitionDocument
  /** Its name: the Batch job definition name or the ECS family. */
  nameOf(document: DefinitionDocument): string
  containers(definition: DefinitionDocument): ContainerSlot[]
  /** The current definition's tags merged under the new one's, so a file without tags drops none. */
  keepTags(definition: DefinitionDocument, current: DefinitionDocument): DefinitionDocument
}

export function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

export function objectList(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((item) => asObject(item) !== undefined) : []
}

export function pick(document: DefinitionDocument, members: readonly string[]): DefinitionDocument {
  const picked: DefinitionDocument = {}
  for (const member of members) {
    if (document[member] !== undefined && document[member] !== null) picked[member] = structuredClone(document[member])
  }
  return picked
}

/** A definition file must hold one JSON object with a name. */
export function requireObject(data: unknown, shapes: string): Record<string, unknown> {
  const record = asObject(data)
  if (!record) throw new DefinitionError(`must hold a JSON object (${shapes} shape)`)
  return record
}

/** Writes rewritten containers back into a copy of the definition, at the same places. */
function replaceContainers(
  definition: DefinitionDocument,
  rewritten: Map<ContainerLike, ContainerLike>
): DefinitionDocument {
  const swap = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(swap)
    if (value !== null && typeof value === 'object') {
      const replacement = rewritten.get(value as ContainerLike)
      if (replacement) return replacement
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, swap(inner)]))
    }
    return value
  }
  return swap(definition) as DefinitionDocument
}

export interface DefinitionPlan {
  definition: DefinitionDocument
  /** False when the rewritten definition equals the current one (order of secrets aside). */
  changed: boolean
  /** The containers that got the secrets. */
  containers: ContainerSlot[]
  /** What changed in each chosen container, one line per secret (names and ARNs, never values). */
  changes: string[]
  warnings: string[]
}

export interface DefinitionPlanOptions extends RewriteOptions {
  model: DefinitionModel
  /** The definition to start from (any shape): the current one, or the file's. */
  source: DefinitionDocument
  /** The current ACTIVE definition in AWS, when there is one. */
  current: DefinitionDocument | undefined
  containers: readonly string[] | undefined
}

export function planDefinitionRewrite(options: DefinitionPlanOptions): DefinitionPlan {
  const { model } = options
  const source = model.toRegisterRequest(options.source)
  const chosen = chooseContainers(model.containers(source), options.containers)
  const warnings: string[] = []
  const changes: string[] = []
  const rewritten = new Map<ContainerLike, ContainerLike>()
  for (const slot of chosen) {
    const result = rewriteContainer(slot, options)
    rewritten.set(slot.container, result.container)
    warnings.push(...result.warnings)
    changes.push(...containerChanges(slot.id, slot.container, result.container))
  }
  const current = options.current ? model.toRegisterRequest(options.current) : undefined
  let definition = replaceContainers(source, rewritten)
  if (current) definition = model.keepTags(definition, current)
  const changed = current === undefined || !sameDefinition(definition, current)
  const bytes = Buffer.byteLength(JSON.stringify(definition))
  if (changed && bytes > model.maxBytes) {
    throw new DefinitionError(
      `Input '${model.input}': with these secrets the ${model.noun} would be ${bytes} bytes; AWS accepts at most ${model.maxBytes}. Give the secrets to fewer containers, or sync fewer names`
    )
  }
  return { definition, changed, containers: chosen, changes, warnings }
}
