import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { InputError } from '../errors.js'
import { INPUT } from '../names.js'
import type { DefinitionKind } from '../plan/definitions.js'
import { keyValueLines, listInput, numberInput, optionalInput } from './read.js'

export type DefinitionSource =
  | { kind: 'file'; path: string; document: unknown }
  | { kind: 'name'; name: string }
  | { kind: 'revision'; name: string; revision: number }
  | { kind: 'arn'; arn: string }

export interface DefinitionRequest {
  kind: DefinitionKind
  source: DefinitionSource
  /** Container names (or node ranges); undefined when not given; ['*'] for all. */
  containers: string[] | undefined
  /** logConfiguration.secretOptions: option name → synced or referenced NAME. */
  logSecretOptions: { option: string; name: string }[]
  /** Deregister ACTIVE revisions beyond the newest N. */
  keepRevisions: number | undefined
}

const SOURCES = {
  batch: {
    input: INPUT.jobDefinition,
    noun: 'job definition name',
    // Batch: 128 letters, digits, - and _; ECS families: 255.
    name: /^[A-Za-z0-9_-]{1,128}$/,
    arn: /^arn:aws[a-z-]*:batch:[a-z0-9-]+:\d{12}:job-definition\/[A-Za-z0-9_-]{1,128}(:\d+)?$/
  },
  ecs: {
    input: INPUT.taskDefinition,
    noun: 'task definition family',
    name: /^[A-Za-z0-9_-]{1,255}$/,
    arn: /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}(:\d+)?$/
  }
} as const

function readSource(kind: DefinitionKind, text: string): DefinitionSource {
  const rules = SOURCES[kind]
  if (rules.arn.test(text)) {
    const nameAndRevision = text.slice(text.lastIndexOf('/') + 1)
    return nameAndRevision.includes(':') ? { kind: 'arn', arn: text } : { kind: 'name', name: nameAndRevision }
  }
  const path = isAbsolute(text) ? text : resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), text)
  if (existsSync(path)) {
    try {
      return { kind: 'file', path: text, document: JSON.parse(readFileSync(path, 'utf8')) as unknown }
    } catch (error) {
      throw new InputError(rules.input, `'${text}' is not valid JSON: ${(error as Error).message}`)
    }
  }
  const [name, revision, extra] = text.split(':')
  if (name && rules.name.test(name) && extra === undefined) {
    if (revision === undefined) return { kind: 'name', name }
    if (/^[1-9]\d*$/.test(revision)) return { kind: 'revision', name, revision: Number(revision) }
  }
  throw new InputError(
    rules.input,
    `'${text}' is neither a file nor a ${rules.noun}, name:revision or ARN (names: letters, digits, - and _)`
  )
}

/** The definition to rewrite (job-definition or task-definition, not both) and its options. */
export function readDefinition(secretNames: ReadonlySet<string>): DefinitionRequest | undefined {
  const batch = optionalInput(SOURCES.batch.input)
  const ecs = optionalInput(SOURCES.ecs.input)
  if (batch !== undefined && ecs !== undefined) {
    throw new InputError(
      INPUT.taskDefinition,
      `give either '${INPUT.jobDefinition}' (Batch) or '${INPUT.taskDefinition}' (ECS), not both`
    )
  }
  const dependents = [INPUT.containers, INPUT.logSecretOptions, INPUT.keepRevisions]
  if (batch === undefined && ecs === undefined) {
    const orphan = dependents.find((name) => optionalInput(name) !== undefined)
    if (orphan)
      throw new InputError(
        orphan,
        `needs '${INPUT.jobDefinition}' or '${INPUT.taskDefinition}' (the definition it applies to)`
      )
    return undefined
  }
  const kind: DefinitionKind = batch !== undefined ? 'batch' : 'ecs'
  const containers = listInput(INPUT.containers)
  const logSecretOptions = keyValueLines(INPUT.logSecretOptions, { form: 'OPTION=NAME' }).map(({ key, value }) => {
    if (!secretNames.has(value)) {
      throw new InputError(INPUT.logSecretOptions, `'${key}=${value}': '${value}' is neither synced nor in references`)
    }
    return { option: key, name: value }
  })
  return {
    kind,
    source: readSource(kind, (batch ?? ecs) as string),
    containers: containers.length > 0 ? containers : undefined,
    logSecretOptions,
    keepRevisions: numberInput(INPUT.keepRevisions, { integer: true, min: 1 })
  }
}
