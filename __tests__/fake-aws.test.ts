import { createHash } from 'node:crypto'
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest'
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
  type ParameterStringFilter
} from '@aws-sdk/client-ssm'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { startFakeAws, type FakeAws } from './fake-aws/index.js'

let fake: FakeAws
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }
const ssmClient = (maxAttempts?: number) =>
  new SSMClient({
    endpoint: fake.url,
    region: fake.region,
    credentials,
    ...(maxAttempts !== undefined && { maxAttempts })
  })
const stsClient = (maxAttempts?: number) =>
  new STSClient({
    endpoint: fake.url,
    region: fake.region,
    credentials,
    ...(maxAttempts !== undefined && { maxAttempts })
  })

let ssm: SSMClient
/** no retries: the first error is what the test sees */
let ssm1: SSMClient

interface SdkError extends Error {
  code?: string
  $metadata?: { httpStatusCode?: number; requestId?: string }
}

async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise
  } catch (e) {
    return e as SdkError
  }
  throw new Error('expected the call to fail')
}

let counter = 0
/** a fresh path per test so tests do not see each other's parameters */
const fresh = () => `/t${++counter}`

const put = (Name: string, Value: string, extra: Partial<ConstructorParameters<typeof PutParameterCommand>[0]> = {}) =>
  ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', ...extra }))

beforeAll(async () => {
  fake = await startFakeAws()
  ssm = ssmClient()
  ssm1 = ssmClient(1)
})
afterAll(async () => {
  ssm.destroy()
  ssm1.destroy()
  await fake.close()
})
beforeEach(() => fake.clearFaults())

