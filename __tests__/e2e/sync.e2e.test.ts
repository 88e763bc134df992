import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeAws, type FakeAws } from '../fake-aws/index.js'
import {
  assertRuntimesPresent,
  errorAnnotations,
  ACTION_RUNTIME,
  runAction,
  withoutMaskCommands,
  type ActionRun
} from './harness.js'

const PATH = '/prod/billing/'

function manySecrets(count: number, prefix = 'value'): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`SECRET_${i}`, `${prefix}-${i}-${'x'.repeat(i)}`]))
}

beforeAll(assertRuntimesPresent)

describe.each([ACTION_RUNTIME])('sync end to end under $label', ({ node }) => {
  let fake: FakeAws
  const run = (inputs: Record<string, string>, extra: { debug?: boolean; env?: Record<string, string> } = {}) =>
    runAction({ endpoint: fake.url, node, inputs, ...extra })

  beforeEach(async () => {
    fake = await startFakeAws()
  })
  afterEach(async () => {
    await fake.close()
  })

  it('creates every parameter, then finds all 25 unchanged with 3 reads and no write', async () => {
    const secrets = manySecrets(25)
    const first = await run({ secrets: JSON.stringify(secrets), path: PATH })
    expect(first.exitCode, first.stdout).toBe(0)
    expect(first.outputs.changed).toBe('25')
    const created = JSON.parse(first.outputs.parameters ?? '[]') as {
      name: string
      arn: string
      version: number
      status: string
    }[]
    expect(created).toHaveLength(25)
    expect(created[0]).toEqual({
      name: '/prod/billing/SECRET_0',
      arn: 'arn:aws:ssm:us-east-1:123456789012:parameter/prod/billing/SECRET_0',
      version: 1,
      status: 'created'
    })
    const stored = fake.ssm.get('/prod/billing/SECRET_3')
    expect(stored).toMatchObject({ value: secrets.SECRET_3, type: 'SecureString', tier: 'Standard', version: 1 })
    expect(stored?.tags).toEqual({ 'managed-by': 'ssm-secrets-action' })
    expect(fake.count('GetCallerIdentity')).toBe(1)

    fake.clearRequests()
    const second = await run({ secrets: JSON.stringify(secrets), path: PATH })
    expect(second.exitCode, second.stdout).toBe(0)
    expect(fake.count('GetParameters')).toBe(3)
    expect(fake.writes()).toEqual([])
    expect(fake.requests.map((request) => request.operation)).toEqual([
      'GetParameters',
      'GetParameters',
      'GetParameters'
    ])
    expect(second.outputs.changed).toBe('0')
    const unchanged = JSON.parse(second.outputs.parameters ?? '[]') as { status: string; version: number }[]
    expect(unchanged.every((parameter) => parameter.status === 'unchanged' && parameter.version === 1)).toBe(true)
    expect(second.summary).toContain('25 unchanged')
  })

  it('rotating one of 25 values sends one PutParameter and bumps its version by one', async () => {
    const secrets = manySecrets(25)
    expect((await run({ secrets: JSON.stringify(secrets), path: PATH })).exitCode).toBe(0)
    fake.clearRequests()
    const rotated = { ...secrets, SECRET_7: 'rotated-value' }
    const result = await run({ secrets: JSON.stringify(rotated), path: PATH })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(fake.count('PutParameter')).toBe(1)
    expect(fake.count('AddTagsToResource')).toBe(1)
    expect(fake.writes().map((request) => request.operation)).toEqual(['AddTagsToResource', 'PutParameter'])
    expect(fake.ssm.get('/prod/billing/SECRET_7')).toMatchObject({ value: 'rotated-value', version: 2 })
    expect(fake.ssm.get('/prod/billing/SECRET_8')?.version).toBe(1)
    expect(result.outputs.changed).toBe('1')
    const outputs = JSON.parse(result.outputs.parameters ?? '[]') as { name: string; status: string; version: number }[]
    expect(outputs.find((parameter) => parameter.name.endsWith('SECRET_7'))).toMatchObject({
      status: 'updated',
      version: 2
    })
  })

  it('tier auto stores a 5000-character value as Advanced', async () => {
    const result = await run({ secrets: JSON.stringify({ BIG: 'b'.repeat(5000), SMALL: 's' }), path: PATH })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(fake.ssm.get('/prod/billing/BIG')?.tier).toBe('Advanced')
    expect(fake.ssm.get('/prod/billing/SMALL')?.tier).toBe('Standard')
  })

  it('tier auto keeps an existing Advanced parameter Advanced when its new value is short', async () => {
    fake.ssm.put({ name: '/prod/billing/WAS_BIG', value: 'w'.repeat(6000), type: 'SecureString', tier: 'Advanced' })
    const result = await run({ secrets: JSON.stringify({ WAS_BIG: 'short now' }), path: PATH })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(fake.ssm.get('/prod/billing/WAS_BIG')).toMatchObject({ value: 'short now', tier: 'Advanced', version: 2 })
  })

  it('a 9000-character value fails before any request, naming the secret and not its value', async () => {
    const huge = `HUGE-${'z'.repeat(8995)}`
    const result = await run({ secrets: JSON.stringify({ OK: 'fine', TOO_BIG: huge }), path: PATH })
    expect(result.exitCode).toBe(1)
    const [error] = errorAnnotations(result)
    expect(error).toMatch(
      /Input 'secrets': the value of 'TOO_BIG' is 9000 characters; the Advanced tier allows at most 8192/
    )
    expect(fake.requests).toEqual([])
    expect(withoutMaskCommands(result.stdout + result.stderr)).not.toContain(huge)
  })

  it('recovers from the first 3 PutParameter requests being throttled', async () => {
    fake.inject({ operation: 'PutParameter', kind: 'throttle', times: 3 })
    const secrets = manySecrets(6)
    const result = await run({ secrets: JSON.stringify(secrets), path: PATH })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(
      fake.requests.filter((request) => request.operation === 'PutParameter' && request.status === 400)
    ).toHaveLength(3)
    for (const [key, value] of Object.entries(secrets)) {
      expect(fake.ssm.get(`${PATH}${key}`)).toMatchObject({ value, version: 1 })
    }
  })

  it.each([
    ['not JSON or YAML', '{"A": "unterminated', /Input 'secrets': is not valid JSON or YAML \(line 1, column \d+\)/],
    ['a list', '["a", "b"]', /Input 'secrets': must be a map of NAME: value, but it is a list/],
    ['a non-string value', '{"PORT": 5432}', /Input 'secrets': 'PORT' must have a string value, but it is a number/],
    ['a duplicate YAML key', 'A: "1"\nA: "2"', /Input 'secrets': has a duplicate key \(line 2/]
  ])('malformed secrets (%s) fail with exit 1, naming the input, with no write', async (_label, secrets, message) => {
    const result = await run({ secrets, path: PATH })
    expect(result.exitCode).toBe(1)
    const errors = errorAnnotations(result)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(message)
    expect(fake.writes()).toEqual([])
    expect(fake.requests).toEqual([])
  })

  it('dry-run prints the plan, reads, and writes nothing', async () => {
    fake.ssm.put({
      name: '/prod/billing/OLD',
      value: 'old',
      type: 'SecureString',
      tags: { 'managed-by': 'ssm-secrets-action' }
    })
    fake.ssm.put({ name: '/prod/billing/SAME', value: 'same', type: 'SecureString' })
    const result = await run({
      secrets: JSON.stringify({ NEW: 'n', SAME: 'same', OLD: 'rotated' }),
      path: PATH,
      'dry-run': 'true'
    })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(fake.writes()).toEqual([])
    expect(result.stdout).toContain('+ created   /prod/billing/NEW (SecureString, Standard)')
    expect(result.stdout).toContain('~ updated   /prod/billing/OLD (SecureString, Intelligent-Tiering, version 1 → 2)')
    expect(result.stdout).toContain('= unchanged /prod/billing/SAME (version 1)')
    expect(result.summary).toContain('Dry run')
    expect(result.outputs.changed).toBe('2')
    expect(fake.ssm.get('/prod/billing/OLD')?.value).toBe('old')
    expect(fake.ssm.get('/prod/billing/NEW')).toBeUndefined()
  })

  it('puts user tags on new and rewritten parameters, and the KMS key on SecureStrings', async () => {
    fake.ssm.put({ name: '/prod/billing/EXISTING', value: 'old', type: 'SecureString', tags: { owner: 'someone' } })
    const keyId = 'alias/billing'
    const result = await run({
      secrets: JSON.stringify({ FRESH: 'f', EXISTING: 'new' }),
      variables: JSON.stringify({ LOG_LEVEL: 'debug' }),
      path: '/prod/billing',
      tags: 'team=billing\ncost-center = 42',
      'kms-key-id': keyId
    })
    expect(result.exitCode, result.stdout).toBe(0)
    const expectedTags = { team: 'billing', 'cost-center': '42', 'managed-by': 'ssm-secrets-action' }
    expect(fake.ssm.get('/prod/billing/FRESH')).toMatchObject({ tags: expectedTags, keyId })
    expect(fake.ssm.get('/prod/billing/EXISTING')).toMatchObject({
      tags: { ...expectedTags, owner: 'someone' },
      keyId,
      version: 2
    })
    expect(fake.ssm.get('/prod/billing/LOG_LEVEL')).toMatchObject({
      type: 'String',
      value: 'debug',
      tags: expectedTags
    })
    expect(fake.ssm.get('/prod/billing/LOG_LEVEL')?.keyId).toBeUndefined()
  })

  it('prune deletes only managed parameters directly under the path', async () => {
    const managed = { 'managed-by': 'ssm-secrets-action' }
    fake.ssm.put({ name: '/prod/billing/KEEP', value: 'k', type: 'SecureString', tags: managed })
    fake.ssm.put({ name: '/prod/billing/STALE', value: 's', type: 'SecureString', tags: managed })
    fake.ssm.put({ name: '/prod/billing/HANDMADE', value: 'h', type: 'SecureString' })
    fake.ssm.put({ name: '/prod/billing/nested/DEEP', value: 'd', type: 'SecureString', tags: managed })
    fake.ssm.put({ name: '/prod/other/ELSEWHERE', value: 'e', type: 'SecureString', tags: managed })
    const result = await run({ secrets: JSON.stringify({ KEEP: 'k' }), path: PATH, prune: 'true' })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(fake.ssm.names().sort()).toEqual([
      '/prod/billing/HANDMADE',
      '/prod/billing/KEEP',
      '/prod/billing/nested/DEEP',
      '/prod/other/ELSEWHERE'
    ])
    const outputs = JSON.parse(result.outputs.parameters ?? '[]') as { name: string; status: string }[]
    expect(outputs).toContainEqual(expect.objectContaining({ name: '/prod/billing/STALE', status: 'deleted' }))
    expect(result.outputs.changed).toBe('1')
  })

  it('prune with nothing selected is refused before any request', async () => {
    const result = await run({ secrets: '{"github_token": "ghs_x"}', path: PATH, prune: 'true' })
    expect(result.exitCode).toBe(1)
    expect(errorAnnotations(result)[0]).toMatch(/Input 'prune': is true but no secret or variable was selected/)
    expect(fake.requests).toEqual([])
  })

  it('without a region it fails naming the input', async () => {
    const result = await run({ secrets: '{"A": "a"}', path: PATH }, { env: { AWS_REGION: '' } })
    expect(result.exitCode).toBe(1)
    expect(errorAnnotations(result)[0]).toMatch(/Input 'region': no region given/)
    expect(fake.requests).toEqual([])
  })

  it('a write that keeps failing stops the run and says what was and was not written', async () => {
    fake.inject({ operation: 'PutParameter', kind: 'server-error', status: 500, skip: 1, times: 100 })
    const result = await run(
      { secrets: JSON.stringify(manySecrets(4)), path: PATH },
      { env: { AWS_MAX_ATTEMPTS: '2' } }
    )
    expect(result.exitCode).toBe(1)
    const [error] = errorAnnotations(result)
    expect(error).toMatch(/Writing \/prod\/billing\/SECRET_\d failed: InternalServerError/)
    expect(error).toMatch(/Written: \/prod\/billing\/SECRET_0\./)
    expect(error).toMatch(/Not written: .*SECRET_/)
    expect(error).toContain('A re-run writes what is missing.')
    const outputs = JSON.parse(result.outputs.parameters ?? '[]') as { status: string }[]
    expect(outputs.filter((parameter) => parameter.status === 'created')).toHaveLength(1)

    fake.clearFaults()
    const rerun = await run({ secrets: JSON.stringify(manySecrets(4)), path: PATH })
    expect(rerun.exitCode, rerun.stdout).toBe(0)
    expect(fake.ssm.names()).toHaveLength(4)
    expect(fake.ssm.get('/prod/billing/SECRET_0')?.version).toBe(1)
  })
})

const TRICKY_VALUES: Record<string, string> = {
  MULTI_LINE: 'first-line-of-secret\nsecond line with spaces  \nthird-line-of-secret',
  SPACES: '   padded secret value   ',
  QUOTES: `it's "double" and 'single' quoted`,
  BACKSLASH: 'C:\\path\\to\\secret\\n-not-a-newline',
  JSON_LIKE: '{"user": "admin", "password": "s3cr3t-json"}',
  YAML_LIKE: 'key: value\n- item-one\n- item-two: nested',
  PERCENT: '100%-sure-%0A-%25-secret',
  WORKFLOW_COMMAND: '::set-output name=leak::value-from-secret',
  ADD_MASK_LOOKALIKE: '::add-mask::not-really-a-mask-secret',
  UNICODE: 'pässwörd-秘密-🔑-secret',
  LARGE: `large-secret-start-${'0123456789abcdef'.repeat(500)}-large-secret-end`
}

/** Every value and every line of a multi-line value that is distinctive enough to search for. */
function needles(values: Record<string, string>): string[] {
  return Object.values(values)
    .flatMap((value) => [value, ...value.split('\n')])
    .filter((needle) => needle.trim().length >= 6)
}

function expectNoLeak(result: ActionRun): void {
  const channels: Record<string, string> = {
    stdout: withoutMaskCommands(result.stdout),
    stderr: result.stderr,
    ...result.files
  }
  for (const [channel, text] of Object.entries(channels)) {
    for (const needle of needles(TRICKY_VALUES)) {
      expect(text.includes(needle), `${channel} contains a secret value`).toBe(false)
      expect(text.includes(needle.trim()), `${channel} contains a trimmed secret value`).toBe(false)
    }
  }
}

describe.each([ACTION_RUNTIME])('secret values never leak under $label', ({ node }) => {
  let fake: FakeAws
  beforeEach(async () => {
    fake = await startFakeAws()
  })
  afterEach(async () => {
    await fake.close()
  })

  it('masks every value and line, stores them exactly, and prints none (debug on)', async () => {
    const yamlBlock = Object.entries(TRICKY_VALUES)
      .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
      .join('\n')
    const run = () => runAction({ endpoint: fake.url, node, debug: true, inputs: { secrets: yamlBlock, path: PATH } })
    const first = await run()
    expect(first.exitCode, first.stdout).toBe(0)
    expect(first.stdout).toContain('::debug::')
    for (const [key, value] of Object.entries(TRICKY_VALUES)) expect(fake.ssm.get(`${PATH}${key}`)?.value).toBe(value)
    const masks = first.stdout.split('\n').filter((line) => line.startsWith('::add-mask::'))
    expect(masks.length).toBeGreaterThanOrEqual(Object.keys(TRICKY_VALUES).length + 5)
    expect(masks).toContain('::add-mask::first-line-of-secret')
    expectNoLeak(first)

    // The unchanged path, the dry run, and a failing write (AWS errors) print no value either.
    expectNoLeak(await run())
    expectNoLeak(
      await runAction({
        endpoint: fake.url,
        node,
        debug: true,
        inputs: { secrets: yamlBlock, path: '/other/', 'dry-run': 'true' }
      })
    )
    fake.inject({ operation: 'PutParameter', kind: 'server-error', times: 100 })
    const failed = await runAction({
      endpoint: fake.url,
      node,
      debug: true,
      inputs: { secrets: yamlBlock, path: '/failing/' },
      env: { AWS_MAX_ATTEMPTS: '1' }
    })
    expect(failed.exitCode).toBe(1)
    expectNoLeak(failed)
  })
})
