// Primitives over core.getInput: the only place the toolkit's input functions are called.
import * as core from '@actions/core'
import { InputError } from '../errors.js'
import type { InputName } from '../names.js'
import { splitList } from './source.js'
import type { Tag } from '../plan/rules.js'

/** The input's text, or undefined when it is empty (as an input left out is). */
export function optionalInput(name: InputName): string | undefined {
  const value = core.getInput(name)
  return value === '' ? undefined : value
}

export function rawInput(name: InputName): string {
  return core.getInput(name)
}

export function listInput(name: InputName): string[] {
  return splitList(core.getInput(name))
}

export function booleanInput(name: InputName, fallback: boolean): boolean {
  if (optionalInput(name) === undefined) return fallback
  try {
    return core.getBooleanInput(name)
  } catch {
    throw new InputError(name, `must be true or false`)
  }
}

export function numberInput(name: InputName, options: { integer: boolean; min: number }): number | undefined {
  const text = optionalInput(name)
  if (text === undefined) return undefined
  const value = Number(text)
  if (!Number.isFinite(value) || value < options.min || (options.integer && !Number.isInteger(value))) {
    const kind = options.integer ? 'a whole number' : 'a number'
    throw new InputError(name, `'${text}' is not ${kind} of at least ${options.min}`)
  }
  return value
}

/** One of `choices`, matched without regard to case, or `fallback` when empty. */
export function choiceInput<T extends string>(name: InputName, choices: readonly T[], fallback: T): T
export function choiceInput<T extends string>(name: InputName, choices: readonly T[]): T | undefined
export function choiceInput<T extends string>(name: InputName, choices: readonly T[], fallback?: T): T | undefined {
  const text = optionalInput(name)
  if (text === undefined) return fallback
  const choice = choices.find((candidate) => candidate.toLowerCase() === text.toLowerCase())
  if (!choice) throw new InputError(name, `'${text}' is not one of ${choices.join(', ')}`)
  return choice
}

/** Reads `key=value` lines; keys must be unique. */
export function keyValueLines(
  input: InputName,
  options: { form?: string; check?: (key: string, value: string) => string | undefined } = {}
): Tag[] {
  const pairs = core.getMultilineInput(input).map((line) => {
    const separator = line.indexOf('=')
    if (separator <= 0) throw new InputError(input, `'${line}' is not a ${options.form ?? 'key=value'} line`)
    const pair = { key: line.slice(0, separator).trim(), value: line.slice(separator + 1).trim() }
    const problem = options.check?.(pair.key, pair.value)
    if (problem) throw new InputError(input, problem)
    return pair
  })
  const keys = pairs.map((pair) => pair.key)
  const duplicate = keys.find((key, index) => keys.indexOf(key) !== index)
  if (duplicate) throw new InputError(input, `'${duplicate}' is given twice`)
  return pairs
}

export function jsonObjectInput(name: InputName): Record<string, unknown> | undefined {
  const text = optionalInput(name)
  if (text === undefined) return undefined
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new InputError(name, `is not valid JSON: ${(error as Error).message}`)
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new InputError(name, 'must be a JSON object')
  }
  return data as Record<string, unknown>
}
