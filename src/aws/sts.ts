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

export async function getIdentity(sts: STSClient): Promise<Identity> {
  const response = await sts.send(new GetCallerIdentityCommand({}))
  const identity = response.Arn ? identityFromArn(response.Arn) : undefined
  if (!identity) throw new Error('STS GetCallerIdentity returned no usable ARN')
  return identity
}

/** Who the workflow runs as: a user, or an assumed role's session. */
export async function callerArn(sts: STSClient): Promise<string> {
  const { Arn } = await sts.send(new GetCallerIdentityCommand({}))
  if (!Arn) throw new Error('STS GetCallerIdentity returned no ARN')
  return Arn
}
