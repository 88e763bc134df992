// The shipped bundle checks, read-only, that the launch can work before it writes anything: for each
// check, a world where it fails is stopped with no write and a message that names the fix.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeAws, type FakeAws } from '../fake-aws/index.js'
import {
  addQueue,
  addService,
  batchDefinition,
  CLUSTER,
  EXEC_ROLE,
  QUEUE,
  RUN_TASK,
  seedAccount,
  SERVICE,
  taskDefinition
} from '../reliability/fixtures.js'
import { ACTION_RUNTIME, assertRuntimesPresent, errorAnnotations, runAction } from './harness.js'

let fake: FakeAws
const run = (inputs: Record<string, string>) =>
  runAction({
    endpoint: fake.url,
    node: ACTION_RUNTIME.node,
    inputs: { path: '/prod/app/', secrets: JSON.stringify({ DB_PASSWORD: 'db-password-1' }), ...inputs }
  })
const BATCH = { 'job-definition': 'billing-report', 'job-queue': QUEUE }
const SERVICE_INPUTS = { 'task-definition': 'web', cluster: CLUSTER, service: SERVICE }
const warnings = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::warning::Preflight'))

beforeAll(assertRuntimesPresent)
beforeEach(async () => {
  fake = await startFakeAws()
  seedAccount(fake)
  addQueue(fake, QUEUE)
  fake.batch.seedDefinition(batchDefinition())
  fake.ecs.addCluster(CLUSTER)
  addService(fake, fake.ecs.seedTaskDefinition(taskDefinition()).arn)
  fake.ecs.seedTaskDefinition(taskDefinition('migrate'))
})
afterEach(async () => {
  await fake.close()
})

