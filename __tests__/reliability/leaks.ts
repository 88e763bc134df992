// The leak corpus: secret values that are hard to mask or easy to mangle, and the stages and failure
// paths they are run through (with RUNNER_DEBUG=1). No value, and no line of one, may appear in any
// channel outside `::add-mask::` commands.
import { createHash } from 'node:crypto'
import type { Fault, FakeAws } from '../fake-aws/index.js'
import { batchDefinition, CLUSTER, MANAGED, PATH, QUEUE, SERVICE, SUBNET, taskDefinition } from './fixtures.js'

function eightKilobytes(): string {
  let text = 'lk10-'
  for (let round = 0; text.length < 8192; round++) {
    text += createHash('sha256').update(`lk10-${round}`).digest('base64')
  }
  return text.slice(0, 8192)
}

/** Every line of every value carries an `lk` marker, so that finding it anywhere means a leak. */
export const LEAK_VALUES: Record<string, string> = {
  LEAK_MULTI_LINE:
    '-----BEGIN LK01 PRIVATE KEY-----\nLK01MIIEvQIBADANBgkqhkiG9w0BAQEF\nLK01AASCBKcwggSjAgEAAoIBAQC7\n-----END LK01 PRIVATE KEY-----',
  LEAK_PADDED: '   lk02 padded value   ',
  LEAK_QUOTES: `lk03 "double" 'single' \`back\``,
  LEAK_BACKSLASHES: 'lk04\\path\\to\\n\\t\\u0000\\',
  LEAK_JSON: '{"lk05":"json","list":[1,2,{"k":"v"}],"s":"a\\"b"}',
  LEAK_YAML:
    'lk06-key: lk06-value\n- lk06-item: [a, b]\n? lk06-complex\n: lk06-answer # lk06 comment\n&lk06anchor *lk06alias',
  LEAK_PERCENT: 'lk07%25%0A%3A%%-100%',
  LEAK_COMMANDS:
    '::error::lk08 injected\n::set-output name=lk08::x\n::stop-commands::lk08token\n::warning file=lk08::y',
  LEAK_UNICODE: 'lk09 пароль 密码 🔑 é e\u0301 \u200b ﬁ',
  LEAK_8KB: eightKilobytes(),
  LEAK_CRLF: 'lk11-first-line\r\nlk11-second-line\r\n',
  LEAK_SHELL: 'lk12 $HOME `id` $(whoami) ${{ secrets.X }} ; rm -rf',
  LEAK_MARKUP: '<b>lk13</b> | md | [x](https://lk13.example) <!-- -->'
}

/** What Parameter Store holds before some scenarios: also secret, also never to be printed. */
export const OLD_VALUES: Record<string, string> = Object.fromEntries(
  Object.keys(LEAK_VALUES).map((key) => [key, `lk90-old-${key}\nlk90-old-second-line-${key}`])
)

export const asJson = (values: Record<string, string>): string => JSON.stringify(values)

/** The `NAME: ${{ toJSON(secrets.NAME) }}` form: one JSON-quoted value per line. */
export const asYamlBlock = (values: Record<string, string>): string =>
  Object.entries(values)
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
    .join('\n')

export interface LeakScenario {
  name: string
  /** how the run must end, so that it really took the path the name says */
  exit: 0 | 1
  /** with exit 1: a fragment of the error that shows where it failed */
  error?: string
  /** whether the values were parsed, and so must all be registered as masks */
  masks: boolean
  /** the run stops while reading its inputs, before anything is logged at debug level */
  stopsAtInputs?: boolean
  seed?(fake: FakeAws): void
  faults?: Fault[]
  env?: Record<string, string>
  files?: Record<string, string>
  inputs: Record<string, string>
  /** other secret values the scenario puts in AWS: never to be printed either */
  hidden?: Record<string, string>
}

const SYNC = { secrets: asJson(LEAK_VALUES), path: PATH }

function seedOld(fake: FakeAws): void {
  for (const [key, value] of Object.entries(OLD_VALUES)) {
    fake.ssm.put({ name: `${PATH}${key}`, value, type: 'SecureString', tags: MANAGED })
  }
  fake.ssm.put({ name: `${PATH}LEAK_STALE`, value: 'lk91-stale-value', type: 'SecureString', tags: MANAGED })
}

