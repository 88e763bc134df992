// Amazon ECS rules as AWS documents them (ECS API reference: RegisterTaskDefinition, TaskDefinition,
// ContainerDefinition, Secret, LogConfiguration, Tag, RunTask, UpdateService, ListTaskDefinitions,
// "Ensuring idempotency"; ECS Developer Guide: "Task CPU and memory" for Fargate, "Pass sensitive data
// to a container", "Task lifecycle", "Deployment circuit breaker").
// ECS reports request problems as ClientException or InvalidParameterException (HTTP 400); it has no
// ValidationException.
import { partitionOf } from './identity.js'
import { AwsError } from './protocols.js'
import { optList, optString } from './validate.js'
import type { Input, ServiceEnv } from './types.js'

export const clientError = (message: string) => new AwsError('ClientException', message)
export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message)
export const clusterNotFound = () => new AwsError('ClusterNotFoundException', 'Cluster not found.')
export const serviceNotFound = () => new AwsError('ServiceNotFoundException', 'Service not found.')

/** Task definition families and container names: up to 255 letters, numbers, hyphens and underscores. */
export const NAME = /^[A-Za-z0-9_-]{1,255}$/
/** Cluster and service names: up to 255 letters, numbers, hyphens and underscores. */
export const RESOURCE_NAME = NAME

export const NETWORK_MODES = ['bridge', 'host', 'awsvpc', 'none'] as const
export const COMPATIBILITIES = ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] as const
export const LAUNCH_TYPES = ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] as const
export const TASK_DEFINITION_STATUSES = ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'] as const
export const STOP_CODES = [
  'TaskFailedToStart',
  'EssentialContainerExited',
  'UserInitiated',
  'ServiceSchedulerInitiated',
  'SpotInterruption',
  'TerminationNotice'
] as const
export type StopCode = (typeof STOP_CODES)[number]

/** Tag: up to 50 per resource, key 1–128, value up to 256, `aws:` (any case) reserved for keys and values. */
export const MAX_TAGS = 50
/** "The maximum size (in compressed JSON format) of a task definition": 64 KiB. */
export const MAX_TASK_DEFINITION_BYTES = 64 * 1024
/** RunTask: count 1–10; awsvpcConfiguration: up to 16 subnets and 5 security groups. */
export const MAX_RUN_COUNT = 10
export const MAX_SUBNETS = 16
export const MAX_SECURITY_GROUPS = 5
/** RunTask clientToken: up to 64 ASCII characters in the range 33–126. */
export const CLIENT_TOKEN = /^[\x21-\x7e]{1,64}$/
/** "The RunTask client token has a time to live (TTL) of 24 hours." */
export const CLIENT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000
/** DescribeServices: up to 10 services; DescribeTasks: up to 100 tasks. */
export const MAX_DESCRIBE_SERVICES = 10
export const MAX_DESCRIBE_TASKS = 100
/** A service keeps its 100 most recent events. */
export const MAX_EVENTS = 100

const arnPrefix = (env: ServiceEnv) => `arn:${partitionOf(env.region)}:ecs:${env.region}:${env.accountId}:`
export const taskDefinitionArn = (env: ServiceEnv, family: string, revision: number) =>
  `${arnPrefix(env)}task-definition/${family}:${revision}`
export const clusterArn = (env: ServiceEnv, name: string) => `${arnPrefix(env)}cluster/${name}`
export const serviceArn = (env: ServiceEnv, cluster: string, name: string) =>
  `${arnPrefix(env)}service/${cluster}/${name}`
export const taskArn = (env: ServiceEnv, cluster: string, id: string) => `${arnPrefix(env)}task/${cluster}/${id}`
export const containerInstanceArn = (env: ServiceEnv, cluster: string, id: string) =>
  `${arnPrefix(env)}container-instance/${cluster}/${id}`
export const containerArn = (env: ServiceEnv, cluster: string, taskId: string, id: string) =>
  `${arnPrefix(env)}container/${cluster}/${taskId}/${id}`

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * `family`, `family:revision` or a task-definition ARN. Undefined when the string cannot name a task
 * definition of this account and region.
 */
