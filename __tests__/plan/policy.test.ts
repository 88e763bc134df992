import { describe, expect, it } from 'vitest'
import { executionRolePolicy, referenceArn, secretResource } from '../../src/plan/policy.js'
import { defaultJobName, planSubmitJob } from '../../src/plan/launch.js'
import { batchJobLink } from '../../src/plan/links.js'

const base = { partition: 'aws', region: 'eu-west-1', account: '123456789012' }
const parameterArns = [
  'arn:aws:ssm:eu-west-1:123456789012:parameter/p/B',
  'arn:aws:ssm:eu-west-1:123456789012:parameter/p/A'
]

describe('executionRolePolicy', () => {
  it('grants GetParameters on exactly the parameters, no KMS for the AWS managed key', () => {
    expect(executionRolePolicy({ ...base, parameterArns, secretArns: [], kmsKeyId: undefined })).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadSecretParameters',
          Effect: 'Allow',
          Action: 'ssm:GetParameters',
          Resource: [...parameterArns].sort()
        }
      ]
    })
  })

  it.each([
    [
      '1234abcd-12ab-34cd-56ef-1234567890ab',
      { Resource: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' }
    ],
    ['arn:aws:kms:eu-west-1:123456789012:key/k1', { Resource: 'arn:aws:kms:eu-west-1:123456789012:key/k1' }],
    [
      'alias/prod',
      {
        Resource: 'arn:aws:kms:eu-west-1:123456789012:key/*',
        Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/prod' } }
      }
    ],
    [
      'arn:aws:kms:eu-west-1:123456789012:alias/prod',
      { Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/prod' } } }
    ]
  ])('adds kms:Decrypt for %s', (kmsKeyId, expected) => {
    const policy = executionRolePolicy({ ...base, parameterArns, secretArns: [], kmsKeyId })
    expect(policy.Statement[1]).toMatchObject({ Sid: 'DecryptSecureStrings', Action: 'kms:Decrypt', ...expected })
  })

  it('grants GetSecretValue on Secrets Manager references, without the json-key suffix', () => {
    const policy = executionRolePolicy({
      ...base,
      parameterArns: [],
      secretArns: [
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::',
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partial'
      ],
      kmsKeyId: 'alias/x'
    })
    expect(policy.Statement).toEqual([
      {
        Sid: 'ReadSecretsManagerSecrets',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: [
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf',
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partial-??????'
        ]
      }
    ])
    expect(secretResource('arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf')).toBe(
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf'
    )
  })

  const sm = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf'
  it.each([
    ['shared/a', 'ssm', 'arn:aws:ssm:eu-west-1:123456789012:parameter/shared/a'],
    ['/shared/a', 'ssm', 'arn:aws:ssm:eu-west-1:123456789012:parameter/shared/a'],
    [sm, 'secretsmanager', sm]
  ] as const)('takes the reference %s as the ARN %s', (valueFrom, source, expected) => {
    const arnOf = (name: string) => `arn:aws:ssm:eu-west-1:123456789012:parameter${name}`
    expect(referenceArn({ name: 'A', valueFrom, source }, arnOf)).toBe(expected)
  })
})

const context = { repository: 'octo/app', sha: 'abc', runId: '77', runAttempt: '2', serverUrl: 'https://github.com' }

describe('planSubmitJob', () => {
  const options = {
    definition: { jobDefinitionName: 'd', type: 'container', containerProperties: {} },
    definitionArn: 'arn:aws:batch:eu-west-1:123456789012:job-definition/d:4',
    jobQueue: 'q',
    jobName: defaultJobName('d', context),
    parameters: {},
    containerOverrides: undefined,
    tags: [{ key: 'team', value: 'billing' }],
    context
  }
  it('submits the exact revision, with tags that trace the run', () => {
    expect(planSubmitJob(options)).toEqual({
      jobName: 'd-77-2',
      jobQueue: 'q',
      jobDefinition: 'arn:aws:batch:eu-west-1:123456789012:job-definition/d:4',
      tags: {
        team: 'billing',
        'github-run-id': '77',
        'github-run-attempt': '2',
        'github-repository': 'octo/app',
        'github-sha': 'abc'
      }
    })
  })
  it('sends overrides as containerOverrides, or ecsPropertiesOverride for multi-container', () => {
    const overrides = { command: ['run'] }
    expect(planSubmitJob({ ...options, containerOverrides: overrides, parameters: { a: '1' } })).toMatchObject({
      containerOverrides: overrides,
      parameters: { a: '1' }
    })
    expect(
      planSubmitJob({ ...options, definition: { ecsProperties: {} }, containerOverrides: overrides })
    ).toMatchObject({ ecsPropertiesOverride: overrides })
    expect(() =>
      planSubmitJob({ ...options, definition: { nodeProperties: {} }, containerOverrides: overrides })
    ).toThrow(/multi-node/)
  })
  it('links to the job in the console of its partition', () => {
    expect(batchJobLink({ partition: 'aws', region: 'eu-west-1', jobId: 'j1' })).toBe(
      'https://eu-west-1.console.aws.amazon.com/batch/home?region=eu-west-1#jobs/detail/j1'
    )
    expect(batchJobLink({ partition: 'aws-cn', region: 'cn-north-1', jobId: 'j1' })).toBe(
      'https://console.amazonaws.cn/batch/home?region=cn-north-1#jobs/detail/j1'
    )
  })
})
