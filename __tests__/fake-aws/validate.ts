import { AwsError } from './protocols.js'
import type { Input } from './types.js'

/** AWS's model-validation message; `value` undefined means the member is sensitive and not echoed. */
export function validationError(member: string, value: string | null | undefined, constraint: string): AwsError {
  const shown = value === undefined ? '' : value === null ? ' null' : ` '${value}'`
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value${shown} at '${member}' failed to satisfy constraint: ${constraint}`
  )
}

/** Request members are named in camelCase in AWS's messages: Name → 'name'. */
const member = (key: string) => key.charAt(0).toLowerCase() + key.slice(1)

function wrongType(key: string): AwsError {
  return new AwsError('SerializationException', `Unexpected value type for member ${key}`)
}

/** A member that may be absent (undefined or null); present, it must be of the right type. */
function opt<T>(input: Input, key: string, is: (v: unknown) => v is T): T | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (!is(v)) throw wrongType(key)
  return v
}

export const optString = (input: Input, key: string) => opt(input, key, (v) => typeof v === 'string')
export const optBool = (input: Input, key: string) => opt(input, key, (v) => typeof v === 'boolean')
export const optList = (input: Input, key: string) => opt(input, key, (v): v is unknown[] => Array.isArray(v))

export function reqString(input: Input, key: string): string {
  const v = optString(input, key)
  if (v === undefined) throw validationError(member(key), null, 'Member must not be null')
  return v
}

export function optInt(input: Input, key: string, min: number, max: number): number | undefined {
  const v = opt(input, key, (x): x is number => Number.isInteger(x))
  if (v !== undefined && v < min)
    throw validationError(member(key), String(v), `Member must have value greater than or equal to ${min}`)
  if (v !== undefined && v > max)
    throw validationError(member(key), String(v), `Member must have value less than or equal to ${max}`)
  return v
}

export function stringList(input: Input, key: string, min: number, max: number): string[] {
  const list = optList(input, key)
  if (list === undefined) throw validationError(member(key), null, 'Member must not be null')
  if (!list.every((x): x is string => typeof x === 'string')) throw wrongType(key)
  const shown = `[${list.join(', ')}]`
  if (list.length < min)
    throw validationError(member(key), shown, `Member must have length greater than or equal to ${min}`)
  if (list.length > max)
    throw validationError(member(key), shown, `Member must have length less than or equal to ${max}`)
  return list
}

export function asRecord(v: unknown, key: string): Input {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw wrongType(key)
  return v as Input
}
