// The shipped bundle under the action's runtime: INPUT_* variables in, the runner's files, the exit
// code, the error annotation and the ::add-mask:: commands out. What run() does is tested in-process.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeAws, type FakeAws } from '../fake-aws/index.js'
import {
  assertRuntimesPresent,
  errorAnnotations,
  ACTION_RUNTIME,
  runAction,
  withoutMaskCommands,
  type ActionRun,
  type RunOptions
} from './harness.js'

const PATH = '/prod/billing/'
let fake: FakeAws
const run = (options: Omit<RunOptions, 'endpoint' | 'node'>) =>
  runAction({ endpoint: fake.url, node: ACTION_RUNTIME.node, ...options })

beforeAll(assertRuntimesPresent)
beforeEach(async () => {
  fake = await startFakeAws()
})
afterEach(async () => {
  await fake.close()
})

describe(`sync end to end under ${ACTION_RUNTIME.label}`, () => {
  it('creates every parameter, then finds all 25 unchanged with 3 reads and no write', async () => {
    const secrets = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`SECRET_${i}`, `value-${i}`]))
    const inputs = { secrets: JSON.stringify(secrets), path: PATH }
    const first = await run({ inputs })
    expect(first.exitCode, first.stdout).toBe(0)
    expect(first.outputs.changed).toBe('25')
    const created = JSON.parse(first.outputs.parameters ?? '[]') as unknown[]
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
    expect(first.summary).toContain('Synced 25 parameters under `/prod/billing/`: 25 created.')
    expect(first.summary).toContain('<code>/prod/billing/SECRET_0</code>')
    expect(first.stdout).toContain('::group::Plan: 25 to create, 0 to update, 0 unchanged, 0 to delete')

    fake.clearRequests()
    const second = await run({ inputs })
    expect(second.exitCode, second.stdout).toBe(0)
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

  it('a 9000-character value fails with exit 1 before any request, naming the secret and not its value', async () => {
    const huge = `HUGE-${'z'.repeat(8995)}`
    const result = await run({ inputs: { secrets: JSON.stringify({ OK: 'fine', TOO_BIG: huge }), path: PATH } })
    expect(result.exitCode).toBe(1)
    expect(errorAnnotations(result)).toEqual([
      "Input 'secrets': the value of 'TOO_BIG' is 9000 characters; the Advanced tier allows at most 8192; store it in Secrets Manager (64 KB) and pass it through `references`"
    ])
    expect(fake.requests).toEqual([])
    expect(withoutMaskCommands(result.stdout + result.stderr)).not.toContain(huge)
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
const NEEDLES = Object.values(TRICKY_VALUES)
  .flatMap((value) => [value, ...value.split('\n')])
  .filter((needle) => needle.trim().length >= 6)

function expectNoLeak(result: ActionRun): void {
  const channels = { stdout: withoutMaskCommands(result.stdout), stderr: result.stderr, ...result.files }
  for (const [channel, text] of Object.entries(channels)) {
    for (const needle of NEEDLES) {
      expect(text.includes(needle), `${channel} contains a secret value`).toBe(false)
      expect(text.includes(needle.trim()), `${channel} contains a trimmed secret value`).toBe(false)
    }
  }
}

describe(`secret values never leak under ${ACTION_RUNTIME.label}`, () => {
  it('masks every value and line, stores them exactly, and prints none (debug on)', async () => {
    const secrets = Object.entries(TRICKY_VALUES)
      .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
      .join('\n')
    const debugRun = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
      run({ debug: true, inputs: { secrets, ...inputs }, env })
    const first = await debugRun({ path: PATH })
    expect(first.exitCode, first.stdout).toBe(0)
    expect(first.stdout).toContain('::debug::')
    for (const [key, value] of Object.entries(TRICKY_VALUES)) expect(fake.ssm.get(`${PATH}${key}`)?.value).toBe(value)
    const masks = first.stdout.split('\n').filter((line) => line.startsWith('::add-mask::'))
    expect(masks.length).toBeGreaterThanOrEqual(Object.keys(TRICKY_VALUES).length + 5)
    expect(masks).toContain('::add-mask::first-line-of-secret')
    expectNoLeak(first)

    // The unchanged path, the dry run, and a failing write (AWS errors) print no value either.
    expectNoLeak(await debugRun({ path: PATH }))
    expectNoLeak(await debugRun({ path: '/other/', 'dry-run': 'true' }))
    fake.inject({ operation: 'PutParameter', kind: 'server-error', times: 100 })
    const failed = await debugRun({ path: '/failing/' }, { AWS_MAX_ATTEMPTS: '1' })
    expect(failed.exitCode).toBe(1)
    expectNoLeak(failed)
  })
})