describe('PutParameter and GetParameters', () => {
  it('creates, overwrites and increments the version on every put', async () => {
    const name = `${fresh()}/db/password`
    expect(await put(name, 'one')).toMatchObject({ Version: 1, Tier: 'Standard' })
    expect(await put(name, 'two', { Overwrite: true })).toMatchObject({ Version: 2 })
    expect(await put(name, 'two', { Overwrite: true })).toMatchObject({ Version: 3 })
    const { Parameters, InvalidParameters } = await ssm.send(new GetParametersCommand({ Names: [name] }))
    expect(InvalidParameters).toEqual([])
    expect(Parameters).toEqual([
      {
        Name: name,
        Type: 'String',
        Value: 'two',
        Version: 3,
        LastModifiedDate: expect.any(Date),
        ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`,
        DataType: 'text'
      }
    ])
    expect(fake.ssm.get(name)?.history.map((h) => h.version)).toEqual([1, 2, 3])
  })

  it('refuses to overwrite without Overwrite', async () => {
    const name = `${fresh()}/x`
    await put(name, 'a')
    const err = await failure(ssm1.send(new PutParameterCommand({ Name: name, Value: 'b', Type: 'String' })))
    expect(err.name).toBe('ParameterAlreadyExists')
    expect(err.message).toMatch(/set the overwrite option in the request to true/)
    expect(err.$metadata?.httpStatusCode).toBe(400)
    expect(fake.ssm.get(name)?.value).toBe('a')
  })

  it('rejects Tags together with Overwrite, even for a new parameter', async () => {
    const err = await failure(put(`${fresh()}/x`, 'v', { Overwrite: true, Tags: [{ Key: 'k', Value: 'v' }] }))
    expect(err.name).toBe('ValidationException')
    expect(err.message).toMatch(/tags and overwrite can't be used together/)
  })

  it('requires a Type on create but not on overwrite, and allows changing it', async () => {
    const name = `${fresh()}/x`
    expect((await failure(ssm.send(new PutParameterCommand({ Name: name, Value: 'v' })))).name).toBe(
      'ValidationException'
    )
    await put(name, 'v')
    await ssm.send(new PutParameterCommand({ Name: name, Value: 'w', Overwrite: true }))
    expect(fake.ssm.get(name)?.type).toBe('String')
    await ssm.send(new PutParameterCommand({ Name: name, Value: 's', Type: 'SecureString', Overwrite: true }))
    expect(fake.ssm.get(name)).toMatchObject({ type: 'SecureString', keyId: 'alias/aws/ssm', version: 3 })
  })

  it('rejects an empty value without echoing it', async () => {
    const err = await failure(put(`${fresh()}/x`, ''))
    expect(err.name).toBe('ValidationException')
    expect(err.message).toBe(
      "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1"
    )
  })

  it('limits GetParameters to 1..10 names and reports missing names in InvalidParameters', async () => {
    const base = fresh()
    await put(`${base}/a`, 'a')
    const names = Array.from({ length: 11 }, (_, i) => `${base}/n${i}`)
    const err = await failure(ssm.send(new GetParametersCommand({ Names: names })))
    expect(err.name).toBe('ValidationException')
    expect(err.message).toBe(
      `1 validation error detected: Value '[${names.join(', ')}]' at 'names' failed to satisfy constraint: ` +
        'Member must have length less than or equal to 10'
    )
    expect((await failure(ssm.send(new GetParametersCommand({ Names: [] })))).name).toBe('ValidationException')
    const out = await ssm.send(new GetParametersCommand({ Names: [`${base}/a`, `${base}/missing`] }))
    expect(out.Parameters?.map((p) => p.Name)).toEqual([`${base}/a`])
    expect(out.InvalidParameters).toEqual([`${base}/missing`])
  })

  it('returns a ciphertext for SecureString unless WithDecryption is true', async () => {
    const name = `${fresh()}/secret`
    await put(name, 'hunter2', { Type: 'SecureString', KeyId: 'alias/custom' })
    const enc = await ssm.send(new GetParametersCommand({ Names: [name] }))
    expect(enc.Parameters?.[0]?.Value).not.toContain('hunter2')
    expect(enc.Parameters?.[0]?.Value).toMatch(/^AQICAH[A-Za-z0-9+/=]+$/)
    const dec = await ssm.send(new GetParametersCommand({ Names: [name], WithDecryption: true }))
    expect(dec.Parameters?.[0]?.Value).toBe('hunter2')
    expect(fake.ssm.get(name)?.keyId).toBe('alias/custom')
    const one = await ssm.send(new GetParameterCommand({ Name: `${name}:1`, WithDecryption: true }))
    expect(one.Parameter).toMatchObject({ Value: 'hunter2', Selector: ':1' })
    expect((await failure(ssm.send(new GetParameterCommand({ Name: `${name}-no` })))).name).toBe('ParameterNotFound')
  })
})

describe('value sizes and tiers', () => {
  it('limits Standard to 4096 and Advanced to 8192 characters (not bytes)', async () => {
    const base = fresh()
    expect((await put(`${base}/euro`, '€'.repeat(4096))).Tier).toBe('Standard')
    const std = await failure(put(`${base}/std`, 'x'.repeat(4097)))
    expect(std.name).toBe('ValidationException')
    expect(std.message).toMatch(/^Standard tier parameters support a maximum parameter value of 4096 characters/)
    const stdExplicit = await failure(put(`${base}/std2`, 'x'.repeat(5000), { Tier: 'Standard' }))
    expect(stdExplicit.message).toMatch(/4096 characters/)
    expect((await put(`${base}/adv`, 'x'.repeat(8192), { Tier: 'Advanced' })).Tier).toBe('Advanced')
    const adv = await failure(put(`${base}/adv2`, 'x'.repeat(8193), { Tier: 'Advanced' }))
    expect(adv.name).toBe('ValidationException')
    expect(adv.message).toMatch(/8192/)
  })

  it('never downgrades an Advanced parameter', async () => {
    const name = `${fresh()}/adv`
    await put(name, 'small', { Tier: 'Advanced' })
    for (const Tier of ['Standard', undefined] as const) {
      const err = await failure(put(name, 'small', { Overwrite: true, ...(Tier && { Tier }) }))
      expect(err.name).toBe('ValidationException')
      expect(err.message).toMatch(/can't downgrade a parameter from the advanced-parameter tier/)
    }
    expect(await put(name, 'small', { Overwrite: true, Tier: 'Intelligent-Tiering' })).toMatchObject({
      Tier: 'Advanced',
      Version: 2
    })
    expect(fake.ssm.get(name)?.tier).toBe('Advanced')
  })

  it('Intelligent-Tiering picks Standard when the value fits, else Advanced', async () => {
    const base = fresh()
    expect((await put(`${base}/s`, 'x'.repeat(4096), { Tier: 'Intelligent-Tiering' })).Tier).toBe('Standard')
    expect((await put(`${base}/a`, 'x'.repeat(4097), { Tier: 'Intelligent-Tiering' })).Tier).toBe('Advanced')
    expect((await failure(put(`${base}/b`, 'x'.repeat(8193), { Tier: 'Intelligent-Tiering' }))).name).toBe(
      'ValidationException'
    )
  })
})

describe('parameter name rules', () => {
  const nameError = async (Name: string) =>
    failure(ssm1.send(new PutParameterCommand({ Name, Value: 'v', Type: 'String' })))

  it('rejects aws/ssm prefixes case-insensitively', async () => {
    for (const name of ['awsThing', 'SSM-x', '/Aws', '/ssm/x']) {
      const err = await nameError(name)
      expect(err.name, name).toBe('ValidationException')
      expect(err.message).toMatch(/can't be prefixed with/)
    }
    expect((await nameError('/aws/service/x')).name).toBe('AccessDeniedException')
  })

  it('rejects bad characters, empty levels and unqualified paths', async () => {
    for (const name of ['has space', '/a/b#c', '/a//b', '/a/b:1', '/ünï']) {
      expect((await nameError(name)).message, name).toMatch(/mix of letters, numbers and the following 3 symbols \.-_/)
    }
    const err = await nameError('a/b')
    expect(err.name).toBe('ValidationException')
    expect(err.message).toBe('Parameter name must be a fully qualified name.')
  })

  it('allows 15 levels, not 16', async () => {
    const levels = (n: number) => '/' + Array.from({ length: n }, (_, i) => `l${i}`).join('/')
    await put(levels(15), 'v')
    expect((await nameError(levels(16))).name).toBe('HierarchyLevelLimitExceededException')
  })

  it('limits the name to 1011 characters including the ARN prefix', async () => {
    const prefix = 'arn:aws:ssm:us-east-1:123456789012:parameter/'
    const longest = '/' + 'n'.repeat(1011 - prefix.length)
    await put(longest, 'v')
    expect(fake.ssm.get(longest)?.arn).toHaveLength(1011)
    const err = await nameError(longest + 'n')
    expect(err.name).toBe('ValidationException')
    expect(err.message).toMatch(/1011/)
  })
})

describe('tags', () => {
  const tagsOf = async (ResourceId: string) =>
    (await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId }))).TagList

  it('adds, overwrites, lists and removes tags', async () => {
    const name = `${fresh()}/x`
    await put(name, 'v', { Tags: [{ Key: 'team', Value: 'a' }] })
    await ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: 'Parameter',
        ResourceId: name,
        Tags: [
          { Key: 'team', Value: 'b' },
          { Key: 'managed-by', Value: 'ssm-secrets-action' }
        ]
      })
    )
    expect(await tagsOf(name)).toEqual([
      { Key: 'team', Value: 'b' },
      { Key: 'managed-by', Value: 'ssm-secrets-action' }
    ])
    await ssm.send(
      new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: name, TagKeys: ['team', 'absent'] })
    )
    expect(await tagsOf(name)).toEqual([{ Key: 'managed-by', Value: 'ssm-secrets-action' }])
    // tags survive an overwrite
    await put(name, 'w', { Overwrite: true })
    expect(fake.ssm.get(name)?.tags).toEqual({ 'managed-by': 'ssm-secrets-action' })
  })

  it('validates keys, values, the resource and the 50-tag limit', async () => {
    const name = `${fresh()}/x`
    await put(name, 'v')
    const add = (
      Tags: Array<{ Key: string; Value: string }>,
      ResourceId = name,
      ResourceType: 'Parameter' | 'Document' = 'Parameter'
    ) => failure(ssm1.send(new AddTagsToResourceCommand({ ResourceType, ResourceId, Tags })))
    const reserved = await add([{ Key: 'AWS:owner', Value: 'x' }])
    expect(reserved.name).toBe('ValidationException')
    expect(reserved.message).toMatch(
      /at 'tags\.1\.member\.key' failed to satisfy constraint: Member must satisfy regular expression pattern/
    )
    expect((await add([{ Key: 'ok', Value: 'bad#value' }])).message).toMatch(/tags\.1\.member\.value/)
    expect((await add([{ Key: 'k'.repeat(129), Value: '' }])).message).toMatch(/less than or equal to 128/)
    expect((await add([{ Key: 'k', Value: 'v'.repeat(257) }])).message).toMatch(/less than or equal to 256/)
    expect((await add([{ Key: 'k', Value: 'v' }], `${name}-missing`)).name).toBe('InvalidResourceId')
    expect((await add([{ Key: 'k', Value: 'v' }], name, 'Document')).name).toBe('InvalidResourceType')
    // letters, spaces and numbers of any script are allowed, so is an empty value
    await ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: 'Parameter',
        ResourceId: name,
        Tags: [{ Key: 'Équipe 1', Value: '' }]
      })
    )

    const fifty = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: name, Tags: fifty }))
    expect(await tagsOf(name)).toHaveLength(50)
    expect((await add([{ Key: 'one-more', Value: 'v' }])).name).toBe('TooManyTagsError')
    expect(await tagsOf(name)).toHaveLength(50)
  })

  it('validates tags given to PutParameter the same way', async () => {
    const name = `${fresh()}/x`
    expect((await failure(put(name, 'v', { Tags: [{ Key: 'aws:x', Value: 'v' }] }))).name).toBe('ValidationException')
    expect(fake.ssm.get(name)).toBeUndefined()
  })
})

describe('GetParametersByPath', () => {
  it('returns direct children, or everything below with Recursive', async () => {
    const base = fresh()
    for (const n of ['a', 'b', 'sub/c', 'sub/deeper/d']) await put(`${base}/${n}`, n)
    await put(`${base}x/not-under`, 'v')
    const names = async (Recursive: boolean) =>
      (await ssm.send(new GetParametersByPathCommand({ Path: base, Recursive }))).Parameters?.map((p) => p.Name)
    expect(await names(false)).toEqual([`${base}/a`, `${base}/b`])
    expect(await names(true)).toEqual([`${base}/a`, `${base}/b`, `${base}/sub/c`, `${base}/sub/deeper/d`])
    const trailing = await ssm.send(new GetParametersByPathCommand({ Path: `${base}/sub/` }))
    expect(trailing.Parameters?.map((p) => p.Name)).toEqual([`${base}/sub/c`])
  })

  it('paginates with an opaque NextToken, at most 10 a page', async () => {
    const base = fresh()
    for (let i = 0; i < 5; i++) await put(`${base}/p${i}`, `v${i}`)
    const seen: string[] = []
    let NextToken: string | undefined
    let pages = 0
    do {
      const out = await ssm.send(
        new GetParametersByPathCommand({ Path: base, MaxResults: 2, ...(NextToken && { NextToken }) })
      )
      seen.push(...(out.Parameters ?? []).map((p) => p.Name ?? ''))
      NextToken = out.NextToken
      pages++
    } while (NextToken)
    expect(pages).toBe(3)
    expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => `${base}/p${i}`))
    expect((await failure(ssm.send(new GetParametersByPathCommand({ Path: base, MaxResults: 11 })))).name).toBe(
      'ValidationException'
    )
    expect((await failure(ssm.send(new GetParametersByPathCommand({ Path: base, NextToken: 'garbage' })))).name).toBe(
      'InvalidNextToken'
    )
  })

  it('requires a path that starts with /, and filters by Type but not by Name', async () => {
    const base = fresh()
    await put(`${base}/plain`, 'v')
    await put(`${base}/secret`, 's', { Type: 'SecureString' })
    expect((await failure(ssm.send(new GetParametersByPathCommand({ Path: base.slice(1) })))).name).toBe(
      'ValidationException'
    )
    const secure = await ssm.send(
      new GetParametersByPathCommand({
        Path: base,
        WithDecryption: true,
        ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }]
      })
    )
    expect(secure.Parameters?.map((p) => [p.Name, p.Value])).toEqual([[`${base}/secret`, 's']])
    const err = await failure(
      ssm.send(new GetParametersByPathCommand({ Path: base, ParameterFilters: [{ Key: 'Name', Values: ['x'] }] }))
    )
    expect(err.name).toBe('InvalidFilterKey')
  })
})

describe('DescribeParameters', () => {
  const describeNames = async (ParameterFilters: ParameterStringFilter[]) =>
    (await ssm.send(new DescribeParametersCommand({ ParameterFilters }))).Parameters?.map((p) => p.Name)

  it('filters by tag, Path (OneLevel and Recursive), Name, Type, KeyId and Tier, and returns metadata only', async () => {
    const base = fresh()
    const managed = [{ Key: 'managed-by', Value: 'ssm-secrets-action' }]
    await put(`${base}/a`, 'v', { Type: 'SecureString', Tags: managed })
    await put(`${base}/b`, 'v', { Tags: [{ Key: 'managed-by', Value: 'someone-else' }] })
    await put(`${base}/deep/c`, 'v', { Type: 'SecureString', KeyId: 'alias/k', Tags: managed, Tier: 'Advanced' })
    const under = { Key: 'Path', Option: 'Recursive', Values: [base] }

    expect(await describeNames([under, { Key: 'tag:managed-by', Values: ['ssm-secrets-action'] }])).toEqual([
      `${base}/a`,
      `${base}/deep/c`
    ])
    expect(await describeNames([{ Key: 'Path', Values: [base] }])).toEqual([`${base}/a`, `${base}/b`])
    expect(await describeNames([under])).toEqual([`${base}/a`, `${base}/b`, `${base}/deep/c`])
    expect(await describeNames([{ Key: 'Name', Option: 'BeginsWith', Values: [`${base}/d`] }])).toEqual([
      `${base}/deep/c`
    ])
    expect(await describeNames([{ Key: 'Name', Values: [`${base}/b`] }])).toEqual([`${base}/b`])
    expect(await describeNames([under, { Key: 'Type', Values: ['String'] }])).toEqual([`${base}/b`])
    expect(await describeNames([under, { Key: 'KeyId', Values: ['alias/aws/ssm'] }])).toEqual([`${base}/a`])
    expect(await describeNames([under, { Key: 'Tier', Values: ['Advanced'] }])).toEqual([`${base}/deep/c`])

    const { Parameters } = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: [`${base}/a`] }] })
    )
    expect(Parameters).toEqual([
      {
        Name: `${base}/a`,
        ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${base}/a`,
        Type: 'SecureString',
        KeyId: 'alias/aws/ssm',
        LastModifiedDate: expect.any(Date),
        LastModifiedUser: 'arn:aws:iam::123456789012:user/fake',
        Version: 1,
        Tier: 'Standard',
        Policies: [],
        DataType: 'text'
      }
    ])
  })

  it('paginates and rejects invalid filters', async () => {
    const base = fresh()
    for (let i = 0; i < 3; i++) await put(`${base}/p${i}`, 'v')
    const first = await ssm.send(
      new DescribeParametersCommand({ MaxResults: 2, ParameterFilters: [{ Key: 'Path', Values: [base] }] })
    )
    expect(first.Parameters).toHaveLength(2)
    const second = await ssm.send(
      new DescribeParametersCommand({
        MaxResults: 2,
        NextToken: first.NextToken,
        ParameterFilters: [{ Key: 'Path', Values: [base] }]
      })
    )
    expect(second.Parameters?.map((p) => p.Name)).toEqual([`${base}/p2`])
    expect(second.NextToken).toBeUndefined()

    const err = async (ParameterFilters: ParameterStringFilter[]) =>
      (await failure(ssm.send(new DescribeParametersCommand({ ParameterFilters })))).name
    expect(await err([{ Key: 'Bogus', Values: ['x'] }])).toBe('ValidationException')
    expect(await err([{ Key: 'Label', Values: ['x'] }])).toBe('InvalidFilterKey')
    expect(await err([{ Key: 'Type', Option: 'Contains', Values: ['String'] }])).toBe('InvalidFilterOption')
    expect(await err([{ Key: 'Type', Values: ['Nope'] }])).toBe('InvalidFilterValue')
    expect(await err([{ Key: 'Path', Values: ['no-slash'] }])).toBe('ValidationException')
    expect((await failure(ssm.send(new DescribeParametersCommand({ MaxResults: 51 })))).name).toBe(
      'ValidationException'
    )
  })
})