export function parseTaskDefinitionRef(
  env: ServiceEnv,
  ref: string
): { family: string; revision?: number } | undefined {
  let rest = ref
  if (ref.startsWith('arn:')) {
    const prefix = `${arnPrefix(env)}task-definition/`
    if (!ref.startsWith(prefix)) return undefined
    rest = ref.slice(prefix.length)
  }
  const m = /^([A-Za-z0-9_-]{1,255})(?::([1-9]\d{0,9}))?$/.exec(rest)
  if (!m?.[1]) return undefined
  return m[2] === undefined ? { family: m[1] } : { family: m[1], revision: Number(m[2]) }
}

/** A cluster name or ARN → the name, or undefined when it cannot name a cluster here. */
export function parseClusterRef(env: ServiceEnv, ref: string): string | undefined {
  return new RegExp(`^(?:${escapeRegExp(arnPrefix(env))}cluster/)?([A-Za-z0-9_-]{1,255})$`).exec(ref)?.[1]
}

/**
 * A service name or ARN (the long form `service/CLUSTER/NAME` or the old `service/NAME`) → the cluster
 * the ARN names (if any) and the service name.
 */
export function parseServiceRef(env: ServiceEnv, ref: string): { cluster?: string; name: string } | undefined {
  const m = new RegExp(
    `^(?:${escapeRegExp(arnPrefix(env))}service/(?:([A-Za-z0-9_-]{1,255})/)?)?([A-Za-z0-9_-]{1,255})$`
  ).exec(ref)
  if (!m?.[2]) return undefined
  return m[1] === undefined ? { name: m[2] } : { cluster: m[1], name: m[2] }
}

/** A task ID or ARN (`task/CLUSTER/ID`) → the cluster the ARN names (if any) and the ID. */
export function parseTaskRef(env: ServiceEnv, ref: string): { cluster?: string; id: string } | undefined {
  const m = new RegExp(`^(?:${escapeRegExp(arnPrefix(env))}task/(?:([A-Za-z0-9_-]{1,255})/)?)?([0-9a-f]{32})$`).exec(
    ref
  )
  if (!m?.[2]) return undefined
  return m[1] === undefined ? { id: m[2] } : { cluster: m[1], id: m[2] }
}

const isRecord = (v: unknown): v is Input => typeof v === 'object' && v !== null && !Array.isArray(v)

function wrongType(key: string): AwsError {
  return new AwsError('SerializationException', `Unexpected value type for member ${key}`)
}

export function optNum(input: Input, key: string): number | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongType(key)
  return v
}

export function optObject(input: Input, key: string): Input | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (!isRecord(v)) throw wrongType(key)
  return v
}

export function records(list: unknown[], key: string): Input[] {
  return list.map((x) => {
    if (!isRecord(x)) throw wrongType(key)
    return x
  })
}

export function stringArray(list: unknown[], key: string): string[] {
  if (!list.every((x): x is string => typeof x === 'string')) throw wrongType(key)
  return list
}

export function oneOf<T extends string>(
  value: string | undefined,
  values: readonly T[],
  what: string,
  error: (message: string) => AwsError
): T | undefined {
  if (value === undefined) return undefined
  if (!(values as readonly string[]).includes(value)) {
    throw error(`Invalid ${what} '${value}'. Expected one of: ${values.join(', ')}.`)
  }
  return value as T
}

export interface Tag {
  key: string
  value: string
}

