// Pure: a definition file compares equal to the revision the service describes for it (defaults
// filled in), and anything that really differs still registers. Every "described" shape below is
// what the service returns (or, where answers vary, may return) for the "file" shape; the evidence
// is in __tests__/fixtures/real-definitions/DEFAULTS.md.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { batchModel } from '../../src/plan/batch.js'
import { planDefinitionRewrite, sameRevision, type DefinitionModel } from '../../src/plan/definitions.js'
import { ecsModel } from '../../src/plan/ecs.js'

const ROLE = 'arn:aws:iam::123456789012:role/exec'
const arn = (name: string) => `arn:aws:ssm:us-east-1:123456789012:parameter/app/${name}`
const secrets = [{ name: 'DB_PASSWORD', valueFrom: arn('DB_PASSWORD') }]
type Doc = Record<string, unknown>
const withSecrets = <T extends Doc>(container: T) => ({ ...container, secrets })

function plan(model: DefinitionModel, file: Doc, current: Doc | undefined, containers = ['*']) {
  return planDefinitionRewrite({
    model,
    source: file,
    current,
    containers,
    secrets,
    logSecretOptions: [],
    isStale: () => false
  })
}

const ecsFile = {
  family: 'web',
  executionRoleArn: ROLE,
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    {
      name: 'app',
      image: 'app:1',
      portMappings: [{ containerPort: 8080 }],
      healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8080/ || exit 1'] }
    }
  ]
}
const ecsDescribed = {
  ...ecsFile,
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:3',
  revision: 3,
  status: 'ACTIVE',
  compatibilities: ['EC2', 'FARGATE'],
  requiresAttributes: [{ name: 'ecs.capability.secrets.ssm.environment-variables' }],
  volumes: [],
  placementConstraints: [],
  registeredAt: '2026-11-01T00:00:00Z',
  containerDefinitions: [
    withSecrets({
      name: 'app',
      image: 'app:1',
      cpu: 0,
      essential: true,
      portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
      healthCheck: {
        command: ['CMD-SHELL', 'curl -f http://localhost:8080/ || exit 1'],
        interval: 30,
        timeout: 5,
        retries: 3
      }
    })
  ]
}

const batchFile = {
  jobDefinitionName: 'nightly',
  type: 'container',
  platformCapabilities: ['FARGATE'],
  retryStrategy: { attempts: 3, evaluateOnExit: [{ onStatusReason: 'Host EC2*', action: 'RETRY' }] },
  containerProperties: {
    image: 'report:1',
    executionRoleArn: ROLE,
    resourceRequirements: [
      { type: 'VCPU', value: '1' },
      { type: 'MEMORY', value: '2048' }
    ]
  }
}
const batchDescribed = {
  ...batchFile,
  jobDefinitionArn: 'arn:aws:batch:us-east-1:123456789012:job-definition/nightly:5',
  revision: 5,
  status: 'ACTIVE',
  containerOrchestrationType: 'ECS',
  propagateTags: false,
  parameters: {},
  tags: {},
  retryStrategy: { attempts: 3, evaluateOnExit: [{ onStatusReason: 'Host EC2*', action: 'retry' }] },
  containerProperties: withSecrets({
    ...batchFile.containerProperties,
    command: [],
    volumes: [],
    environment: [],
    mountPoints: [],
    ulimits: [],
    networkConfiguration: { assignPublicIp: 'DISABLED' },
    fargatePlatformConfiguration: { platformVersion: 'LATEST' }
  })
}

