import { callerArn, callerUserId } from './identity.js'
import type { ServiceDefinition, ServiceEnv } from './types.js'

export function createSts(env: ServiceEnv): { definition: ServiceDefinition } {
  return {
    definition: {
      service: 'sts',
      protocol: 'awsQuery',
      xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
      // IAM.md 3.2: 403 AccessDenied as IAM; GetCallerIdentity needs no permission and is never denied.
      accessDenied: { code: 'AccessDenied', status: 403, anyone: ['GetCallerIdentity'] },
      writeOperations: [],
      operations: {
        GetCallerIdentity: () => ({ Arn: callerArn(env), UserId: callerUserId(env), Account: env.accountId })
      }
    }
  }
}
