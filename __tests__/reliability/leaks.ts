// The leak corpus: secret values that are hard to mask or easy to mangle, and the stages and failure
// paths they are run through (with RUNNER_DEBUG=1). No value, and no line of one, may appear in any
// channel outside `::add-mask::` commands.
import { createHash } from 'node:crypto'
import type { DeploymentOutcome, FakeAws, Fault, JobOutcome } from '../fake-aws/index.js'
import {
  addQueue,
  addService,
  batchDefinition,
  CLUSTER,
  MANAGED,
  PATH,
  QUEUE,
  rolelessBatchDefinition,
  RUN_TASK,
  seedCluster,
  seedQueue,
  seedRunTask,
  SERVICE,
  taskDefinition
} from './fixtures.js'

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
const OLD_VALUES: Record<string, string> = Object.fromEntries(
  Object.keys(LEAK_VALUES).map((key) => [key, `lk90-old-${key}\nlk90-old-second-line-${key}`])
)

/** The `NAME: ${{ toJSON(secrets.NAME) }}` form: one JSON-quoted value per line. */
const asYamlBlock = (values: Record<string, string>): string =>
  Object.entries(values)
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
    .join('\n')

export interface LeakScenario {
  /** names starting 'bad input' stop while reading the inputs, before anything is logged at debug level */
  name: string
  /** with none the run must succeed; else a fragment of the error that shows where it failed ('' for anywhere) */
  error?: string
  /** the values were never parsed, so need not be registered as masks */
  unparsed?: true
  seed?(fake: FakeAws): void
  faults?: Fault[]
  env?: Record<string, string>
  files?: Record<string, string>
  inputs: Record<string, string>
  /** other secret values the scenario puts in AWS: never to be printed either */
  hidden?: Record<string, string>
}

const SYNC = { secrets: JSON.stringify(LEAK_VALUES), path: PATH }
const BATCH = { ...SYNC, 'job-definition': 'billing-report', 'job-queue': QUEUE, wait: 'true' }
const ECS_SERVICE = { ...SYNC, 'task-definition': 'web', cluster: CLUSTER, service: SERVICE, wait: 'true' }

const seedValues = (values: Record<string, string>) => (fake: FakeAws) => {
  for (const [key, value] of Object.entries(values)) {
    const tier = value.length > 4096 ? 'Advanced' : 'Standard'
    fake.ssm.put({ name: `${PATH}${key}`, value, type: 'SecureString', tier, tags: MANAGED })
  }
}
const seedOld = seedValues({ ...OLD_VALUES, LEAK_STALE: 'lk91-stale-value' })

function seedBatch(fake: FakeAws, outcome?: JobOutcome): void {
  seedQueue(fake, outcome)
  fake.batch.seedDefinition(batchDefinition())
}

function seedService(fake: FakeAws, outcome?: DeploymentOutcome): void {
  seedCluster(fake, outcome)
  addService(fake, fake.ecs.seedTaskDefinition(taskDefinition()).arn)
}

/** A definition file whose container has two of the values as plain environment variables. */
function definitionWithPlainValues(): string {
  const definition = batchDefinition('plain-values')
  for (const name of ['LEAK_MULTI_LINE', 'LEAK_COMMANDS']) {
    definition.containerProperties.environment.push({ name, value: LEAK_VALUES[name] ?? '' })
  }
  return JSON.stringify(definition, null, 2)
}

/** AWS fails the operations beyond every retry (the run gets AWS_MAX_ATTEMPTS=2). */
const failing = (scenario: LeakScenario, ...operations: [string, Fault['kind']][]): LeakScenario => ({
  ...scenario,
  name: `AWS error: ${scenario.name}`,
  faults: operations.map(([operation, kind]) => ({ operation, kind, times: 1_000 })),
  env: { AWS_MAX_ATTEMPTS: '2' }
})

/** The run stops while reading its inputs: at a wrong input, or (unparsed) before it parsed the values. */
const stops = (name: string, error: string, inputs: Record<string, string>, unparsed?: true): LeakScenario => ({
  name: `bad input: ${name}`,
  error,
  inputs: { ...SYNC, ...inputs },
  ...(unparsed && { unparsed })
})
const yamlThen = (line: string) => ({ secrets: `${asYamlBlock(LEAK_VALUES)}\n${line}` })