function seedCurrent(fake: FakeAws): void {
  for (const [key, value] of Object.entries(LEAK_VALUES)) {
    const tier = value.length > 4096 ? 'Advanced' : 'Standard'
    fake.ssm.put({ name: `${PATH}${key}`, value, type: 'SecureString', tier, tags: MANAGED })
  }
}

function seedBatch(fake: FakeAws): void {
  fake.batch.addQueue(QUEUE)
  fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { stepMs: 0 })
  fake.batch.seedDefinition(batchDefinition())
}

function seedService(fake: FakeAws): void {
  fake.ecs.addCluster(CLUSTER)
  fake.ecs.setDeploymentOutcome({ result: 'COMPLETED' }, { stepMs: 0 })
  const { arn } = fake.ecs.seedTaskDefinition(taskDefinition())
  fake.ecs.addService({
    cluster: CLUSTER,
    serviceName: SERVICE,
    taskDefinition: arn,
    deploymentCircuitBreaker: { enable: true, rollback: true }
  })
}

const BATCH = { ...SYNC, 'job-definition': 'billing-report', 'job-queue': QUEUE, wait: 'true' }
const ECS_SERVICE = { ...SYNC, 'task-definition': 'web', cluster: CLUSTER, service: SERVICE, wait: 'true' }
const persistent = (operation: string, kind: Fault['kind'] = 'server-error'): Fault[] => [
  { operation, kind, times: 1_000 }
]
const FEW_ATTEMPTS = { AWS_MAX_ATTEMPTS: '2' }

/** A definition file whose container has one of the values as a plain environment variable. */
function definitionWithPlainValue(): string {
  const definition = batchDefinition('plain-values')
  definition.containerProperties.environment.push(
    { name: 'LEAK_MULTI_LINE', value: LEAK_VALUES.LEAK_MULTI_LINE ?? '' },
    { name: 'LEAK_COMMANDS', value: LEAK_VALUES.LEAK_COMMANDS ?? '' }
  )
  return JSON.stringify(definition, null, 2)
}