const ROLE = 'arn:aws:iam::123456789012:role/exec'
const failing: Array<[string, (fake: FakeAws) => void, Record<string, string>, string | RegExp]> = [
  [
    'Execution role: it may not read the parameters',
    (f) => f.iam.putRole(EXEC_ROLE, []),
    BATCH,
    /Execution role: arn:aws:iam::123456789012:role\/exec cannot ssm:GetParameters on arn:aws:ssm:us-east-1:123456789012:parameter\/prod\/app\/DB_PASSWORD \(implicitDeny\); its containers would not start\. Attach this policy to it:\n\{/
  ],
  [
    'KMS key: disabled',
    (f) => f.kms.addAlias('alias/off', f.kms.addKey({ state: 'Disabled' }).keyId),
    { ...BATCH, 'kms-key-id': 'alias/off' },
    /KMS key: arn:aws:kms:us-east-1:123456789012:key\/\S+: its state is Disabled, not Enabled: enable it/
  ],
  [
    'References: a referenced secret does not exist',
    () => undefined,
    { ...BATCH, references: 'OLD=arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf' },
    'References: not found: arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf; containers referencing them would not start: create or restore them, or remove the references'
  ],
  [
    'Job queue: EC2 only, for a Fargate definition',
    (f) => addQueue(f, 'ec2-jobs', 'EC2'),
    { ...BATCH, 'job-queue': 'ec2-jobs' },
    'Job queue: job queue ec2-jobs has no ENABLED, VALID FARGATE compute environment; the definition needs FARGATE: add one to the queue, or use another queue'
  ],
  [
    'Service: deployed by CodeDeploy',
    (f) =>
      f.ecs.addService({
        cluster: CLUSTER,
        serviceName: 'blue',
        taskDefinition: 'web:1',
        deploymentController: 'CODE_DEPLOY'
      }),
    { ...SERVICE_INPUTS, service: 'blue' },
    /Service: service blue uses the CODE_DEPLOY deployment controller, which UpdateService cannot redeploy: deploy it through CodeDeploy/
  ],
  [
    'Cluster: INACTIVE',
    (f) => f.ecs.addCluster('old', { status: 'INACTIVE' }),
    { ...RUN_TASK, cluster: 'old' },
    'Cluster: cluster old is INACTIVE, not ACTIVE'
  ],
  [
    'Network: a subnet that does not exist',
    () => undefined,
    { ...RUN_TASK, subnets: 'subnet-0dead' },
    "Network: The subnet ID 'subnet-0dead' does not exist: fix the subnets or security-groups input"
  ],
  [
    'Network: a security group of another VPC',
    (f) => f.ec2.addSecurityGroup({ id: 'sg-0b', vpcId: 'vpc-0b' }),
    { ...RUN_TASK, 'security-groups': 'sg-0b' },
    /Network: the subnets and security groups are in more than one VPC: subnet-0123456789abcdef0 \(vpc-0a\), sg-0b \(vpc-0b\)/
  ]
]

describe(`preflight end to end under ${ACTION_RUNTIME.label}`, () => {
  it.each(failing)('%s: stopped before any write, with the fix', async (_, seed, inputs, message) => {
    seed(fake)
    const result = await run(inputs)
    expect(result.exitCode, result.stdout).toBe(1)
    expect(fake.writes()).toEqual([])
    const [error = ''] = errorAnnotations(result)
    expect(error).toMatch(/^Preflight: 1 check failed; nothing was written\.\n- /)
    expect(error).toMatch(message)
    expect(result.summary).toContain('❌ Preflight failed under `/prod/app/`: nothing was written.')
  })

  it('a passing world launches as before, each check ✅ in the summary; the workflow role may not pass a role: a warning', async () => {
    fake.setCaller('arn:aws:sts::123456789012:assumed-role/ci/run-1234')
    fake.iam.putRole('arn:aws:iam::123456789012:role/ci', [])
    const result = await run({ ...BATCH, 'kms-key-id': 'alias/app' })
    expect(result.exitCode, result.stdout).toBe(0)
    expect(fake.batch.jobs()).toHaveLength(1)
    for (const check of ['KMS key', 'Execution role', 'References', 'Job queue']) {
      expect(result.summary).toMatch(new RegExp(`- ✅ ${check}: `))
    }
    expect(result.summary).toContain(
      `- ⚠️ Workflow role: arn:aws:iam::123456789012:role/ci may not iam:PassRole on ${ROLE}: registering or launching will be refused; allow it`
    )
    expect(warnings(result.stdout)).toHaveLength(1)
  })

  it('a check the workflow role may not make is a warning; strict stops; false makes no check', async () => {
    fake.deny('DescribeJobQueues')
    const relaxed = await run(BATCH)
    expect(relaxed.exitCode, relaxed.stdout).toBe(0)
    expect(warnings(relaxed.stdout)).toEqual([
      expect.stringMatching(
        /^::warning::Preflight: Job queue could not be checked \(AccessDeniedException: .*\); it needs batch:DescribeJobQueues/
      )
    ])
    fake.clearRequests()
    const strict = await run({ ...BATCH, preflight: 'strict' })
    expect(strict.exitCode).toBe(1)
    expect(fake.writes()).toEqual([])
    expect(errorAnnotations(strict)[0]).toMatch(/- Job queue: could not be checked/)
    fake.clearRequests()
    const off = await run({ ...BATCH, preflight: 'false' })
    expect(off.exitCode).toBe(0)
    expect(fake.requests.map((request) => request.operation)).not.toContain('SimulatePrincipalPolicy')
  })

  it('a dry run reports every failed check, not only the first', async () => {
    fake.iam.putRole(EXEC_ROLE, [])
    const result = await run({ ...BATCH, 'job-queue': 'nowhere', 'kms-key-id': 'alias/none', 'dry-run': 'true' })
    expect(result.exitCode).toBe(1)
    const [error = ''] = errorAnnotations(result)
    expect(
      error
        .split('\n')
        .filter((line) => line.startsWith('- '))
        .map((line) => line.split(':')[0])
    ).toEqual(['- KMS key', '- Execution role', '- Job queue'])
  })
})
