import * as core from '@actions/core'
import { runContext, type RunContext } from '../context.js'
import { InputError, InputErrors } from '../errors.js'
import {
  isEnvName,
  isRegion,
  kmsKeyProblem,
  parameterNameProblem,
  pathProblem,
  tagProblem,
  USER_TAG_LIMIT,
  type Tag
} from '../plan/rules.js'
import { INPUT, type InputName } from '../names.js'
import { parseValueMap, selectEntries, type SourceEntry, type SourceKind } from './source.js'
import { readDefinition, type DefinitionRequest } from './definition.js'
import { readLaunch, type LaunchRequest } from './launch.js'
import { booleanInput, choiceInput, keyValueLines, listInput, optionalInput, rawInput } from './read.js'

export type { DefinitionRequest, DefinitionSource } from './definition.js'
export type { LaunchRequest, LaunchTarget } from './launch.js'
import { parameterName, valueSizeProblem, type TierChoice } from '../plan/parameters.js'
import { parseReference, type Reference } from './references.js'
import type { PreflightMode } from '../plan/preflight.js'

/** Everything the action was asked to do, validated. */
export interface ActionRequest {
  /** Selected secrets and variables; every value already registered as a secret mask. */
  entries: SourceEntry[]
  /** Parameter prefix ending in '/'; empty only when nothing is synced. */
  path: string
  /** KMS key for SecureString parameters; undefined means AWS's alias/aws/ssm. */
  kmsKeyId: string | undefined
  tier: TierChoice
  /** User tags; the managed-by tag is added by the sync. */
  tags: Tag[]
  /** Delete managed parameters directly under `path` that are no longer in the input. */
  prune: boolean
  /** Existing secrets to reference without syncing (used by the definition stages). */
  references: Reference[]
  region: string
  dryRun: boolean
  /** Read-only checks before any write: stop on a failed one (`true`), also on one that cannot be made (`strict`), or none. */
  preflight: PreflightMode
  /** The Batch job definition or ECS task definition to rewrite, when one is given. */
  definition: DefinitionRequest | undefined
  /** What to launch with it: a Batch job, an ECS service deployment or an ECS task. */
  launch: LaunchRequest | undefined
  context: RunContext
  /** Things worth saying that are not errors. */
  warnings: string[]
}

const TIERS: readonly TierChoice[] = ['auto', 'Standard', 'Advanced', 'Intelligent-Tiering']

/** Parses a map input and registers every value as a mask before anything else can log. */
async function readValueMap(kind: SourceKind): Promise<SourceEntry[]> {
  const entries = await parseValueMap(rawInput(kind), kind)
  if (kind === INPUT.secrets) for (const entry of entries) maskValue(entry.value)
  return entries
}

/** Masks the whole value and each of its lines: the runner masks line by line in logs. */
export function maskValue(value: string): void {
  if (value.trim() === '') return
  core.setSecret(value)
  const lines = value.split(/\r?\n/)
  if (lines.length > 1) {
    for (const line of lines) if (line.trim() !== '') core.setSecret(line)
  }
}

function readPath(region: string): string | undefined {
  const path = optionalInput(INPUT.path)
  if (path === undefined) return undefined
  const problem = pathProblem(path)
  if (problem) throw new InputError(INPUT.path, `'${path}' ${problem}`)
  const prefix = path.endsWith('/') ? path : `${path}/`
  // A path too deep or too long for even a one-letter name is the path's fault, not the names'.
  const noRoom = parameterNameProblem(`${prefix}X`, region)
  if (noRoom) throw new InputError(INPUT.path, `a parameter name under it ${noRoom}. Use a shorter path`)
  return prefix
}

function readRegion(): string {
  const region = optionalInput(INPUT.region) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION
  if (!region) {
    throw new InputError(
      INPUT.region,
      'no region given. Set the region input, or AWS_REGION (aws-actions/configure-aws-credentials sets it)'
    )
  }
  if (!isRegion(region)) throw new InputError(INPUT.region, `'${region}' is not an AWS region such as us-east-1`)
  return region
}

function readKmsKeyId(): string | undefined {
  const keyId = optionalInput(INPUT.kmsKeyId)
  if (keyId === undefined) return undefined
  const problem = kmsKeyProblem(keyId)
  if (problem) throw new InputError(INPUT.kmsKeyId, problem)
  return keyId
}

function readTags(): Tag[] {
  const tags = keyValueLines(INPUT.tags, { check: tagProblem })
  if (tags.length > USER_TAG_LIMIT) {
    throw new InputError(
      INPUT.tags,
      `${tags.length} tags given; at most ${USER_TAG_LIMIT} (Parameter Store allows 50, one is managed-by)`
    )
  }
  return tags
}

function readReferences(): Reference[] {
  return keyValueLines(INPUT.references, { form: 'NAME=valueFrom' }).map(({ key, value }) => {
    const reference = parseReference(`${key}=${value}`)
    if (typeof reference === 'string') throw new InputError(INPUT.references, reference)
    return reference
  })
}

