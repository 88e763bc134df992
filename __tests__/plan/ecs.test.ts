import { describe, expect, it } from 'vitest'
import { ecsModel } from '../../src/plan/ecs.js'
import { planDefinitionRewrite } from '../../src/plan/definitions.js'
import { essentialContainers, planRunTask, runToken } from '../../src/plan/launch.js'

const described = {
  taskDefinition: {
    family: 'web',
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:4',
    revision: 4,
    status: 'ACTIVE',
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.secrets.ssm.environment-variables' }],
    compatibilities: ['EC2', 'FARGATE'],
    registeredAt: 1700000000,
    registeredBy: 'arn:aws:iam::123456789012:role/deployer',
    executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      { name: 'app', image: 'app:1', essential: true, secrets: [{ name: 'OLD', valueFrom: 'x' }] },
      { name: 'log-router', image: 'fluent-bit', essential: false }
    ],
    somethingNew: true
  },
  tags: [{ key: 'team', value: 'web' }]
}

const secrets = [{ name: 'DB', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/p/DB' }]

describe('ecsModel', () => {
  it('reads a DescribeTaskDefinition answer, tags included, and keeps only register members', () => {
    const document = ecsModel.fromFile(described)
    expect(ecsModel.nameOf(document)).toBe('web')
    const request = ecsModel.toRegisterRequest(document)
    expect(Object.keys(request).sort()).toEqual([
      'containerDefinitions',
      'cpu',
      'executionRoleArn',
      'family',
      'memory',
      'networkMode',
      'requiresCompatibilities',
      'tags'
    ])
    expect(request.tags).toEqual([{ key: 'team', value: 'web' }])
    expect(() => ecsModel.fromFile({ containerDefinitions: [] })).toThrow(/has no family/)
  })

  it('rewrites the chosen container and keeps the current tags under the file’s', () => {
    const file = { ...described.taskDefinition, tags: [{ key: 'owner', value: 'me' }] }
    const plan = planDefinitionRewrite({
      model: ecsModel,
      source: file,
      current: {
        ...described.taskDefinition,
        tags: [
          { key: 'team', value: 'web' },
          { key: 'owner', value: 'old' }
        ]
      },
      containers: ['app'],
      secrets,
      logSecretOptions: [],
      isStale: () => false
    })
    const [app, router] = plan.definition.containerDefinitions as { secrets?: unknown[] }[]
    expect(app?.secrets).toEqual([{ name: 'OLD', valueFrom: 'x' }, ...secrets])
    expect(router?.secrets).toBeUndefined()
    expect(plan.definition.tags).toEqual([
      { key: 'team', value: 'web' },
      { key: 'owner', value: 'me' }
    ])
    expect(plan.containers.map((slot) => [slot.id, slot.executionRoleArn])).toEqual([
      ['app', 'arn:aws:iam::123456789012:role/exec']
    ])
    expect(plan.changed).toBe(true)
  })
})

const context = { repository: 'octo/web', sha: 's', runId: '9', runAttempt: '1', serverUrl: 'https://github.com' }

describe('planRunTask', () => {
  const base = {
    definition: described.taskDefinition,
    definitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:5',
    cluster: 'main',
    launchType: 'FARGATE',
    subnets: ['subnet-0a'],
    securityGroups: ['sg-0b'],
    assignPublicIp: 'DISABLED' as const,
    context
  }
  it('builds an idempotent request for this run attempt', () => {
    const request = planRunTask(base)
    expect(request).toMatchObject({
      cluster: 'main',
      taskDefinition: base.definitionArn,
      launchType: 'FARGATE',
      startedBy: 'github-9-1',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-0a'], securityGroups: ['sg-0b'], assignPublicIp: 'DISABLED' }
      }
    })
    expect(request.clientToken).toBe(planRunTask(base).clientToken)
    expect(request.clientToken.length).toBeLessThanOrEqual(64)
    expect(runToken({ ...context, runAttempt: '2' }, base.definitionArn)).not.toBe(request.clientToken)
  })
  it('knows which containers are essential', () => {
    expect([...essentialContainers(described.taskDefinition)]).toEqual(['app'])
  })
})
