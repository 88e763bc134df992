import type { ServiceEnv } from './types.js'

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  return 'aws'
}

/** The IAM user every request is made as (what STS GetCallerIdentity reports). */
export const callerArn = (env: ServiceEnv) => `arn:${partitionOf(env.region)}:iam::${env.accountId}:user/fake`
export const callerUserId = 'AIDAFAKEAWSUSER00001'
