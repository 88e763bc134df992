// The read-only describes a preflight makes (KMS, Secrets Manager, EC2), one row per rule, through the
// real SDK clients. Evidence for each rule: __tests__/fixtures/preflight-evidence/DESCRIBE.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as EC2 from '@aws-sdk/client-ec2'
import * as KMS from '@aws-sdk/client-kms'
import * as SM from '@aws-sdk/client-secrets-manager'
import { startFakeAws, type FakeAws } from './fake-aws/index.js'

let fake: FakeAws
let kms: KMS.KMSClient
let sm: SM.SecretsManagerClient
let ec2: EC2.EC2Client
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/'
const ID = '1234abcd-12ab-34cd-56ef-1234567890ab'
let secretArn = ''
let deletedArn = ''

beforeAll(async () => {
  fake = await startFakeAws()
  const config = {
    endpoint: fake.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 's' },
    maxAttempts: 1
  }
  ;[kms, sm, ec2] = [new KMS.KMSClient(config), new SM.SecretsManagerClient(config), new EC2.EC2Client(config)]
  fake.kms.addKey({ id: ID })
  fake.kms.addAlias('alias/app', ID)
  fake.kms.addKey({ id: 'aaaaaaaa-0000-0000-0000-000000000001', state: 'Disabled' })
  fake.kms.addKey({ id: 'aaaaaaaa-0000-0000-0000-000000000002', spec: 'RSA_2048', usage: 'SIGN_VERIFY' })
  secretArn = fake.secretsmanager.addSecret({ name: 'prod/db', kmsKeyId: 'alias/app' })
  deletedArn = fake.secretsmanager.addSecret({ name: 'old', deleted: true })
  fake.ec2.addSubnet({ id: 'subnet-1', vpcId: 'vpc-a' })
  fake.ec2.addSubnet({ id: 'subnet-2', vpcId: 'vpc-b', availabilityZone: 'us-east-1c' })
  fake.ec2.addSecurityGroup({ id: 'sg-1', vpcId: 'vpc-a', name: 'web' })
})
afterAll(async () => {
  for (const client of [kms, sm, ec2]) client.destroy()
  await fake.close()
})

const key = async (KeyId: string) => (await kms.send(new KMS.DescribeKeyCommand({ KeyId }))).KeyMetadata
const secret = (SecretId: string) => sm.send(new SM.DescribeSecretCommand({ SecretId }))
const failure = (p: Promise<unknown>) => p.then(String, (e: Error) => `${e.name}: ${e.message}`)