export const LEAK_SCENARIOS: LeakScenario[] = [
  { name: 'sync: create (JSON input)', inputs: SYNC },
  { name: 'sync: create (YAML block of toJSON values)', inputs: { ...SYNC, secrets: asYamlBlock(LEAK_VALUES) } },
  {
    name: 'sync: update and prune, old values read from AWS',
    seed: seedOld,
    inputs: { ...SYNC, prune: 'true', tags: 'team=billing' },
    hidden: { ...OLD_VALUES, LEAK_STALE: 'lk91-stale-value' }
  },
  { name: 'sync: all unchanged', seed: seedValues(LEAK_VALUES), inputs: SYNC },
  {
    name: 'dry-run with updates, a job and a prune',
    seed(fake) {
      seedOld(fake)
      seedBatch(fake)
    },
    inputs: { ...BATCH, 'dry-run': 'true', prune: 'true' },
    hidden: OLD_VALUES
  },
  { name: 'Batch: register, submit, wait', seed: seedBatch, inputs: BATCH },
  {
    name: 'Batch: the job FAILS',
    error: 'FAILED',
    seed: (fake) =>
      seedBatch(fake, { result: 'FAILED', statusReason: 'Essential container in task exited', exitCode: 3 }),
    inputs: BATCH
  },
  {
    name: 'Batch: the container prints its environment, every value, and fails',
    error: 'FAILED',
    seed(fake) {
      addQueue(fake, QUEUE)
      const failed = { result: 'FAILED' as const, statusReason: 'Essential container in task exited', exitCode: 1 }
      fake.batch.setJobOutcome(failed, { stepMs: 0, output: { printEnvironment: true, lines: ['done'] } })
      // Without the Secrets Manager reference: the fake does not model printing its value.
      const definition = batchDefinition()
      fake.batch.seedDefinition({
        ...definition,
        containerProperties: { ...definition.containerProperties, secrets: [] }
      })
    },
    inputs: BATCH
  },
  {
    name: 'Batch: definition file with the values as plain environment variables',
    seed: seedBatch,
    files: { 'deploy/job.json': definitionWithPlainValues() },
    inputs: { ...SYNC, 'job-definition': 'deploy/job.json', 'job-queue': QUEUE }
  },
  {
    name: 'Batch: definition without an execution role',
    error: 'has no executionRoleArn',
    seed(fake) {
      seedBatch(fake)
      fake.batch.seedDefinition(rolelessBatchDefinition())
    },
    inputs: { ...SYNC, 'job-definition': 'no-role' }
  },
  { name: 'ECS: service deployment, wait', seed: seedService, inputs: ECS_SERVICE },
  {
    name: 'ECS: the deployment fails and rolls back',
    error: 'FAILED',
    seed: (fake) => seedService(fake, { result: 'FAILED', rollback: true }),
    inputs: ECS_SERVICE
  },
  {
    name: 'ECS: run-task, the essential container exits 1',
    error: 'exited with code 1',
    seed: (fake) => seedRunTask(fake, { exitCodes: { app: 1 }, reasons: { app: 'lk-free reason' } }),
    inputs: { ...SYNC, ...RUN_TASK }
  },
  failing(
    { name: 'PutParameter fails after retries', error: 'Writing', seed: seedOld, inputs: SYNC, hidden: OLD_VALUES },
    ['PutParameter', 'server-error']
  ),
  failing(
    { name: 'GetParameters throttled after retries', error: 'Reading the current parameters failed', inputs: SYNC },
    ['GetParameters', 'throttle']
  ),
  failing({ name: 'RegisterJobDefinition fails', error: 'Registering', seed: seedBatch, inputs: BATCH }, [
    'RegisterJobDefinition',
    'server-error'
  ]),
  failing(
    { name: 'SubmitJob connection dropped', error: 'Submitting job', seed: seedBatch, inputs: BATCH },
    ['SubmitJob', 'drop'],
    ['ListJobs', 'server-error']
  ),
  failing(
    { name: 'UpdateService fails', error: 'Updating service', seed: seedService, inputs: ECS_SERVICE },
    ['UpdateService', 'drop'],
    ['DescribeServices', 'server-error']
  ),
  failing({ name: 'the wait cannot read the job', error: '', seed: seedBatch, inputs: BATCH }, [
    'DescribeJobs',
    'server-error'
  ]),
  stops('a value over the Standard tier', "Input 'secrets'", { tier: 'Standard' }),
  stops('a later input is wrong', "Input 'kms-key-id'", { 'kms-key-id': 'not a key' }),
  stops('malformed YAML after the values', 'is not valid JSON or YAML', yamlThen('BROKEN: [unclosed'), true),
  stops('a duplicate key after the values', 'duplicate key', yamlThen('LEAK_PADDED: "again"'), true),
  {
    name: 'bad input: a value that is a map',
    error: 'must have a string value',
    unparsed: true,
    inputs: { ...SYNC, secrets: JSON.stringify({ ...LEAK_VALUES, LEAK_NESTED: { inner: 'lk92-nested' } }) },
    hidden: { LEAK_NESTED: 'lk92-nested' }
  }
]
