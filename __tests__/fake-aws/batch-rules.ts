// AWS Batch rules as AWS documents them (Batch API reference: RegisterJobDefinition, SubmitJob,
// ListJobs, RetryStrategy, JobTimeout, ContainerOverrides; Batch User Guide: "Service quotas", "Tagging").
// Batch reports every client-side problem as ClientException (HTTP 400); it has no ValidationException.
import { partitionOf } from './identity.js'
import { AwsError } from './protocols.js'
import { asRecord, optInt, optList, optString } from './validate.js'
import type { Input, ServiceEnv } from './types.js'

export const clientError = (message: string) => new AwsError('ClientException', message, 400)

/** Job definition and job queue names: up to 128 letters, numbers, hyphens and underscores. */
export const RESOURCE_NAME = /^[A-Za-z0-9_-]{1,128}$/
/** Job names: the same, and the first character must be alphanumeric. */
export const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/

export const JOB_STATUSES = ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const
export type JobStatus = (typeof JOB_STATUSES)[number]
export const DEFINITION_TYPES = ['container', 'multinode'] as const
export type DefinitionType = (typeof DEFINITION_TYPES)[number]
export const PLATFORM_CAPABILITIES = ['EC2', 'FARGATE', 'MANAGED_INSTANCES'] as const

/** Service quotas: "Maximum job definition size (RegisterJobDefinition)" and "Maximum job payload size (SubmitJob)". */
export const MAX_DEFINITION_BYTES = 24 * 1024
export const MAX_SUBMIT_BYTES = 30 * 1024
export const MAX_DEPENDENCIES = 20
export const MAX_QUEUES = 50
const MAX_TAGS = 50

const arnPrefix = (env: ServiceEnv) => `arn:${partitionOf(env.region)}:batch:${env.region}:${env.accountId}:`
export const definitionArn = (env: ServiceEnv, name: string, revision: number) =>
  `${arnPrefix(env)}job-definition/${name}:${revision}`
export const queueArn = (env: ServiceEnv, name: string) => `${arnPrefix(env)}job-queue/${name}`
export const jobArn = (env: ServiceEnv, id: string) => `${arnPrefix(env)}job/${id}`

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * `name`, `name:revision`, or a job-definition ARN with or without `:revision`. Undefined when the
 * string cannot name a definition of this account and region.
 */
export function parseDefinitionRef(env: ServiceEnv, ref: string): { name: string; revision?: number } | undefined {
  let rest = ref
  if (ref.startsWith('arn:')) {
    const prefix = `${arnPrefix(env)}job-definition/`
    if (!ref.startsWith(prefix)) return undefined
    rest = ref.slice(prefix.length)
  }
  const m = /^([A-Za-z0-9_-]{1,128})(?::([1-9]\d{0,9}))?$/.exec(rest)
  if (!m?.[1]) return undefined
  return m[2] === undefined ? { name: m[1] } : { name: m[1], revision: Number(m[2]) }
}

/** A queue name or ARN → the queue name, or undefined when it cannot name a queue here. */
export function parseQueueRef(env: ServiceEnv, ref: string): string | undefined {
  const m = new RegExp(`^(?:${escapeRegExp(arnPrefix(env))}job-queue/)?([A-Za-z0-9_-]{1,128})$`).exec(ref)
  return m?.[1]
}

/** A required string member: the JSON type is checked first, then presence. */
export function required(input: Input, key: string): string {
  const v = optString(input, key)
  if (v === undefined) throw clientError(`${key} is required.`)
  return v
}

export function optIntIn(input: Input, key: string, min: number, max: number): number | undefined {
  return intIn(input, key, min, max, key)
}

/** A JSON map of string → string (`parameters`, `tags`). */
export function optStringMap(input: Input, key: string): Record<string, string> | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  const map = asRecord(v, key)
  if (!Object.values(map).every((x) => typeof x === 'string')) {
    throw new AwsError('SerializationException', `Unexpected value type for member ${key}`)
  }
  return { ...(map as Record<string, string>) }
}

/** Tag rules shared by Batch resources: at most 50, key 1–128, value ≤ 256, `aws:` keys reserved. */
export function optTags(input: Input, key = 'tags'): Record<string, string> | undefined {
  const tags = optStringMap(input, key)
  if (tags === undefined) return undefined
  const entries = Object.entries(tags)
  if (entries.length > MAX_TAGS) throw clientError(`A resource can have at most ${MAX_TAGS} tags.`)
  for (const [k, v] of entries) {
    if (k.length < 1 || k.length > 128) throw clientError(`Tag key '${k}' must be 1 to 128 characters long.`)
    if (v.length > 256) throw clientError(`The value of tag '${k}' must be at most 256 characters long.`)
    if (/^aws:/i.test(k)) throw clientError(`Tag key '${k}' uses the reserved prefix aws:.`)
  }
  return tags
}

