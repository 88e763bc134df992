import { describe, expect, it } from 'vitest'
import { batchModel, cleanJobName, type JobDefinitionDocument } from '../../src/plan/batch.js'
import { planDefinitionRewrite, type DefinitionPlanOptions } from '../../src/plan/definitions.js'
import { canonical, chooseContainers, sameDefinition, type SecretRef } from '../../src/plan/containers.js'

const ROLE = 'arn:aws:iam::123456789012:role/exec'
const arn = (name: string) => `arn:aws:ssm:us-east-1:123456789012:parameter/prod/${name}`

function single(extra: Record<string, unknown> = {}): JobDefinitionDocument {
  return {
    jobDefinitionName: 'billing',
    jobDefinitionArn: 'arn:aws:batch:us-east-1:123456789012:job-definition/billing:3',
    revision: 3,
    status: 'ACTIVE',
    containerOrchestrationType: 'ECS',
    type: 'container',
    tags: { team: 'billing' },
    containerProperties: {
      image: 'app:1',
      executionRoleArn: ROLE,
      environment: [
        { name: 'DB_PASSWORD', value: 'plain' },
        { name: 'MODE', value: 'batch' }
      ],
      secrets: [
        { name: 'UNRELATED', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf' },
        { name: 'DB_PASSWORD', valueFrom: arn('OLD') },
        { name: 'GONE', valueFrom: arn('GONE') }
      ],
      logConfiguration: { logDriver: 'awsfirelens', options: { Name: 'datadog' } },
      mountPoints: [],
      volumes: []
    },
    ...extra
  }
}

const secrets: SecretRef[] = [
  { name: 'API_KEY', valueFrom: arn('API_KEY') },
  { name: 'DB_PASSWORD', valueFrom: arn('DB_PASSWORD') }
]
/** The plan for `source`: no current revision, the default container, `secrets`, nothing stale, unless given. */
const rewrite = (source: JobDefinitionDocument, options: Partial<DefinitionPlanOptions> = {}) =>
  planDefinitionRewrite({
    model: batchModel,
    source,
    current: undefined,
    containers: undefined,
    secrets,
    logSecretOptions: [],
    isStale: () => false,
    ...options
  })

describe('toRegisterRequest', () => {
  it('keeps only members RegisterJobDefinition takes', () => {
    const request = batchModel.toRegisterRequest({ ...single(), somethingAwsAddsLater: { x: 1 } })
    expect(Object.keys(request).sort()).toEqual(['containerProperties', 'jobDefinitionName', 'tags', 'type'])
  })
  it('reads a file in either shape', () => {
    expect(batchModel.fromFile({ jobDefinitions: [single()] }).jobDefinitionName).toBe('billing')
    expect(batchModel.fromFile(single()).revision).toBe(3)
    expect(() => batchModel.fromFile({ jobDefinitions: [single(), single()] })).toThrow(/holds 2 job definitions/)
    expect(() => batchModel.fromFile([1])).toThrow(/must hold a JSON object/)
    expect(() => batchModel.fromFile({ type: 'container' })).toThrow(/has no jobDefinitionName/)
  })
})

describe('the Batch definition rewrite', () => {
  it('replaces same-name secrets, keeps unrelated ones, drops the same-name plain variable', () => {
    const current = single()
    const plan = rewrite(current, { current })
    const container = plan.definition.containerProperties as { secrets: SecretRef[]; environment: unknown[] }
    expect(container.secrets).toEqual([
      { name: 'UNRELATED', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf' },
      { name: 'GONE', valueFrom: arn('GONE') },
      ...secrets
    ])
    expect(container.environment).toEqual([{ name: 'MODE', value: 'batch' }])
    expect(plan.changed).toBe(true)
    expect(plan.warnings).toEqual([`container 'billing': removed plain environment variable DB_PASSWORD, now a secret`])
    expect(plan.changes).toEqual([
      `container 'billing': + secret API_KEY → ${arn('API_KEY')}`,
      `container 'billing': ~ secret DB_PASSWORD → ${arn('DB_PASSWORD')} (was ${arn('OLD')})`,
      `container 'billing': - environment DB_PASSWORD`
    ])
    expect(plan.definition.tags).toEqual({ team: 'billing' })
    expect(plan.definition.revision).toBeUndefined()
  })

  it('with prune, removes secrets that point at parameters no longer synced', () => {
    const plan = rewrite(single(), { current: single(), isStale: (valueFrom) => valueFrom === arn('GONE') })
    const names = (plan.definition.containerProperties as { secrets: SecretRef[] }).secrets.map((s) => s.name)
    expect(names).toEqual(['UNRELATED', 'API_KEY', 'DB_PASSWORD'])
    expect(plan.changes).toContain(`container 'billing': - secret GONE`)
  })

  it('is unchanged when the same secrets are there in another order', () => {
    const current = single()
    const first = rewrite(current, { current })
    const reordered = structuredClone(first.definition)
    ;(reordered.containerProperties as { secrets: SecretRef[] }).secrets.reverse()
    const again = rewrite(reordered, { current: reordered })
    expect(again.changed).toBe(false)
    expect(again.changes).toEqual([])
  })

  it('fills logConfiguration.secretOptions', () => {
    const plan = rewrite(single(), { logSecretOptions: [{ name: 'apikey', valueFrom: arn('API_KEY') }] })
    expect((plan.definition.containerProperties as { logConfiguration: unknown }).logConfiguration).toEqual({
      logDriver: 'awsfirelens',
      options: { Name: 'datadog' },
      secretOptions: [{ name: 'apikey', valueFrom: arn('API_KEY') }]
    })
    const noLog = single()
    delete (noLog.containerProperties as Record<string, unknown>).logConfiguration
    expect(() => rewrite(noLog, { logSecretOptions: [{ name: 'x', valueFrom: 'y' }] })).toThrow(
      /Input 'log-secret-options': container 'billing' has no logConfiguration.logDriver/
    )
  })

  it('keeps the current tags when the file has none, file tags winning', () => {
    const file = { ...single(), tags: { owner: 'me', team: 'payments' } }
    const plan = rewrite(file, { current: single({ tags: { team: 'billing', cost: '1' } }) })
    expect(plan.definition.tags).toEqual({ team: 'payments', cost: '1', owner: 'me' })
  })
})

const multiContainer: JobDefinitionDocument = {
  jobDefinitionName: 'multi',
  type: 'container',
  ecsProperties: {
    taskProperties: [
      {
        executionRoleArn: ROLE,
        containers: [
          { name: 'app', image: 'app' },
          { name: 'sidecar', image: 'side', secrets: [{ name: 'KEEP', valueFrom: 'x' }] }
        ]
      }
    ]
  }
}

const multiNode: JobDefinitionDocument = {
  jobDefinitionName: 'mpi',
  type: 'multinode',
  nodeProperties: {
    numNodes: 4,
    mainNode: 0,
    nodeRangeProperties: [
      { targetNodes: '0', container: { image: 'main', executionRoleArn: ROLE } },
      { targetNodes: '1:', container: { image: 'worker', executionRoleArn: ROLE } }
    ]
  }
}

describe('containers', () => {
  it('names the containers when a choice is needed', () => {
    expect(() => chooseContainers(batchModel.containers(multiContainer), undefined)).toThrow(
      `Input 'containers': the definition has 2 containers ('app', 'sidecar'); name the ones that get the secrets, or '*' for all`
    )
    expect(() => chooseContainers(batchModel.containers(multiContainer), ['web'])).toThrow(
      /no container 'web' in the definition; it has 'app', 'sidecar'/
    )
  })

  it('rewrites only the chosen container of a multi-container definition', () => {
    const plan = rewrite(multiContainer, { containers: ['sidecar'] })
    const [task] = (
      plan.definition.ecsProperties as { taskProperties: { containers: { name: string; secrets?: SecretRef[] }[] }[] }
    ).taskProperties
    expect(task?.containers[0]?.secrets).toBeUndefined()
    expect(task?.containers[1]?.secrets?.map((s) => s.name)).toEqual(['KEEP', 'API_KEY', 'DB_PASSWORD'])
    expect(plan.containers.map((slot) => [slot.id, slot.executionRoleArn])).toEqual([['sidecar', ROLE]])
  })

  it('rewrites every node range of a multi-node definition with *', () => {
    const plan = rewrite(multiNode, { containers: ['*'] })
    const ranges = (
      plan.definition.nodeProperties as { nodeRangeProperties: { container: { secrets: SecretRef[] } }[] }
    ).nodeRangeProperties
    expect(ranges.map((range) => range.container.secrets.length)).toEqual([2, 2])
    expect(plan.containers.map((slot) => slot.id)).toEqual(['0', '1:'])
    expect((plan.definition.nodeProperties as { numNodes: number }).numNodes).toBe(4)
  })

  it('refuses EKS definitions with a clear error', () => {
    expect(() =>
      batchModel.containers({ jobDefinitionName: 'k', type: 'container', eksProperties: { podProperties: {} } })
    ).toThrow(/runs on EKS, where secrets are Kubernetes secrets, not SSM parameters/)
  })
})

describe('size', () => {
  it('refuses a definition AWS would reject for its size, before anything is written', () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ name: `SECRET_${i}`, valueFrom: arn(`SECRET_${i}`) }))
    expect(() => rewrite(single(), { current: single(), secrets: many })).toThrow(
      /Input 'job-definition': with these secrets the job definition would be \d+ bytes; AWS accepts at most 24576/
    )
    expect(() => rewrite(single(), { current: single(), secrets: many.slice(0, 100) })).not.toThrow()
  })
})

describe('comparison', () => {
  it('ignores empty members AWS fills in and the order of secrets', () => {
    expect(
      sameDefinition(
        { a: { secrets: [{ name: 'B' }, { name: 'A' }], mountPoints: [] } },
        { a: { secrets: [{ name: 'A' }, { name: 'B' }] } }
      )
    ).toBe(true)
    expect(sameDefinition({ a: { command: ['x', 'y'] } }, { a: { command: ['y', 'x'] } })).toBe(false)
    expect(canonical({ b: 1, a: null, c: {} })).toEqual({ b: 1 })
  })
})

describe('cleanJobName', () => {
  it.each([
    ['billing-123-1', 'billing-123-1'],
    ['my.def:with/odd chars', 'my-def-with-odd-chars'],
    ['--leading', 'leading'],
    ['x'.repeat(200), 'x'.repeat(128)],
    ['...', 'job']
  ])('%s → %s', (name, expected) => {
    expect(cleanJobName(name)).toBe(expected)
  })
})