describe('a file against the revision the service describes for it', () => {
  it.each([
    ['ECS', ecsModel, ecsFile, ecsDescribed],
    ['Batch', batchModel, batchFile, batchDescribed]
  ])('%s: equal modulo the defaults, so nothing registers and the diff is empty', (_, model, file, described) => {
    const result = plan(model, file, described)
    expect(result.changed).toBe(false)
    expect(result.changes).toEqual([])
  })

  it('ECS: bridge and host network modes, and task sizes in vCPU and GB', () => {
    const bridge = {
      family: 'legacy',
      executionRoleArn: ROLE,
      cpu: '.25 vcpu',
      memory: '2 GB',
      containerDefinitions: [
        {
          name: 'app',
          image: 'a',
          memory: 256,
          portMappings: [{ containerPort: 80 }, { containerPort: 81 }],
          environment: [
            { name: 'B', value: 'b' },
            { name: 'EMPTY', value: '' },
            { name: 'A', value: 'a' }
          ]
        }
      ]
    }
    // No networkMode comes back (ECS does not fill it in); ports in another order; empty values dropped.
    const described = {
      ...bridge,
      cpu: '256',
      memory: '2048',
      containerDefinitions: [
        withSecrets({
          name: 'app',
          image: 'a',
          memory: 256,
          cpu: 0,
          essential: true,
          portMappings: [
            { containerPort: 81, hostPort: 0, protocol: 'tcp' },
            { containerPort: 80, hostPort: 0, protocol: 'tcp' }
          ],
          environment: [
            { name: 'A', value: 'a' },
            { name: 'B', value: 'b' }
          ]
        })
      ]
    }
    expect(plan(ecsModel, bridge, described).changed).toBe(false)
    const host = { ...bridge, networkMode: 'host' }
    const hostDescribed = changed({ ...described, networkMode: 'host' }, 'containerDefinitions.0.portMappings', [
      { containerPort: 80, hostPort: 80, protocol: 'tcp' },
      { containerPort: 81, hostPort: 81, protocol: 'tcp' }
    ])
    expect(plan(ecsModel, host, hostDescribed).changed).toBe(false)
  })

  it('Batch: nodeProperties and ecsProperties containers, EC2 defaults', () => {
    const multinode = {
      jobDefinitionName: 'mpi',
      type: 'multinode',
      nodeProperties: {
        numNodes: 2,
        mainNode: 0,
        nodeRangeProperties: [{ targetNodes: '0:', container: { image: 'mpi:1', executionRoleArn: ROLE, vcpus: 2 } }]
      }
    }
    const multinodeDescribed = {
      ...multinode,
      platformCapabilities: ['EC2'],
      propagateTags: false,
      nodeProperties: {
        ...multinode.nodeProperties,
        nodeRangeProperties: [
          {
            targetNodes: '0:',
            container: withSecrets({ ...multinode.nodeProperties.nodeRangeProperties[0]?.container })
          }
        ]
      }
    }
    expect(plan(batchModel, multinode, multinodeDescribed).changed).toBe(false)
    const ecsProperties = {
      jobDefinitionName: 'pair',
      type: 'container',
      ecsProperties: {
        taskProperties: [
          {
            executionRoleArn: ROLE,
            containers: [
              { name: 'main', image: 'main:1' },
              { name: 'side', image: 'side:1', essential: false }
            ]
          }
        ]
      }
    }
    const ecsPropertiesDescribed = {
      ...ecsProperties,
      platformCapabilities: ['EC2'],
      propagateTags: false,
      ecsProperties: {
        taskProperties: [
          {
            executionRoleArn: ROLE,
            platformVersion: 'LATEST',
            containers: [
              withSecrets({ name: 'main', image: 'main:1', essential: true }),
              withSecrets({ name: 'side', image: 'side:1', essential: false })
            ]
          }
        ]
      }
    }
    expect(plan(batchModel, ecsProperties, ecsPropertiesDescribed).changed).toBe(false)
  })
})

const PAIRS = { ECS: [ecsModel, ecsFile, ecsDescribed], Batch: [batchModel, batchFile, batchDescribed] } as const

/** A copy of `document` with the member at the dotted `path` set to `value`. */
function changed(document: object, path: string, value: unknown): Doc {
  const copy = structuredClone(document) as Doc
  const keys = path.split('.')
  const last = keys.pop() as string
  const parent = keys.reduce((node, key) => node[key] as Doc, copy)
  parent[last] = value
  return copy
}

