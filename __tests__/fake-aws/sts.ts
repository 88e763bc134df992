import { callerArn, callerUserId } from './identity.js'
import type { ServiceDefinition, ServiceEnv } from './types.js'

export function createSts(env: ServiceEnv): { definition: ServiceDefinition } {
  return {
    definition: {
      service: 'sts',
      protocol: 'awsQuery',
      xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
      writeOperations: [],
      operations: {
        GetCallerIdentity: () => ({ Arn: callerArn(env), UserId: callerUserId, Account: env.accountId })
      }
    }
  }
}
