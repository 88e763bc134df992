// Pure: the least-privilege policy a definition's execution role needs to read its secrets.
import type { Reference } from '../inputs/references.js'

export interface PolicyStatement {
  Sid: string
  Effect: 'Allow'
  Action: string | string[]
  Resource: string | string[]
  Condition?: Record<string, Record<string, string | string[]>>
}

export interface PolicyDocument {
  Version: '2012-10-17'
  Statement: PolicyStatement[]
}

export interface PolicyOptions {
  /** Full ARNs of the SSM parameters the containers reference. */
  parameterArns: readonly string[]
  /** Secrets Manager references, as given (possibly with :json-key:stage:id). */
  secretArns: readonly string[]
  kmsKeyId: string | undefined
  partition: string
  region: string
  account: string
}

/** A Secrets Manager valueFrom without the `:json-key:version-stage:version-id` suffix ECS and Batch accept. */
export function secretArn(valueFrom: string): string {
  return valueFrom.split(':').slice(0, 7).join(':')
}

/** What a partial secret ARN (no random 6-character suffix) ends with as a policy resource. */
export const PARTIAL_SECRET_WILDCARD = '-??????'

/** The secret's ARN as a policy resource. */
export function secretResource(valueFrom: string): string {
  const base = secretArn(valueFrom)
  // A partial ARN needs the wildcard AWS documents for it.
  return /-[A-Za-z0-9]{6}$/.test(base) ? base : `${base}${PARTIAL_SECRET_WILDCARD}`
}

function kmsStatement(options: PolicyOptions): PolicyStatement | undefined {
  const { kmsKeyId, partition, region, account } = options
  if (kmsKeyId === undefined) return undefined
  const sid = 'DecryptSecureStrings'
  if (kmsKeyId.startsWith('arn:') && kmsKeyId.includes(':key/')) {
    return { Sid: sid, Effect: 'Allow', Action: 'kms:Decrypt', Resource: kmsKeyId }
  }
  const alias = kmsKeyId.startsWith('arn:') ? kmsKeyId.slice(kmsKeyId.indexOf(':alias/') + 1) : kmsKeyId
  if (alias.startsWith('alias/')) {
    // Decrypt names no key, so an alias can only be matched through the key's aliases.
    return {
      Sid: sid,
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: `arn:${partition}:kms:${region}:${account}:key/*`,
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias } }
    }
  }
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: `arn:${partition}:kms:${region}:${account}:key/${kmsKeyId}`
  }
}

export function executionRolePolicy(options: PolicyOptions): PolicyDocument {
  const statements: PolicyStatement[] = []
  if (options.parameterArns.length > 0) {
    statements.push({
      Sid: 'ReadSecretParameters',
      Effect: 'Allow',
      Action: 'ssm:GetParameters',
      Resource: [...new Set(options.parameterArns)].sort()
    })
    const kms = kmsStatement(options)
    if (kms) statements.push(kms)
  }
  if (options.secretArns.length > 0) {
    statements.push({
      Sid: 'ReadSecretsManagerSecrets',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: [...new Set(options.secretArns.map(secretResource))].sort()
    })
  }
  return { Version: '2012-10-17', Statement: statements }
}

/** The full ARN for an SSM reference given as a name or ARN. */
export function referenceArn(reference: Reference, arnOf: (name: string) => string): string {
  if (reference.source !== 'ssm' || reference.valueFrom.startsWith('arn:')) return reference.valueFrom
  return arnOf(reference.valueFrom.startsWith('/') ? reference.valueFrom : `/${reference.valueFrom}`)
}
