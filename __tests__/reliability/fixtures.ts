// The AWS state the cases start from, and what the state must be after a run that succeeded.
import type { FakeAws } from '../fake-aws/index.js'

export const REGION = 'us-east-1'
export const ACCOUNT = '123456789012'
export const PATH = '/prod/billing/'
export const MANAGED = { 'managed-by': 'ssm-secrets-action' }
export const EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/exec`
export const LEGACY = { name: 'LEGACY', valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:legacy-AbCdEf` }
export const QUEUE = 'jobs'
export const CLUSTER = 'main'
export const SERVICE = 'web'
export const SUBNET = 'subnet-0123456789abcdef0'

export const parameterArn = (name: string): string => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`

export function batchDefinition(name = 'billing-report', secrets: { name: string; valueFrom: string }[] = []) {
  return {
    jobDefinitionName: name,
    type: 'container',
    platformCapabilities: ['FARGATE'],
    tags: { team: 'billing' },
    containerProperties: {
      image: 'registry.example/billing:1.4',
      command: ['report'],
      executionRoleArn: EXEC_ROLE,
      resourceRequirements: [
        { type: 'VCPU', value: '1' },
        { type: 'MEMORY', value: '2048' }
      ],
      environment: [{ name: 'MODE', value: 'batch' }],
      secrets: [LEGACY, ...secrets],
      networkConfiguration: { assignPublicIp: 'DISABLED' }
    }
  }
}

export function taskDefinition(family = 'web', secrets: { name: string; valueFrom: string }[] = []) {
  return {
    family,
    executionRoleArn: EXEC_ROLE,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'app',
        image: 'registry.example/web:3.1',
        essential: true,
        environment: [{ name: 'PORT', value: '8080' }],
        secrets: [LEGACY, ...secrets]
      }
    ],
    tags: [{ key: 'team', value: 'web' }]
  }
}

/**
 * Parameters the action must never write or delete, seeded next to the managed ones: no tag, another
 * tool's tag, a deeper level, another path, and a path that only shares the prefix's text.
 */
export const PROTECTED: { name: string; value: string; tags?: Record<string, string> }[] = [
  { name: `${PATH}UNMANAGED_STALE`, value: 'unmanaged-1' },
  { name: `${PATH}OTHER_TOOL`, value: 'other-tool-1', tags: { 'managed-by': 'terraform' } },
  { name: `${PATH}nested/DEEP_STALE`, value: 'deep-1', tags: MANAGED },
  { name: '/prod/payments/OUTSIDE_STALE', value: 'outside-1', tags: MANAGED },
  { name: '/prod/billing-old/PREFIX_STALE', value: 'prefix-1', tags: MANAGED },
  { name: '/prod/billing', value: 'the-path-itself', tags: MANAGED }
]

export function seedProtected(fake: FakeAws): void {
  for (const parameter of PROTECTED) {
    fake.ssm.put({ name: parameter.name, value: parameter.value, ...(parameter.tags ? { tags: parameter.tags } : {}) })
  }
}

export interface ParameterSnapshot {
  value: string
  version: number
  tags: string
}

export function snapshot(fake: FakeAws, names: readonly string[]): Map<string, ParameterSnapshot | undefined> {
  return new Map(
    names.map((name) => {
      const parameter = fake.ssm.get(name)
      return [
        name,
        parameter && { value: parameter.value, version: parameter.version, tags: JSON.stringify(parameter.tags) }
      ]
    })
  )
}

/** Names the run wrote to or deleted, from the server's request log. */
export function writtenNames(fake: FakeAws): Set<string> {
  const names = new Set<string>()
  for (const request of fake.requests) {
    const input = (request.input ?? {}) as Record<string, unknown>
    if (request.operation === 'PutParameter' && typeof input.Name === 'string') names.add(input.Name)
    if (request.operation === 'AddTagsToResource' && typeof input.ResourceId === 'string') names.add(input.ResourceId)
    if (request.operation === 'DeleteParameters' && Array.isArray(input.Names)) {
      for (const name of input.Names) if (typeof name === 'string') names.add(name)
    }
  }
  return names
}

/** Protected parameters that were written, deleted or changed: must always be none. */
export function touchedProtected(
  fake: FakeAws,
  before: Map<string, ParameterSnapshot | undefined>,
  written: ReadonlySet<string> = writtenNames(fake)
): string[] {
  const after = snapshot(fake, [...before.keys()])
  return [...before.keys()].filter(
    (name) => written.has(name) || JSON.stringify(before.get(name)) !== JSON.stringify(after.get(name))
  )
}

/** Why the parameters do not hold what the inputs asked for, or [] when they do. */
export function parameterProblems(
  fake: FakeAws,
  expected: { secrets: Record<string, string>; variables?: Record<string, string>; tags?: Record<string, string> }
): string[] {
  const problems: string[] = []
  const check = (values: Record<string, string>, type: string) => {
    for (const [key, value] of Object.entries(values)) {
      const name = `${PATH}${key}`
      const parameter = fake.ssm.get(name)
      if (!parameter) {
        problems.push(`${name} does not exist`)
        continue
      }
      if (parameter.value !== value) problems.push(`${name} does not hold the input's value`)
      if (parameter.type !== type) problems.push(`${name} is ${parameter.type}, expected ${type}`)
      for (const [tag, tagValue] of Object.entries({ ...MANAGED, ...expected.tags })) {
        if (parameter.tags[tag] !== tagValue) problems.push(`${name} lacks the tag ${tag}=${tagValue}`)
      }
    }
  }
  check(expected.secrets, 'SecureString')
  check(expected.variables ?? {}, 'String')
  return problems
}

type SecretList = { name: string; valueFrom: string }[]

/** Why the definition's secrets do not reference exactly these keys' parameter ARNs (plus LEGACY), or []. */
export function secretsProblems(what: string, secrets: SecretList | undefined, keys: readonly string[]): string[] {
  const actual = (secrets ?? []).map((secret) => `${secret.name}=${secret.valueFrom}`).sort()
  const expected = [
    `${LEGACY.name}=${LEGACY.valueFrom}`,
    ...keys.map((key) => `${key}=${parameterArn(`${PATH}${key}`)}`)
  ].sort()
  return JSON.stringify(actual) === JSON.stringify(expected)
    ? []
    : [`${what} has secrets ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`]
}

export function latestActiveJobDefinition(fake: FakeAws, name: string) {
  return fake.batch
    .definitions(name)
    .filter((definition) => definition.status === 'ACTIVE')
    .sort((a, b) => Number(b.revision) - Number(a.revision))[0]
}

export function latestActiveTaskDefinition(fake: FakeAws, family: string) {
  return fake.ecs
    .taskDefinitions(family)
    .filter((definition) => definition.status === 'ACTIVE')
    .sort((a, b) => Number(b.revision) - Number(a.revision))[0]
}

/** Every ECS service deployment id seen so far: current ones and those named in events. */
export function deploymentIds(fake: FakeAws): Set<string> {
  const ids = new Set<string>()
  for (const service of fake.ecs.services()) {
    for (const deployment of service.deployments) ids.add(deployment.id)
    for (const event of service.events) {
      const match = /\(deployment ([^)]+)\)/.exec(event.message)
      if (match?.[1]) ids.add(match[1])
    }
  }
  return ids
}

/** Waits until the server has answered (or dropped) every request it received, e.g. a slow one. */
export async function settle(fake: FakeAws, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs
  while (fake.requests.some((request) => request.status === 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  await new Promise((resolve) => setTimeout(resolve, 30))
}
