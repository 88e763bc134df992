import { describe, expect, it } from 'vitest'
import { InputError } from '../../src/errors.js'
import { globToRegExp, parseValueMap, selectEntries, splitList, type SourceEntry } from '../../src/inputs/source.js'

const entry = (key: string, value = 'v'): SourceEntry => ({ key, value, kind: 'secrets' })

describe('parseValueMap', () => {
  it.each([
    ['JSON from toJSON(secrets)', '{"DB_PASSWORD": "p@ss", "API_KEY": "k"}', { DB_PASSWORD: 'p@ss', API_KEY: 'k' }],
    [
      'YAML block of toJSON values',
      'DB_PASSWORD: "line1\\nline2"\nAPI_KEY: "a \\"quoted\\" \\\\ value"',
      { DB_PASSWORD: 'line1\nline2', API_KEY: 'a "quoted" \\ value' }
    ],
    ['plain YAML scalars', "A: hello world\nB: 'single'", { A: 'hello world', B: 'single' }],
    [
      'unicode and workflow-command text',
      '{"U": "żółw 🐢", "C": "::set-output name=x::y"}',
      { U: 'żółw 🐢', C: '::set-output name=x::y' }
    ],
    ['empty input', '   ', {}]
  ])('parses %s', async (_label, text, expected) => {
    const entries = await parseValueMap(text, 'secrets')
    expect(Object.fromEntries(entries.map((e) => [e.key, e.value]))).toEqual(expected)
    expect(entries.every((e) => e.kind === 'secrets')).toBe(true)
  })

  it.each([
    ['not JSON or YAML', '{"A": "x"', /not valid JSON or YAML \(line 1/],
    ['a list', '["a", "b"]', /must be a map of NAME: value, but it is a list/],
    ['a scalar', 'just text', /but it is a string/],
    ['a number value', '{"PORT": 5432}', /'PORT' must have a string value, but it is a number/],
    [
      'a null value',
      'A: null',
      /'A' is null: there is no secret of that name in this repository or environment \(or it is not visible to this job\)\. Define it, or leave 'A' out/
    ],
    ['a nested map', 'A:\n  b: c', /'A' must have a string value, but it is a map/],
    ['a duplicate key', 'A: "1"\nA: "2"', /duplicate key \(line 2/],
    ['a duplicate key in valid JSON', '{\n"A": "1",\n"A": "2"\n}', /duplicate key \(line 3/],
    ['an alias', 'A: &x "1"\nB: *x', /aliases/]
  ])('rejects %s without quoting values', async (_label, text, message) => {
    const thrown: unknown = await parseValueMap(text, 'secrets').catch((error: unknown) => error)
    expect(thrown).toBeInstanceOf(InputError)
    expect((thrown as Error).message).toMatch(message)
  })

  it('reads JSON the same way whichever parser takes it', async () => {
    // Escapes, a key that looks like a value, an empty string, and text around the object.
    const values = { A: 'x "q" \\ \u00e9 \n\t/', 'B:C': 'A', EMPTY: '', '"K"': '{"nested": "no"}' }
    const json = `\n  ${JSON.stringify(values, null, 2)}\n`
    const viaJson = await parseValueMap(json, 'secrets')
    // The YAML parser, which takes whatever JSON.parse does not, reads the same members the same way.
    expect(Object.fromEntries(viaJson.map((e) => [e.key, e.value]))).toEqual(values)
    const asYaml = Object.entries(values)
      .map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`)
      .join('\n')
    expect(await parseValueMap(asYaml, 'secrets')).toEqual(viaJson)
  })

  it('never quotes the source text in a parse error', async () => {
    const secret = 'hunter2-very-secret'
    const thrown: unknown = await parseValueMap(`A: "${secret}\nB: [`, 'secrets').catch((error: unknown) => error)
    expect(thrown).toBeInstanceOf(InputError)
    expect((thrown as Error).message).not.toContain(secret)
  })
})

describe('selectEntries', () => {
  const all = [entry('DB_PASSWORD'), entry('DB_USER'), entry('API_KEY'), entry('github_token')]
  const keys = (include: string[], exclude: string[] = []) =>
    selectEntries(all, { include, exclude }).selected.map((e) => e.key)

  it('selects everything but github_token by default', () => {
    expect(keys([])).toEqual(['DB_PASSWORD', 'DB_USER', 'API_KEY'])
  })
  it('applies include globs, then exclude', () => {
    expect(keys(['DB_*'])).toEqual(['DB_PASSWORD', 'DB_USER'])
    expect(keys(['DB_*'], ['*_USER'])).toEqual(['DB_PASSWORD'])
    expect(keys([], ['API_?EY'])).toEqual(['DB_PASSWORD', 'DB_USER'])
  })
  it('syncs github_token only when named, never through a glob', () => {
    expect(keys(['*'])).toEqual(['DB_PASSWORD', 'DB_USER', 'API_KEY'])
    expect(keys(['github_token'])).toEqual(['github_token'])
    expect(keys(['GITHUB_TOKEN', 'API_KEY'])).toEqual(['API_KEY', 'github_token'])
  })
  it('reports include patterns and names that matched nothing', () => {
    const result = selectEntries(all, { include: ['NOPE_*', 'MISSING', 'API_KEY'], exclude: [] })
    expect(result.unmatchedPatterns).toEqual(['NOPE_*'])
    expect(result.missingNames).toEqual(['MISSING'])
  })
  it('treats regex characters in globs literally', () => {
    expect(globToRegExp('A.B').test('AXB')).toBe(false)
    expect(globToRegExp('A.B').test('A.B')).toBe(true)
  })
})

describe('splitList', () => {
  it('splits on newlines and commas and drops blanks', () => {
    expect(splitList('A, B\n\nC ,')).toEqual(['A', 'B', 'C'])
  })
})
