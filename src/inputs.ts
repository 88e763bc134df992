import * as core from '@actions/core'
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { runContext, type RunContext } from './context.js'
import { InputError } from './errors.js'
import { isJobName } from './plan/batch.js'
import {
  isEnvName,
  isRegion,
  kmsKeyProblem,
  parameterNameProblem,
  pathProblem,
  tagProblem,
  USER_TAG_LIMIT,
  type Tag
} from './plan/rules.js'
import {
  MapInputError,
  parseValueMap,
  selectEntries,
  splitList,
  type SourceEntry,
  type SourceKind
} from './plan/source.js'
import { parameterName, valueSizeProblem, type TierChoice } from './plan/parameters.js'
import { parseReference, type Reference } from './plan/references.js'

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
  /** The Batch job definition to rewrite, when one is given. */
  definition: DefinitionRequest | undefined
  /** The job to submit, when a queue is given. */
  launch: LaunchRequest | undefined
  context: RunContext
  /** Things worth saying that are not errors. */
  warnings: string[]
}

export type DefinitionSource =
  | { kind: 'file'; path: string; document: unknown }
  | { kind: 'name'; name: string }
  | { kind: 'revision'; name: string; revision: number }
  | { kind: 'arn'; arn: string }

export interface DefinitionRequest {
  source: DefinitionSource
  /** Container names (or node ranges); undefined when not given; ['*'] for all. */
  containers: string[] | undefined
  /** logConfiguration.secretOptions: option name → synced or referenced NAME. */
  logSecretOptions: { option: string; name: string }[]
  /** Deregister ACTIVE revisions beyond the newest N. */
  keepRevisions: number | undefined
}

export interface LaunchRequest {
  jobQueue: string
  /** Given by the user; the default is built from the definition name and the run. */
  jobName: string | undefined
  parameters: Record<string, string>
  containerOverrides: Record<string, unknown> | undefined
  tags: Tag[]
  when: 'always' | 'on-change'
  wait: boolean
  waitTimeoutMinutes: number
}

export const INPUT = {
  secrets: 'secrets',
  variables: 'variables',
  include: 'include',
  exclude: 'exclude',
  path: 'path',
  kmsKeyId: 'kms-key-id',
  tier: 'tier',
  tags: 'tags',
  prune: 'prune',
  references: 'references',
  region: 'region',
  dryRun: 'dry-run',
  jobDefinition: 'job-definition',
  containers: 'containers',
  logSecretOptions: 'log-secret-options',
  keepRevisions: 'keep-revisions',
  jobQueue: 'job-queue',
  jobName: 'job-name',
  jobParameters: 'job-parameters',
  containerOverrides: 'container-overrides',
  jobTags: 'job-tags',
  launch: 'launch',
  wait: 'wait',
  waitTimeout: 'wait-timeout'
} as const

const TIERS: readonly TierChoice[] = ['auto', 'Standard', 'Advanced', 'Intelligent-Tiering']

function optionalInput(name: string): string | undefined {
  const value = core.getInput(name)
  return value === '' ? undefined : value
}

function booleanInput(name: string, fallback: boolean): boolean {
  if (optionalInput(name) === undefined) return fallback
  try {
    return core.getBooleanInput(name)
  } catch {
    throw new InputError(name, `must be true or false`)
  }
}

