// Pure: what Batch job definitions and ECS task definitions have in common for this action —
// read a file, find the containers, rewrite them, compare with the current revision.
import {
  canonical,
  chooseContainers,
  compareText,
  containerChanges,
  rewriteContainer,
  sameDefinition,
  type ContainerLike,
  type ContainerSlot,
  type RewriteOptions
} from './containers.js'
import type { DescribedDefinition } from '../aws/definition-store.js'
import { InputError } from '../errors.js'
import type { InputName } from '../names.js'

export type DefinitionDocument = Record<string, unknown>
export type DefinitionKind = 'batch' | 'ecs'

/** The service-specific shape of a definition. */
export interface DefinitionModel {
  kind: DefinitionKind
  /** The input that names it: job-definition or task-definition. */
  input: InputName
  /** 'job definition' or 'task definition', for messages. */
  noun: string
  /** The largest register request the service accepts, in bytes of JSON. */
  maxBytes: number
  /** The register request for a definition in register or describe shape. */
  toRegisterRequest(document: DefinitionDocument): DefinitionDocument
  /**
   * A copy of a register request with the defaults the service fills in when it describes the
   * registered revision, so that a file that leaves them out compares equal to its revision.
   */
  withDefaults(document: DefinitionDocument): DefinitionDocument
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

/** Sets `key` when it is missing (undefined or null), as the service does on describe. */
export function fill(record: Record<string, unknown>, key: string, value: unknown): void {
  if (record[key] === undefined || record[key] === null) record[key] = value
}

/**
 * Environment entries without a value: ECS and Batch drop them on register
 * (hashicorp/terraform-provider-aws#39533; Batch: its acceptance test ContainerProperties_EmptyField).
 */
export function withoutEmptyValues(container: Record<string, unknown>): void {
  if (Array.isArray(container.environment)) {
    container.environment = objectList(container.environment).filter(
      (entry) => entry.value !== undefined && entry.value !== null && entry.value !== ''
    )
  }
}

/**
 * Tags under the `aws:` prefix are AWS's own (CloudFormation puts `aws:cloudformation:stack-name` on
 * what it creates): describe returns them, register refuses them ("reserved for AWS use", the Tag
 * reference of ECS and Batch), and AWS adds them again itself.
 */
export function isAwsTag(key: unknown): boolean {
  return typeof key === 'string' && key.toLowerCase().startsWith('aws:')
}

export function pick(document: DefinitionDocument, members: readonly string[]): DefinitionDocument {
  const picked: DefinitionDocument = {}
  for (const member of members) {
    if (document[member] !== undefined && document[member] !== null) picked[member] = structuredClone(document[member])
  }
  return picked
}

/** A definition file must hold one JSON object with a name. */
export function requireObject(input: InputName, data: unknown, shapes: string): Record<string, unknown> {
  const record = asObject(data)
  if (!record) throw new InputError(input, `must hold a JSON object (${shapes} shape)`)
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

export interface DefinitionState {
  model: DefinitionModel
  name: string
  /** The definition to start from: the file's, or the current one. */
  source: DefinitionDocument
  /** The revision in AWS that the rewrite is compared with, when there is one. */
  current: DescribedDefinition | undefined
}

export interface DefinitionPlan {
  definition: DefinitionDocument
  /** False when the rewritten definition equals the current one, modulo the service's defaults. */
  changed: boolean
  /** The containers that got the secrets. */
  containers: ContainerSlot[]
  /**
   * What registering it changes against the current revision (against the file when there is
   * none): one line per secret, and one per other member that differs (names, never values).
   */
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

/** The register request as the service would describe it, in the form that compares. */
function comparable(model: DefinitionModel, document: DefinitionDocument): unknown {
  return canonical(model.withDefaults(document))
}

/** Whether two definitions (register or describe shape) are the same, modulo the service's defaults. */
export function sameRevision(model: DefinitionModel, a: DefinitionDocument, b: DefinitionDocument): boolean {
  return sameDefinition(comparable(model, model.toRegisterRequest(a)), comparable(model, model.toRegisterRequest(b)))
}

export function planDefinitionRewrite(options: DefinitionPlanOptions): DefinitionPlan {
  const { model } = options
  const source = model.toRegisterRequest(options.source)
  const current = options.current ? model.toRegisterRequest(options.current) : undefined
  const chosen = chooseContainers(model.containers(source), options.containers)
  const currentContainers = new Map(current ? model.containers(current).map((slot) => [slot.id, slot.container]) : [])
  const warnings: string[] = []
  const changes: string[] = []
  const rewritten = new Map<ContainerLike, ContainerLike>()
  for (const slot of chosen) {
    const result = rewriteContainer(slot, options)
    rewritten.set(slot.container, result.container)
    warnings.push(...result.warnings)
    const before = current ? (currentContainers.get(slot.id) ?? {}) : slot.container
    changes.push(...containerChanges(slot.id, before, result.container))
  }
  let definition = replaceContainers(source, rewritten)
  if (current) definition = model.keepTags(definition, current)
  const changed = current === undefined || !sameDefinition(comparable(model, definition), comparable(model, current))
  if (changed && current) {
    const secretNames = new Set(options.secrets.map((secret) => secret.name))
    const chosenIds = new Set(chosen.map((slot) => slot.id))
    const withoutSecrets = (document: DefinitionDocument) =>
      comparable(model, withoutReferences(model, document, chosenIds, secretNames))
    changes.push(...memberChanges(withoutSecrets(current), withoutSecrets(definition)))
  }
  const bytes = Buffer.byteLength(JSON.stringify(definition))
  if (changed && bytes > model.maxBytes) {
    throw new InputError(
      model.input,
      `with these secrets the ${model.noun} would be ${bytes} bytes; AWS accepts at most ${model.maxBytes}. Give the secrets to fewer containers, or sync fewer names`
    )
  }
  return { definition, changed, containers: chosen, changes, warnings }
}

/**
 * A copy without what the per-secret lines already show: the chosen containers' secrets and log
 * secret options, and their environment entries named like a secret of this run (the rewrite drops
 * those).
 */
function withoutReferences(
  model: DefinitionModel,
  document: DefinitionDocument,
  chosenIds: ReadonlySet<string>,
  secretNames: ReadonlySet<string>
): DefinitionDocument {
  const copy = structuredClone(document)
  for (const { id, container } of model.containers(copy)) {
    if (!chosenIds.has(id)) continue
    delete container.secrets
    if (container.logConfiguration) delete container.logConfiguration.secretOptions
    if (container.environment) {
      container.environment = container.environment.filter((entry) => !secretNames.has(entry.name ?? ''))
    }
  }
  return copy
}

/** Lists by name where their items have one: `containerDefinitions[app].image`. */
function itemLabel(item: unknown, index: number): string {
  const name = asObject(item)?.name
  return typeof name === 'string' ? name : String(index)
}

/** One `~ path` line per member that differs between two canonical documents. */
function memberChanges(before: unknown, after: unknown, path = ''): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return []
  const beforeObject = asObject(before)
  const afterObject = asObject(after)
  if (beforeObject && afterObject) {
    const keys = [...new Set([...Object.keys(beforeObject), ...Object.keys(afterObject)])].sort(compareText)
    return keys.flatMap((key) => {
      const inner = path ? `${path}.${key}` : key
      if (!(key in beforeObject)) return [`+ ${inner}`]
      if (!(key in afterObject)) return [`- ${inner}`]
      return memberChanges(beforeObject[key], afterObject[key], inner)
    })
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, index) =>
      memberChanges(item, after[index], `${path}[${itemLabel(after[index], index)}]`)
    )
  }
  return [`~ ${path}`]
}
