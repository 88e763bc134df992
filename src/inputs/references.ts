import { isEnvName } from '../plan/rules.js'

export type ReferenceSource = 'ssm' | 'secretsmanager'

/** A secret that already exists, injected into definitions without syncing. */
export interface Reference {
  name: string
  valueFrom: string
  source: ReferenceSource
}

const SSM_NAME = /^\/?[A-Za-z0-9_.\-/]+$/
const SSM_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_.\-/]+$/
// Secrets Manager ARN, optionally followed by :json-key:version-stage:version-id (each part may be empty).
const SECRETS_MANAGER_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+(:[^:]*:[^:]*:[^:]*)?$/

/** Parses a `NAME=valueFrom` line; returns the reference, or why the line is not one. */
export function parseReference(line: string): Reference | string {
  const separator = line.indexOf('=')
  if (separator <= 0) return `'${line}' is not a NAME=valueFrom line`
  const name = line.slice(0, separator).trim()
  const valueFrom = line.slice(separator + 1).trim()
  if (!isEnvName(name)) return `'${name}' is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)`
  if (SECRETS_MANAGER_ARN.test(valueFrom)) return { name, valueFrom, source: 'secretsmanager' }
  if (SSM_ARN.test(valueFrom) || (SSM_NAME.test(valueFrom) && !valueFrom.startsWith('arn:'))) {
    return { name, valueFrom, source: 'ssm' }
  }
  return `'${valueFrom}' (for ${name}) is not a parameter name, parameter ARN or Secrets Manager secret ARN`
}
