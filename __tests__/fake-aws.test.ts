// The fake's contract for SSM, STS and the server itself (faults, quotas, request log): one row per
// rule the action depends on, through the real SDK clients.
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  AddTagsToResourceCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
  paginateDescribeParameters,
  type PutParameterCommandInput
} from '@aws-sdk/client-ssm'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { startFakeAws, type FakeAws, type FakeAwsOptions } from './fake-aws/index.js'

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }
const clientOptions = (f: FakeAws, maxAttempts = 3) => ({ endpoint: f.url, region: f.region, credentials, maxAttempts })
let fake: FakeAws
/** `ssm` retries as the action's clients do; `ssm1` does not: the first answer is what the test sees */
let ssm: SSMClient, ssm1: SSMClient

/** 'ok', or '<HTTP status> <error name>: <message>' (the connection error's code for a drop) */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'ok'
  } catch (e) {
    const error = e as Error & { code?: string; $metadata?: { httpStatusCode?: number } }
    return error.code ?? `${error.$metadata?.httpStatusCode} ${error.name}: ${error.message}`
  }
}
const put = (Name: string, Value = 'v', extra: Partial<PutParameterCommandInput> = {}) =>
  ssm1.send(new PutParameterCommand({ Name, Value, Type: 'String', ...extra }))
const addTags = (ResourceId: string, Tags: Array<{ Key: string; Value: string }>, ResourceType = 'Parameter') =>
  ssm1.send(new AddTagsToResourceCommand({ ResourceType: ResourceType as 'Parameter', ResourceId, Tags }))
const levels = (n: number) => '/' + Array.from({ length: n }, (_, i) => `l${i}`).join('/')
const ARN_PREFIX = 'arn:aws:ssm:us-east-1:123456789012:parameter/'

beforeAll(async () => {
  fake = await startFakeAws()
  ssm = new SSMClient(clientOptions(fake))
  ssm1 = new SSMClient(clientOptions(fake, 1))
  fake.ssm.put({ name: '/c/plain', value: 'v', tags: { team: 'a' } })
  fake.ssm.put({ name: '/c/adv', value: 'small', tier: 'Advanced' })
  fake.ssm.put({ name: '/c/secret', value: 'hunter2', type: 'SecureString', keyId: 'alias/custom' })
})
afterAll(() => fake.close())
afterEach(() => fake.clearFaults())

