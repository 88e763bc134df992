import type { SourceEntry } from '../inputs/source.js'
import { ADVANCED_VALUE_LIMIT, STANDARD_VALUE_LIMIT } from './rules.js'

export type TierChoice = 'auto' | 'Standard' | 'Advanced' | 'Intelligent-Tiering'
export type ParameterType = 'SecureString' | 'String'
export type ParameterStatus = 'created' | 'updated' | 'unchanged' | 'deleted'

/** What Parameter Store holds now for one name (from GetParameters, decrypted). */
export interface CurrentParameter {
  name: string
  value: string
  type: string
  version: number
  arn: string
}

/** A managed parameter found under the path (from DescribeParameters), a prune candidate. */
export interface ManagedParameter {
  name: string
  type: string
  version: number
  arn: string
}

export interface ParameterChange {
  /** The source name (secret or variable), absent for deletions. */
  key?: string
  name: string
  status: ParameterStatus
  type: string
  /** Only for created/updated: what PutParameter sends. */
  value?: string
  tier?: Exclude<TierChoice, 'auto'>
  /** The version before this run, when the parameter exists. */
  version?: number
  arn?: string
}

export interface ParameterPlanOptions {
  entries: SourceEntry[]
  path: string
  tier: TierChoice
  current: ReadonlyMap<string, CurrentParameter>
  /** Managed parameters directly under `path`; only given when pruning. */
  managed?: readonly ManagedParameter[]
}

export function parameterName(path: string, key: string): string {
  return `${path}${key}`
}

export function typeOf(entry: SourceEntry): ParameterType {
  return entry.kind === 'secrets' ? 'SecureString' : 'String'
}

/** Returns why `value` cannot be stored with `tier`, or undefined. Never includes the value. */
export function valueSizeProblem(value: string, tier: TierChoice): string | undefined {
  if (value.length === 0) return 'is empty; Parameter Store cannot store an empty value'
  const limit = tier === 'Standard' ? STANDARD_VALUE_LIMIT : ADVANCED_VALUE_LIMIT
  if (value.length <= limit) return undefined
  const hint =
    tier === 'Standard'
      ? `; use tier 'auto' or 'Advanced' for values up to ${ADVANCED_VALUE_LIMIT}`
      : '; store it in Secrets Manager (64 KB) and pass it through `references`'
  return `is ${value.length} characters; the ${tier === 'Standard' ? 'Standard' : 'Advanced'} tier allows at most ${limit}${hint}`
}

/**
 * The tier a write sends. For `auto`, an existing parameter gets Intelligent-Tiering below the
 * Standard limit: Parameter Store keeps an Advanced parameter Advanced (it can never be
 * downgraded) and GetParameters does not tell us the current tier.
 */
export function tierFor(value: string, tier: TierChoice, exists: boolean): Exclude<TierChoice, 'auto'> {
  if (tier !== 'auto') return tier
  if (value.length > STANDARD_VALUE_LIMIT) return 'Advanced'
  return exists ? 'Intelligent-Tiering' : 'Standard'
}

/** Compares the desired entries with what exists; pure. */
export function planParameters(options: ParameterPlanOptions): ParameterChange[] {
  const { entries, path, tier, current, managed } = options
  const changes: ParameterChange[] = entries.map((entry) => {
    const name = parameterName(path, entry.key)
    const type = typeOf(entry)
    const existing = current.get(name)
    if (existing && existing.value === entry.value && existing.type === type) {
      return { key: entry.key, name, status: 'unchanged', type, version: existing.version, arn: existing.arn }
    }
    const write: ParameterChange = {
      key: entry.key,
      name,
      status: existing ? 'updated' : 'created',
      type,
      value: entry.value,
      tier: tierFor(entry.value, tier, existing !== undefined)
    }
    if (existing) {
      write.version = existing.version
      write.arn = existing.arn
    }
    return write
  })
  const desired = new Set(changes.map((change) => change.name))
  for (const parameter of managed ?? []) {
    // Prune only direct children of the path: deeper levels may belong to another workflow's path.
    const isDirectChild = parameter.name.startsWith(path) && !parameter.name.slice(path.length).includes('/')
    if (isDirectChild && !desired.has(parameter.name)) {
      changes.push({
        name: parameter.name,
        status: 'deleted',
        type: parameter.type,
        version: parameter.version,
        arn: parameter.arn
      })
    }
  }
  return changes
}
