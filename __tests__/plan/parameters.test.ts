import { describe, expect, it } from 'vitest'
import { planParameters, tierFor, valueSizeProblem, type CurrentParameter } from '../../src/plan/parameters.js'
import type { SourceEntry } from '../../src/inputs/source.js'

const secret = (key: string, value: string): SourceEntry => ({ key, value, kind: 'secrets' })
const existing = (name: string, value: string, type = 'SecureString', version = 3): CurrentParameter => ({
  name,
  value,
  type,
  version,
  arn: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`
})

describe('planParameters', () => {
  it('creates, updates and leaves unchanged by value and type', () => {
    const current = new Map([
      ['/p/SAME', existing('/p/SAME', 'a')],
      ['/p/ROTATED', existing('/p/ROTATED', 'old')],
      ['/p/RETYPED', existing('/p/RETYPED', 'v', 'String')]
    ])
    const changes = planParameters({
      entries: [secret('NEW', 'n'), secret('SAME', 'a'), secret('ROTATED', 'new'), secret('RETYPED', 'v')],
      path: '/p/',
      tier: 'auto',
      current
    })
    expect(changes.map((c) => [c.name, c.status, c.tier, c.version])).toEqual([
      ['/p/NEW', 'created', 'Standard', undefined],
      ['/p/SAME', 'unchanged', undefined, 3],
      ['/p/ROTATED', 'updated', 'Intelligent-Tiering', 3],
      ['/p/RETYPED', 'updated', 'Intelligent-Tiering', 3]
    ])
    expect(changes.find((c) => c.status === 'unchanged')?.value).toBeUndefined()
  })

  it('writes variables as String', () => {
    const [change] = planParameters({
      entries: [{ key: 'REGION', value: 'eu-west-1', kind: 'variables' }],
      path: '/p/',
      tier: 'auto',
      current: new Map()
    })
    expect(change?.type).toBe('String')
  })

  it('prunes only managed direct children of the path that are no longer wanted', () => {
    const changes = planParameters({
      entries: [secret('KEEP', 'k')],
      path: '/p/',
      tier: 'auto',
      current: new Map(),
      managed: [
        { name: '/p/KEEP', type: 'SecureString', version: 1, arn: 'a1' },
        { name: '/p/GONE', type: 'SecureString', version: 2, arn: 'a2' },
        { name: '/p/deeper/OTHER', type: 'SecureString', version: 1, arn: 'a3' },
        { name: '/elsewhere/X', type: 'String', version: 1, arn: 'a4' }
      ]
    })
    expect(changes.filter((c) => c.status === 'deleted').map((c) => c.name)).toEqual(['/p/GONE'])
  })
})

describe('tiers', () => {
  it.each([
    [10, 'auto', false, 'Standard'],
    [4096, 'auto', false, 'Standard'],
    [4097, 'auto', false, 'Advanced'],
    [10, 'auto', true, 'Intelligent-Tiering'],
    [5000, 'auto', true, 'Advanced'],
    [10, 'Advanced', false, 'Advanced'],
    [10, 'Intelligent-Tiering', false, 'Intelligent-Tiering']
  ] as const)('%i characters, %s, exists=%s → %s', (length, tier, exists, expected) => {
    expect(tierFor('x'.repeat(length), tier, exists)).toBe(expected)
  })

  it.each([
    [8192, 'auto', undefined],
    [8193, 'auto', /is 8193 characters; the Advanced tier allows at most 8192/],
    [4097, 'Standard', /the Standard tier allows at most 4096; use tier 'auto'/],
    [0, 'auto', /is empty/]
  ] as const)('size %i with %s', (length, tier, expected) => {
    const problem = valueSizeProblem('x'.repeat(length), tier)
    if (expected === undefined) expect(problem).toBeUndefined()
    else expect(problem).toMatch(expected)
  })
})
