import { describe, expect, it } from 'vitest'
import {
  kmsKeyProblem,
  parameterArn,
  parameterNameProblem,
  partitionOf,
  pathProblem,
  tagProblem
} from '../../src/plan/rules.js'
import { parseReference } from '../../src/inputs/references.js'

describe('parameter names', () => {
  it.each([
    ['/prod/billing/DB_PASSWORD', undefined],
    ['/prod/bad name', /may only contain/],
    ['/aws/x', /must not begin with 'aws' or 'ssm'/],
    ['/SSM-things/x', /must not begin with 'aws' or 'ssm'/],
    [`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`, /has 16 levels; Parameter Store allows at most 15/],
    [`/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}`, undefined],
    [`/${'a'.repeat(1000)}`, /is 1000 characters long; in us-east-1 Parameter Store allows at most 966/],
    [`/${'a'.repeat(966)}`, undefined]
  ])('%s', (name, expected) => {
    const problem = parameterNameProblem(name, 'us-east-1')
    if (expected === undefined) expect(problem).toBeUndefined()
    else expect(problem).toMatch(expected)
  })

  it('checks paths', () => {
    expect(pathProblem('/prod/billing/')).toBeUndefined()
    expect(pathProblem('prod/')).toMatch(/must start with '\/'/)
    expect(pathProblem('/prod//x/')).toMatch(/empty levels/)
    expect(pathProblem('/aws/')).toMatch(/reserved/)
    expect(pathProblem('/pr od/')).toMatch(/may only contain/)
  })

  it('builds full ARNs per partition', () => {
    expect(partitionOf('cn-north-1')).toBe('aws-cn')
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov')
    expect(parameterArn({ partition: 'aws', region: 'eu-west-1', account: '123456789012', name: '/p/A' })).toBe(
      'arn:aws:ssm:eu-west-1:123456789012:parameter/p/A'
    )
  })
})

describe('kms-key-id', () => {
  it.each([
    ['1234abcd-12ab-34cd-56ef-1234567890ab', undefined],
    ['mrk-1234abcd12ab34cd56ef1234567890ab', undefined],
    ['alias/my-key', undefined],
    ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', undefined],
    ['arn:aws:kms:us-east-1:123456789012:alias/my-key', undefined],
    ['my-key', /Did you mean 'alias\/my-key'\?/],
    ['arn:aws:s3:::bucket', /is not a key id/]
  ])('%s', (key, expected) => {
    const problem = kmsKeyProblem(key)
    if (expected === undefined) expect(problem).toBeUndefined()
    else expect(problem).toMatch(expected)
  })
})

describe('tags', () => {
  it.each([
    ['team', 'billing', undefined],
    ['', 'x', /1 to 128/],
    ['aws:thing', 'x', /reserved prefix/],
    ['managed-by', 'me', /set by the action/],
    ['team', 'a'.repeat(257), /longer than 256/],
    ['team', 'bad;value', /may only contain/]
  ])('%s=%s', (key, value, expected) => {
    const problem = tagProblem(key, value)
    if (expected === undefined) expect(problem).toBeUndefined()
    else expect(problem).toMatch(expected)
  })
})

describe('references', () => {
  it.each([
    ['DB=/prod/db/password', 'ssm'],
    ['DB=arn:aws:ssm:us-east-1:123456789012:parameter/prod/db', 'ssm'],
    ['DB=arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf', 'secretsmanager'],
    ['DB=arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf:password::', 'secretsmanager']
  ])('accepts %s', (line, source) => {
    expect(parseReference(line)).toMatchObject({ name: 'DB', source })
  })
  it.each([
    ['no separator', /is not a NAME=valueFrom line/],
    ['1DB=/x', /not a valid environment variable name/],
    ['DB=arn:aws:s3:::bucket', /is not a parameter name, parameter ARN or Secrets Manager secret ARN/]
  ])('rejects %s', (line, message) => {
    expect(parseReference(line)).toMatch(message)
  })
})