const names = Array.from({ length: 11 }, (_, i) => `/n${i}`)
const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))
// prettier-ignore
const REFUSED: Array<[string, () => Promise<unknown>, string | RegExp]> = [
  ['a put to an existing name without Overwrite', () => put('/c/plain'), /^400 ParameterAlreadyExists: .*overwrite option/],
  ['Tags together with Overwrite', () => put('/new/t', 'v', { Overwrite: true, Tags: [{ Key: 'k', Value: 'v' }] }), /tags and overwrite can't be used together/],
  ['a create without Type', () => put('/new/t', 'v', { Type: undefined }), /400 ValidationException: A parameter type is required/],
  ['an empty value, without echoing it', () => put('/new/t', ''), "400 ValidationException: 1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1"],
  ['4097 characters in Standard', () => put('/new/t', 'x'.repeat(4097)), /^400 ValidationException: Standard tier parameters support a maximum parameter value of 4096 characters/],
  ['8193 characters in Advanced', () => put('/new/t', 'x'.repeat(8193), { Tier: 'Advanced' }), /Advanced tier parameters support a maximum parameter value of 8192 characters/],
  ['8193 characters with Intelligent-Tiering', () => put('/new/t', 'x'.repeat(8193), { Tier: 'Intelligent-Tiering' }), /8192 characters/],
  ['an Advanced parameter put without a tier (a downgrade)', () => put('/c/adv', 'w', { Overwrite: true }), /can't downgrade a parameter from the advanced-parameter tier/],
  ['a name starting with aws', () => put('awsThing'), /can't be prefixed with "aws" or "ssm"/],
  ['a path under /ssm', () => put('/SSM/x'), /400 ValidationException: Parameter name: can't be prefixed with "ssm"/],
  ['a path under /aws (AWS public parameters)', () => put('/aws/x'), /^400 AccessDeniedException: No access to reserved parameter name/],
  ['an empty level', () => put('/a//b'), /mix of letters, numbers and the following 3 symbols \.-_$/],
  ['a character outside a-zA-Z0-9_.-/', () => put('/a/b c'), /mix of letters, numbers/],
  ['a path without the leading slash', () => put('a/b'), '400 ValidationException: Parameter name must be a fully qualified name.'],
  ['16 levels', () => put(levels(16)), /^400 HierarchyLevelLimitExceededException: .*maximum of 15 levels/],
  ['1012 characters including the ARN prefix', () => put('/' + 'n'.repeat(1012 - ARN_PREFIX.length)), /can't be longer than 1011 characters/],
  ['a tag key starting with aws:', () => addTags('/c/plain', [{ Key: 'AWS:owner', Value: 'x' }]), /at 'tags\.1\.member\.key' failed to satisfy constraint: Member must satisfy regular expression pattern/],
  ['a tag value with #', () => put('/new/t', 'v', { Tags: [{ Key: 'k', Value: 'bad#' }] }), /at 'tags\.1\.member\.value' .*regular expression/],
  ['a 129-character tag key', () => addTags('/c/plain', [{ Key: 'k'.repeat(129), Value: '' }]), /less than or equal to 128/],
  ['a 257-character tag value', () => addTags('/c/plain', [{ Key: 'k', Value: 'v'.repeat(257) }]), /less than or equal to 256/],
  ['tagging a missing parameter', () => addTags('/c/missing', [{ Key: 'k', Value: 'v' }]), /^400 InvalidResourceId/],
  ['tagging another resource type', () => addTags('/c/plain', [{ Key: 'k', Value: 'v' }], 'Document'), /^400 InvalidResourceType/],
  ['a 51st tag', () => addTags('/c/plain', tags(50)), /^400 TooManyTagsError/],
  ['GetParameters with 11 names', () => ssm1.send(new GetParametersCommand({ Names: names })), `400 ValidationException: 1 validation error detected: Value '[${names.join(', ')}]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10`],
  ['DeleteParameters with 11 names', () => ssm1.send(new DeleteParametersCommand({ Names: names })), /^400 ValidationException: .*less than or equal to 10/],
  ['a filter the action never sends (not modelled)', () => ssm1.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['x'] }] })), /^400 NotModelledByFake/]
]

describe('SSM refuses what AWS refuses, with the same error, and changes nothing', () => {
  it.each(REFUSED)('%s', async (_, call, expected) => {
    const before = fake.ssm.names().map((name) => fake.ssm.get(name))
    expect(await outcome(call())).toMatch(expected)
    expect(fake.ssm.names().map((name) => fake.ssm.get(name))).toEqual(before)
  })
})

const value = async (name: string, WithDecryption: boolean) =>
  (await ssm.send(new GetParametersCommand({ Names: [name], WithDecryption }))).Parameters?.[0]?.Value
