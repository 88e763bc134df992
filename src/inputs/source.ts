import { parseDocument } from 'yaml'
import { InputError } from '../errors.js'
import type { INPUT } from '../names.js'

/** The input an entry comes from. */
export type SourceKind = typeof INPUT.secrets | typeof INPUT.variables

export interface SourceEntry {
  key: string
  value: string
  kind: SourceKind
}

/**
 * Parses `${{ toJSON(secrets) }}`-style JSON or a YAML block of `NAME: value` into entries.
 * JSON is parsed as YAML 1.2 (a superset); parser messages are not passed on because
 * they quote the source line, which may hold a secret value: errors carry only keys and positions.
 */
export async function parseValueMap(text: string, kind: SourceKind): Promise<SourceEntry[]> {
  if (text.trim() === '') return []
  return flatJsonMap(text, kind) ?? parseYamlMap(text, kind)
}

/**
 * The common case, `${{ toJSON(secrets) }}`, without the YAML parser (several times slower on a
 * large map): a JSON object whose values are all strings. Anything else, including a duplicate key
 * (JSON.parse keeps the last one silently), is left to the YAML parser, which reports it.
 */
function flatJsonMap(text: string, kind: SourceKind): SourceEntry[] | undefined {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return undefined
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined
  const entries = Object.entries(data as Record<string, unknown>)
  if (!entries.every(([, value]) => typeof value === 'string')) return undefined
  // In an object of string values every string in the text is a key or a value: two per member,
  // unless a key appears twice.
  const strings = text.match(/"(?:[^"\\]|\\.)*"/g)?.length ?? 0
  if (strings !== entries.length * 2) return undefined
  return entries.map(([key, value]) => ({ key, value: value as string, kind }))
}

function parseYamlMap(text: string, kind: SourceKind): SourceEntry[] {
  const doc = parseDocument(text, { uniqueKeys: true, strict: true })
  const problem = doc.errors[0]
  if (problem) {
    if (problem.code === 'DUPLICATE_KEY') {
      throw new InputError(kind, `has a duplicate key${positionOf(problem.linePos)}; each name may appear once`)
    }
    throw new InputError(
      kind,
      `is not valid JSON or YAML${positionOf(problem.linePos)}. Pass a map of NAME: value, e.g. \${{ toJSON(secrets) }} or lines of NAME: \${{ toJSON(secrets.NAME) }}`
    )
  }
  let data: unknown
  try {
    data = doc.toJS({ maxAliasCount: 0 })
  } catch {
    throw new InputError(kind, 'uses YAML aliases or tags; pass plain NAME: value pairs')
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const shape = Array.isArray(data) ? 'a list' : data === null ? 'empty' : `a ${typeof data}`
    throw new InputError(kind, `must be a map of NAME: value, but it is ${shape}`)
  }
  return Object.entries(data as Record<string, unknown>).map(([key, value]) => {
    // toJSON of a secret or variable that does not exist gives null: quoting would not help.
    if (value === null) {
      throw new InputError(
        kind,
        `'${key}' is null: there is no ${kind === 'secrets' ? 'secret' : 'variable'} of that name in this repository or environment (or it is not visible to this job). Define it, or leave '${key}' out`
      )
    }
    if (typeof value !== 'string') {
      const shape = Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a map' : `a ${typeof value}`
      throw new InputError(
        kind,
        `'${key}' must have a string value, but it is ${shape}. Quote it, or pass it as \${{ toJSON(${kind}.${key}) }}`
      )
    }
    return { key, value, kind }
  })
}

function positionOf(linePos: readonly { line: number; col: number }[] | undefined): string {
  const start = linePos?.[0]
  return start ? ` (line ${start.line}, column ${start.col})` : ''
}

export interface Selection {
  include: string[]
  exclude: string[]
}

export interface SelectionResult {
  selected: SourceEntry[]
  /** Include patterns that matched nothing. */
  unmatchedPatterns: string[]
  /** Literal include names (no wildcard) that matched nothing. */
  missingNames: string[]
}

const GITHUB_TOKEN = 'github_token'

/** Keeps the entries that match `include` (all when empty) and none of `exclude`. */
export function selectEntries(entries: SourceEntry[], selection: Selection): SelectionResult {
  const includes = selection.include.map((pattern) => ({ pattern, regex: globToRegExp(pattern) }))
  const excludes = selection.exclude.map(globToRegExp)
  const matchedPatterns = new Set<string>()
  const selected = entries.filter(({ key }) => {
    // The workflow's own token is never synced by accident: only when named in full.
    if (key.toLowerCase() === GITHUB_TOKEN) {
      const named = selection.include.find((pattern) => pattern.toLowerCase() === GITHUB_TOKEN)
      if (!named) return false
      matchedPatterns.add(named)
      return !excludes.some((regex) => regex.test(key))
    }
    const hits = includes.filter(({ regex }) => regex.test(key))
    for (const hit of hits) matchedPatterns.add(hit.pattern)
    if (includes.length > 0 && hits.length === 0) return false
    return !excludes.some((regex) => regex.test(key))
  })
  const unmatched = selection.include.filter((pattern) => !matchedPatterns.has(pattern))
  return {
    selected,
    unmatchedPatterns: unmatched.filter(isGlob),
    missingNames: unmatched.filter((pattern) => !isGlob(pattern))
  }
}

function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern)
}

/** `*` matches any run of characters, `?` one character; everything else is literal. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('')
  return new RegExp(`^${body}$`)
}

/** Splits a list input on newlines and commas, dropping blanks. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '')
}
