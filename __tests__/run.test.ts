// run() in-process: the same paths as the end-to-end tests, plus every input error.
import { describe, expect, it } from 'vitest'
import { errorMessage } from '../src/errors.js'
import { useInProcessRun } from './in-process.js'

const { fake, runWith } = useInProcessRun()

const ok = { secrets: '{"A": "a-value"}', path: '/t/' }

describe('bad input fails before any request', () => {
  it.each([
    ['missing path', { secrets: '{"A": "a"}' }, {}, /Input 'path': is required to sync/],
    ['relative path', { ...ok, path: 't/' }, {}, /Input 'path': 't\/' must start with '\/'/],
    ['reserved path', { ...ok, path: '/ssm/x/' }, {}, /Input 'path': '\/ssm\/x\/' must not begin with 'aws' or 'ssm'/],
    [
      'unknown tier',
      { ...ok, tier: 'fast' },
      {},
      /Input 'tier': 'fast' is not one of auto, Standard, Advanced, Intelligent-Tiering/
    ],
    ['non-boolean prune', { ...ok, prune: 'yes' }, {}, /Input 'prune': must be true or false/],
    ['non-boolean dry-run', { ...ok, 'dry-run': 'maybe' }, {}, /Input 'dry-run': must be true or false/],
    ['bad region', { ...ok, region: 'moon-base' }, {}, /Input 'region': 'moon-base' is not an AWS region/],
    ['no region', ok, { AWS_REGION: '', AWS_DEFAULT_REGION: '' }, /Input 'region': no region given/],
    ['bare KMS word', { ...ok, 'kms-key-id': 'billing' }, {}, /Input 'kms-key-id': .*Did you mean 'alias\/billing'\?/],
    ['tag without =', { ...ok, tags: 'team' }, {}, /Input 'tags': 'team' is not a key=value line/],
    ['reserved tag', { ...ok, tags: 'aws:x=1' }, {}, /Input 'tags': tag key 'aws:x' uses the reserved prefix/],
    ['duplicate tag', { ...ok, tags: 'a=1\na=2' }, {}, /Input 'tags': 'a' is given twice/],
    [
      'too many tags',
      { ...ok, tags: Array.from({ length: 50 }, (_, i) => `k${i}=v`).join('\n') },
      {},
      /Input 'tags': 50 tags given; at most 49/
    ],
    ['bad reference', { ...ok, references: 'DB' }, {}, /Input 'references': 'DB' is not a NAME=valueFrom line/],
    [
      'duplicate reference',
      { ...ok, references: 'DB=/x/db\nDB=/x/db2' },
      {},
      /Input 'references': 'DB' is given twice/
    ],
    ['reference that is also synced', { ...ok, references: 'A=/x/a' }, {}, /Input 'references': 'A' is also synced/],
    [
      'include name not found',
      { ...ok, include: 'MISSING' },
      {},
      /Input 'include': 'MISSING' not found in secrets or variables/
    ],
    [
      'invalid env name',
      { secrets: '{"bad-name": "v"}', path: '/t/' },
      {},
      /Input 'secrets': 'bad-name' is not a valid environment variable name/
    ],
    ['name in both maps', { ...ok, variables: '{"A": "v"}' }, {}, /Input 'variables': 'A' is also in secrets/],
    ['empty value', { secrets: '{"A": ""}', path: '/t/' }, {}, /Input 'secrets': the value of 'A' is empty/],
    [
      'too long for Standard',
      { secrets: JSON.stringify({ A: 'x'.repeat(4097) }), path: '/t/', tier: 'Standard' },
      {},
      /the Standard tier allows at most 4096/
    ],
    [
      'too deep',
      { ...ok, path: `/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}/` },
      {},
      /^Input 'path': a parameter name under it has 16 levels; Parameter Store allows at most 15. Use a shorter path$/
    ],
    ['malformed variables', { ...ok, variables: '[1]' }, {}, /Input 'variables': must be a map/]
  ])('%s', async (_label, inputs, env, message) => {
    const result = await runWith(inputs, env)
    expect(result.failed).toBe(true)
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]).toMatch(message)
    expect(fake().requests).toEqual([])
  })
})