const putThenGet = async (name: string, extra: Partial<PutParameterCommandInput> = {}, v = 'v') => {
  await put(name, v, extra)
  return fake.ssm.get(name)
}
// prettier-ignore
const ANSWERS: Array<[string, () => Promise<unknown>, unknown]> = [
  ['a create is version 1, Standard', () => put('/p/a', 'one'), { Version: 1, Tier: 'Standard' }],
  ['an overwrite without Type keeps the type; version + 1', () => putThenGet('/p/a', { Overwrite: true, Type: undefined }),
    { type: 'String', version: 2 }],
  ['4096 characters (not bytes) fit Standard', () => put('/p/euro', '€'.repeat(4096)), { Tier: 'Standard' }],
  ['8192 characters fit Advanced', () => put('/p/b', 'x'.repeat(8192), { Tier: 'Advanced' }), { Tier: 'Advanced' }],
  ['Intelligent-Tiering: Standard when the value fits', () => put('/p/c', 'x'.repeat(4096), { Tier: 'Intelligent-Tiering' }),
    { Tier: 'Standard' }],
  ['Intelligent-Tiering: Advanced beyond 4096', () => put('/p/d', 'x'.repeat(4097), { Tier: 'Intelligent-Tiering' }),
    { Tier: 'Advanced' }],
  ['Intelligent-Tiering keeps an Advanced parameter Advanced', () => put('/c/adv', 's', { Overwrite: true, Tier: 'Intelligent-Tiering' }),
    { Tier: 'Advanced', Version: 2 }],
  ['15 levels', () => put(levels(15)), { Version: 1 }],
  ['1011 characters including the ARN prefix', () => put('/' + 'n'.repeat(1011 - ARN_PREFIX.length)), { Version: 1 }],
  ['a SecureString without KeyId gets alias/aws/ssm', () => putThenGet('/k/a', { Type: 'SecureString' }), { keyId: 'alias/aws/ssm' }],
  ['a SecureString keeps its KeyId', () => putThenGet('/k/b', { Type: 'SecureString', KeyId: 'alias/k' }), { keyId: 'alias/k' }],
  ['a String has no key', async () => (await putThenGet('/k/c', { KeyId: 'alias/k' }))?.keyId, undefined],
  ['GetParameters without WithDecryption: a ciphertext', () => value('/c/secret', false), expect.stringMatching(/^AQICAH[\w+/=]+$/)],
  ['GetParameters WithDecryption: the value', () => value('/c/secret', true), 'hunter2'],
  ['GetParameters: what exists, and the rest in InvalidParameters', () => ssm.send(new GetParametersCommand({ Names: ['/c/plain', '/c/no'] })),
    { InvalidParameters: ['/c/no'], Parameters: [{ Name: '/c/plain', Type: 'String', Value: 'v', Version: 1,
      LastModifiedDate: expect.any(Date), ARN: `${ARN_PREFIX}c/plain`, DataType: 'text' }] }],
  ['AddTagsToResource adds and overwrites keys of any script, values may be empty', async () => {
    await addTags('/c/plain', [{ Key: 'team', Value: 'b' }, { Key: 'Équipe 1', Value: '' }])
    return fake.ssm.get('/c/plain')?.tags }, { team: 'b', 'Équipe 1': '' }],
  ['tags survive an overwrite', async () => (await putThenGet('/c/plain', { Overwrite: true }, 'w'))?.tags, { team: 'b', 'Équipe 1': '' }],
  ['DeleteParameters: what it deleted, and what did not exist', () => ssm.send(new DeleteParametersCommand({ Names: ['/p/a', '/p/zzz'] })),
    { DeletedParameters: ['/p/a'], InvalidParameters: ['/p/zzz'] }],
  ['STS GetCallerIdentity over awsQuery', () => new STSClient(clientOptions(fake)).send(new GetCallerIdentityCommand({})),
    { Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/fake' }]
]

describe('SSM and STS answer as AWS does', () => {
  it.each(ANSWERS)('%s', async (_, call, expected) => {
    const actual = await call()
    if (typeof expected === 'object' && expected !== null) expect(actual).toMatchObject(expected)
    else expect(actual).toEqual(expected)
  })

  it('DescribeParameters: Path (OneLevel by default) and tag filters, metadata only, paginated', async () => {
    const managed = { 'managed-by': 'ssm-secrets-action' }
    for (const name of ['/d/a', '/d/b', '/d/c', '/d/deep/x']) fake.ssm.put({ name, value: 'v', tags: managed })
    fake.ssm.put({ name: '/d/mine', value: 'v', tags: { 'managed-by': 'someone' } })
    fake.ssm.put({ name: '/dx', value: 'v', tags: managed })
    const ParameterFilters = [
      { Key: 'Path', Values: ['/d'] },
      { Key: 'tag:managed-by', Values: ['ssm-secrets-action'] }
    ]
    const pages = []
    for await (const page of paginateDescribeParameters({ client: ssm, pageSize: 2 }, { ParameterFilters })) {
      pages.push(page.Parameters?.map((p) => ({ Name: p.Name, ARN: p.ARN, Type: p.Type, Version: p.Version })))
    }
    const meta = (name: string) => ({ Name: name, ARN: ARN_PREFIX + name.slice(1), Type: 'String', Version: 1 })
    expect(pages).toEqual([[meta('/d/a'), meta('/d/b')], [meta('/d/c')]])
    const anyValue = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'tag:team' }] }))
    expect(anyValue.Parameters?.map((p) => p.Name)).toEqual(['/c/plain'])
  })

  it('seeding follows PutParameter: an overwrite keeps the type and adds the tags; reserved names throw', () => {
    fake.ssm.put({ name: '/s/x', value: 'a', type: 'SecureString', tags: { owner: 'me' } })
    fake.ssm.put({ name: '/s/x', value: 'b', tags: { extra: 'x' } })
    expect(fake.ssm.get('/s/x')).toMatchObject({ version: 2, type: 'SecureString', tags: { owner: 'me', extra: 'x' } })
    expect(() => fake.ssm.put({ name: 'aws-reserved', value: 'v' })).toThrow(/can't be prefixed/)
  })
})

