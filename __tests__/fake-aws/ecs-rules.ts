// The Amazon ECS rules the action depends on, as AWS documents them (ECS API reference: RegisterTaskDefinition,
// TaskDefinition, Secret, Tag, RunTask, ListTaskDefinitions, "Ensuring idempotency"; ECS Developer Guide: "Pass
// sensitive data to a container"). ECS reports request problems as ClientException or InvalidParameterException
// (HTTP 400); it has no ValidationException.
import { randomUUID } from 'node:crypto'
import { partitionOf } from './identity.js'
import { AwsError } from './protocols.js'
import { asRecord, optList, optString } from './validate.js'
import type { Input, ServiceEnv } from './types.js'

export const clientError = (message: string) => new AwsError('ClientException', message)
export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message)
export const clusterNotFound = () => new AwsError('ClusterNotFoundException', 'Cluster not found.')
export const serviceNotFound = () => new AwsError('ServiceNotFoundException', 'Service not found.')

/** Families, containers, clusters and services: up to 255 letters, numbers, hyphens and underscores. */
export const NAME = /^[A-Za-z0-9_-]{1,255}$/
export type StopCode =
  | 'TaskFailedToStart'
  | 'EssentialContainerExited'
  | 'UserInitiated'
  | 'ServiceSchedulerInitiated'
  | 'SpotInterruption'
  | 'TerminationNotice'

const DEFINITION_MEMBERS = (
  'family taskRoleArn executionRoleArn networkMode containerDefinitions volumes placementConstraints cpu memory ' +
  'requiresCompatibilities pidMode ipcMode proxyConfiguration inferenceAccelerators ephemeralStorage ' +
  'runtimePlatform enableFaultInjection'
).split(' ')

const arnPrefix = (env: ServiceEnv) => `arn:${partitionOf(env.region)}:ecs:${env.region}:${env.accountId}:`
export const taskDefinitionArn = (env: ServiceEnv, family: string, revision: number) =>
  `${arnPrefix(env)}task-definition/${family}:${revision}`
export const clusterArn = (env: ServiceEnv, name: string) => `${arnPrefix(env)}cluster/${name}`
export const serviceArn = (env: ServiceEnv, cluster: string, name: string) =>
  `${arnPrefix(env)}service/${cluster}/${name}`
export const taskArn = (env: ServiceEnv, cluster: string, id: string) => `${arnPrefix(env)}task/${cluster}/${id}`

/** `family`, `family:revision` or a task-definition ARN of this account and region. */
export function parseTaskDefinitionRef(
  env: ServiceEnv,
  ref: string
): { family: string; revision?: number } | undefined {
  const prefix = `${arnPrefix(env)}task-definition/`
  const name = !ref.startsWith('arn:') ? ref : ref.startsWith(prefix) ? ref.slice(prefix.length) : ''
  const [, family, revision] = /^([A-Za-z0-9_-]{1,255})(?::([1-9]\d{0,9}))?$/.exec(name) ?? []
  if (family === undefined) return undefined
  return revision === undefined ? { family } : { family, revision: Number(revision) }
}

/** A name, or the one at the end of an ARN (`cluster/NAME`, `service/CLUSTER/NAME`, `task/CLUSTER/ID`). */
export const lastName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1)

const isRecord = (v: unknown): v is Input => typeof v === 'object' && v !== null && !Array.isArray(v)
export const records = (input: Input, key: string): Input[] => (optList(input, key) ?? []).map((x) => asRecord(x, key))
export const optObject = (input: Input, key: string): Input | undefined =>
  input[key] == null ? undefined : asRecord(input[key], key)

export type Tag = { key: string; value: string }

/** ECS tags: a list of `{key, value}`; keys and values beginning with `aws:` (any case) are reserved. */
export function readTags(input: Input): Tag[] {
  const tags = records(input, 'tags').map((t) => ({ key: String(t.key ?? ''), value: String(t.value ?? '') }))
  if (tags.some((t) => /^aws:/i.test(t.key) || /^aws:/i.test(t.value))) {
    throw invalidParameter("Tag keys and values can't begin with the reserved prefix 'aws:'.")
  }
  return tags
}

/** A container's secrets and its log configuration's secretOptions. */
export const secretsOf = (c: Input) => [
  ...records(c, 'secrets'),
  ...records(optObject(c, 'logConfiguration') ?? {}, 'secretOptions')
]

/**
 * What RegisterTaskDefinition rejects, of what the action sends; returns the registered members (unknown
 * ones are ignored, as a Smithy server does), the tags and the secrets' valueFroms.
 */
