// What each preflight check concludes from what was read.
import { describe, expect, it } from 'vitest'
import {
  findingLine,
  keyFinding,
  passRoleFinding,
  preflightFailure,
  referenceFinding,
  roleFindings,
  type Finding
} from '../../src/plan/preflight.js'
import { networkFinding, queueFinding, serviceFinding } from '../../src/plan/preflight-target.js'

const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'
const key = (extra = {}) => ({
  value: { arn: KEY, state: 'Enabled', spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT', ...extra }
})
const ce = (name: string, extra = {}) => ({
  name,
  state: 'ENABLED',
  status: 'VALID',
  statusReason: undefined,
  maxvCpus: 16,
  type: 'FARGATE',
  ...extra
})
const queue = (...computeEnvironments: ReturnType<typeof ce>[]) => ({
  value: { name: 'jobs', state: 'ENABLED', status: 'VALID', computeEnvironments }
})
const fargateJob = {
  platformCapabilities: ['FARGATE'],
  containerProperties: { resourceRequirements: [{ type: 'VCPU', value: '4' }] }
}
const status = (finding: Finding) => [finding.status, finding.detail]

describe('preflight findings', () => {
  it.each([
    ['a usable key', key(), 'passed', `${KEY} is enabled and symmetric`],
    [
      'no such key',
      { value: undefined },
      'failed',
      "kms-key-id 'alias/app' names no key in eu-west-1: create it or fix the input"
    ],
    [
      'disabled, asymmetric, signing',
      key({ state: 'Disabled', spec: 'RSA_2048', usage: 'SIGN_VERIFY' }),
      'failed',
      /Disabled.*RSA_2048.*SIGN_VERIFY/
    ],
    [
      'another region',
      key({ arn: KEY.replace('eu-west-1', 'us-east-1') }),
      'failed',
      /it is in us-east-1; the parameters are in eu-west-1/
    ],
    [
      'not readable',
      { error: 'AccessDeniedException: no' },
      'unchecked',
      'could not be checked (AccessDeniedException: no); it needs kms:DescribeKey'
    ]
  ])('KMS key: %s', (_, read, expected, detail) => {
    const finding = keyFinding('alias/app', read, 'eu-west-1')
    expect(finding.status).toBe(expected)
    expect(finding.detail).toMatch(detail)
  })

  it.each([
    [
      'a FARGATE environment big enough',
      queue(ce('small', { maxvCpus: 2 }), ce('big')),
      'passed',
      'jobs is ENABLED and VALID, with small, big'
    ],
    ['no such queue', { value: undefined }, 'failed', "job queue 'jobs' does not exist in this account and region"],
    [
      'a disabled queue',
      { value: { ...queue().value, state: 'DISABLED' } },
      'failed',
      'job queue jobs is DISABLED: enable it'
    ],
    [
      'only EC2 environments',
      queue(ce('ec2', { type: 'EC2' })),
      'failed',
      /no ENABLED, VALID FARGATE compute environment; the definition needs FARGATE/
    ],
    [
      'disabled or invalid ones',
      queue(ce('off', { state: 'DISABLED' }), ce('bad', { status: 'INVALID' })),
      'failed',
      /no ENABLED, VALID FARGATE/
    ],
    [
      'too small',
      queue(ce('small', { maxvCpus: 2 })),
      'failed',
      'the job asks for 4 vCPUs; the compute environments of jobs allow at most 2'
    ]
  ])('Job queue: %s', (_, read, expected, detail) => {
    const finding = queueFinding('jobs', read, fargateJob)
    expect(finding.status).toBe(expected)
    expect(finding.detail).toMatch(detail)
  })

  it('Service: missing, draining, another controller, another launch type; ACTIVE on ECS passes', () => {
    const target = { cluster: 'main', service: 'web' }
    const fargate = { requiresCompatibilities: ['FARGATE'] }
    const service = (extra = {}) => ({
      value: { status: 'ACTIVE', controller: 'ECS', launchType: 'FARGATE', capacityProviders: [], ...extra }
    })
    expect(status(serviceFinding(target, { value: undefined }, fargate))).toEqual([
      'failed',
      "service 'web' does not exist in cluster main"
    ])
    expect(serviceFinding(target, service({ status: 'DRAINING' }), fargate).detail).toBe(
      'service web is DRAINING, not ACTIVE'
    )
    expect(serviceFinding(target, service({ controller: 'CODE_DEPLOY' }), fargate).detail).toMatch(
      /CODE_DEPLOY deployment controller.*CodeDeploy/
    )
    expect(serviceFinding(target, service({ launchType: 'EC2' }), fargate).detail).toMatch(
      /runs on EC2; the task definition requires FARGATE/
    )
    expect(
      serviceFinding(target, service({ launchType: undefined, capacityProviders: ['FARGATE_SPOT'] }), fargate).status
    ).toBe('passed')
  })

  it('Network: all found in one VPC; missing ones; two VPCs', () => {
    const target = { subnets: ['subnet-1', 'subnet-2'], securityGroups: ['sg-1'] }
    const found = (vpc2: string) => ({
      value: {
        subnets: [
          { id: 'subnet-1', vpcId: 'vpc-a' },
          { id: 'subnet-2', vpcId: vpc2 }
        ],
        securityGroups: [{ id: 'sg-1', vpcId: 'vpc-a' }]
      }
    })
    expect(status(networkFinding(target, found('vpc-a')))).toEqual(['passed', 'subnet-1, subnet-2, sg-1 in vpc-a'])
    expect(networkFinding(target, { value: { subnets: [], securityGroups: [] } }).detail).toBe(
      'subnet-1, subnet-2, sg-1 not found in this account and region'
    )
    expect(networkFinding(target, found('vpc-b')).detail).toMatch(/more than one VPC: .*subnet-2 \(vpc-b\)/)
  })

  it('Execution role: a denial names role, action and resource, and prints the policy; Workflow role only warns', () => {
    const policy = { Version: '2012-10-17' as const, Statement: [] }
    const denied = [
      { action: 'ssm:GetParameters', resource: 'arn:aws:ssm:eu-west-1:1:parameter/app/A', decision: 'implicitDeny' }
    ]
    const [ok, bad] = roleFindings(
      [
        { role: 'arn:aws:iam::1:role/ok', read: { value: [] } },
        { role: 'arn:aws:iam::1:role/exec', read: { value: denied } }
      ],
      policy
    )
    expect(ok?.status).toBe('passed')
    expect(bad?.detail).toBe(
      `arn:aws:iam::1:role/exec cannot ssm:GetParameters on arn:aws:ssm:eu-west-1:1:parameter/app/A (implicitDeny); its containers would not start. Attach this policy to it:\n${JSON.stringify(policy, null, 2)}`
    )
    const pass = passRoleFinding('arn:aws:iam::1:role/ci', {
      value: [{ action: 'iam:PassRole', resource: 'r', decision: 'implicitDeny' }]
    })
    expect([pass.status, pass.warnOnly, findingLine(pass)]).toEqual([
      'failed',
      true,
      expect.stringMatching(/^⚠️ Workflow role: /)
    ])
  })

  it('References: missing or being deleted fails; an unreadable kind is unchecked only when nothing failed', () => {
    expect(referenceFinding({ missing: ['/a'], deleted: ['arn:s'], checked: 2, error: 'denied' }).detail).toMatch(
      /^not found: \/a; scheduled for deletion: arn:s; containers referencing them would not start/
    )
    expect(referenceFinding({ missing: [], deleted: [], checked: 1, error: 'denied' }).status).toBe('unchecked')
    expect(status(referenceFinding({ missing: [], deleted: [], checked: 1 }))).toEqual([
      'passed',
      '1 referenced secret exists'
    ])
    expect(status(referenceFinding({ missing: [], deleted: [], checked: 0 }))).toEqual([
      'passed',
      'the definition references no secret besides those this run syncs'
    ])
  })

  it('stops on a failed check (strict: also on one that could not be made), never on a warning', () => {
    const findings: Finding[] = [
      { check: 'KMS key', status: 'passed', detail: 'ok' },
      { check: 'Cluster', status: 'unchecked', detail: 'could not be checked' },
      { check: 'Workflow role', status: 'failed', detail: 'may not pass', warnOnly: true }
    ]
    expect(preflightFailure(findings, 'true')).toBeUndefined()
    expect(preflightFailure(findings, 'strict')).toBe(
      'Preflight: 1 check failed; nothing was written.\n- Cluster: could not be checked'
    )
    const failed = [...findings, { check: 'Service', status: 'failed' as const, detail: 'missing' }]
    expect(preflightFailure(failed, 'true')).toBe('Preflight: 1 check failed; nothing was written.\n- Service: missing')
  })
})