function selectSources(secrets: SourceEntry[], variables: SourceEntry[], warnings: string[]): SourceEntry[] {
  const secretKeys = new Set(secrets.map((entry) => entry.key))
  const clash = variables.find((entry) => secretKeys.has(entry.key))
  if (clash) {
    throw new InputError(INPUT.variables, `'${clash.key}' is also in secrets; a name may come from one of them only`)
  }
  const include = listInput(INPUT.include)
  const exclude = listInput(INPUT.exclude)
  const { selected, unmatchedPatterns, missingNames } = selectEntries([...secrets, ...variables], { include, exclude })
  if (missingNames.length > 0) {
    throw new InputError(
      INPUT.include,
      `${missingNames.map((name) => `'${name}'`).join(', ')} not found in secrets or variables. Is it defined for this repository or environment?`
    )
  }
  for (const pattern of unmatchedPatterns) warnings.push(`include pattern '${pattern}' matched no secret or variable`)
  return selected
}

/**
 * Reads and validates every input, before any AWS call. Every bad input is found in one pass: one
 * is thrown as an InputError, several as InputErrors. A check that depends on an input that is
 * already wrong is skipped, so that one mistake is not reported twice.
 */
export async function readInputs(): Promise<ActionRequest> {
  const warnings: string[] = []
  const problems: InputError[] = []
  const note = <T>(error: unknown, fallback: T): T => {
    if (!(error instanceof InputError)) throw error
    problems.push(error)
    return fallback
  }
  const checked = <T>(read: () => T, fallback: T): T => {
    try {
      return read()
    } catch (error) {
      return note(error, fallback)
    }
  }
  const failed = (...inputs: InputName[]) => problems.some((problem) => inputs.includes(problem.input))
  const secrets = await readValueMap(INPUT.secrets).catch((error: unknown) => note(error, []))
  const variables = await readValueMap(INPUT.variables).catch((error: unknown) => note(error, []))
  const entries = checked(() => selectSources(secrets, variables, warnings), [])
  const sourcesRead = !failed(INPUT.secrets, INPUT.variables, INPUT.include)
  const tier = checked(() => choiceInput(INPUT.tier, TIERS, 'auto'), 'auto')
  const region = checked(readRegion, 'us-east-1')
  const prune = checked(() => booleanInput(INPUT.prune, false), false)
  const path = checked(() => readPath(region), undefined)

  if (path === undefined && !failed(INPUT.path) && (entries.length > 0 || prune)) {
    problems.push(new InputError(INPUT.path, `is required to sync secrets or variables, e.g. '/prod/billing/'`))
  }
  if (prune && entries.length === 0 && sourcesRead) {
    problems.push(
      new InputError(
        INPUT.prune,
        'is true but no secret or variable was selected; that would delete every managed parameter under the path. Check secrets/include, or set prune: false'
      )
    )
  }
  if ((secrets.length > 0 || variables.length > 0) && entries.length === 0 && sourcesRead) {
    warnings.push('include/exclude selected no secret or variable; nothing will be synced')
  }
  for (const entry of failed(INPUT.region, INPUT.tier, INPUT.path) ? [] : entries) {
    if (!isEnvName(entry.key)) {
      problems.push(
        new InputError(entry.kind, `'${entry.key}' is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)`)
      )
      continue
    }
    const nameProblem = parameterNameProblem(parameterName(path ?? '', entry.key), region)
    if (nameProblem) problems.push(new InputError(entry.kind, `parameter name for '${entry.key}' ${nameProblem}`))
    const sizeProblem = valueSizeProblem(entry.value, tier)
    if (sizeProblem) problems.push(new InputError(entry.kind, `the value of '${entry.key}' ${sizeProblem}`))
  }

  const references = checked(readReferences, [])
  const referenced = references.find((reference) => entries.some((entry) => entry.key === reference.name))
  if (referenced) {
    problems.push(
      new InputError(
        INPUT.references,
        `'${referenced.name}' is also synced from ${INPUT.secrets}/${INPUT.variables}; use one of them`
      )
    )
  }

  const secretNames = new Set([...entries.map((entry) => entry.key), ...references.map((reference) => reference.name)])
  const before = problems.length
  const definition =
    sourcesRead && !failed(INPUT.references) ? checked(() => readDefinition(secretNames), undefined) : undefined
  // What is launched depends on the definition: not read when it is wrong.
  const launch = problems.length === before ? checked(() => readLaunch(definition?.kind), undefined) : undefined
  const request: ActionRequest = {
    entries,
    path: path ?? '',
    kmsKeyId: checked(readKmsKeyId, undefined),
    tier,
    tags: checked(readTags, []),
    prune,
    references,
    region,
    dryRun: checked(() => booleanInput(INPUT.dryRun, false), false),
    preflight: checked(() => choiceInput(INPUT.preflight, ['true', 'strict', 'false'] as const, 'true'), 'true'),
    definition,
    launch,
    context: runContext(),
    warnings
  }
  if (problems.length === 1) throw problems[0]
  if (problems.length > 1) throw new InputErrors(problems)
  return request
}
