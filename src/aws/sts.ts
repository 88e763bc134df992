import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts'

export interface Identity {
  account: string
  partition: string
}

/** Account and partition from any ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:... */
export function identityFromArn(arn: string): Identity | undefined {
  const [prefix, partition, , , account] = arn.split(':')
  if (prefix !== 'arn' || !partition || !account || !/^\d{12}$/.test(account)) return undefined
  return { account, partition }
}

// read.ts (the account for ARNs) and preflight (who the workflow runs as) may both need the
// caller: one request per client.
const callers = new WeakMap<STSClient, Promise<string | undefined>>()

function caller(sts: STSClient): Promise<string | undefined> {
  let arn = callers.get(sts)
  if (!arn) {
    arn = sts.send(new GetCallerIdentityCommand({})).then((response) => response.Arn)
    callers.set(sts, arn)
  }
  return arn
}

export async function getIdentity(sts: STSClient): Promise<Identity> {
  const arn = await caller(sts)
  const identity = arn ? identityFromArn(arn) : undefined
  if (!identity) throw new Error('STS GetCallerIdentity returned no usable ARN')
  return identity
}

/** Who the workflow runs as: a user, or an assumed role's session. */
export async function callerArn(sts: STSClient): Promise<string> {
  const arn = await caller(sts)
  if (!arn) throw new Error('STS GetCallerIdentity returned no ARN')
  return arn
}
