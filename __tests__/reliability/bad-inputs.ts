// The bad-input corpus: input map → the input the one error must name and the fix it must state.
// Every case must end with exit 1, one error annotation, and no write request reaching the server.
import type { FakeAws } from '../fake-aws/index.js'
import { batchDefinition, CLUSTER, EXEC_ROLE, QUEUE, taskDefinition } from './fixtures.js'

export interface BadInputCase {
  name: string
  inputs: Record<string, string>
  /** the input the error must name, as `Input '<name>'` */
  input: string
  /** a fragment of the error that says what is wrong and how to fix it */
  expect: string
  /** files in the workspace, by relative path */
  files?: Record<string, string>
  /** environment changes; undefined removes the variable */
  env?: Record<string, string | undefined>
}

const SECRETS = JSON.stringify({ DB_PASSWORD: 'pw-1', API_KEY: 'key-1' })
const SYNC = { secrets: SECRETS, path: '/prod/billing/' }
const BATCH = { ...SYNC, 'job-definition': 'billing-report' }
const ECS = { ...SYNC, 'task-definition': 'web' }

/** What the definition cases look up: seeded in every bad-input case's fake. */
export function seedBadInputWorld(fake: FakeAws): void {
  fake.batch.addQueue(QUEUE)
  fake.batch.seedDefinition(batchDefinition())
  fake.batch.seedDefinition({
    jobDefinitionName: 'etl',
    type: 'container',
    platformCapabilities: ['FARGATE'],
    ecsProperties: {
      taskProperties: [
        {
          executionRoleArn: EXEC_ROLE,
          containers: [
            { name: 'extract', image: 'extract:1', essential: true },
            { name: 'load', image: 'load:1', essential: false }
          ]
        }
      ]
    }
  })
  const roleless = batchDefinition('no-role')
  delete (roleless.containerProperties as { executionRoleArn?: string }).executionRoleArn
  fake.batch.seedDefinition(roleless)
  fake.batch.seedDefinition({
    jobDefinitionName: 'mpi',
    type: 'multinode',
    nodeProperties: {
      numNodes: 2,
      mainNode: 0,
      nodeRangeProperties: [
        { targetNodes: '0:', container: { image: 'main:1', vcpus: 1, memory: 2048, executionRoleArn: EXEC_ROLE } }
      ]
    }
  })
  fake.ecs.addCluster(CLUSTER)
  fake.ecs.seedTaskDefinition(taskDefinition())
}

const lines = (count: number, make: (index: number) => string): string =>
  Array.from({ length: count }, (_, index) => make(index)).join('\n')