describe('deleting', () => {
  it('DeleteParameters reports deleted and invalid names; DeleteParameter fails on a missing one', async () => {
    const base = fresh()
    await put(`${base}/a`, 'v')
    await put(`${base}/b`, 'v')
    const out = await ssm.send(new DeleteParametersCommand({ Names: [`${base}/a`, `${base}/zzz`] }))
    expect(out).toMatchObject({ DeletedParameters: [`${base}/a`], InvalidParameters: [`${base}/zzz`] })
    expect(fake.ssm.get(`${base}/a`)).toBeUndefined()
    const many = Array.from({ length: 11 }, (_, i) => `${base}/${i}`)
    expect((await failure(ssm.send(new DeleteParametersCommand({ Names: many })))).name).toBe('ValidationException')
    await ssm.send(new DeleteParameterCommand({ Name: `${base}/b` }))
    expect((await failure(ssm.send(new DeleteParameterCommand({ Name: `${base}/b` })))).name).toBe('ParameterNotFound')
  })
})

describe('STS', () => {
  it('GetCallerIdentity answers over awsQuery', async () => {
    const sts = stsClient()
    expect(await sts.send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: '123456789012',
      Arn: 'arn:aws:iam::123456789012:user/fake',
      UserId: expect.any(String)
    })
    fake.inject({ operation: 'GetCallerIdentity', kind: 'throttle' })
    const err = await failure(stsClient(1).send(new GetCallerIdentityCommand({})))
    expect(err.name).toBe('ThrottlingException')
    expect(err.$metadata?.httpStatusCode).toBe(400)
    sts.destroy()
  })
})