export function checkRegistration(input: Input) {
  const family = optString(input, 'family') ?? ''
  if (!NAME.test(family)) {
    throw clientError('Family must be up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.')
  }
  const containers = records(input, 'containerDefinitions')
  const tags = readTags(input)
  const names = containers.map((c) => optString(c, 'name'))
  if (names.some((n) => !n)) throw clientError('Container.name should not be null or empty.')
  const twice = names.find((n, i) => names.indexOf(n) !== i)
  if (twice) throw clientError(`Container names must be unique within a task definition: '${twice}'.`)
  // AWS rejects a `secrets` list without an execution role even when the list is empty.
  if (containers.some((c) => optList(c, 'secrets')) && optString(input, 'executionRoleArn') === undefined) {
    throw clientError(
      "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."
    )
  }
  const valueFroms = containers.flatMap(secretsOf).map((secret) => {
    if (!optString(secret, 'name') || !optString(secret, 'valueFrom')) {
      throw clientError('Container.secrets and secretOptions need a name and a valueFrom.')
    }
    return String(secret.valueFrom)
  })
  const def = Object.fromEntries(
    DEFINITION_MEMBERS.filter((k) => input[k] != null).map((k) => [k, structuredClone(input[k])])
  )
  // "The maximum size (in compressed JSON format) of a task definition": 64 KiB.
  const size = Buffer.byteLength(JSON.stringify(def))
  if (size > 65_536) throw clientError(`Actual length: '${size}'. Max allowed length is '65536' bytes.`)
  return { def, family, tags, valueFroms }
}

/**
 * What DescribeTaskDefinition returns for members that were not given; evidence, with links, in
 * __tests__/fixtures/real-definitions/DEFAULTS.md (the AWS CLI's register-task-definition example shows
 * file and answer; Terraform's normaliser and acceptance tests; issue threads).
 */
export function withDescribeDefaults(def: Input) {
  const lists = { portMappings: [], environment: [], mountPoints: [], volumesFrom: [], systemControls: [] }
  // bridge (or no mode): hostPort 0, a dynamic host port; awsvpc and host: the container port.
  const samePort = def.networkMode === 'awsvpc' || def.networkMode === 'host'
  const port = (p: Input) => {
    const hostPort = p.containerPort === undefined ? {} : { hostPort: p.hostPort ?? (samePort ? p.containerPort : 0) }
    return { ...p, ...hostPort, protocol: p.protocol ?? 'tcp' }
  }
  const containerDefinitions = records(def, 'containerDefinitions').map((c) => ({
    cpu: 0,
    essential: true,
    ...lists,
    ...c,
    portMappings: records(c, 'portMappings').map(port),
    // Entries without a value are dropped (hashicorp/terraform-provider-aws#39533).
    environment: records(c, 'environment').filter((e) => e.value !== undefined && e.value !== ''),
    ...(isRecord(c.healthCheck) && { healthCheck: { interval: 30, timeout: 5, retries: 3, ...c.healthCheck } })
  }))
  return {
    ...def,
    ...(typeof def.cpu === 'string' && { cpu: taskSize(def.cpu, 'vcpu') }),
    ...(typeof def.memory === 'string' && { memory: taskSize(def.memory, 'gb') }),
    containerDefinitions,
    volumes: def.volumes ?? [],
    placementConstraints: def.placementConstraints ?? []
  }
}

/** RunTask clientToken: up to 64 ASCII characters in the range 33–126. */
export function checkClientToken(input: Input): string | undefined {
  const token = optString(input, 'clientToken')
  if (token !== undefined && !/^[\x21-\x7e]{1,64}$/.test(token)) {
    throw invalidParameter('clientToken must be 1 to 64 ASCII characters in the range 33-126.')
  }
  return token
}

/**
 * What RunTask checks of a launch against the task definition and the cluster; returns the launch type
 * (without one or a capacity provider strategy, on a cluster without a default strategy: EC2).
 */
export function checkLaunch(input: Input, def: Input & { compatibilities: string[] }, containerInstances: number) {
  if (def.status !== 'ACTIVE') throw invalidParameter('TaskDefinition is inactive')
  const launchType = optString(input, 'launchType') ?? 'EC2'
  if (launchType !== 'EC2' && launchType !== 'FARGATE') {
    throw new AwsError('NotModelledByFake', `The ${launchType} launch type is not modelled by this fake.`)
  }
  if (launchType === 'FARGATE' && !def.compatibilities.includes('FARGATE')) {
    throw invalidParameter('Task definition does not support launch_type FARGATE.')
  }
  const network = optObject(input, 'networkConfiguration')
  const vpc = network && optObject(network, 'awsvpcConfiguration')
  if (def.networkMode !== 'awsvpc' && network) {
    throw invalidParameter('Network Configuration is not valid for the given networkMode of this task definition.')
  }
  if (def.networkMode === 'awsvpc' && !vpc) {
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
  }
  if (vpc && (optList(vpc, 'subnets') ?? []).length === 0) throw invalidParameter('subnets can not be empty.')
  if (launchType === 'EC2' && containerInstances === 0) {
    throw invalidParameter('No Container Instances were found in your cluster.')
  }
  if (!/^[A-Za-z0-9_/-]{1,128}$/.test(optString(input, 'startedBy') ?? '-')) {
    throw invalidParameter('startedBy can be up to 128 letters, numbers, hyphens, forward slashes and underscores.')
  }
  readTags(input)
  return launchType
}

const RESOURCE_INITIALIZATION =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: '

/** What a container launch needs to know of the secrets it reads (SSM parameters, fake.denySecretReads). */
export interface SecretReads {
  /** the value of the SSM parameter of this name, if there is one */
  ssmParameterValue(name: string): string | undefined
  secretReadsDenied(roleArn: string): boolean
}