describe('KMS DescribeKey', () => {
  const mine = { KeyId: ID, Arn: KEY + ID, KeyState: 'Enabled', Enabled: true, KeyManager: 'CUSTOMER' }
  const symmetric = { KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS' }
  it.each([
    ['a key id', ID, { ...mine, ...symmetric, AWSAccountId: '123456789012', CreationDate: expect.any(Date) }],
    ['a key ARN', KEY + ID, mine],
    ['an alias name', 'alias/app', mine],
    ['an alias ARN', 'arn:aws:kms:us-east-1:123456789012:alias/app', mine],
    ['alias/aws/ssm: an AWS managed key, always there', 'alias/aws/ssm', { KeyManager: 'AWS', ...symmetric }],
    ['a disabled key', 'aaaaaaaa-0000-0000-0000-000000000001', { KeyState: 'Disabled', Enabled: false }],
    [
      'an asymmetric signing key',
      'aaaaaaaa-0000-0000-0000-000000000002',
      { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }
    ]
  ])('by %s', async (_, ref, expected) => {
    expect(await key(ref)).toMatchObject(expected)
  })

  it.each([
    [
      'an unknown key id',
      'ffffffff-0000-0000-0000-000000000000',
      `NotFoundException: Key '${KEY}ffffffff-0000-0000-0000-000000000000' does not exist`
    ],
    [
      'an unknown alias',
      'alias/nope',
      'NotFoundException: Alias arn:aws:kms:us-east-1:123456789012:alias/nope is not found.'
    ],
    ['not a key id', 'nope', 'NotFoundException: Invalid keyId nope'],
    ['a key ARN of another region', `arn:aws:kms:eu-west-1:123456789012:key/${ID}`, 'NotFoundException: Invalid arn'],
    [
      'no KeyId',
      '',
      "ValidationException: 1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"
    ]
  ])('%s → %s', async (_, ref, expected) => {
    const input = ref === '' ? {} : { KeyId: ref }
    expect(await failure(kms.send(new KMS.DescribeKeyCommand(input as KMS.DescribeKeyRequest)))).toBe(expected)
  })
})

describe('Secrets Manager DescribeSecret', () => {
  it.each([
    ['its name', 'prod/db'],
    ['its ARN', () => secretArn],
    ['a partial ARN, without -XXXXXX', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db']
  ])('by %s: ARN (name-6 random characters), Name, KmsKeyId; never a value', async (_, id) => {
    const answer = await secret(typeof id === 'string' ? id : id())
    expect(secretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:prod\/db-[A-Za-z0-9]{6}$/)
    expect(answer).toMatchObject({ ARN: secretArn, Name: 'prod/db', KmsKeyId: 'alias/app' })
    expect([answer.DeletedDate, 'SecretString' in answer]).toEqual([undefined, false])
  })

  it('scheduled for deletion: DeletedDate; without a key of its own: no KmsKeyId', async () => {
    const answer = await secret('old')
    expect([answer.ARN, answer.DeletedDate, answer.KmsKeyId]).toEqual([deletedArn, expect.any(Date), undefined])
  })

  it.each([
    ['an unknown name', 'nope'],
    ['a full ARN with another suffix', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AAAAAA']
  ])('%s → ResourceNotFoundException', async (_, id) => {
    expect(await failure(secret(id))).toBe(
      "ResourceNotFoundException: Secrets Manager can't find the specified secret."
    )
  })

  it('GetSecretValue is not answered at all', async () => {
    expect(await failure(sm.send(new SM.GetSecretValueCommand({ SecretId: 'prod/db' })))).toMatch(/^UnknownOperation/)
  })
})

describe('EC2 DescribeSubnets and DescribeSecurityGroups (the ec2 query protocol)', () => {
  it('subnets by id: subnetId, vpcId, availabilityZone, state', async () => {
    const { Subnets } = await ec2.send(new EC2.DescribeSubnetsCommand({ SubnetIds: ['subnet-2', 'subnet-1'] }))
    expect(Subnets?.map((s) => [s.SubnetId, s.VpcId, s.AvailabilityZone, s.State])).toEqual([
      ['subnet-2', 'vpc-b', 'us-east-1c', 'available'],
      ['subnet-1', 'vpc-a', 'us-east-1a', 'available']
    ])
  })

  it('security groups by id: groupId, groupName, vpcId', async () => {
    const { SecurityGroups } = await ec2.send(new EC2.DescribeSecurityGroupsCommand({ GroupIds: ['sg-1'] }))
    expect(SecurityGroups).toEqual([{ GroupId: 'sg-1', GroupName: 'web', VpcId: 'vpc-a', OwnerId: '123456789012' }])
  })

  const Subnets = (input: EC2.DescribeSubnetsRequest) => new EC2.DescribeSubnetsCommand(input)
  const Groups = (input: EC2.DescribeSecurityGroupsRequest) => new EC2.DescribeSecurityGroupsCommand(input)
  // prettier-ignore
  it.each<[string, string, EC2.DescribeSubnetsCommand | EC2.DescribeSecurityGroupsCommand]>([
    ['an unknown subnet', "InvalidSubnetID.NotFound: The subnet ID 'subnet-x' does not exist", Subnets({ SubnetIds: ['subnet-1', 'subnet-x'] })],
    ['an unknown group', "InvalidGroup.NotFound: The security group 'sg-x' does not exist", Groups({ GroupIds: ['sg-x'] })],
    ['filters', 'NotModelledByFake: The Filter member is not modelled by this fake.', Subnets({ Filters: [{ Name: 'vpc-id', Values: ['vpc-a'] }] })],
    ['group names', 'NotModelledByFake: The GroupName member is not modelled by this fake.', Groups({ GroupNames: ['web'] })]
  ])('%s → %s, HTTP 400, from <Response><Errors>', async (_, expected, command) => {
    const err = (await ec2.send(command as EC2.DescribeSubnetsCommand).catch((e: unknown) => e)) as Error
    const status = (err as EC2.EC2ServiceException).$metadata.httpStatusCode
    expect([`${err.name}: ${err.message}`, status]).toEqual([expected, 400])
  })

  it('an injected server error is EC2 InternalError, HTTP 500', async () => {
    fake.inject({ operation: 'DescribeSubnets', kind: 'server-error' })
    const err = await ec2.send(new EC2.DescribeSubnetsCommand({})).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'InternalError', $metadata: { httpStatusCode: 500 } })
  })

  it('denied: 403 UnauthorizedOperation with EC2 own message (IAM.md 3.6, aws-nuke#517)', async () => {
    fake.deny('DescribeSubnets')
    const err = await ec2.send(new EC2.DescribeSubnetsCommand({})).catch((e: unknown) => e)
    fake.deny('DescribeSubnets', false)
    expect(err).toMatchObject({
      name: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
      $metadata: { httpStatusCode: 403 }
    })
  })

  it('none of these is a write', () => {
    expect(fake.writes()).toEqual([])
  })
})