describe('protocol errors', () => {
  const sign = (service: string) =>
    `AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef0123`

  it('answers an unsigned request with 403 MissingAuthenticationToken', async () => {
    const res = await fetch(fake.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSSM.GetParameters', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}'
    })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' })
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('answers unknown operations per protocol', async () => {
    const json = await fetch(fake.url, {
      method: 'POST',
      headers: {
        authorization: sign('ssm'),
        'x-amz-target': 'AmazonSSM.NoSuchThing',
        'content-type': 'application/x-amz-json-1.1'
      },
      body: '{}'
    })
    expect(json.status).toBe(400)
    expect(json.headers.get('x-amzn-errortype')).toBe('UnknownOperationException')
    expect(await json.json()).toMatchObject({ __type: 'UnknownOperationException' })

    const query = await fetch(fake.url, {
      method: 'POST',
      headers: { authorization: sign('sts'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=NoSuchThing&Version=2011-06-15'
    })
    expect(query.status).toBe(400)
    expect(await query.text()).toMatch(/<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/)
  })
})

describe('faults', () => {
  it('throttle, too-many-requests and server errors reach a client without retries', async () => {
    const name = `${fresh()}/x`
    const cases = [
      { kind: 'throttle', name: 'ThrottlingException', status: 400 },
      { kind: 'too-many-requests', name: 'TooManyRequestsException', status: 429 },
      { kind: 'server-error', name: 'InternalServerError', status: 500 },
      { kind: 'server-error', status: 502, name: 'BadGateway' },
      { kind: 'server-error', status: 503, name: 'ServiceUnavailable' }
    ] as const
    for (const c of cases) {
      fake.inject({
        operation: 'PutParameter',
        kind: c.kind,
        ...('status' in c && c.kind === 'server-error' && { status: c.status })
      })
      const err = await failure(ssm1.send(new PutParameterCommand({ Name: name, Value: 'v', Type: 'String' })))
      expect(err.name, c.kind).toBe(c.name)
      expect(err.$metadata?.httpStatusCode).toBe(c.status)
    }
    expect(fake.ssm.get(name)).toBeUndefined()
  })

  it('drop closes the connection before touching state', async () => {
    const name = `${fresh()}/x`
    fake.inject({ operation: 'PutParameter', kind: 'drop' })
    const err = await failure(ssm1.send(new PutParameterCommand({ Name: name, Value: 'v', Type: 'String' })))
    expect(err.code).toBe('ECONNRESET')
    expect(fake.ssm.get(name)).toBeUndefined()
    expect(fake.requests.at(-1)).toMatchObject({ operation: 'PutParameter', status: 'dropped', fault: 'drop' })
  })

  it('drop-after keeps the state change and loses the answer', async () => {
    const name = `${fresh()}/x`
    fake.inject({ operation: 'PutParameter', kind: 'drop-after' })
    expect((await failure(ssm1.send(new PutParameterCommand({ Name: name, Value: 'v', Type: 'String' })))).code).toBe(
      'ECONNRESET'
    )
    expect(fake.ssm.get(name)).toMatchObject({ value: 'v', version: 1 })
  })

  it('the SDK retries a throttle, a 503 and a dropped connection, and then succeeds', async () => {
    for (const fault of [
      { kind: 'throttle' },
      { kind: 'server-error', status: 503 },
      { kind: 'drop' },
      { kind: 'too-many-requests' }
    ] as const) {
      const name = `${fresh()}/x`
      fake.inject({ operation: 'PutParameter', ...fault })
      const before = fake.count('PutParameter')
      expect(await put(name, 'v')).toMatchObject({ Version: 1 })
      expect(fake.count('PutParameter') - before, fault.kind).toBe(2)
    }
  })

  it('skip lets requests through first, times repeats, latency delays', async () => {
    const base = fresh()
    fake.inject({ operation: 'PutParameter', kind: 'throttle', skip: 1, times: 2 })
    await put(`${base}/a`, 'v')
    expect(
      (await failure(ssm1.send(new PutParameterCommand({ Name: `${base}/b`, Value: 'v', Type: 'String' })))).name
    ).toBe('ThrottlingException')
    expect(
      (await failure(ssm1.send(new PutParameterCommand({ Name: `${base}/b`, Value: 'v', Type: 'String' })))).name
    ).toBe('ThrottlingException')
    await put(`${base}/b`, 'v')

    fake.inject({ operation: 'GetParameters', kind: 'latency', delayMs: 150 })
    const t = performance.now()
    await ssm.send(new GetParametersCommand({ Names: [`${base}/a`] }))
    expect(performance.now() - t).toBeGreaterThanOrEqual(140)
    const last = fake.requests.at(-1)
    expect(last).toMatchObject({ operation: 'GetParameters', fault: 'latency', status: 200 })
    expect((last?.end ?? 0) - (last?.start ?? 0)).toBeGreaterThanOrEqual(140)
  })
})

describe('request log', () => {
  it('records every request in order, hides values, and lists writes', async () => {
    const name = `${fresh()}/x`
    fake.clearRequests()
    await put(name, 'super-secret-value', { Type: 'SecureString' })
    await ssm.send(new GetParametersCommand({ Names: [name], WithDecryption: true }))
    await ssm.send(
      new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: name, Tags: [{ Key: 'k', Value: 'v' }] })
    )
    await ssm.send(new DeleteParametersCommand({ Names: [name] }))

    expect(fake.requests.map((r) => [r.service, r.operation, r.status])).toEqual([
      ['ssm', 'PutParameter', 200],
      ['ssm', 'GetParameters', 200],
      ['ssm', 'AddTagsToResource', 200],
      ['ssm', 'DeleteParameters', 200]
    ])
    expect(fake.writes().map((r) => r.operation)).toEqual(['PutParameter', 'AddTagsToResource', 'DeleteParameters'])
    expect(fake.count('GetParameters')).toBe(1)
    expect(fake.requests[0]?.input).toMatchObject({
      Name: name,
      Value: { length: 18, sha256: createHash('sha256').update('super-secret-value').digest('hex') }
    })
    expect(JSON.stringify(fake.requests)).not.toContain('super-secret-value')
    for (const r of fake.requests) {
      expect(r.region).toBe('us-east-1')
      expect(r.end).toBeGreaterThanOrEqual(r.start)
    }
  })
})

describe('state access for seeding', () => {
  it('put/get/names/delete follow the same rules as PutParameter', async () => {
    const name = `${fresh()}/seeded`
    expect(fake.ssm.put({ name, value: 'a', type: 'SecureString', tags: { owner: 'me' } })).toEqual({
      version: 1,
      tier: 'Standard'
    })
    expect(fake.ssm.put({ name, value: 'b', tags: { extra: 'x' } })).toEqual({ version: 2, tier: 'Standard' })
    expect(fake.ssm.get(name)).toMatchObject({
      value: 'b',
      type: 'SecureString',
      version: 2,
      keyId: 'alias/aws/ssm',
      tags: { owner: 'me', extra: 'x' },
      history: [
        { version: 1, value: 'a' },
        { version: 2, value: 'b' }
      ]
    })
    expect(fake.ssm.names()).toContain(name)
    expect(() => fake.ssm.put({ name: 'aws-reserved', value: 'v' })).toThrow(/can't be prefixed/)
    expect(fake.ssm.delete(name)).toBe(true)
    expect(fake.ssm.get(name)).toBeUndefined()
  })
})