/** The value a container gets for a secret (an SSM parameter by name or ARN), undefined if there is none. */
export function secretValue(env: ServiceEnv, valueFrom: string, reads: SecretReads): string | undefined {
  const names = ssmNames(env, valueFrom)
  if (names === undefined) throw new AwsError('NotModelledByFake', 'Secrets Manager values are not modelled.')
  return names.map((name) => reads.ssmParameterValue(name)).find((v) => v !== undefined)
}

/**
 * Why a task of this definition (or a Batch job's container) fails to start, if it does: ECS fetches
 * its secrets with the execution role when it starts, and fails it when the role is missing or denied
 * or a parameter does not exist. Texts: FAILURES.md 1.2-1.4 (Batch shows the same, 1.8).
 */
export function secretsProblem(
  def: Input & { containerDefinitions: Input[] },
  fargate: boolean,
  env: ServiceEnv,
  taskId: string,
  reads: SecretReads
): string | undefined {
  const secrets = def.containerDefinitions.flatMap(secretsOf).map((s) => String(s.valueFrom))
  const role = optString(def, 'executionRoleArn')
  if (role === undefined && secrets.length > 0) {
    return `${RESOURCE_INITIALIZATION}the task definition has no execution role to retrieve the secrets with`
  }
  const ssm = secrets.filter((v) => ssmNames(env, v) !== undefined)
  const [first] = ssm
  if (role !== undefined && first !== undefined && reads.secretReadsDenied(role)) {
    // FAILURES.md 1.3: the task's session of the role; only the first failing parameter is named.
    const partition = partitionOf(env.region)
    const arn = first.startsWith('arn:')
      ? first
      : `arn:${partition}:ssm:${env.region}:${env.accountId}:parameter/${first.replace(/^\//, '')}`
    const user = `arn:${partition}:sts::${env.accountId}:assumed-role/${role.slice(role.lastIndexOf('/') + 1)}/${taskId}`
    const denied =
      `AccessDeniedException: User: ${user} is not authorized to perform: ssm:GetParameters on resource: ${arn} ` +
      'because no identity-based policy allows the ssm:GetParameters action'
    // Fargate in the newer SDK v2 wording, the EC2 agent in the SDK v1 wording (both samples in 1.3).
    return fargate
      ? `${RESOURCE_INITIALIZATION}unable to retrieve secrets from ssm: service call has been retried 1 time(s): ` +
          `operation error SSM: GetParameters, https response error StatusCode: 400, RequestID: ${randomUUID()}, api error ${denied}`
      : `Fetching secret data from SSM Parameter Store in ${env.region}: ${denied} status code: 400, request id: ${randomUUID()}`
  }
  const missing = [...new Set(ssm.filter((v) => secretValue(env, v, reads) === undefined))].join(', ')
  if (!missing) return undefined
  return fargate
    ? `${RESOURCE_INITIALIZATION}unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: ${missing}`
    : `Fetching secret data from SSM Parameter Store in ${env.region}: invalid parameters: ${missing}`
}

/**
 * Task-level cpu ('1024', '1 vCPU', '.25 vcpu') in CPU units and memory ('2048', '2 GB') in MiB: "String
 * values are converted to an integer ... when the task definition is registered" (API_RegisterTaskDefinition).
 */
function taskSize(value: string, unit: 'vcpu' | 'gb'): string {
  const m = new RegExp(`^\\s*(\\d*\\.?\\d+)\\s*${unit}\\s*$`, 'i').exec(value)
  return m ? String(Math.round(Number(m[1]) * 1024)) : value
}

/** ListTaskDefinitions' opaque nextToken: the family and revision of the last one returned. */
export const encodeToken = (family: string, revision: number) =>
  Buffer.from(`${family}:${revision}`).toString('base64url')

export function decodeToken(token: string | undefined): [string, number] | undefined {
  if (token === undefined) return undefined
  const [, family, revision] = /^([\w-]+):(\d+)$/.exec(Buffer.from(token, 'base64url').toString()) ?? []
  if (!family) throw invalidParameter('The nextToken is not valid.')
  return [family, Number(revision)]
}

/**
 * The SSM parameter names a secret's valueFrom may point to in this fake (a name, or an ARN of this
 * account and region); [] for one that cannot exist here; undefined for Secrets Manager, not modelled.
 */
export function ssmNames(env: ServiceEnv, valueFrom: string): string[] | undefined {
  if (!valueFrom.startsWith('arn:')) return [valueFrom]
  const [, partition, service, region, account, resource = ''] =
    /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.*)$/.exec(valueFrom) ?? []
  if (service === 'secretsmanager') return undefined
  const here = partition === partitionOf(env.region) && region === env.region && account === env.accountId
  if (service !== 'ssm' || !here || !resource.startsWith('parameter/')) return []
  // The ARN of `/a/b` is `parameter/a/b` and that of `ab` is `parameter/ab`.
  const path = resource.slice('parameter'.length)
  return [path, path.slice(1)]
}
