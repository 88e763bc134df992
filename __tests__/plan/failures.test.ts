// Pure: real messages of containers that could not read their secrets (verbatim from the sources
// in __tests__/fixtures/launch-evidence/FAILURES.md, section 1) → what went wrong and the fix.
import { describe, expect, it } from 'vitest'
import { classifySecretFailure, diagnoseRunnable, explainSecretFailure } from '../../src/plan/failures.js'
import type { PolicyDocument } from '../../src/plan/policy.js'

const FARGATE =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed:'
const SSM = `${FARGATE} unable to retrieve secrets from ssm: service call has been retried 1 time(s):`
const ASM = `${FARGATE} unable to retrieve secret from asm: service call has been retried 1 time(s):`
const ROLE = 'arn:aws:sts::123456789012:assumed-role/app-ExecutionRole-28VBAJL3T0YT/f83b93a4dc3442a18eaaf8c2a235cd37'
const PARAMETER = 'arn:aws:ssm:eu-west-2:123456789012:parameter/GOOGLE_CLIENT_ID'
const SECRET = 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:awsExampleSecret-7qFlRJ'
const denied = (action: string, resource: string) =>
  `AccessDeniedException: User: ${ROLE} is not authorized to perform: ${action} on resource: ${resource}`

describe('classifySecretFailure', () => {
  // prettier-ignore
  it.each([
    ['Fargate, SDK v1 (copilot-cli#4504, lower-case as pasted)', `${SSM.replace('ResourceInitializationError', 'Resourceinitializationerror')} ${denied('ssm:GetParameters', PARAMETER)} because no identity-based policy allows the ssm:GetParameters action status code: 400, request id: 1adcb55f`, { kind: 'denied', principal: ROLE, action: 'ssm:GetParameters', resource: PARAMETER }],
    ['Fargate, SDK v2 wording', `${SSM} operation error SSM: GetParameters, https response error StatusCode: 400, RequestID: x, api error ${denied('ssm:GetParameters', PARAMETER)} because no identity-based policy allows the ssm:GetParameters action`, { kind: 'denied', principal: ROLE, action: 'ssm:GetParameters', resource: PARAMETER }],
    ['EC2 agent, 2020 wording without "because" (newrelic/nri-ecs#10)', `Fetching secret data from SSM Parameter Store in us-west-2: ${denied('ssm:GetParameters', PARAMETER)} status code: 400, request id: x`, { kind: 'denied', principal: ROLE, action: 'ssm:GetParameters', resource: PARAMETER }],
    ['Secrets Manager denied', `${ASM} failed to fetch secret ${SECRET} from secrets manager: ${denied('secretsmanager:GetSecretValue', SECRET)} because no identity-based policy allows the secretsmanager:GetSecretValue action status code: 400`, { kind: 'denied', principal: ROLE, action: 'secretsmanager:GetSecretValue', resource: SECRET }],
    ['EC2 agent, KMS key denied (aws-cdk#4498)', 'Fetching secret data from SSM Parameter Store in eu-central-1: AccessDeniedException: The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400)', { kind: 'kms' }],
    ['Secrets Manager, KMS denied', `${ASM} failed to fetch secret ${SECRET} from secrets manager: AccessDeniedException: Access to KMS is not allowed status code: 400`, { kind: 'kms' }],
    ['Fargate, missing parameter', `${SSM} invalid ssm parameters: /wishkit/parsing-engine/gemini-api-key`, { kind: 'missing', names: ['/wishkit/parsing-engine/gemini-api-key'] }],
    ['EC2 agent, missing parameters, comma-joined', 'Fetching secret data from SSM Parameter Store in us-west-2: invalid parameters: /a/B,/a/C', { kind: 'missing', names: ['/a/B', '/a/C'] }],
    ['two missing names with a space after the comma', `${SSM} invalid ssm parameters: /a/B, /a/C; essential container 'app' did not exit normally.`, { kind: 'missing', names: ['/a/B', '/a/C'] }],
    ['Secrets Manager, missing secret', `${ASM} failed to fetch secret ${SECRET} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSCURRENT`, { kind: 'missing', names: [SECRET] }],
    ['Fargate, network time-out', 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 5 time(s): RequestCanceled: request context canceled caused by: context deadline exceeded. Please check your task network configuration.', { kind: 'network', service: 'Systems Manager' }],
    ['Fargate, network, 2025 wording', 'ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secrets from ssm: The task cannot pull secrets from AWS Systems Manager. There is a connection issue between the task and AWS Systems Manager Parameter Store.', { kind: 'network', service: 'Systems Manager' }],
    ['a container that exited', 'Essential container in task exited', undefined],
    ['an image that cannot be pulled', 'CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref', undefined]
  ])('%s', (_, reason, expected) => {
    expect(classifySecretFailure(reason)).toEqual(expected)
  })

  it('reads the names out of the failure text the action composes around the reason', () => {
    const failure = `Task arn:aws:ecs:us-east-1:1:task/main/abc stopped: ${SSM} invalid ssm parameters: /gone/A; essential container 'app' did not exit normally.`
    expect(classifySecretFailure(failure)).toEqual({ kind: 'missing', names: ['/gone/A'] })
  })
})

describe('explainSecretFailure', () => {
  const policy: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'ReadParameters', Effect: 'Allow', Action: 'ssm:GetParameters', Resource: PARAMETER }]
  }

  it('names the role, the action and the resource, and prints the policy the run computed', () => {
    const why = explainSecretFailure(
      `${SSM} ${denied('ssm:GetParameters', PARAMETER)} because no identity-based policy allows it`,
      policy
    )
    expect(why).toBe(
      `The container could not start: its execution role app-ExecutionRole-28VBAJL3T0YT may not call ssm:GetParameters on ${PARAMETER}. Attach this policy to the execution role (it is also the execution-role-policy output):\n${JSON.stringify(policy, null, 2)}`
    )
  })

  it('says which names are missing, and prints no policy without one', () => {
    expect(explainSecretFailure(`${SSM} invalid ssm parameters: /gone/A`, undefined)).toBe(
      "The container could not start: /gone/A does not exist where the task runs (check the region). Sync it with 'secrets' or 'variables', or correct the reference."
    )
    expect(explainSecretFailure(`${SSM} ${denied('ssm:GetParameters', PARAMETER)}`, undefined)).not.toContain('policy')
  })

  it('tells a network problem from a permission one, and leaves other failures alone', () => {
    expect(explainSecretFailure(`${ASM} i/o timeout`, policy)).toMatch(
      /^The container could not reach Secrets Manager .* not a permission/
    )
    expect(explainSecretFailure('Essential container in task exited', policy)).toBeUndefined()
  })
})

describe('diagnoseRunnable', () => {
  const ce = { name: 'ce', state: 'ENABLED', status: 'VALID', statusReason: 'ComputeEnvironment Healthy', maxvCpus: 16 }
  it.each([
    [
      'a healthy queue and no reason from Batch',
      { statusReason: undefined, vcpus: 4 },
      { name: 'q', computeEnvironments: [ce] },
      []
    ],
    ['a job that fits exactly', { statusReason: undefined, vcpus: 16 }, { name: 'q', computeEnvironments: [ce] }, []],
    [
      'a queue without compute environments',
      { statusReason: undefined, vcpus: undefined },
      { name: 'q', computeEnvironments: [] },
      ['Job queue q has no compute environment.']
    ],
    [
      "no queue read, Batch's reason only",
      { statusReason: 'UNDETERMINED - Batch job is blocked, root cause is undetermined.', vcpus: 4 },
      undefined,
      ['Batch says: UNDETERMINED - Batch job is blocked, root cause is undetermined.']
    ]
  ])('%s', (_, job, queue, expected) => {
    expect(diagnoseRunnable(job, queue)).toEqual(expected)
  })
})
