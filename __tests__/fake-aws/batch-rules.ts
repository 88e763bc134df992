// The AWS Batch rules the action depends on, as AWS documents them (Batch API reference:
// RegisterJobDefinition, DescribeJobDefinitions, SubmitJob, ListJobs, DescribeJobs; Batch User Guide:
// "Service quotas", "Tagging your AWS Batch resources").
// Batch reports every client-side problem as ClientException (HTTP 400); it has no ValidationException.
import { partitionOf } from './identity.js'
import { AwsError } from './protocols.js'
import { asRecord, optString } from './validate.js'
import type { Input, ServiceEnv } from './types.js'

export const clientError = (message: string) => new AwsError('ClientException', message, 400)

/** RegisterJobDefinition jobDefinitionName: "up to 128 letters … numbers, hyphens (-), and underscores (_)". */
export const RESOURCE_NAME = /^[A-Za-z0-9_-]{1,128}$/
/** SubmitJob jobName: the same, and "the first character must be alphanumeric". */
export const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/
export const DEFINITION_TYPES = ['container', 'multinode'] as const
export type DefinitionType = (typeof DEFINITION_TYPES)[number]
/** User Guide, "Job states" (PENDING, for jobs with dependencies, is not modelled). */
export type JobStatus = 'SUBMITTED' | 'RUNNABLE' | 'STARTING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED'

/** Service quotas: "Maximum job definition size (RegisterJobDefinition)", 24 KiB. */
export const MAX_DEFINITION_BYTES = 24 * 1024
/** DescribeJobs: "A list of up to 100 job IDs"; DescribeJobDefinitions: up to 100 results a page. */
export const MAX_PAGE = 100
const MAX_TAGS = 50

const arnPrefix = (env: ServiceEnv) => `arn:${partitionOf(env.region)}:batch:${env.region}:${env.accountId}:`
export const definitionArn = (env: ServiceEnv, name: string, revision: number) =>
  `${arnPrefix(env)}job-definition/${name}:${revision}`
export const queueArn = (env: ServiceEnv, name: string) => `${arnPrefix(env)}job-queue/${name}`
export const computeEnvironmentArn = (env: ServiceEnv, name: string) => `${arnPrefix(env)}compute-environment/${name}`
export const jobArn = (env: ServiceEnv, id: string) => `${arnPrefix(env)}job/${id}`

/**
 * `name`, `name:revision`, or a job-definition ARN with or without `:revision`. Undefined when the
 * string cannot name a definition of this account and region.
 */
export function parseDefinitionRef(env: ServiceEnv, ref: string): { name: string; revision?: number } | undefined {
  const prefix = `${arnPrefix(env)}job-definition/`
  if (ref.startsWith('arn:') && !ref.startsWith(prefix)) return undefined
  const m = /^([A-Za-z0-9_-]{1,128})(?::([1-9]\d{0,9}))?$/.exec(ref.startsWith(prefix) ? ref.slice(prefix.length) : ref)
  if (!m?.[1]) return undefined
  return m[2] === undefined ? { name: m[1] } : { name: m[1], revision: Number(m[2]) }
}

/** A queue (or compute environment) name or ARN → its name, or undefined when it cannot name one here. */
export function parseQueueRef(env: ServiceEnv, ref: string, kind = 'job-queue'): string | undefined {
  const prefix = `${arnPrefix(env)}${kind}/`
  const name = ref.startsWith(prefix) ? ref.slice(prefix.length) : ref
  return RESOURCE_NAME.test(name) ? name : undefined
}

/** A required string member: the JSON type is checked first, then presence. */
export function required(input: Input, key: string): string {
  const v = optString(input, key)
  if (v === undefined) throw clientError(`${key} is required.`)
  return v
}

/**
 * Tagging: at most 50 tags, key 1–128 and value at most 256 characters, and "the aws: prefix is
 * reserved for AWS use" (the action strips aws: tags from a definition and checks job tags itself).
 */
export function checkTags(input: Input): void {
  const v = input.tags
  if (v === undefined || v === null) return
  const entries = Object.entries(asRecord(v, 'tags'))
  if (entries.length > MAX_TAGS) throw clientError(`A resource can have at most ${MAX_TAGS} tags.`)
  for (const [k, value] of entries) {
    if (typeof value !== 'string') throw new AwsError('SerializationException', 'Unexpected value type for member tags')
    if (k.length < 1 || k.length > 128) throw clientError(`Tag key '${k}' must be 1 to 128 characters long.`)
    if (value.length > 256) throw clientError(`The value of tag '${k}' must be at most 256 characters long.`)
    if (/^aws:/i.test(k)) throw clientError(`Tag key '${k}' uses the reserved prefix aws:.`)
  }
}

export function checkSize(input: Input, max: number, operation: string): void {
  const size = Buffer.byteLength(JSON.stringify(input))
  if (size > max) throw clientError(`The ${operation} request is ${size} bytes; the maximum is ${max / 1024} KiB.`)
}

/**
 * ListJobs JOB_NAME filter: "The value is case insensitive … If the filter value ends with an
 * asterisk (*), the filter matches any job name that begins with the string before the '*'."
 */
export function jobNameMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase()
  const n = name.toLowerCase()
  return p.endsWith('*') ? n.startsWith(p.slice(0, -1)) : n === p
}

/** The opaque nextToken of a paginated list: names the last item returned. */
export const encodeToken = (after: unknown) => Buffer.from(JSON.stringify({ after })).toString('base64url')

export function decodeToken(token: string | undefined): unknown {
  if (token === undefined) return undefined
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
    if (typeof parsed === 'object' && parsed !== null && 'after' in parsed) return parsed.after
  } catch {
    // fall through
  }
  throw clientError('The nextToken is not valid.')
}

/** JobQueueDetail.state / status, ComputeEnvironmentDetail.state / status (API reference). */
export type ResourceState = 'ENABLED' | 'DISABLED'
export type ResourceStatus = 'CREATING' | 'UPDATING' | 'DELETING' | 'DELETED' | 'VALID' | 'INVALID'
/** ComputeResource.type; UNMANAGED: a compute environment without computeResources. */
export type ComputeType = 'EC2' | 'SPOT' | 'FARGATE' | 'FARGATE_SPOT' | 'UNMANAGED'