export const LEAK_SCENARIOS: LeakScenario[] = [
  { name: 'sync: create (JSON input)', exit: 0, masks: true, inputs: SYNC },
  {
    name: 'sync: create (YAML block of toJSON values)',
    exit: 0,
    masks: true,
    inputs: { ...SYNC, secrets: asYamlBlock(LEAK_VALUES) }
  },
  {
    name: 'sync: update and prune, old values read from AWS',
    exit: 0,
    masks: true,
    seed: seedOld,
    inputs: { ...SYNC, prune: 'true', tags: 'team=billing' },
    hidden: { ...OLD_VALUES, LEAK_STALE: 'lk91-stale-value' }
  },
  { name: 'sync: all unchanged', exit: 0, masks: true, seed: seedCurrent, inputs: SYNC },
  {
    name: 'dry-run with updates, a job and a prune',
    exit: 0,
    masks: true,
    seed: (fake) => {
      seedOld(fake)
      seedBatch(fake)
    },
    inputs: { ...BATCH, 'dry-run': 'true', prune: 'true' },
    hidden: OLD_VALUES
  },
  { name: 'Batch: register, submit, wait', exit: 0, masks: true, seed: seedBatch, inputs: BATCH },
  {
    name: 'Batch: the job FAILS',
    exit: 1,
    error: 'FAILED',
    masks: true,
    seed: (fake) => {
      seedBatch(fake)
      fake.batch.setJobOutcome(
        { result: 'FAILED', statusReason: 'Essential container in task exited', exitCode: 3 },
        { stepMs: 0 }
      )
    },
    inputs: BATCH
  },
  {
    name: 'Batch: definition file with the values as plain environment variables',
    exit: 0,
    masks: true,
    seed: seedBatch,
    files: { 'deploy/job.json': definitionWithPlainValue() },
    inputs: { ...SYNC, 'job-definition': 'deploy/job.json', 'job-queue': QUEUE }
  },
  {
    name: 'Batch: definition without an execution role',
    exit: 1,
    error: 'has no executionRoleArn',
    masks: true,
    seed: (fake) => {
      seedBatch(fake)
      const roleless = batchDefinition('no-role')
      delete (roleless.containerProperties as { executionRoleArn?: string }).executionRoleArn
      fake.batch.seedDefinition(roleless)
    },
    inputs: { ...SYNC, 'job-definition': 'no-role' }
  },
  { name: 'ECS: service deployment, wait', exit: 0, masks: true, seed: seedService, inputs: ECS_SERVICE },
  {
    name: 'ECS: the deployment fails and rolls back',
    exit: 1,
    error: 'FAILED',
    masks: true,
    seed: (fake) => {
      seedService(fake)
      fake.ecs.setDeploymentOutcome({ result: 'FAILED', rollback: true }, { stepMs: 0 })
    },
    inputs: ECS_SERVICE
  },
  {
    name: 'ECS: run-task, the essential container exits 1',
    exit: 1,
    error: 'exited with code 1',
    masks: true,
    seed: (fake) => {
      fake.ecs.addCluster(CLUSTER)
      fake.ecs.setTaskOutcome({ exitCodes: { app: 1 }, reasons: { app: 'lk-free reason' } }, { stepMs: 0 })
      fake.ecs.seedTaskDefinition(taskDefinition('migrate'))
    },
    inputs: {
      ...SYNC,
      'task-definition': 'migrate',
      cluster: CLUSTER,
      'run-task': 'true',
      'launch-type': 'FARGATE',
      subnets: SUBNET,
      wait: 'true'
    }
  },
  {
    name: 'AWS error: PutParameter fails after retries',
    exit: 1,
    error: 'Writing',
    masks: true,
    faults: persistent('PutParameter'),
    env: FEW_ATTEMPTS,
    seed: seedOld,
    inputs: SYNC,
    hidden: OLD_VALUES
  },
  {
    name: 'AWS error: GetParameters throttled after retries',
    exit: 1,
    error: 'Reading the current parameters failed',
    masks: true,
    faults: persistent('GetParameters', 'throttle'),
    env: FEW_ATTEMPTS,
    inputs: SYNC
  },
  {
    name: 'AWS error: RegisterJobDefinition fails',
    exit: 1,
    error: 'Registering',
    masks: true,
    faults: persistent('RegisterJobDefinition'),
    env: FEW_ATTEMPTS,
    seed: seedBatch,
    inputs: BATCH
  },
  {
    name: 'AWS error: SubmitJob connection dropped',
    exit: 1,
    error: 'Submitting job',
    masks: true,
    faults: [...persistent('SubmitJob', 'drop'), ...persistent('ListJobs')],
    env: FEW_ATTEMPTS,
    seed: seedBatch,
    inputs: BATCH
  },
  {
    name: 'AWS error: UpdateService fails',
    exit: 1,
    error: 'Updating service',
    masks: true,
    faults: [...persistent('UpdateService', 'drop'), ...persistent('DescribeServices')],
    env: FEW_ATTEMPTS,
    seed: seedService,
    inputs: ECS_SERVICE
  },
  {
    name: 'AWS error: the wait cannot read the job',
    exit: 1,
    masks: true,
    faults: persistent('DescribeJobs'),
    env: FEW_ATTEMPTS,
    seed: seedBatch,
    inputs: BATCH
  },
  {
    name: 'bad input: a value over the Standard tier',
    exit: 1,
    stopsAtInputs: true,
    error: "Input 'secrets'",
    masks: true,
    inputs: { ...SYNC, tier: 'Standard' }
  },
  {
    name: 'bad input: a later input is wrong',
    exit: 1,
    stopsAtInputs: true,
    error: "Input 'kms-key-id'",
    masks: true,
    inputs: { ...SYNC, 'kms-key-id': 'not a key' }
  },
  {
    name: 'bad input: malformed YAML after the values',
    exit: 1,
    stopsAtInputs: true,
    error: 'is not valid JSON or YAML',
    masks: false,
    inputs: { ...SYNC, secrets: `${asYamlBlock(LEAK_VALUES)}\nBROKEN: [unclosed` }
  },
  {
    name: 'bad input: a duplicate key after the values',
    exit: 1,
    stopsAtInputs: true,
    error: 'duplicate key',
    masks: false,
    inputs: { ...SYNC, secrets: `${asYamlBlock(LEAK_VALUES)}\nLEAK_PADDED: "again"` }
  },
  {
    name: 'bad input: a value that is a map',
    exit: 1,
    stopsAtInputs: true,
    error: 'must have a string value',
    masks: false,
    inputs: { ...SYNC, secrets: JSON.stringify({ ...LEAK_VALUES, LEAK_NESTED: { inner: 'lk92-nested' } }) },
    hidden: { LEAK_NESTED: 'lk92-nested' }
  }
]