describe('run', () => {
  it('warns about an include glob that matched nothing, and syncs the rest', async () => {
    const result = await runWith({ secrets: '{"DB_A": "1", "OTHER": "2"}', path: '/w/', include: 'DB_*, NOPE_*' })
    expect(result.failed).toBe(false)
    expect(result.warnings).toContain(`include pattern 'NOPE_*' matched no secret or variable`)
    expect(
      fake()
        .ssm.names()
        .filter((name) => name.startsWith('/w/'))
    ).toEqual(['/w/DB_A'])
  })

  it('warns when include/exclude leave nothing, and does nothing', async () => {
    const result = await runWith({ secrets: '{"A": "1"}', path: '/n/', exclude: '*' })
    expect(result.failed).toBe(false)
    expect(result.warnings).toContain('include/exclude selected no secret or variable; nothing will be synced')
    expect(fake().requests).toEqual([])
    expect(result.outputs).toEqual({ parameters: '[]', changed: '0' })
  })

  it('creates, reports ARNs from STS, and writes the summary table', async () => {
    const result = await runWith({ secrets: '{"A": "a1", "B": "b1"}', path: '/r/' })
    expect(result.failed).toBe(false)
    expect(JSON.parse(result.outputs.parameters ?? '')).toEqual([
      { name: '/r/A', arn: 'arn:aws:ssm:us-east-1:123456789012:parameter/r/A', version: 1, status: 'created' },
      { name: '/r/B', arn: 'arn:aws:ssm:us-east-1:123456789012:parameter/r/B', version: 1, status: 'created' }
    ])
    expect(result.summary).toContain('Synced 2 parameters under `/r/`: 2 created.')
    expect(result.summary).toContain('<code>/r/A</code>')
    expect(result.stdout).toContain('::group::Plan: 2 to create, 0 to update, 0 unchanged, 0 to delete')
  })

  it('leaves ARNs empty with a warning when STS cannot be reached', async () => {
    fake().inject({ operation: 'GetCallerIdentity', kind: 'server-error', times: 10 })
    const result = await runWith({ secrets: '{"A": "a1"}', path: '/sts/' }, { AWS_MAX_ATTEMPTS: '1' })
    expect(result.failed).toBe(false)
    expect(result.warnings[0]).toMatch(/Could not read the account id \(STS GetCallerIdentity\)/)
    expect(JSON.parse(result.outputs.parameters ?? '')).toEqual([
      { name: '/sts/A', arn: '', version: 1, status: 'created' }
    ])
  })

  it('says nothing was written when reading fails', async () => {
    fake().inject({ operation: 'GetParameters', kind: 'server-error', times: 10 })
    const result = await runWith({ secrets: '{"A": "a1"}', path: '/rf/' }, { AWS_MAX_ATTEMPTS: '1' })
    expect(result.failed).toBe(true)
    expect(result.errors[0]).toMatch(/^Reading the current parameters failed, nothing was written: InternalServerError/)
    expect(fake().writes()).toEqual([])
  })

  it('dry-run plans deletions too, and writes nothing', async () => {
    fake().ssm.put({ name: '/d/OLD', value: 'o', type: 'String', tags: { 'managed-by': 'ssm-secrets-action' } })
    const result = await runWith({ secrets: '{"A": "a1"}', path: '/d/', prune: 'true', 'dry-run': 'true' })
    expect(result.failed).toBe(false)
    expect(fake().writes()).toEqual([])
    expect(result.stdout).toContain('- deleted   /d/OLD (version 1)')
    expect(result.summary).toContain('Dry run under `/d/`: nothing was written. Planned: 1 created, 1 deleted.')
    expect(JSON.parse(result.outputs.parameters ?? '')).toContainEqual({
      name: '/d/OLD',
      arn: 'arn:aws:ssm:us-east-1:123456789012:parameter/d/OLD',
      version: 1,
      status: 'deleted'
    })
    expect(fake().count('GetCallerIdentity')).toBe(0)
  })

  it('skips pruning when a write failed, and reports both', async () => {
    fake().ssm.put({ name: '/pf/OLD', value: 'o', type: 'String', tags: { 'managed-by': 'ssm-secrets-action' } })
    fake().inject({ operation: 'PutParameter', kind: 'server-error', times: 10 })
    const result = await runWith({ secrets: '{"A": "a1"}', path: '/pf/', prune: 'true' }, { AWS_MAX_ATTEMPTS: '1' })
    expect(result.failed).toBe(true)
    expect(result.errors[0]).toMatch(
      /Writing \/pf\/A failed: InternalServerError.*Written: none\. Not written: \/pf\/A\. Deleted: none\. Not deleted: \/pf\/OLD\./
    )
    expect(fake().ssm.get('/pf/OLD')).toBeDefined()
    expect(result.summary).toContain('Stopped under `/pf/`: 1 failed, 1 skipped.')
  })

  it('reports a failed prune', async () => {
    fake().ssm.put({ name: '/pd/OLD', value: 'o', type: 'String', tags: { 'managed-by': 'ssm-secrets-action' } })
    fake().inject({ operation: 'DeleteParameters', kind: 'server-error', times: 10 })
    const result = await runWith({ secrets: '{"A": "a1"}', path: '/pd/', prune: 'true' }, { AWS_MAX_ATTEMPTS: '1' })
    expect(result.failed).toBe(true)
    expect(result.errors[0]).toMatch(
      /^Pruning failed: InternalServerError.*Written: \/pd\/A\. Not written: none\. Deleted: none\. Not deleted: \/pd\/OLD\./
    )
  })

  it('masks each secret value and line, and never variables', async () => {
    const result = await runWith({ secrets: '{"M": "line-one\\nline-two"}', variables: '{"V": "plain"}', path: '/m/' })
    const masks = result.stdout.split('\n').filter((line) => line.startsWith('::add-mask::'))
    expect(masks).toEqual(['::add-mask::line-one%0Aline-two', '::add-mask::line-one', '::add-mask::line-two'])
  })
})

describe('errorMessage', () => {
  it('handles whatever was thrown', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom')
    expect(errorMessage('text')).toBe('text')
    expect(errorMessage({ code: 1 })).toBe('Unexpected error: {"code":1}')
    const circular: Record<string, unknown> = {}
    circular.self = circular
    expect(errorMessage(circular)).toBe('Unexpected error of unknown shape')
  })
})
