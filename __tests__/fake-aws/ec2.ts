// Amazon EC2, only the two reads an ECS run-task preflight makes: DescribeSubnets and
// DescribeSecurityGroups by id (EC2 API reference; errors as EC2 answers them). Evidence:
// __tests__/fixtures/preflight-evidence/DESCRIBE.md, section 5.
import { partitionOf } from './identity.js'
import { AwsError } from './protocols.js'
import type { Input, ServiceDefinition, ServiceEnv } from './types.js'

export interface Ec2SubnetSeed {
  id: string
  vpcId: string
  /** default `<region>a` */
  availabilityZone?: string
  /** default 'available' */
  state?: 'pending' | 'available' | 'unavailable'
}

export interface Ec2SecurityGroupSeed {
  id: string
  vpcId: string
  /** default: the id (D: every real group has a name; the fake does not invent one) */
  name?: string
}

const notModelled = (what: string) => new AwsError('NotModelledByFake', `${what} is not modelled by this fake.`)

/** The ids of a flattened list member (`SubnetId.1`, …); filters, names and pages are not modelled. */
function ids(input: Input, member: string, unmodelled: string[]): string[] {
  const given = unmodelled.find((k) => input[k] !== undefined)
  if (given) throw notModelled(`The ${given} member`)
  const list = input[member]
  return Array.isArray(list) ? list.map(String) : []
}

export class Ec2State {
  private readonly subnets = new Map<string, Required<Ec2SubnetSeed>>()
  private readonly groups = new Map<string, Required<Ec2SecurityGroupSeed>>()

  constructor(private readonly env: ServiceEnv) {}

  addSubnet(seed: Ec2SubnetSeed): void {
    this.subnets.set(seed.id, { availabilityZone: `${this.env.region}a`, state: 'available', ...seed })
  }

  addSecurityGroup(seed: Ec2SecurityGroupSeed): void {
    this.groups.set(seed.id, { name: seed.id, ...seed })
  }

  /**
   * The subnets named (all without ids). An unknown id: InvalidSubnetID.NotFound "The subnet ID '…'
   * does not exist" (A), naming the first unknown one (D when several are unknown).
   */
  describeSubnets(input: Input) {
    const wanted = ids(input, 'SubnetId', ['Filter', 'MaxResults', 'NextToken', 'DryRun'])
    const missing = wanted.find((id) => !this.subnets.has(id))
    if (missing !== undefined) {
      throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${missing}' does not exist`)
    }
    const found =
      wanted.length > 0 ? [...new Set(wanted)].map((id) => this.subnets.get(id)!) : [...this.subnets.values()]
    const arn = `arn:${partitionOf(this.env.region)}:ec2:${this.env.region}:${this.env.accountId}:subnet/`
    return {
      subnetSet: found.map((s) => ({
        subnetId: s.id,
        subnetArn: arn + s.id,
        vpcId: s.vpcId,
        availabilityZone: s.availabilityZone,
        state: s.state,
        ownerId: this.env.accountId
      }))
    }
  }

  /** By GroupId; an unknown one: InvalidGroup.NotFound "The security group '…' does not exist" (A). */
  describeSecurityGroups(input: Input) {
    const wanted = ids(input, 'GroupId', ['GroupName', 'Filter', 'MaxResults', 'NextToken', 'DryRun'])
    const missing = wanted.find((id) => !this.groups.has(id))
    if (missing !== undefined) {
      throw new AwsError('InvalidGroup.NotFound', `The security group '${missing}' does not exist`)
    }
    const found = wanted.length > 0 ? [...new Set(wanted)].map((id) => this.groups.get(id)!) : [...this.groups.values()]
    return {
      securityGroupInfo: found.map((g) => ({
        groupId: g.id,
        groupName: g.name,
        vpcId: g.vpcId,
        ownerId: this.env.accountId
      }))
    }
  }
}

export function createEc2(env: ServiceEnv): { definition: ServiceDefinition; state: Ec2State } {
  const state = new Ec2State(env)
  const definition: ServiceDefinition = {
    service: 'ec2',
    protocol: 'ec2Query',
    xmlNamespace: 'http://ec2.amazonaws.com/doc/2016-11-15/',
    // EC2 API reference, "Error codes": InternalError, "An internal error has occurred" (HTTP 500).
    serverErrorCode: 'InternalError',
    // A denied Describe call: 403 UnauthorizedOperation, "You are not authorized to perform this
    // operation." (raw XML in rebuy-de/aws-nuke#517; DescribeSubnets/DescribeSecurityGroups in a
    // public CLI transcript); no caller, no resource, no encoded message for Describe calls.
    accessDenied: {
      code: 'UnauthorizedOperation',
      status: 403,
      message: 'You are not authorized to perform this operation.'
    },
    writeOperations: [],
    operations: {
      DescribeSubnets: (i) => state.describeSubnets(i),
      DescribeSecurityGroups: (i) => state.describeSecurityGroups(i)
    }
  }
  return { definition, state }
}