// prettier-ignore
const FAULTS = [
  [{ kind: 'throttle' }, '400 ThrottlingException: Rate exceeded'],
  [{ kind: 'too-many-requests' }, '429 TooManyRequestsException: Too Many Requests'],
  [{ kind: 'server-error' }, '500 InternalServerError: Internal server error'],
  [{ kind: 'server-error', status: 502 }, '502 BadGateway: Service unavailable'],
  [{ kind: 'server-error', status: 503 }, '503 ServiceUnavailable: Service unavailable'],
  [{ kind: 'drop' }, 'ECONNRESET']
] as const

const sign = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=abc0`
const raw = (headers: Record<string, string>, body: string) => fetch(fake.url, { method: 'POST', headers, body })
const json = { 'x-amz-target': 'AmazonSSM.NoSuchThing', 'content-type': 'application/x-amz-json-1.1' }
const form = { 'content-type': 'application/x-www-form-urlencoded' }
// prettier-ignore
const PROTOCOL: Array<[string, () => Promise<Response>, number, unknown]> = [
  ['unsigned: 403 MissingAuthenticationToken', () => raw(json, '{}'), 403, expect.stringMatching(/"__type":"MissingAuthenticationTokenException"/)],
  ['an unknown awsJson operation', () => raw({ ...json, authorization: sign('ssm') }, '{}'), 400, expect.stringMatching(/"__type":"UnknownOperationException"/)],
  ['an unknown awsQuery operation', () => raw({ ...form, authorization: sign('sts') }, 'Action=No'), 400, expect.stringMatching(/<Type>Sender<\/Type><Code>InvalidAction</)]
]

describe('the server: protocol errors, faults, request log', () => {
  it.each(PROTOCOL)('%s', async (_, send, status, body) => {
    const res = await send()
    const requestId = expect.stringMatching(/^[0-9a-f-]{36}$/)
    expect([res.status, await res.text(), res.headers.get('x-amzn-requestid')]).toEqual([status, body, requestId])
  })

  it.each(FAULTS)('fault %o: %s; nothing changes; the SDK retries it', async (fault, expected) => {
    const name = `/f/${fault.kind}${'status' in fault ? fault.status : ''}`
    fake.inject({ operation: 'PutParameter', ...fault })
    expect(await outcome(put(name))).toBe(expected)
    expect([fake.ssm.get(name), fake.requests.at(-1)?.fault]).toEqual([undefined, fault.kind])
    fake.inject({ operation: '*', ...fault })
    const retried = await ssm.send(new PutParameterCommand({ Name: name, Value: 'v', Type: 'String' }))
    expect([retried.Version, ...fake.requests.slice(-2).map((r) => r.fault ?? r.status)]).toEqual([1, fault.kind, 200])
  })

  it('drop-after and reshape: the change happens, the answer is lost or reshaped', async () => {
    fake.inject({ operation: 'PutParameter', kind: 'drop-after' })
    expect(await outcome(put('/f/after'))).toBe('ECONNRESET')
    expect([fake.ssm.get('/f/after')?.version, fake.requests.at(-1)?.status]).toEqual([1, 'dropped'])
    fake.inject({ operation: 'PutParameter', kind: 'reshape', reshape: (out) => ({ ...out, Version: 99 }) })
    expect(await put('/f/after', 'w', { Overwrite: true })).toMatchObject({ Version: 99 })
    expect(fake.ssm.get('/f/after')?.version).toBe(2)
  })

  it('skip lets requests through first, times repeats, latency delays', async () => {
    fake.inject({ operation: 'GetParameters', kind: 'throttle', skip: 1, times: 2 })
    fake.inject({ operation: 'GetParameters', kind: 'latency', delayMs: 150, skip: 3 })
    const get = () => outcome(ssm1.send(new GetParametersCommand({ Names: ['/c/plain'] })))
    const outcomes = [await get(), await get(), await get(), await get()]
    expect(outcomes.map((o) => o.slice(0, 3))).toEqual(['ok', '400', '400', 'ok'])
    const last = fake.requests.at(-1)
    expect(last).toMatchObject({ fault: 'latency', status: 200 })
    expect((last?.end ?? 0) - (last?.start ?? 0)).toBeGreaterThanOrEqual(140)
  })

  it('records every request in order with its region, never a secret value, and lists the writes', async () => {
    fake.clearRequests()
    await put('/log/x', 'super-secret-value', { Type: 'SecureString' })
    await ssm.send(new GetParametersCommand({ Names: ['/log/x'], WithDecryption: true }))
    await addTags('/log/x', [{ Key: 'k', Value: 'v' }])
    await ssm.send(new DeleteParametersCommand({ Names: ['/log/x'] }))
    const writes = ['PutParameter', 'AddTagsToResource', 'DeleteParameters']
    expect(fake.requests.map((r) => `${r.service} ${r.operation} ${r.status} ${r.region}`)).toEqual(
      [writes[0], 'GetParameters', ...writes.slice(1)].map((op) => `ssm ${op} 200 us-east-1`)
    )
    expect(fake.writes().map((r) => r.operation)).toEqual(writes)
    const sha256 = createHash('sha256').update('super-secret-value').digest('hex')
    expect(fake.requests[0]?.input).toMatchObject({ Value: { length: 18, sha256 } })
    expect(JSON.stringify(fake.requests)).not.toContain('super-secret-value')
  })
})

describe('per-operation quotas and latency', () => {
  let own: FakeAws
  afterEach(() => own.close())
  const start = async (options: FakeAwsOptions) => {
    own = await startFakeAws(options)
    const client = new SSMClient(clientOptions(own, 1))
    const put = (Name: string) => outcome(client.send(new PutParameterCommand({ Name, Value: 'v', Type: 'String' })))
    return { get: () => outcome(client.send(new GetParametersCommand({ Names: ['/a'] }))), put }
  }
  const THROTTLED = '400 ThrottlingException: Rate exceeded'

  it('lets the burst through, throttles beyond it before any fault, and refills at the rate', async () => {
    const { get } = await start({ quotas: { GetParameters: { rate: 2, burst: 3 } } })
    expect([await get(), await get(), await get()]).toEqual(['ok', 'ok', 'ok'])
    own.inject({ operation: 'GetParameters', kind: 'server-error' })
    expect(await get()).toBe(THROTTLED)
    await sleep(700)
    expect(await get()).toMatch(/^500 /)
    expect(own.requests.map((r) => r.fault ?? r.status)).toEqual([200, 200, 200, 'throttle', 'server-error'])
  })

  it('keeps one bucket per operation, leaves the others alone, and a throttled put changes nothing', async () => {
    const { get, put } = await start({ quotas: { PutParameter: { rate: 1 } } })
    expect([await put('/p1'), await put('/p2')]).toEqual(['ok', THROTTLED])
    expect(own.ssm.get('/p2')).toBeUndefined()
    expect(new Set(await Promise.all(Array.from({ length: 20 }, get)))).toEqual(new Set(['ok']))
  })

  it('refuses a quota it cannot enforce; latencyMs delays every request', async () => {
    for (const quota of [{ rate: 0 }, { rate: 5, burst: 0.5 }]) {
      await expect(startFakeAws({ quotas: { PutParameter: quota } })).rejects.toThrow('Invalid quota for PutParameter')
    }
    const { get } = await start({ latencyMs: 100 })
    const t = performance.now()
    expect(await get()).toBe('ok')
    expect(performance.now() - t).toBeGreaterThanOrEqual(95)
  })
})
