import {
  AddTagsToResourceCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParametersCommand,
  ParameterAlreadyExists,
  PutParameterCommand,
  SSMClient
} from '@aws-sdk/client-ssm'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { deleteParameters, listManagedParameters, readParameters, writeParameter } from '../../src/aws/ssm.js'
import { getIdentity, identityFromArn } from '../../src/aws/sts.js'
import { createClients, requestTimeout } from '../../src/aws/clients.js'

const ssmMock = mockClient(SSMClient)
const stsMock = mockClient(STSClient)
const ssm = new SSMClient({ region: 'us-east-1' })

afterEach(() => {
  ssmMock.reset()
  stsMock.reset()
  vi.unstubAllEnvs()
})

const write = {
  name: '/p/A',
  value: 'v',
  type: 'SecureString',
  tier: 'Standard',
  kmsKeyId: 'alias/k',
  tags: [{ key: 'managed-by', value: 'ssm-secrets-action' }]
}

describe('readParameters', () => {
  it('reads 10 names a request, with decryption', async () => {
    ssmMock.on(GetParametersCommand).callsFake((input: { Names: string[] }) => ({
      Parameters: input.Names.map((name) => ({
        Name: name,
        Value: `v${name}`,
        Type: 'SecureString',
        Version: 2,
        ARN: `arn:${name}`
      })),
      InvalidParameters: []
    }))
    const names = Array.from({ length: 25 }, (_, i) => `/p/N${i}`)
    const current = await readParameters(ssm, names)
    const calls = ssmMock.commandCalls(GetParametersCommand)
    expect(calls.map((call) => call.args[0].input.Names?.length)).toEqual([10, 10, 5])
    expect(calls.every((call) => call.args[0].input.WithDecryption === true)).toBe(true)
    expect(current.size).toBe(25)
    expect(current.get('/p/N3')).toEqual({
      name: '/p/N3',
      value: 'v/p/N3',
      type: 'SecureString',
      version: 2,
      arn: 'arn:/p/N3'
    })
  })
})