/** ECS tags: a list of `{key, value}`; at most 50, key 1–128, value ≤ 256, `aws:` reserved. */
export function readTags(input: Input, key = 'tags'): Tag[] | undefined {
  const list = optList(input, key)
  if (list === undefined) return undefined
  const tags = records(list, key).map((t) => ({ key: optString(t, 'key'), value: optString(t, 'value') ?? '' }))
  if (tags.length > MAX_TAGS) throw invalidParameter(`A resource can have at most ${MAX_TAGS} tags.`)
  const seen = new Set<string>()
  for (const t of tags) {
    if (t.key === undefined || t.key.length < 1 || t.key.length > 128) {
      throw invalidParameter('Tag keys must be between 1 and 128 characters long.')
    }
    if ([...t.value].length > 256) throw invalidParameter(`The value of tag '${t.key}' must be at most 256 characters.`)
    if (/^aws:/i.test(t.key) || /^aws:/i.test(t.value)) {
      throw invalidParameter("Tag keys and values can't begin with the reserved prefix 'aws:'.")
    }
    if (seen.has(t.key)) throw invalidParameter(`Tag key '${t.key}' is specified more than once.`)
    seen.add(t.key)
  }
  return tags as Tag[]
}

/**
 * Fargate task sizes ("Task CPU and memory"): CPU units → the allowed memory values in MiB.
 */
const FARGATE_SIZES: Array<[number, number[]]> = [
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)]
]

function range(from: number, to: number, step: number): number[] {
  const out: number[] = []
  for (let v = from; v <= to; v += step) out.push(v)
  return out
}

/** Task-level cpu: CPU units ('1024') or vCPUs ('1 vCPU', '0.25 vcpu'). */
export function cpuUnits(cpu: string): number | undefined {
  if (/^\d+$/.test(cpu)) return Number(cpu)
  const m = /^(\d*\.?\d+)\s*vcpu$/i.exec(cpu.trim())
  return m?.[1] === undefined ? undefined : Math.round(Number(m[1]) * 1024)
}

/** Task-level memory: MiB ('2048') or GB ('2 GB', '0.5gb'). */
export function memoryMiB(memory: string): number | undefined {
  if (/^\d+$/.test(memory)) return Number(memory)
  const m = /^(\d*\.?\d+)\s*gb$/i.exec(memory.trim())
  return m?.[1] === undefined ? undefined : Math.round(Number(m[1]) * 1024)
}

export function isFargateSize(cpu: number, memory: number): boolean {
  return FARGATE_SIZES.some(([c, mems]) => c === cpu && mems.includes(memory))
}

/** An image in a private Amazon ECR repository. */
export const isEcrImage = (image: string) =>
  /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//.test(image)

/** The opaque nextToken of a paginated list: names the last item returned. */
export function encodeToken(after: unknown): string {
  return Buffer.from(JSON.stringify({ after })).toString('base64url')
}

export function decodeToken(token: string | undefined): unknown {
  if (token === undefined) return undefined
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
    if (isRecord(parsed) && 'after' in parsed) return parsed.after
  } catch {
    // fall through
  }
  throw invalidParameter('The nextToken is not valid.')
}

/** JSON with object keys sorted, so that two requests with the same members compare equal. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`
  if (isRecord(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined && v[k] !== null)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v)
}

/** Where a secret's valueFrom points: an SSM parameter of this fake (by name), or somewhere it does not model. */
export function secretSource(
  env: ServiceEnv,
  valueFrom: string
): { kind: 'ssm'; names: string[] } | { kind: 'elsewhere' } | { kind: 'missing' } {
  if (!valueFrom.startsWith('arn:')) return { kind: 'ssm', names: [valueFrom] }
  const m = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.*)$/.exec(valueFrom)
  if (!m) return { kind: 'missing' }
  const [, partition, service, region, account, resource] = m
  if (service === 'secretsmanager') return { kind: 'elsewhere' }
  if (service !== 'ssm' || !resource?.startsWith('parameter/')) return { kind: 'missing' }
  // This fake holds one account and region: a parameter anywhere else does not exist here.
  if (partition !== partitionOf(env.region) || region !== env.region || account !== env.accountId) {
    return { kind: 'missing' }
  }
  const path = resource.slice('parameter'.length)
  // The ARN of `/a/b` is `parameter/a/b` and that of `ab` is `parameter/ab`.
  return { kind: 'ssm', names: [path, path.slice(1)] }
}