export const BAD_INPUTS: BadInputCase[] = [
  // secrets and variables: shape
  {
    name: 'secrets: malformed JSON',
    inputs: { ...SYNC, secrets: '{"DB_PASSWORD": "pw-1", "API_KEY": ' },
    input: 'secrets',
    expect: 'is not valid JSON or YAML (line 1, column 35). Pass a map of NAME: value'
  },
  {
    name: 'secrets: malformed YAML',
    inputs: { ...SYNC, secrets: 'DB_PASSWORD: [unclosed\nAPI_KEY: "key-1"' },
    input: 'secrets',
    expect: 'is not valid JSON or YAML'
  },
  {
    name: 'secrets: duplicate YAML key',
    inputs: { ...SYNC, secrets: 'DB_PASSWORD: "pw-1"\nDB_PASSWORD: "pw-2"' },
    input: 'secrets',
    expect: 'has a duplicate key (line 2, column 1); each name may appear once'
  },
  {
    name: 'secrets: duplicate JSON key',
    inputs: { ...SYNC, secrets: '{"DB_PASSWORD": "pw-1", "DB_PASSWORD": "pw-2"}' },
    input: 'secrets',
    expect: 'has a duplicate key'
  },
  {
    name: 'secrets: a list',
    inputs: { ...SYNC, secrets: '["pw-1", "key-1"]' },
    input: 'secrets',
    expect: 'must be a map of NAME: value, but it is a list'
  },
  {
    name: 'secrets: a plain string',
    inputs: { ...SYNC, secrets: 'just-one-value' },
    input: 'secrets',
    expect: 'must be a map of NAME: value, but it is a string'
  },
  {
    name: 'secrets: a number value',
    inputs: { ...SYNC, secrets: '{"PORT": 5432}' },
    input: 'secrets',
    expect: "'PORT' must have a string value, but it is a number. Quote it, or pass it as ${{ toJSON(secrets.PORT) }}"
  },
  {
    name: 'secrets: a null value (undefined secret)',
    inputs: { ...SYNC, secrets: 'DB_PASSWORD: null' },
    input: 'secrets',
    expect: "'DB_PASSWORD' must have a string value, but it is null (is the secret defined?)"
  },
  {
    name: 'secrets: a boolean value',
    inputs: { ...SYNC, secrets: 'ENABLED: yes\nOTHER: true' },
    input: 'secrets',
    expect:
      "'OTHER' must have a string value, but it is a boolean. Quote it, or pass it as ${{ toJSON(secrets.OTHER) }}"
  },
  {
    name: 'secrets: a nested map',
    inputs: { ...SYNC, secrets: '{"DB": {"user": "u", "password": "p"}}' },
    input: 'secrets',
    expect: "'DB' must have a string value, but it is a map. Quote it, or pass it as ${{ toJSON(secrets.DB) }}"
  },
  {
    name: 'secrets: YAML aliases',
    inputs: { ...SYNC, secrets: 'A: &v "pw-1"\nB: *v' },
    input: 'secrets',
    expect: 'uses YAML aliases or tags; pass plain NAME: value pairs'
  },
  {
    name: 'variables: malformed JSON',
    inputs: { ...SYNC, variables: '{"LOG_LEVEL": "info", ' },
    input: 'variables',
    expect: 'is not valid JSON or YAML'
  },
  {
    name: 'a name in both secrets and variables',
    inputs: { ...SYNC, variables: '{"API_KEY": "public"}' },
    input: 'variables',
    expect: "'API_KEY' is also in secrets; a name may come from one of them only"
  },
  {
    name: 'secrets: name starting with a digit',
    inputs: { ...SYNC, secrets: '{"1PASSWORD": "pw-1"}' },
    input: 'secrets',
    expect: "'1PASSWORD' is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)"
  },
  {
    name: 'variables: name with a dash',
    inputs: { ...SYNC, variables: '{"LOG-LEVEL": "info"}' },
    input: 'variables',
    expect: "'LOG-LEVEL' is not a valid environment variable name"
  },
  {
    name: 'secrets: name too long for a parameter name',
    inputs: { ...SYNC, secrets: JSON.stringify({ [`K${'X'.repeat(1000)}`]: 'pw-1' }) },
    input: 'secrets',
    expect: 'Parameter Store allows at most'
  },
  {
    name: 'secrets: empty value',
    inputs: { ...SYNC, secrets: '{"DB_PASSWORD": ""}' },
    input: 'secrets',
    expect: "the value of 'DB_PASSWORD' is empty; Parameter Store cannot store an empty value"
  },
  {
    name: 'secrets: value over the Standard tier limit',
    inputs: { ...SYNC, tier: 'Standard', secrets: JSON.stringify({ BIG: 'x'.repeat(5000) }) },
    input: 'secrets',
    expect: "the Standard tier allows at most 4096; use tier 'auto' or 'Advanced'"
  },
  {
    name: 'secrets: value over the Advanced tier limit',
    inputs: { ...SYNC, secrets: JSON.stringify({ HUGE: 'x'.repeat(9000) }) },
    input: 'secrets',
    expect: 'store it in Secrets Manager (64 KB) and pass it through `references`'
  },
  {
    name: 'include: a name that is not given',
    inputs: { ...SYNC, include: 'DB_PASSWORD\nMISSING_SECRET' },
    input: 'include',
    expect: "'MISSING_SECRET' not found in secrets or variables. Is it defined for this repository or environment?"
  },
  // path
  {
    name: 'path: no leading slash',
    inputs: { ...SYNC, path: 'prod/billing/' },
    input: 'path',
    expect: "must start with '/', e.g. '/prod/billing/'"
  },
  {
    name: 'path: reserved aws prefix',
    inputs: { ...SYNC, path: '/aws/billing/' },
    input: 'path',
    expect: "must not begin with 'aws' or 'ssm'"
  },
  {
    name: 'path: reserved ssm prefix, other case',
    inputs: { ...SYNC, path: '/SSM-things/' },
    input: 'path',
    expect: "must not begin with 'aws' or 'ssm'"
  },
  {
    name: 'path: too deep',
    inputs: { ...SYNC, path: `/${lines(15, (index) => `l${index}`).replace(/\n/g, '/')}/` },
    input: 'path',
    expect: 'Parameter Store allows at most 15'
  },
  {
    name: 'path: too long',
    inputs: { ...SYNC, path: `/${'p'.repeat(1000)}/` },
    input: 'path',
    expect: 'Parameter Store allows at most'
  },
  {
    name: 'path: a space',
    inputs: { ...SYNC, path: '/prod/bil ling/' },
    input: 'path',
    expect: 'may only contain letters, digits and the characters _ . - /'
  },
  {
    name: 'path: an empty level',
    inputs: { ...SYNC, path: '/prod//billing/' },
    input: 'path',
    expect: "must not contain empty levels ('//')"
  },
  {
    name: 'path: missing while syncing',
    inputs: { secrets: SECRETS },
    input: 'path',
    expect: "is required to sync secrets or variables, e.g. '/prod/billing/'"
  },
  // enums, booleans, numbers
  {
    name: 'tier: unknown',
    inputs: { ...SYNC, tier: 'Premium' },
    input: 'tier',
    expect: "'Premium' is not one of auto, Standard, Advanced, Intelligent-Tiering"
  },
  { name: 'prune: not a boolean', inputs: { ...SYNC, prune: 'yes' }, input: 'prune', expect: 'must be true or false' },
  {
    name: 'dry-run: not a boolean',
    inputs: { ...SYNC, 'dry-run': '1' },
    input: 'dry-run',
    expect: 'must be true or false'
  },
  {
    name: 'wait: not a boolean',
    inputs: { ...BATCH, 'job-queue': QUEUE, wait: 'sure' },
    input: 'wait',
    expect: 'must be true or false'
  },
  {
    name: 'run-task: not a boolean',
    inputs: { ...ECS, 'run-task': 'on' },
    input: 'run-task',
    expect: 'must be true or false'
  },
  {
    name: 'keep-revisions: zero',
    inputs: { ...BATCH, 'keep-revisions': '0' },
    input: 'keep-revisions',
    expect: "'0' is not a whole number of at least 1"
  },
  {
    name: 'keep-revisions: a word',
    inputs: { ...BATCH, 'keep-revisions': 'two' },
    input: 'keep-revisions',
    expect: "'two' is not a whole number of at least 1"
  },
  {
    name: 'keep-revisions: a fraction',
    inputs: { ...ECS, 'keep-revisions': '1.5' },
    input: 'keep-revisions',
    expect: "'1.5' is not a whole number of at least 1"
  },
  {
    name: 'wait-timeout: negative',
    inputs: { ...BATCH, 'job-queue': QUEUE, wait: 'true', 'wait-timeout': '-5' },
    input: 'wait-timeout',
    expect: "'-5' is not a number of at least 0.01"
  },
  {
    name: 'wait-timeout: not a number',
    inputs: { ...BATCH, 'job-queue': QUEUE, wait: 'true', 'wait-timeout': '30m' },
    input: 'wait-timeout',
    expect: "'30m' is not a number of at least 0.01"
  },
  {
    name: 'launch: unknown',
    inputs: { ...BATCH, 'job-queue': QUEUE, launch: 'sometimes' },
    input: 'launch',
    expect: "'sometimes' is not one of always, on-change"
  },
  {
    name: 'region: not a region',
    inputs: { ...SYNC, region: 'moon-base-1a' },
    input: 'region',
    expect: "'moon-base-1a' is not an AWS region such as us-east-1"
  },
  {
    name: 'region: none at all',
    inputs: SYNC,
    env: { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined },
    input: 'region',
    expect: 'Set the region input, or AWS_REGION'
  },
  {
    name: 'kms-key-id: a bare word',
    inputs: { ...SYNC, 'kms-key-id': 'prod-secrets' },
    input: 'kms-key-id',
    expect: "Did you mean 'alias/prod-secrets'?"
  },
  {
    name: 'kms-key-id: a broken ARN',
    inputs: { ...SYNC, 'kms-key-id': 'arn:aws:kms:us-east-1:key' },
    input: 'kms-key-id',
    expect: 'is not a key id (1234abcd-12ab-34cd-56ef-1234567890ab), key ARN, alias (alias/NAME) or alias ARN'
  },
  // key=value lines
  {
    name: 'tags: a line without =',
    inputs: { ...SYNC, tags: 'team=billing\nproduction' },
    input: 'tags',
    expect: "'production' is not a key=value line"
  },
  {
    name: 'tags: a key given twice',
    inputs: { ...SYNC, tags: 'team=billing\nteam=payments' },
    input: 'tags',
    expect: "'team' is given twice"
  },
  {
    name: 'tags: the reserved aws: prefix',
    inputs: { ...SYNC, tags: 'aws:owner=me' },
    input: 'tags',
    expect: "uses the reserved prefix 'aws:'"
  },
  {
    name: 'tags: the managed-by key',
    inputs: { ...SYNC, tags: 'managed-by=me' },
    input: 'tags',
    expect: "tag key 'managed-by' is set by the action itself"
  },
  {
    name: 'tags: a character Parameter Store refuses',
    inputs: { ...SYNC, tags: 'team=a<b>' },
    input: 'tags',
    expect: 'may only contain letters, digits, spaces and _ . : / = + - @'
  },
  {
    name: 'tags: too many',
    inputs: { ...SYNC, tags: lines(50, (index) => `t${index}=v`) },
    input: 'tags',
    expect: '50 tags given; at most 49'
  },
  {
    name: 'references: a line without =',
    inputs: { ...SYNC, references: 'LEGACY' },
    input: 'references',
    expect: "'LEGACY' is not a NAME=valueFrom line"
  },
  {
    name: 'references: not a parameter or secret',
    inputs: { ...SYNC, references: 'LEGACY=https://vault.example/legacy' },
    input: 'references',
    expect: 'is not a parameter name, parameter ARN or Secrets Manager secret ARN'
  },
  {
    name: 'references: a bad name',
    inputs: { ...SYNC, references: 'LEGACY-KEY=/prod/legacy/key' },
    input: 'references',
    expect: "'LEGACY-KEY' is not a valid environment variable name"
  },
  {
    name: 'references: a name that is also synced',
    inputs: { ...SYNC, references: 'API_KEY=/prod/shared/api-key' },
    input: 'references',
    expect: "'API_KEY' is also synced from secrets/variables; use one of them"
  },
  {
    name: 'log-secret-options: a line without =',
    inputs: { ...BATCH, 'log-secret-options': 'splunk-token' },
    input: 'log-secret-options',
    expect: "'splunk-token' is not a OPTION=NAME line"
  },
  {
    name: 'log-secret-options: an unknown secret',
    inputs: { ...BATCH, 'log-secret-options': 'splunk-token=SPLUNK' },
    input: 'log-secret-options',
    expect: "'SPLUNK' is neither synced nor in references"
  },
  {
    name: 'log-secret-options: a container without a log driver',
    inputs: { ...BATCH, 'log-secret-options': 'splunk-token=API_KEY' },
    input: 'log-secret-options',
    expect: "container 'billing-report' has no logConfiguration.logDriver"
  },
  {
    name: 'job-parameters: a line without =',
    inputs: { ...BATCH, 'job-queue': QUEUE, 'job-parameters': 'day' },
    input: 'job-parameters',
    expect: "'day' is not a key=value line"
  },
  {
    name: 'job-tags: reserved prefix',
    inputs: { ...BATCH, 'job-queue': QUEUE, 'job-tags': 'aws:x=1' },
    input: 'job-tags',
    expect: "uses the reserved prefix 'aws:'"
  },
  {
    name: 'job-tags: too many with the run tags',
    inputs: { ...BATCH, 'job-queue': QUEUE, 'job-tags': lines(48, (index) => `t${index}=v`) },
    input: 'job-tags',
    expect: "exceed Batch's 50"
  },
  {
    name: 'container-overrides: not JSON',
    inputs: { ...BATCH, 'job-queue': QUEUE, 'container-overrides': '{command: [x]' },
    input: 'container-overrides',
    expect: 'is not valid JSON'
  },
  {
    name: 'container-overrides: a list',
    inputs: { ...BATCH, 'job-queue': QUEUE, 'container-overrides': '["echo"]' },
    input: 'container-overrides',
    expect: 'must be a JSON object'
  },
  {
    name: 'container-overrides: a multi-node definition',
    inputs: { ...SYNC, 'job-definition': 'mpi', 'job-queue': QUEUE, 'container-overrides': '{"command":["x"]}' },
    input: 'container-overrides',
    expect: 'multi-node job definitions take node overrides'
  },
  {
    name: 'job-name: not a Batch job name',
    inputs: { ...BATCH, 'job-queue': QUEUE, 'job-name': '-nightly report' },
    input: 'job-name',
    expect: 'must be 1 to 128 letters, digits, - and _, starting with a letter or digit'
  },
  // definitions: files and lookups
  {
    name: 'job-definition: a file that does not exist',
    inputs: { ...SYNC, 'job-definition': 'deploy/job-definition.json' },
    input: 'job-definition',
    expect: 'is neither a file nor a job definition name, name:revision or ARN'
  },
  {
    name: 'job-definition: a file that is not JSON',
    inputs: { ...SYNC, 'job-definition': 'job.json' },
    files: { 'job.json': '{"jobDefinitionName": "x",' },
    input: 'job-definition',
    expect: "'job.json' is not valid JSON"
  },
  {
    name: 'job-definition: a file without a name',
    inputs: { ...SYNC, 'job-definition': 'job.json' },
    files: { 'job.json': JSON.stringify({ type: 'container', containerProperties: { image: 'x' } }) },
    input: 'job-definition',
    expect: 'has no jobDefinitionName'
  },
  {
    name: 'task-definition: a file that is a list',
    inputs: { ...SYNC, 'task-definition': 'task.json' },
    files: { 'task.json': '[]' },
    input: 'task-definition',
    expect: 'must hold a JSON object (RegisterTaskDefinition or DescribeTaskDefinition shape)'
  },
  {
    name: 'task-definition: a file without a family',
    inputs: { ...SYNC, 'task-definition': 'task.json' },
    files: { 'task.json': JSON.stringify({ containerDefinitions: [{ name: 'app', image: 'x' }] }) },
    input: 'task-definition',
    expect: 'has no family'
  },
  {
    name: 'job-definition: no such definition',
    inputs: { ...SYNC, 'job-definition': 'billing-reprot' },
    input: 'job-definition',
    expect:
      "no ACTIVE revision of job definition 'billing-reprot' in this account and region. Check the name and the region, or give the path of a definition file"
  },
  {
    name: 'job-definition: no such revision',
    inputs: { ...SYNC, 'job-definition': 'billing-report:99' },
    input: 'job-definition',
    expect: "job definition 'billing-report:99' not found in this account and region. Check the name and the region"
  },
  {
    name: 'task-definition: no such family',
    inputs: { ...SYNC, 'task-definition': 'wbe' },
    input: 'task-definition',
    expect: "no ACTIVE revision of task definition 'wbe' in this account and region. Check the name and the region"
  },
  {
    name: 'task-definition: no such ARN',
    inputs: { ...SYNC, 'task-definition': 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:42' },
    input: 'task-definition',
    expect: 'not found in this account and region. Check the name and the region'
  },
  {
    name: 'job-definition: not a name',
    inputs: { ...SYNC, 'job-definition': 'billing report' },
    input: 'job-definition',
    expect: 'names: letters, digits, - and _'
  },
  {
    name: 'job-definition: a definition without an execution role',
    inputs: { ...SYNC, 'job-definition': 'no-role' },
    input: 'job-definition',
    expect: 'needs an execution role to read secrets. Give it a role with this policy'
  },
  {
    name: 'containers: several and none chosen',
    inputs: { ...SYNC, 'job-definition': 'etl' },
    input: 'containers',
    expect: "the definition has 2 containers ('extract', 'load'); name the ones that get the secrets, or '*' for all"
  },
  {
    name: 'containers: one that does not exist',
    inputs: { ...SYNC, 'job-definition': 'etl', containers: 'transform' },
    input: 'containers',
    expect: "no container 'transform' in the definition; it has 'extract', 'load'"
  },
  // launch without a definition, and conflicts
  {
    name: 'job-queue without a definition',
    inputs: { ...SYNC, 'job-queue': QUEUE },
    input: 'job-queue',
    expect: "needs 'job-definition' or 'task-definition'"
  },
  {
    name: 'service without a definition',
    inputs: { ...SYNC, cluster: CLUSTER, service: 'web' },
    input: 'cluster',
    expect: "needs 'job-definition' or 'task-definition'"
  },
  {
    name: 'run-task without a definition',
    inputs: { ...SYNC, 'run-task': 'true' },
    input: 'run-task',
    expect: "needs 'job-definition' or 'task-definition'"
  },
  {
    name: 'containers without a definition',
    inputs: { ...SYNC, containers: 'app' },
    input: 'containers',
    expect: "needs 'job-definition' or 'task-definition'"
  },
  {
    name: 'wait with nothing to launch',
    inputs: { ...BATCH, wait: 'true' },
    input: 'wait',
    expect: "needs something to launch: 'job-queue', 'service' or 'run-task'"
  },
  {
    name: 'job-definition and task-definition both',
    inputs: { ...SYNC, 'job-definition': 'billing-report', 'task-definition': 'web' },
    input: 'task-definition',
    expect: "give either 'job-definition' (Batch) or 'task-definition' (ECS), not both"
  },
  {
    name: 'service without cluster',
    inputs: { ...ECS, service: 'web' },
    input: 'cluster',
    expect: "is required with 'service'"
  },
  {
    name: 'service and run-task both',
    inputs: { ...ECS, cluster: CLUSTER, service: 'web', 'run-task': 'true' },
    input: 'run-task',
    expect: "give either 'service' (redeploy) or 'run-task' (one-off task), not both"
  },
  {
    name: 'subnets with a service',
    inputs: { ...ECS, cluster: CLUSTER, service: 'web', subnets: 'subnet-0123456789abcdef0' },
    input: 'subnets',
    expect: "applies to 'run-task', not to a service"
  },
  {
    name: 'cluster with nothing to run',
    inputs: { ...ECS, cluster: CLUSTER },
    input: 'cluster',
    expect: "needs 'service' or 'run-task: true'"
  },
  {
    name: 'an ECS input with a job definition',
    inputs: { ...BATCH, 'job-queue': QUEUE, cluster: CLUSTER },
    input: 'cluster',
    expect: "is for ECS; with 'job-definition' use 'job-queue'"
  },
  {
    name: 'a Batch input with a task definition',
    inputs: { ...ECS, 'job-queue': QUEUE },
    input: 'job-queue',
    expect: "is for Batch; with 'task-definition' use 'service' or 'run-task'"
  },
  {
    name: 'job-name without job-queue',
    inputs: { ...BATCH, 'job-name': 'nightly' },
    input: 'job-name',
    expect: "needs 'job-queue' (the queue to submit the job to)"
  },
  {
    name: 'prune with nothing selected',
    inputs: { ...SYNC, include: 'NOTHING_*', prune: 'true' },
    input: 'prune',
    expect: 'that would delete every managed parameter under the path'
  },
  // run-task settings
  {
    name: 'subnets: not subnet ids',
    inputs: { ...ECS, 'run-task': 'true', subnets: 'net-1' },
    input: 'subnets',
    expect: "'net-1' is not an id like subnet-0123456789abcdef0"
  },
  {
    name: 'security-groups: not group ids',
    inputs: { ...ECS, 'run-task': 'true', subnets: 'subnet-0abc', 'security-groups': 'default' },
    input: 'security-groups',
    expect: "'default' is not an id like sg-0123456789abcdef0"
  },
  {
    name: 'assign-public-ip: unknown',
    inputs: { ...ECS, 'run-task': 'true', subnets: 'subnet-0abc', 'assign-public-ip': 'yes' },
    input: 'assign-public-ip',
    expect: "'yes' is not one of ENABLED, DISABLED"
  },
  {
    name: 'launch-type: unknown',
    inputs: { ...ECS, 'run-task': 'true', subnets: 'subnet-0abc', 'launch-type': 'SPOT' },
    input: 'launch-type',
    expect: "'SPOT' is not one of FARGATE, EC2, EXTERNAL, MANAGED_INSTANCES"
  },
  {
    name: 'run-task: an awsvpc task without subnets',
    inputs: { ...ECS, 'run-task': 'true' },
    input: 'subnets',
    expect: 'the task definition uses networkMode awsvpc, so RunTask needs subnets'
  }
]