describe('writeParameter', () => {
  it('creates with tags and no overwrite', async () => {
    ssmMock.on(PutParameterCommand).resolves({ Version: 1, Tier: 'Standard' })
    expect(await writeParameter(ssm, { ...write, exists: false })).toEqual({ version: 1, tier: 'Standard' })
    const [call] = ssmMock.commandCalls(PutParameterCommand)
    expect(call?.args[0].input).toMatchObject({
      Overwrite: false,
      KeyId: 'alias/k',
      Tags: [{ Key: 'managed-by', Value: 'ssm-secrets-action' }]
    })
    expect(ssmMock.commandCalls(AddTagsToResourceCommand)).toHaveLength(0)
  })

  it('tags with AddTagsToResource, then overwrites without Tags', async () => {
    ssmMock.on(PutParameterCommand).resolves({ Version: 4, Tier: 'Advanced' })
    expect(await writeParameter(ssm, { ...write, type: 'String', exists: true })).toEqual({
      version: 4,
      tier: 'Advanced'
    })
    const [put] = ssmMock.commandCalls(PutParameterCommand)
    expect(put?.args[0].input.Overwrite).toBe(true)
    expect(put?.args[0].input.Tags).toBeUndefined()
    expect(put?.args[0].input.KeyId).toBeUndefined()
    expect(ssmMock.commandCalls(AddTagsToResourceCommand)[0]?.args[0].input).toEqual({
      ResourceType: 'Parameter',
      ResourceId: '/p/A',
      Tags: [{ Key: 'managed-by', Value: 'ssm-secrets-action' }]
    })
    const [tag] = ssmMock.commandCalls(AddTagsToResourceCommand)
    expect(put && tag?.calledBefore(put)).toBe(true)
  })

  it('writes nothing when tagging an existing parameter fails, so a re-run repairs both', async () => {
    ssmMock.on(AddTagsToResourceCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalServerError' }))
    await expect(writeParameter(ssm, { ...write, exists: true })).rejects.toThrow('boom')
    expect(ssmMock.commandCalls(PutParameterCommand)).toHaveLength(0)
  })

  it('falls back to overwrite when the parameter was created since it was read', async () => {
    ssmMock
      .on(PutParameterCommand)
      .rejectsOnce(new ParameterAlreadyExists({ message: 'exists', $metadata: {} }))
      .resolves({ Version: 2, Tier: 'Standard' })
    expect(await writeParameter(ssm, { ...write, exists: false })).toEqual({ version: 2, tier: 'Standard' })
    expect(ssmMock.commandCalls(PutParameterCommand).map((call) => call.args[0].input.Overwrite)).toEqual([false, true])
    expect(ssmMock.commandCalls(AddTagsToResourceCommand)).toHaveLength(1)
  })

  it('passes other errors on', async () => {
    ssmMock.on(PutParameterCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
    await expect(writeParameter(ssm, { ...write, exists: false })).rejects.toThrow('denied')
  })
})

describe('listManagedParameters', () => {
  it('filters one level under the path by the managed-by tag, following pages', async () => {
    ssmMock
      .on(DescribeParametersCommand)
      .resolvesOnce({ Parameters: [{ Name: '/p/A', Type: 'SecureString', Version: 1, ARN: 'a' }], NextToken: 't' })
      .resolvesOnce({ Parameters: [{ Name: '/p/B', Type: 'String', Version: 3, ARN: 'b' }] })
    expect(await listManagedParameters(ssm, '/p/')).toEqual([
      { name: '/p/A', type: 'SecureString', version: 1, arn: 'a' },
      { name: '/p/B', type: 'String', version: 3, arn: 'b' }
    ])
    const calls = ssmMock.commandCalls(DescribeParametersCommand)
    expect(calls[0]?.args[0].input.ParameterFilters).toEqual([
      { Key: 'Path', Option: 'OneLevel', Values: ['/p'] },
      { Key: 'tag:managed-by', Values: ['ssm-secrets-action'] }
    ])
    expect(calls[1]?.args[0].input.NextToken).toBe('t')
  })
})

describe('deleteParameters', () => {
  it('deletes 10 names a request', async () => {
    ssmMock.on(DeleteParametersCommand).callsFake((input: { Names: string[] }) => ({
      DeletedParameters: input.Names.filter((name) => name !== '/p/N4'),
      InvalidParameters: input.Names.filter((name) => name === '/p/N4')
    }))
    const result = await deleteParameters(
      ssm,
      Array.from({ length: 12 }, (_, i) => `/p/N${i}`)
    )
    expect(ssmMock.commandCalls(DeleteParametersCommand).map((call) => call.args[0].input.Names?.length)).toEqual([
      10, 2
    ])
    expect(result.missing).toEqual(['/p/N4'])
    expect(result.deleted).toHaveLength(11)
  })
})

describe('identity', () => {
  it('reads account and partition from an ARN', () => {
    expect(identityFromArn('arn:aws-cn:ssm:cn-north-1:123456789012:parameter/x')).toEqual({
      account: '123456789012',
      partition: 'aws-cn'
    })
    expect(identityFromArn('not-an-arn')).toBeUndefined()
    expect(identityFromArn('')).toBeUndefined()
  })
  it('asks STS when needed', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::210987654321:role/x', Account: '210987654321' })
    expect(await getIdentity(new STSClient({ region: 'us-east-1' }))).toEqual({
      account: '210987654321',
      partition: 'aws'
    })
    stsMock.on(GetCallerIdentityCommand).resolves({})
    await expect(getIdentity(new STSClient({ region: 'us-east-1' }))).rejects.toThrow(/no usable ARN/)
  })
})

describe('requestTimeout', () => {
  it('is 30 s unless a positive whole number of milliseconds is set', () => {
    expect(requestTimeout({})).toBe(30_000)
    expect(requestTimeout({ SSM_SECRETS_ACTION_REQUEST_TIMEOUT_MS: '1500' })).toBe(1500)
    expect(requestTimeout({ SSM_SECRETS_ACTION_REQUEST_TIMEOUT_MS: 'soon' })).toBe(30_000)
    expect(requestTimeout({ SSM_SECRETS_ACTION_REQUEST_TIMEOUT_MS: '-1' })).toBe(30_000)
  })
})

describe('createClients', () => {
  it('paces SSM itself, and uses adaptive retries elsewhere unless the environment says otherwise', async () => {
    vi.stubEnv('AWS_RETRY_MODE', undefined)
    vi.stubEnv('AWS_MAX_ATTEMPTS', undefined)
    const clients = createClients({ region: 'eu-west-1' })
    expect(await clients.ssm.config.region()).toBe('eu-west-1')
    expect(await clients.ssm.config.maxAttempts()).toBe(8)
    expect(await clients.ssm.config.retryStrategy()).not.toHaveProperty('mode')
    const ssmMiddleware = clients.ssm.middlewareStack.identify().join('\n')
    expect(ssmMiddleware).toContain('pacingMiddleware')
    expect(ssmMiddleware).not.toContain('loggerMiddleware')
    expect(await (await clients.sts()).config.retryStrategy()).toMatchObject({ mode: 'adaptive' })
    expect(await (await clients.batch()).config.maxAttempts()).toBe(8)
    vi.stubEnv('AWS_MAX_ATTEMPTS', '2')
    const fromEnv = createClients({ region: 'eu-west-1' })
    expect(await (await fromEnv.sts()).config.maxAttempts()).toBe(2)
    expect(await fromEnv.ssm.config.maxAttempts()).toBe(2)
  })
})
