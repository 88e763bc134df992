// Pure: put secret references into chosen containers of a Batch or ECS definition.
import { InputError } from '../errors.js'
import { INPUT } from '../names.js'

export interface SecretRef {
  name: string
  valueFrom: string
}

export interface EnvironmentEntry {
  name?: string
  value?: string
}

/** The members of a Batch or ECS container that this rewrite touches; the rest is carried as is. */
export interface ContainerLike {
  secrets?: SecretRef[]
  environment?: EnvironmentEntry[]
  logConfiguration?: { logDriver?: string; secretOptions?: SecretRef[] } & Record<string, unknown>
  [member: string]: unknown
}

/** One container of a definition, as found by the service-specific code. */
export interface ContainerSlot {
  /** How the user names it in `containers`: the container name, or a node range for multi-node jobs. */
  id: string
  container: ContainerLike
  executionRoleArn: string | undefined
}

/** Picks the containers that get the secrets: all of them with `*`, one without a choice. */
export function chooseContainers(
  slots: readonly ContainerSlot[],
  chosen: readonly string[] | undefined
): ContainerSlot[] {
  if (slots.length === 0) throw new Error('the definition has no container to put secrets into')
  const ids = slots.map((slot) => `'${slot.id}'`).join(', ')
  if (chosen === undefined || chosen.length === 0) {
    if (slots.length === 1) return [...slots]
    throw new InputError(
      INPUT.containers,
      `the definition has ${slots.length} containers (${ids}); name the ones that get the secrets, or '*' for all`
    )
  }
  if (chosen.includes('*')) return [...slots]
  return chosen.map((id) => {
    const slot = slots.find((candidate) => candidate.id === id)
    if (!slot) throw new InputError(INPUT.containers, `no container '${id}' in the definition; it has ${ids}`)
    return slot
  })
}

export interface RewriteOptions {
  /** Secret references to put in every chosen container, sorted by name. */
  secrets: readonly SecretRef[]
  /** logConfiguration.secretOptions entries (OPTION → valueFrom). */
  logSecretOptions: readonly SecretRef[]
  /** With prune: whether an existing secret points at a parameter the action no longer syncs. */
  isStale: (valueFrom: string) => boolean
}

/** Returns a rewritten copy of the container and the warnings worth showing (names only). */
export function rewriteContainer(
  slot: ContainerSlot,
  options: RewriteOptions
): { container: ContainerLike; warnings: string[] } {
  const warnings: string[] = []
  const container: ContainerLike = { ...slot.container }
  const ours = new Set(options.secrets.map((secret) => secret.name))
  const kept = (slot.container.secrets ?? []).filter((secret) => {
    if (ours.has(secret.name)) return false
    const stale = options.isStale(secret.valueFrom)
    if (stale)
      warnings.push(`container '${slot.id}': removed secret ${secret.name}, whose parameter is no longer synced`)
    return !stale
  })
  container.secrets = [...kept, ...options.secrets.map((secret) => ({ ...secret }))]

  if (slot.container.environment?.some((entry) => entry.name !== undefined && ours.has(entry.name))) {
    container.environment = slot.container.environment.filter((entry) => {
      const clash = entry.name !== undefined && ours.has(entry.name)
      if (clash) warnings.push(`container '${slot.id}': removed plain environment variable ${entry.name}, now a secret`)
      return !clash
    })
  }

  if (options.logSecretOptions.length > 0) {
    const log = slot.container.logConfiguration
    if (!log?.logDriver) {
      throw new InputError(
        INPUT.logSecretOptions,
        `container '${slot.id}' has no logConfiguration.logDriver to pass them to`
      )
    }
    const optionNames = new Set(options.logSecretOptions.map((option) => option.name))
    container.logConfiguration = {
      ...log,
      secretOptions: [
        ...(log.secretOptions ?? []).filter((option) => !optionNames.has(option.name)),
        ...options.logSecretOptions.map((option) => ({ ...option }))
      ]
    }
  }
  return { container, warnings }
}

// Definitions downloaded from the console carry `"secrets": null` and the like.
function referenceLines(
  label: string,
  before: readonly SecretRef[] | null | undefined,
  after: readonly SecretRef[] | null | undefined
): string[] {
  const old = new Map((before ?? []).map((entry) => [entry.name, entry.valueFrom]))
  const updated = new Map((after ?? []).map((entry) => [entry.name, entry.valueFrom]))
  const lines: string[] = []
  for (const [name, valueFrom] of updated) {
    const previous = old.get(name)
    if (previous === undefined) lines.push(`+ ${label} ${name} → ${valueFrom}`)
    else if (previous !== valueFrom) lines.push(`~ ${label} ${name} → ${valueFrom} (was ${previous})`)
  }
  for (const name of old.keys()) if (!updated.has(name)) lines.push(`- ${label} ${name}`)
  return lines
}

/** One line per secret, secret option or environment entry that the rewrite changed in a container. */
export function containerChanges(id: string, before: ContainerLike, after: ContainerLike): string[] {
  const lines = [
    ...referenceLines('secret', before.secrets, after.secrets),
    ...referenceLines(
      'log secret option',
      before.logConfiguration?.secretOptions,
      after.logConfiguration?.secretOptions
    )
  ]
  const remaining = new Set((after.environment ?? []).map((entry) => entry.name))
  for (const entry of before.environment ?? []) {
    if (entry.name !== undefined && !remaining.has(entry.name)) lines.push(`- environment ${entry.name}`)
  }
  return lines.map((line) => `container '${id}': ${line}`)
}

/** Code-unit order: stable everywhere, and free of the ICU start-up localeCompare costs. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

// Lists whose order means nothing. ECS may return environment in another order than registered
// (hashicorp/terraform-provider-aws#2336); ecspresso compares mount points, port mappings and
// volumesFrom without order too.
const ORDER_FREE_LISTS = new Set([
  'secrets',
  'secretOptions',
  'environment',
  'mountPoints',
  'portMappings',
  'volumesFrom'
])

/**
 * A stable form for comparing definitions: keys sorted, empty values dropped (AWS fills in empty
 * lists on describe), and lists whose order means nothing sorted by name.
 */
export function canonical(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => canonical(item))
    if (ORDER_FREE_LISTS.has(key)) {
      items.sort((a, b) => compareText(JSON.stringify(a), JSON.stringify(b)))
    }
    return items
  }
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {}
    for (const member of Object.keys(value).sort()) {
      const inner = canonical((value as Record<string, unknown>)[member], member)
      if (isEmpty(inner)) continue
      result[member] = inner
    }
    return result
  }
  return value
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true
  if (Array.isArray(value)) return value.length === 0
  return typeof value === 'object' && Object.keys(value as object).length === 0
}

export function sameDefinition(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
}
