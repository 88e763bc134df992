// Pure: the whole plan from a request and the state read before it — which references a definition
// keeps or drops, and the policy — without AWS.
import { describe, expect, it } from 'vitest'
import type { ActionRequest } from '../../src/inputs/index.js'
import { batchModel } from '../../src/plan/batch.js'
import { plan } from '../../src/plan/index.js'
import type { State } from '../../src/read.js'

const ACCOUNT = { account: '123456789012', partition: 'aws' }
const ROLE = 'arn:aws:iam::123456789012:role/exec'
const arn = (name: string) => `arn:aws:ssm:us-east-1:123456789012:parameter/app/${name}`
const param = (name: string) => ({ name: `/app/${name}`, type: 'SecureString', version: 1, arn: arn(name) })

const definition = {
  jobDefinitionName: 'job',
  type: 'container',
  containerProperties: {
    image: 'job:1',
    executionRoleArn: ROLE,
    secrets: [
      { name: 'GONE', valueFrom: arn('GONE') },
      { name: 'PRUNED', valueFrom: arn('PRUNED') },
      { name: 'OTHERS', valueFrom: arn('OTHERS') }
    ]
  }
}

function request(overrides: Partial<ActionRequest> = {}): ActionRequest {
  return {
    entries: [{ key: 'KEEP', value: 'keep-value-1', kind: 'secrets' }],
    path: '/app/',
    kmsKeyId: undefined,
    tier: 'auto',
    tags: [],
    prune: true,
    references: [],
    region: 'us-east-1',
    dryRun: false,
    definition: {
      kind: 'batch',
      source: { kind: 'name', name: 'job' },
      containers: undefined,
      logSecretOptions: [],
      keepRevisions: undefined
    },
    launch: undefined,
    context: { runId: '1', runAttempt: '1' },
    warnings: [],
    ...overrides
  } as ActionRequest
}

function state(overrides: Partial<State> = {}): State {
  return {
    sync: { current: new Map(), managed: [param('PRUNED')] },
    definition: { model: batchModel, name: 'job', source: definition, current: undefined },
    identity: ACCOUNT,
    existingReferences: new Set(['/app/PRUNED', '/app/OTHERS']),
    ...overrides
  }
}

describe('plan', () => {
  it('drops references to parameters this run deletes or that are gone, and keeps the others', () => {
    const planned = plan(request(), state())
    expect(planned.changes.map((change) => `${change.status} ${change.name}`)).toEqual([
      'created /app/KEEP',
      'deleted /app/PRUNED'
    ])
    const container = planned.definition?.definition.containerProperties as { secrets: { name: string }[] }
    expect(container.secrets.map((secret) => secret.name)).toEqual(['OTHERS', 'KEEP'])
    expect(planned.definition?.changes).toEqual([
      `container 'job': + secret KEEP → ${arn('KEEP')}`,
      "container 'job': - secret GONE",
      "container 'job': - secret PRUNED"
    ])
    expect(planned.definition?.warnings).toEqual([
      "container 'job': removed secret GONE, whose parameter is no longer synced",
      "container 'job': removed secret PRUNED, whose parameter is no longer synced"
    ])
    expect(planned.secrets?.policy.Statement[0]?.Resource).toEqual([arn('KEEP')])
  })

  it('without a definition: the policy for the synced parameters, no definition plan', () => {
    const planned = plan(request({ definition: undefined, prune: false }), state({ definition: undefined }))
    expect(planned.definition).toBeUndefined()
    expect(planned.secrets?.policy.Statement[0]?.Resource).toEqual([arn('KEEP')])
  })

  it('without the account (STS failed, no definition): no policy, the parameters still planned', () => {
    const planned = plan(request({ definition: undefined }), state({ definition: undefined, identity: undefined }))
    expect(planned.secrets).toBeUndefined()
    expect(planned.changes).toHaveLength(2)
  })

  it('is a plain value: the same input plans the same, twice', () => {
    expect(JSON.stringify(plan(request(), state()))).toBe(JSON.stringify(plan(request(), state())))
  })
})
