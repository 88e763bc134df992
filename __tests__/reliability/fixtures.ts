// The AWS state the cases start from, and what the state must be after a run that succeeded.
import type { DeploymentOutcome, FakeAws, JobOutcome, TaskOutcome } from '../fake-aws/index.js'

const REGION = 'us-east-1'
const ACCOUNT = '123456789012'
export const PATH = '/prod/billing/'
export const MANAGED = { 'managed-by': 'ssm-secrets-action' }
export const EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/exec`
export const LEGACY = { name: 'LEGACY', valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:legacy-AbCdEf` }
export const QUEUE = 'jobs'
export const CLUSTER = 'main'
export const SERVICE = 'web'

export const parameterArn = (name: string): string => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`
type Secrets = { name: string; valueFrom: string }[]

export function batchDefinition(name = 'billing-report', secrets: Secrets = []) {
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

export function rolelessBatchDefinition() {
  const definition = batchDefinition('no-role')
  const { executionRoleArn: _, ...containerProperties } = definition.containerProperties
  return { ...definition, containerProperties }
}

export function taskDefinition(family = 'web', secrets: Secrets = []) {
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
        portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
        environment: [{ name: 'PORT', value: '8080' }],
        secrets: [LEGACY, ...secrets]
      }
    ],
    tags: [{ key: 'team', value: 'web' }]
  }
}

/**
 * What the fixtures refer to, so that preflight's checks pass where a case is not about them: the
 * legacy secret, a Fargate and an EC2 compute environment, the subnets and the KMS aliases.
 */
export function seedAccount(fake: FakeAws): void {
  fake.secretsmanager.addSecret({ name: 'legacy', suffix: 'AbCdEf' })
  fake.batch.addComputeEnvironment({ name: 'fargate', type: 'FARGATE', maxvCpus: 256 })
  fake.batch.addComputeEnvironment({ name: 'ec2', type: 'EC2', maxvCpus: 256 })
  for (const id of ['subnet-0123456789abcdef0', 'subnet-0a']) fake.ec2.addSubnet({ id, vpcId: 'vpc-0a' })
  fake.ec2.addSecurityGroup({ id: 'sg-0123abcd', vpcId: 'vpc-0a' })
  for (const alias of ['alias/app', 'alias/billing']) fake.kms.addAlias(alias, fake.kms.addKey({}).keyId)
  const reads = ['ssm:GetParameters', 'kms:Decrypt', 'secretsmanager:GetSecretValue']
  fake.iam.putRole(EXEC_ROLE, [
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: reads, Resource: '*' }] }
  ])
}

/** A job queue whose compute environment (of seedAccount) runs definitions of that platform. */
export function addQueue(fake: FakeAws, name: string, platform: 'FARGATE' | 'EC2' = 'FARGATE'): void {
  fake.batch.addQueue(name, { computeEnvironments: [platform === 'FARGATE' ? 'fargate' : 'ec2'] })
}

export function seedQueue(fake: FakeAws, outcome: JobOutcome = { result: 'SUCCEEDED' }): void {
  addQueue(fake, QUEUE)
  fake.batch.setJobOutcome(outcome, { stepMs: 0 })
}

export function seedCluster(fake: FakeAws, outcome: DeploymentOutcome = { result: 'COMPLETED' }): void {
  fake.ecs.addCluster(CLUSTER)
  fake.ecs.setDeploymentOutcome(outcome, { stepMs: 0 })
}

export function addService(fake: FakeAws, taskDefinition: string, circuitBreaker = true): void {
  const service = { cluster: CLUSTER, serviceName: SERVICE, taskDefinition }
  fake.ecs.addService(
    circuitBreaker ? { ...service, deploymentCircuitBreaker: { enable: true, rollback: true } } : service
  )
}

/** A one-off task (family 'migrate') and the inputs that run it. */
export function seedRunTask(fake: FakeAws, outcome: TaskOutcome): void {
  fake.ecs.addCluster(CLUSTER)
  fake.ecs.setTaskOutcome(outcome, { stepMs: 0 })
  fake.ecs.seedTaskDefinition(taskDefinition('migrate'))
}
export const RUN_TASK = {
  'task-definition': 'migrate',
  cluster: CLUSTER,
  'run-task': 'true',
  'launch-type': 'FARGATE',
  subnets: 'subnet-0123456789abcdef0',
  wait: 'true'
}

/** The revision with the highest number among the ACTIVE ones. */
export const latestActive = <T extends { status?: string; revision?: number | string }>(revisions: T[]) =>
  revisions.filter((item) => item.status === 'ACTIVE').sort((a, b) => Number(b.revision) - Number(a.revision))[0]

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
  for (const parameter of PROTECTED) fake.ssm.put(parameter)
}

/** Names the runs wrote to or deleted, from the server's request log. */
function writtenNames(fake: FakeAws): Set<string> {
  const names = new Set<string>()
  for (const request of fake.requests) {
    const input = (request.input ?? {}) as { Name?: unknown; ResourceId?: unknown; Names?: unknown }
    if (request.operation === 'PutParameter') names.add(String(input.Name))
    if (request.operation === 'AddTagsToResource') names.add(String(input.ResourceId))
    if (request.operation === 'DeleteParameters' && Array.isArray(input.Names)) input.Names.forEach((n) => names.add(n))
  }
  return names
}

/**
 * Watches parameters the action must never write or delete; the function it returns lists those that
 * were written, deleted or changed since (must always be none).
 */
export function watch(fake: FakeAws, names = PROTECTED.map((parameter) => parameter.name)): () => string[] {
  const state = () =>
    names.map((name) => {
      const parameter = fake.ssm.get(name)
      return JSON.stringify(parameter && [parameter.value, parameter.version, parameter.tags])
    })
  const before = state()
  return () => {
    const [written, after] = [writtenNames(fake), state()]
    return names.filter((name, index) => written.has(name) || before[index] !== after[index])
  }
}

/** Why the parameters do not hold what the inputs asked for, or [] when they do. */
export function parameterProblems(
  fake: FakeAws,
  expected: { secrets: Record<string, string>; variables?: Record<string, string>; tags?: Record<string, string> }
): string[] {
  const check = ([key, value]: [string, string], type: string): string[] => {
    const name = `${PATH}${key}`
    const parameter = fake.ssm.get(name)
    if (!parameter) return [`${name} does not exist`]
    return [
      ...(parameter.value !== value ? [`${name} does not hold the input's value`] : []),
      ...(parameter.type !== type ? [`${name} is ${parameter.type}, expected ${type}`] : []),
      ...Object.entries({ ...MANAGED, ...expected.tags })
        .filter(([tag, tagValue]) => parameter.tags[tag] !== tagValue)
        .map(([tag, tagValue]) => `${name} lacks the tag ${tag}=${tagValue}`)
    ]
  }
  return [
    ...Object.entries(expected.secrets).flatMap((entry) => check(entry, 'SecureString')),
    ...Object.entries(expected.variables ?? {}).flatMap((entry) => check(entry, 'String'))
  ]
}