/** Parses a map input and registers every value as a mask before anything else can log. */
function readValueMap(kind: SourceKind): SourceEntry[] {
  try {
    const entries = parseValueMap(core.getInput(kind), kind)
    if (kind === 'secrets') for (const entry of entries) maskValue(entry.value)
    return entries
  } catch (error) {
    if (error instanceof MapInputError) throw new InputError(kind, error.message)
    throw error
  }
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

function readTier(): TierChoice {
  const text = optionalInput(INPUT.tier) ?? 'auto'
  const tier = TIERS.find((candidate) => candidate.toLowerCase() === text.toLowerCase())
  if (!tier) throw new InputError(INPUT.tier, `'${text}' is not one of ${TIERS.join(', ')}`)
  return tier
}

function readPath(): string | undefined {
  const path = optionalInput(INPUT.path)
  if (path === undefined) return undefined
  const problem = pathProblem(path)
  if (problem) throw new InputError(INPUT.path, `'${path}' ${problem}`)
  return path.endsWith('/') ? path : `${path}/`
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

/** Reads `key=value` lines; keys must be unique. */
function readKeyValueLines(
  input: string,
  options: { form?: string; check?: (key: string, value: string) => string | undefined } = {}
): Tag[] {
  const pairs = core.getMultilineInput(input).map((line) => {
    const separator = line.indexOf('=')
    if (separator <= 0) throw new InputError(input, `'${line}' is not a ${options.form ?? 'key=value'} line`)
    const pair = { key: line.slice(0, separator).trim(), value: line.slice(separator + 1).trim() }
    const problem = options.check?.(pair.key, pair.value)
    if (problem) throw new InputError(input, problem)
    return pair
  })
  const keys = pairs.map((pair) => pair.key)
  const duplicate = keys.find((key, index) => keys.indexOf(key) !== index)
  if (duplicate) throw new InputError(input, `'${duplicate}' is given twice`)
  return pairs
}

function readTags(): Tag[] {
  const tags = readKeyValueLines(INPUT.tags, { check: tagProblem })
  if (tags.length > USER_TAG_LIMIT) {
    throw new InputError(
      INPUT.tags,
      `${tags.length} tags given; at most ${USER_TAG_LIMIT} (Parameter Store allows 50, one is managed-by)`
    )
  }
  return tags
}

function readReferences(): Reference[] {
  return readKeyValueLines(INPUT.references, { form: 'NAME=valueFrom' }).map(({ key, value }) => {
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
  const include = splitList(core.getInput(INPUT.include))
  const exclude = splitList(core.getInput(INPUT.exclude))
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

const JOB_DEFINITION_NAME = /^[A-Za-z0-9_-]{1,128}$/
const JOB_DEFINITION_ARN = /^arn:aws[a-z-]*:batch:[a-z0-9-]+:\d{12}:job-definition\/[A-Za-z0-9_-]{1,128}(:\d+)?$/

function readDefinitionSource(text: string): DefinitionSource {
  const input = INPUT.jobDefinition
  if (JOB_DEFINITION_ARN.test(text)) {
    const nameAndRevision = text.slice(text.lastIndexOf('/') + 1)
    return nameAndRevision.includes(':') ? { kind: 'arn', arn: text } : { kind: 'name', name: nameAndRevision }
  }
  const path = isAbsolute(text) ? text : resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), text)
  if (existsSync(path)) {
    try {
      return { kind: 'file', path: text, document: JSON.parse(readFileSync(path, 'utf8')) as unknown }
    } catch (error) {
      throw new InputError(input, `'${text}' is not valid JSON: ${(error as Error).message}`)
    }
  }
  const [name, revision, extra] = text.split(':')
  if (name && JOB_DEFINITION_NAME.test(name) && extra === undefined) {
    if (revision === undefined) return { kind: 'name', name }
    if (/^[1-9]\d*$/.test(revision)) return { kind: 'revision', name, revision: Number(revision) }
  }
  throw new InputError(
    input,
    `'${text}' is neither a file nor a job definition name, name:revision or ARN (names: up to 128 letters, digits, - and _)`
  )
}

function numberInput(name: string, options: { integer: boolean; min: number }): number | undefined {
  const text = optionalInput(name)
  if (text === undefined) return undefined
  const value = Number(text)
  if (!Number.isFinite(value) || value < options.min || (options.integer && !Number.isInteger(value))) {
    const kind = options.integer ? 'a whole number' : 'a number'
    throw new InputError(name, `'${text}' is not ${kind} of at least ${options.min}`)
  }
  return value
}

function readDefinition(names: ReadonlySet<string>): DefinitionRequest | undefined {
  const text = optionalInput(INPUT.jobDefinition)
  const dependents = [INPUT.containers, INPUT.logSecretOptions, INPUT.keepRevisions]
  if (text === undefined) {
    const orphan = dependents.find((name) => optionalInput(name) !== undefined)
    if (orphan) throw new InputError(orphan, `needs '${INPUT.jobDefinition}' (the definition it applies to)`)
    return undefined
  }
  const containers = splitList(core.getInput(INPUT.containers))
  const logSecretOptions = readKeyValueLines(INPUT.logSecretOptions, { form: 'OPTION=NAME' }).map(({ key, value }) => {
    if (!names.has(value)) {
      throw new InputError(INPUT.logSecretOptions, `'${key}=${value}': '${value}' is neither synced nor in references`)
    }
    return { option: key, name: value }
  })
  return {
    source: readDefinitionSource(text),
    containers: containers.length > 0 ? containers : undefined,
    logSecretOptions,
    keepRevisions: numberInput(INPUT.keepRevisions, { integer: true, min: 1 })
  }
}

function readJsonObject(name: string): Record<string, unknown> | undefined {
  const text = optionalInput(name)
  if (text === undefined) return undefined
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new InputError(name, `is not valid JSON: ${(error as Error).message}`)
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new InputError(name, 'must be a JSON object')
  return data as Record<string, unknown>
}

function readLaunch(hasDefinition: boolean): LaunchRequest | undefined {
  const jobQueue = optionalInput(INPUT.jobQueue)
  const dependents = [
    INPUT.jobName,
    INPUT.jobParameters,
    INPUT.containerOverrides,
    INPUT.jobTags,
    INPUT.wait,
    INPUT.waitTimeout
  ]
  if (jobQueue === undefined) {
    const orphan = dependents.find((name) => optionalInput(name) !== undefined)
    if (orphan) throw new InputError(orphan, `needs '${INPUT.jobQueue}' (the queue to submit the job to)`)
    return undefined
  }
  if (!hasDefinition) throw new InputError(INPUT.jobQueue, `needs '${INPUT.jobDefinition}' (the definition to run)`)
  const jobName = optionalInput(INPUT.jobName)
  if (jobName !== undefined && !isJobName(jobName)) {
    throw new InputError(
      INPUT.jobName,
      `'${jobName}' must be 1 to 128 letters, digits, - and _, starting with a letter or digit`
    )
  }
  const when = optionalInput(INPUT.launch) ?? 'always'
  if (when !== 'always' && when !== 'on-change') {
    throw new InputError(INPUT.launch, `'${when}' is not one of always, on-change`)
  }
  return {
    jobQueue,
    jobName,
    parameters: Object.fromEntries(readKeyValueLines(INPUT.jobParameters).map(({ key, value }) => [key, value])),
    containerOverrides: readJsonObject(INPUT.containerOverrides),
    tags: readKeyValueLines(INPUT.jobTags, { check: tagProblem }),
    when,
    wait: booleanInput(INPUT.wait, false),
    waitTimeoutMinutes: numberInput(INPUT.waitTimeout, { integer: false, min: 0.01 }) ?? 30
  }
}

/** Reads and validates every input. Throws InputError before any AWS call. */
export function readInputs(): ActionRequest {
  const warnings: string[] = []
  const secrets = readValueMap('secrets')
  const variables = readValueMap('variables')
  const entries = selectSources(secrets, variables, warnings)
  const tier = readTier()
  const region = readRegion()
  const prune = booleanInput(INPUT.prune, false)
  const path = readPath()

  if (path === undefined && (entries.length > 0 || prune)) {
    throw new InputError(INPUT.path, `is required to sync secrets or variables, e.g. '/prod/billing/'`)
  }
  if (prune && entries.length === 0) {
    throw new InputError(
      INPUT.prune,
      'is true but no secret or variable was selected; that would delete every managed parameter under the path. Check secrets/include, or set prune: false'
    )
  }
  if ((secrets.length > 0 || variables.length > 0) && entries.length === 0) {
    warnings.push('include/exclude selected no secret or variable; nothing will be synced')
  }
  for (const entry of entries) {
    if (!isEnvName(entry.key)) {
      throw new InputError(
        entry.kind,
        `'${entry.key}' is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)`
      )
    }
    const nameProblem = parameterNameProblem(parameterName(path ?? '', entry.key), region)
    if (nameProblem) throw new InputError(entry.kind, `parameter name for '${entry.key}' ${nameProblem}`)
    const sizeProblem = valueSizeProblem(entry.value, tier)
    if (sizeProblem) throw new InputError(entry.kind, `the value of '${entry.key}' ${sizeProblem}`)
  }

  const references = readReferences()
  const referenced = references.find((reference) => entries.some((entry) => entry.key === reference.name))
  if (referenced) {
    throw new InputError(
      INPUT.references,
      `'${referenced.name}' is also synced from ${INPUT.secrets}/${INPUT.variables}; use one of them`
    )
  }

  const secretNames = new Set([...entries.map((entry) => entry.key), ...references.map((reference) => reference.name)])
  const definition = readDefinition(secretNames)
  return {
    entries,
    path: path ?? '',
    kmsKeyId: readKmsKeyId(),
    tier,
    tags: readTags(),
    prune,
    references,
    region,
    dryRun: booleanInput(INPUT.dryRun, false),
    definition,
    launch: readLaunch(definition !== undefined),
    context: runContext(),
    warnings
  }
}