function intIn(input: Input, key: string, min: number, max: number, what: string): number | undefined {
  // optInt checks the JSON type; the range is Batch's own rule, reported as ClientException.
  const v = optInt(input, key, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
  if (v !== undefined && (v < min || v > max)) throw clientError(`${what} must be between ${min} and ${max}.`)
  return v
}

export const optPriority = (input: Input, key: string) => intIn(input, key, 0, 9999, key)

const REASON_PATTERN = /^[A-Za-z0-9.:\s]*\*?$/
const EXIT_CODE_PATTERN = /^\d*\*?$/

/** RetryStrategy: 1–10 attempts; up to 5 evaluateOnExit conditions, which need `attempts`. */
export function checkRetryStrategy(input: Input): void {
  const v = input.retryStrategy
  if (v === undefined || v === null) return
  const rs = asRecord(v, 'retryStrategy')
  const attempts = intIn(rs, 'attempts', 1, 10, 'retryStrategy.attempts')
  const conditions = optList(rs, 'evaluateOnExit')
  if (conditions === undefined) return
  if (conditions.length > 5) throw clientError('retryStrategy.evaluateOnExit can have at most 5 conditions.')
  if (attempts === undefined) {
    throw clientError('retryStrategy.attempts must be specified when retryStrategy.evaluateOnExit is specified.')
  }
  for (const c of conditions.map((x) => asRecord(x, 'evaluateOnExit'))) {
    // "The values aren't case sensitive."
    if (typeof c.action !== 'string' || !['RETRY', 'EXIT'].includes(c.action.toUpperCase())) {
      throw clientError('retryStrategy.evaluateOnExit action must be RETRY or EXIT.')
    }
    const patterns: Array<[string, RegExp, string]> = [
      ['onStatusReason', REASON_PATTERN, 'letters, numbers, periods, colons and white space'],
      ['onReason', REASON_PATTERN, 'letters, numbers, periods, colons and white space'],
      ['onExitCode', EXIT_CODE_PATTERN, 'numbers']
    ]
    for (const [key, pattern, allowed] of patterns) {
      const v = optString(c, key)
      if (v !== undefined && (v.length > 512 || !pattern.test(v))) {
        throw clientError(
          `retryStrategy.evaluateOnExit ${key} can be up to 512 characters of ${allowed}, optionally ending with *.`
        )
      }
    }
  }
}

/** JobTimeout: "The minimum value for the timeout is 60 seconds." */
export function checkTimeout(input: Input): void {
  const v = input.timeout
  if (v === undefined || v === null) return
  intIn(asRecord(v, 'timeout'), 'attemptDurationSeconds', 60, Number.MAX_SAFE_INTEGER, 'timeout.attemptDurationSeconds')
}

/** "Environment variables cannot start with AWS_BATCH; this naming convention is reserved." */
export function checkEnvironmentNames(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(checkEnvironmentNames)
    return
  }
  if (typeof value !== 'object' || value === null) return
  for (const [k, v] of Object.entries(value)) {
    if ((k === 'environment' || k === 'env') && Array.isArray(v)) {
      for (const e of v) {
        const name = typeof e === 'object' && e !== null ? (e as Input).name : undefined
        if (typeof name === 'string' && name.startsWith('AWS_BATCH')) {
          throw clientError(
            `Environment variable ${name} cannot start with AWS_BATCH; this naming convention is reserved.`
          )
        }
      }
    } else checkEnvironmentNames(v)
  }
}

export function checkSize(input: Input, max: number, operation: string): void {
  const size = Buffer.byteLength(JSON.stringify(input))
  if (size > max) throw clientError(`The ${operation} request is ${size} bytes; the maximum is ${max / 1024} KiB.`)
}

/** evaluateOnExit and ListJobs filter values: an exact match, or a prefix match when ending with `*`. */
export function globMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern
  const v = caseInsensitive ? value.toLowerCase() : value
  return p.endsWith('*') ? v.startsWith(p.slice(0, -1)) : v === p
}

/** The opaque nextToken of a paginated list: names the last item returned. */
export function encodeToken(after: unknown): string {
  return Buffer.from(JSON.stringify({ after })).toString('base64url')
}

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
