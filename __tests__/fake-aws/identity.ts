import { createHash } from 'node:crypto'
import type { ServiceEnv } from './types.js'

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  return 'aws'
}

/** Who the requests are made as: an IAM user or an assumed role (FakeAws.setCaller). */
export interface Caller {
  arn: string
  userId: string
}

/** The identity every request is made as (what STS GetCallerIdentity reports): IAM user `fake` unless set. */
export const callerArn = (env: ServiceEnv) =>
  env.caller?.arn ?? `arn:${partitionOf(env.region)}:iam::${env.accountId}:user/fake`
export const callerUserId = (env: ServiceEnv) => env.caller?.userId ?? 'AIDAFAKEAWSUSER00001'

/** A unique ID as IAM makes them: a 4-letter type prefix and 17 of [A-Z2-7] (IAM.md 4.1), stable per name. */
const uniqueId = (prefix: string, of: string) =>
  prefix +
  [...createHash('sha256').update(of).digest()]
    .slice(0, 17)
    .map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32])
    .join('')

/**
 * IAM.md 4.1: a user's UserId is its AIDA… ID; an assumed role's is the role's AROA… ID, a colon and the
 * session name. Only this account's users and assumed roles are modelled.
 */
export function callerOf(env: ServiceEnv, arn: string): Caller {
  const p = partitionOf(env.region)
  const user = new RegExp(`^arn:${p}:iam::${env.accountId}:user/(?:[^/]+/)*[^/]+$`).exec(arn)
  if (user) return { arn, userId: uniqueId('AIDA', arn) }
  const role = new RegExp(`^arn:${p}:sts::${env.accountId}:assumed-role/([^/]+)/([^/]+)$`).exec(arn)
  if (role) return { arn, userId: `${uniqueId('AROA', role[1] ?? '')}:${role[2] ?? ''}` }
  throw new Error(`setCaller takes a user or assumed-role ARN of account ${env.accountId} in ${p}: ${arn}`)
}