describe('what really differs still registers, and the diff says what', () => {
  const app = 'containerDefinitions.0'
  it.each([
    ['ECS', `${app}.image`, 'app:0', '~ containerDefinitions[app].image'],
    ['ECS', `${app}.cpu`, 256, '~ containerDefinitions[app].cpu'],
    ['ECS', `${app}.essential`, false, '~ containerDefinitions[app].essential'],
    ['ECS', `${app}.portMappings.0.protocol`, 'udp', '~ containerDefinitions[app].portMappings[0].protocol'],
    ['ECS', 'memory', '1024', '~ memory'],
    ['ECS', `${app}.secrets`, [], `container 'app': + secret DB_PASSWORD → ${arn('DB_PASSWORD')}`],
    ['Batch', 'containerProperties.image', 'report:0', '~ containerProperties.image'],
    ['Batch', 'retryStrategy.evaluateOnExit.0.action', 'exit', '~ retryStrategy.evaluateOnExit[0].action'],
    ['Batch', 'propagateTags', true, '~ propagateTags'],
    [
      'Batch',
      'containerProperties.networkConfiguration.assignPublicIp',
      'ENABLED',
      '~ containerProperties.networkConfiguration.assignPublicIp'
    ],
    [
      'Batch',
      'containerProperties.secrets.1',
      { name: 'OLD', valueFrom: arn('OLD') },
      "container 'nightly': - secret OLD"
    ]
  ] as const)('%s: %s set to %j', (service, path, value, line) => {
    const [model, file, described] = PAIRS[service]
    const result = plan(model, file, changed(described, path, value))
    expect(result.changed).toBe(true)
    expect(result.changes).toEqual([line])
  })

  it('a secret the revision has in a container the run does not touch shows as that member', () => {
    const file = {
      ...ecsFile,
      containerDefinitions: [...ecsFile.containerDefinitions, { name: 'side', image: 'side:1' }]
    }
    const described = structuredClone(ecsDescribed) as Doc & { containerDefinitions: unknown[] }
    described.containerDefinitions.push({
      name: 'side',
      image: 'side:1',
      secrets: [{ name: 'OLD', valueFrom: arn('OLD') }]
    })
    const result = plan(ecsModel, file, described, ['app'])
    expect(result.changed).toBe(true)
    expect(result.changes).toEqual(['- containerDefinitions[side].secrets'])
  })

  it('without a registered revision the diff is against the file: every secret is new', () => {
    const result = plan(ecsModel, ecsFile, undefined)
    expect(result.changed).toBe(true)
    expect(result.changes).toEqual(["container 'app': + secret DB_PASSWORD → " + arn('DB_PASSWORD')])
  })
})

describe('tags AWS puts on a revision itself', () => {
  it('are not registered again (register refuses the aws: prefix) and do not count as a change', () => {
    const cloudFormation = { 'aws:cloudformation:stack-name': 'jobs', team: 'data' }
    const result = plan(
      batchModel,
      { ...batchDescribed, tags: cloudFormation },
      { ...batchDescribed, tags: cloudFormation }
    )
    expect(result.changed).toBe(false)
    expect(result.definition.tags).toEqual({ team: 'data' })
    const ecsTags = [
      { key: 'AWS:CloudFormation:stack-id', value: 'x' },
      { key: 'team', value: 'web' }
    ]
    const ecs = plan(ecsModel, { ...ecsDescribed, tags: ecsTags }, undefined)
    expect(ecs.definition.tags).toEqual([{ key: 'team', value: 'web' }])
  })
})

describe('the one public pair of a file and what ECS answered for it', () => {
  // The AWS CLI's register-task-definition example: sleep360.json and the task definition returned
  // (sources in __tests__/fixtures/real-definitions/sources.ts).
  const fixture = (file: string) =>
    JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'real-definitions', file), 'utf8')) as Doc
  it('compares equal', () => {
    const answer = fixture('described/ecs-awscli-sleep360-registered.json')
    const described = (answer.taskDefinition ?? answer) as Doc
    expect(sameRevision(ecsModel, fixture('ecs-awscli-sleep360.json'), described)).toBe(true)
  })
})
