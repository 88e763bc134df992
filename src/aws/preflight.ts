// The read-only requests of the preflight checks. Each returns what it found, undefined for "does
// not exist", and throws anything else (the caller turns it into "could not be checked").
// The SDKs of IAM, KMS, Secrets Manager and EC2 are loaded only by runs that make these checks.
import { DescribeClustersCommand, DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs'
import type { AwsClients } from './clients.js'
import type { Denial, KeyFacts, NetworkFacts, ServiceFacts } from '../plan/preflight.js'

const named = (error: unknown, ...names: string[]): boolean => error instanceof Error && names.includes(error.name)

export async function describeKey(clients: AwsClients, keyId: string): Promise<KeyFacts | undefined> {
  try {
    const [kms, { DescribeKeyCommand }] = await Promise.all([clients.kms(), import('./sdk/kms.js')])
    const { KeyMetadata: key } = await kms.send(new DescribeKeyCommand({ KeyId: keyId }))
    return { arn: key?.Arn ?? '', state: key?.KeyState, spec: key?.KeySpec, usage: key?.KeyUsage }
  } catch (error) {
    if (named(error, 'NotFoundException')) return undefined
    throw error
  }
}

/** A secret's ARN and whether it is scheduled for deletion; never its value. */
export async function describeSecret(
  clients: AwsClients,
  secretId: string
): Promise<{ arn: string; deleted: boolean } | undefined> {
  try {
    const [secrets, { DescribeSecretCommand }] = await Promise.all([
      clients.secretsManager(),
      import('./sdk/secrets-manager.js')
    ])
    const secret = await secrets.send(new DescribeSecretCommand({ SecretId: secretId }))
    return { arn: secret.ARN ?? secretId, deleted: secret.DeletedDate !== undefined }
  } catch (error) {
    if (named(error, 'ResourceNotFoundException')) return undefined
    throw error
  }
}

/** A cluster's status; undefined when ECS reports it MISSING. */
export async function clusterStatus(
  ecs: ECSClient,
  cluster: string
): Promise<{ status: string | undefined } | undefined> {
  const { clusters = [] } = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }))
  return clusters[0] ? { status: clusters[0].status } : undefined
}

/** A service's status, deployment controller and where it runs; undefined when ECS reports it MISSING. */
export async function serviceFacts(
  ecs: ECSClient,
  cluster: string,
  service: string
): Promise<ServiceFacts | undefined> {
  const { services = [] } = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))
  const [found] = services
  if (!found) return undefined
  return {
    status: found.status,
    controller: found.deploymentController?.type,
    launchType: found.launchType,
    capacityProviders: (found.capacityProviderStrategy ?? []).flatMap((item) => item.capacityProvider ?? [])
  }
}

/** The subnets and security groups by id; an id that does not exist fails the request, and is reported. */
export async function describeNetwork(
  clients: AwsClients,
  subnetIds: readonly string[],
  groupIds: readonly string[]
): Promise<NetworkFacts> {
  const [ec2, { DescribeSubnetsCommand, DescribeSecurityGroupsCommand }] = await Promise.all([
    clients.ec2(),
    import('./sdk/ec2.js')
  ])
  try {
    const [subnets, groups] = await Promise.all([
      subnetIds.length === 0 ? { Subnets: [] } : ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...subnetIds] })),
      groupIds.length === 0
        ? { SecurityGroups: [] }
        : ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [...groupIds] }))
    ])
    return {
      subnets: (subnets.Subnets ?? []).map((subnet) => ({ id: subnet.SubnetId ?? '', vpcId: subnet.VpcId })),
      securityGroups: (groups.SecurityGroups ?? []).map((group) => ({ id: group.GroupId ?? '', vpcId: group.VpcId }))
    }
  } catch (error) {
    // "The subnet ID 'subnet-…' does not exist" names the first unknown id (DESCRIBE.md, EC2).
    if (named(error, 'InvalidSubnetID.NotFound', 'InvalidGroup.NotFound')) {
      return { subnets: [], securityGroups: [], notFound: (error as Error).message }
    }
    throw error
  }
}

/** What IAM denies `principal` of these actions on these resources, with the context given. */
export async function simulate(
  clients: AwsClients,
  principal: string,
  actions: readonly string[],
  resources: readonly string[],
  context: Record<string, string> = {}
): Promise<Denial[]> {
  const [iam, { SimulatePrincipalPolicyCommand }] = await Promise.all([clients.iam(), import('./sdk/iam.js')])
  const denials: Denial[] = []
  let marker: string | undefined
  do {
    const page = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: principal,
        ActionNames: [...actions],
        ResourceArns: [...resources],
        ContextEntries: Object.entries(context).map(([key, value]) => ({
          ContextKeyName: key,
          ContextKeyValues: [value],
          ContextKeyType: 'string'
        })),
        ...(marker ? { Marker: marker } : {})
      })
    )
    for (const result of page.EvaluationResults ?? []) {
      if (result.EvalDecision !== 'allowed') {
        denials.push({
          action: result.EvalActionName ?? '',
          resource: result.EvalResourceName ?? '*',
          decision: result.EvalDecision ?? 'implicitDeny'
        })
      }
    }
    marker = page.IsTruncated ? page.Marker : undefined
  } while (marker)
  return denials
}
