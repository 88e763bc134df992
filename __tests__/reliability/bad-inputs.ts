// The bad-input corpus: input map → the input the one error must name and the fix it must state.
// Every case must end with exit 1, one error annotation, and no write request reaching the server.
import type { FakeAws } from '../fake-aws/index.js'
import {
  addQueue,
  batchDefinition,
  CLUSTER,
  EXEC_ROLE,
  QUEUE,
  rolelessBatchDefinition,
  taskDefinition
} from './fixtures.js'

/** What the definition cases look up: seeded in every bad-input case's fake. */
export function seedBadInputWorld(fake: FakeAws): void {
  addQueue(fake, QUEUE)
  fake.batch.seedDefinition(batchDefinition())
  const containers = [
    { name: 'extract', image: 'extract:1', essential: true },
    { name: 'load', image: 'load:1', essential: false }
  ]
  const ecsProperties = { taskProperties: [{ executionRoleArn: EXEC_ROLE, containers }] }
  fake.batch.seedDefinition({
    jobDefinitionName: 'etl',
    type: 'container',
    platformCapabilities: ['FARGATE'],
    ecsProperties
  })
  fake.batch.seedDefinition(rolelessBatchDefinition())
  const container = { image: 'main:1', vcpus: 1, memory: 2048, executionRoleArn: EXEC_ROLE }
  const nodeProperties = { numNodes: 2, mainNode: 0, nodeRangeProperties: [{ targetNodes: '0:', container }] }
  fake.batch.seedDefinition({ jobDefinitionName: 'mpi', type: 'multinode', nodeProperties })
  fake.ecs.addCluster(CLUSTER)
  fake.ecs.seedTaskDefinition(taskDefinition())
}

const SECRETS = JSON.stringify({ DB_PASSWORD: 'pw-1', API_KEY: 'key-1' })
const SYNC = { secrets: SECRETS, path: '/prod/billing/' }
const BATCH = { ...SYNC, 'job-definition': 'billing-report' }
const ECS = { ...SYNC, 'task-definition': 'web' }
const lines = (count: number, make: (index: number) => string): string =>
  Array.from({ length: count }, (_, index) => make(index)).join('\n')

/** Files put in the workspace (by relative path), and environment changes (undefined removes a variable). */
type More = { files?: Record<string, string>; env?: Record<string, string | undefined> }
type Row = [name: string, input: string, inputs: Record<string, string>, expect: string, more?: More]

// One case a row: its name, the input the error must name (as `Input '<name>'`), the inputs, and a
// fragment of the error that says what is wrong and how to fix it.
// prettier-ignore
const ROWS: Row[] = [
  // secrets and variables: shape
  ['secrets: malformed JSON', 'secrets', { ...SYNC, secrets: '{"DB_PASSWORD": "pw-1", "API_KEY": ' },
    'is not valid JSON or YAML (line 1, column 35). Pass a map of NAME: value'],
  ['secrets: malformed YAML', 'secrets', { ...SYNC, secrets: 'DB_PASSWORD: [unclosed\nAPI_KEY: "key-1"' }, 'is not valid JSON or YAML'],
  ['secrets: duplicate YAML key', 'secrets', { ...SYNC, secrets: 'DB_PASSWORD: "pw-1"\nDB_PASSWORD: "pw-2"' },
    'has a duplicate key (line 2, column 1); each name may appear once'],
  ['secrets: duplicate JSON key', 'secrets', { ...SYNC, secrets: '{"DB_PASSWORD": "pw-1", "DB_PASSWORD": "pw-2"}' }, 'has a duplicate key'],
  ['secrets: a list', 'secrets', { ...SYNC, secrets: '["pw-1", "key-1"]' }, 'must be a map of NAME: value, but it is a list'],
  ['secrets: a plain string', 'secrets', { ...SYNC, secrets: 'just-one-value' }, 'must be a map of NAME: value, but it is a string'],
  ['secrets: a number value', 'secrets', { ...SYNC, secrets: '{"PORT": 5432}' },
    "'PORT' must have a string value, but it is a number. Quote it, or pass it as ${{ toJSON(secrets.PORT) }}"],
  ['secrets: a null value (undefined secret)', 'secrets', { ...SYNC, secrets: 'DB_PASSWORD: null' },
    "'DB_PASSWORD' is null: there is no secret of that name in this repository or environment"],
  ['secrets: a boolean value', 'secrets', { ...SYNC, secrets: 'ENABLED: yes\nOTHER: true' },
    "'OTHER' must have a string value, but it is a boolean. Quote it, or pass it as ${{ toJSON(secrets.OTHER) }}"],
  ['secrets: a nested map', 'secrets', { ...SYNC, secrets: '{"DB": {"user": "u", "password": "p"}}' },
    "'DB' must have a string value, but it is a map. Quote it, or pass it as ${{ toJSON(secrets.DB) }}"],
  ['secrets: YAML aliases', 'secrets', { ...SYNC, secrets: 'A: &v "pw-1"\nB: *v' },
    'uses YAML aliases or tags; pass plain NAME: value pairs'],
  ['variables: malformed JSON', 'variables', { ...SYNC, variables: '{"LOG_LEVEL": "info", ' }, 'is not valid JSON or YAML'],
  ['a name in both secrets and variables', 'variables', { ...SYNC, variables: '{"API_KEY": "public"}' },
    "'API_KEY' is also in secrets; a name may come from one of them only"],
  ['secrets: name starting with a digit', 'secrets', { ...SYNC, secrets: '{"1PASSWORD": "pw-1"}' },
    "'1PASSWORD' is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)"],
  ['variables: name with a dash', 'variables', { ...SYNC, variables: '{"LOG-LEVEL": "info"}' },
    "'LOG-LEVEL' is not a valid environment variable name"],
  ['secrets: name too long for a parameter name', 'secrets', { ...SYNC, secrets: JSON.stringify({ [`K${'X'.repeat(1000)}`]: 'pw-1' }) },
    'Parameter Store allows at most'],
  ['secrets: empty value', 'secrets', { ...SYNC, secrets: '{"DB_PASSWORD": ""}' },
    "the value of 'DB_PASSWORD' is empty; Parameter Store cannot store an empty value"],
  ['secrets: value over the Standard tier limit', 'secrets', { ...SYNC, tier: 'Standard', secrets: JSON.stringify({ BIG: 'x'.repeat(5000) }) },
    "the Standard tier allows at most 4096; use tier 'auto' or 'Advanced'"],
  ['secrets: value over the Advanced tier limit', 'secrets', { ...SYNC, secrets: JSON.stringify({ HUGE: 'x'.repeat(9000) }) },
    'store it in Secrets Manager (64 KB) and pass it through `references`'],
  ['include: a name that is not given', 'include', { ...SYNC, include: 'DB_PASSWORD\nMISSING_SECRET' },
    "'MISSING_SECRET' not found in secrets or variables. Is it defined for this repository or environment?"],
  // path
  ['path: no leading slash', 'path', { ...SYNC, path: 'prod/billing/' }, "must start with '/', e.g. '/prod/billing/'"],
  ['path: reserved aws prefix', 'path', { ...SYNC, path: '/aws/billing/' }, "must not begin with 'aws' or 'ssm'"],
  ['path: reserved ssm prefix, other case', 'path', { ...SYNC, path: '/SSM-things/' }, "must not begin with 'aws' or 'ssm'"],
  ['path: too deep', 'path', { ...SYNC, path: `/${lines(15, (index) => `l${index}`).replace(/\n/g, '/')}/` },
    'Parameter Store allows at most 15'],
  ['path: too long', 'path', { ...SYNC, path: `/${'p'.repeat(1000)}/` }, 'Parameter Store allows at most'],
  ['path: a space', 'path', { ...SYNC, path: '/prod/bil ling/' }, 'may only contain letters, digits and the characters _ . - /'],
  ['path: an empty level', 'path', { ...SYNC, path: '/prod//billing/' }, "must not contain empty levels ('//')"],
  ['path: missing while syncing', 'path', { secrets: SECRETS }, "is required to sync secrets or variables, e.g. '/prod/billing/'"],
  // enums, booleans, numbers
  ['tier: unknown', 'tier', { ...SYNC, tier: 'Premium' }, "'Premium' is not one of auto, Standard, Advanced, Intelligent-Tiering"],
  ['prune: not a boolean', 'prune', { ...SYNC, prune: 'yes' }, 'must be true or false'],
  ['dry-run: not a boolean', 'dry-run', { ...SYNC, 'dry-run': '1' }, 'must be true or false'],
  ['wait: not a boolean', 'wait', { ...BATCH, 'job-queue': QUEUE, wait: 'sure' }, 'must be true or false'],
  ['run-task: not a boolean', 'run-task', { ...ECS, 'run-task': 'on' }, 'must be true or false'],
  ['keep-revisions: zero', 'keep-revisions', { ...BATCH, 'keep-revisions': '0' }, "'0' is not a whole number of at least 1"],
  ['keep-revisions: a word', 'keep-revisions', { ...BATCH, 'keep-revisions': 'two' }, "'two' is not a whole number of at least 1"],
  ['keep-revisions: a fraction', 'keep-revisions', { ...ECS, 'keep-revisions': '1.5' }, "'1.5' is not a whole number of at least 1"],
  ['wait-timeout: negative', 'wait-timeout', { ...BATCH, 'job-queue': QUEUE, wait: 'true', 'wait-timeout': '-5' },
    "'-5' is not a number of at least 0.01"],
  ['wait-timeout: not a number', 'wait-timeout', { ...BATCH, 'job-queue': QUEUE, wait: 'true', 'wait-timeout': '30m' },
    "'30m' is not a number of at least 0.01"],
  ['logs: not a boolean', 'logs', { ...BATCH, 'job-queue': QUEUE, wait: 'true', logs: 'verbose' }, 'must be true or false'],
  ['log-lines: a fraction', 'log-lines', { ...BATCH, 'job-queue': QUEUE, wait: 'true', 'log-lines': '2.5' },
    "'2.5' is not a whole number of at least 0"],
  ['launch: unknown', 'launch', { ...BATCH, 'job-queue': QUEUE, launch: 'sometimes' }, "'sometimes' is not one of always, on-change"],
  ['region: not a region', 'region', { ...SYNC, region: 'moon-base-1a' }, "'moon-base-1a' is not an AWS region such as us-east-1"],
  ['region: none at all', 'region', SYNC, 'Set the region input, or AWS_REGION',
    { env: { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined } }],
  ['kms-key-id: a bare word', 'kms-key-id', { ...SYNC, 'kms-key-id': 'prod-secrets' }, "Did you mean 'alias/prod-secrets'?"],
  ['kms-key-id: a broken ARN', 'kms-key-id', { ...SYNC, 'kms-key-id': 'arn:aws:kms:us-east-1:key' },
    'is not a key id (1234abcd-12ab-34cd-56ef-1234567890ab), key ARN, alias (alias/NAME) or alias ARN'],
  // key=value lines
  ['tags: a line without =', 'tags', { ...SYNC, tags: 'team=billing\nproduction' }, "'production' is not a key=value line"],
  ['tags: a key given twice', 'tags', { ...SYNC, tags: 'team=billing\nteam=payments' }, "'team' is given twice"],
  ['tags: the reserved aws: prefix', 'tags', { ...SYNC, tags: 'aws:owner=me' }, "uses the reserved prefix 'aws:'"],
  ['tags: the managed-by key', 'tags', { ...SYNC, tags: 'managed-by=me' }, "tag key 'managed-by' is set by the action itself"],
  ['tags: a character Parameter Store refuses', 'tags', { ...SYNC, tags: 'team=a<b>' },
    'may only contain letters, digits, spaces and _ . : / = + - @'],
  ['tags: too many', 'tags', { ...SYNC, tags: lines(50, (index) => `t${index}=v`) }, '50 tags given; at most 49'],
  ['references: a line without =', 'references', { ...SYNC, references: 'LEGACY' }, "'LEGACY' is not a NAME=valueFrom line"],
  ['references: not a parameter or secret', 'references', { ...SYNC, references: 'LEGACY=https://vault.example/legacy' },
    'is not a parameter name, parameter ARN or Secrets Manager secret ARN'],
  ['references: a bad name', 'references', { ...SYNC, references: 'LEGACY-KEY=/prod/legacy/key' },
    "'LEGACY-KEY' is not a valid environment variable name"],
  ['references: a name that is also synced', 'references', { ...SYNC, references: 'API_KEY=/prod/shared/api-key' },
    "'API_KEY' is also synced from secrets/variables; use one of them"],
  ['log-secret-options: a line without =', 'log-secret-options', { ...BATCH, 'log-secret-options': 'splunk-token' },
    "'splunk-token' is not a OPTION=NAME line"],
  ['log-secret-options: an unknown secret', 'log-secret-options', { ...BATCH, 'log-secret-options': 'splunk-token=SPLUNK' },
    "'SPLUNK' is neither synced nor in references"],
  ['log-secret-options: a container without a log driver', 'log-secret-options', { ...BATCH, 'log-secret-options': 'splunk-token=API_KEY' },
    "container 'billing-report' has no logConfiguration.logDriver"],
  ['job-parameters: a line without =', 'job-parameters', { ...BATCH, 'job-queue': QUEUE, 'job-parameters': 'day' },
    "'day' is not a key=value line"],
  ['job-tags: reserved prefix', 'job-tags', { ...BATCH, 'job-queue': QUEUE, 'job-tags': 'aws:x=1' }, "uses the reserved prefix 'aws:'"],
  ['job-tags: too many with the run tags', 'job-tags', { ...BATCH, 'job-queue': QUEUE, 'job-tags': lines(48, (index) => `t${index}=v`) },
    "exceed Batch's 50"],
  ['container-overrides: not JSON', 'container-overrides', { ...BATCH, 'job-queue': QUEUE, 'container-overrides': '{command: [x]' },
    'is not valid JSON'],
  ['container-overrides: a list', 'container-overrides', { ...BATCH, 'job-queue': QUEUE, 'container-overrides': '["echo"]' },
    'must be a JSON object'],
  ['container-overrides: a multi-node definition', 'container-overrides', { ...SYNC, 'job-definition': 'mpi', 'job-queue': QUEUE, 'container-overrides': '{"command":["x"]}' },
    'multi-node job definitions take node overrides'],
  ['job-name: not a Batch job name', 'job-name', { ...BATCH, 'job-queue': QUEUE, 'job-name': '-nightly report' },
    'must be 1 to 128 letters, digits, - and _, starting with a letter or digit'],
  // definitions: files and lookups
  ['job-definition: a file that does not exist', 'job-definition', { ...SYNC, 'job-definition': 'deploy/job-definition.json' },
    'is neither a file nor a job definition name, name:revision or ARN'],
  ['job-definition: a file that is not JSON', 'job-definition', { ...SYNC, 'job-definition': 'job.json' },
    "'job.json' is not valid JSON", { files: { 'job.json': '{"jobDefinitionName": "x",' } }],
  ['job-definition: a file without a name', 'job-definition', { ...SYNC, 'job-definition': 'job.json' },
    'has no jobDefinitionName', { files: { 'job.json': JSON.stringify({ type: 'container', containerProperties: { image: 'x' } }) } }],
  ['task-definition: a file that is a list', 'task-definition', { ...SYNC, 'task-definition': 'task.json' },
    'must hold a JSON object (RegisterTaskDefinition or DescribeTaskDefinition shape)', { files: { 'task.json': '[]' } }],
  ['task-definition: a file without a family', 'task-definition', { ...SYNC, 'task-definition': 'task.json' },
    'has no family', { files: { 'task.json': JSON.stringify({ containerDefinitions: [{ name: 'app', image: 'x' }] }) } }],
  ['job-definition: no such definition', 'job-definition', { ...SYNC, 'job-definition': 'billing-reprot' },
    "no ACTIVE revision of job definition 'billing-reprot' in this account and region. Check the name and the region, or give the path of a definition file"],
  ['job-definition: no such revision', 'job-definition', { ...SYNC, 'job-definition': 'billing-report:99' },
    "job definition 'billing-report:99' not found in this account and region. Check the name and the region"],
  ['task-definition: no such family', 'task-definition', { ...SYNC, 'task-definition': 'wbe' },
    "no ACTIVE revision of task definition 'wbe' in this account and region. Check the name and the region"],
  ['task-definition: no such ARN', 'task-definition', { ...SYNC, 'task-definition': 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:42' },
    'not found in this account and region. Check the name and the region'],
  ['job-definition: not a name', 'job-definition', { ...SYNC, 'job-definition': 'billing report' }, 'names: letters, digits, - and _'],
  ['job-definition: a definition without an execution role', 'job-definition', { ...SYNC, 'job-definition': 'no-role' },
    'needs an execution role to read secrets. Give it a role with this policy'],
  ['containers: several and none chosen', 'containers', { ...SYNC, 'job-definition': 'etl' },
    "the definition has 2 containers ('extract', 'load'); name the ones that get the secrets, or '*' for all"],
  ['containers: one that does not exist', 'containers', { ...SYNC, 'job-definition': 'etl', containers: 'transform' },
    "no container 'transform' in the definition; it has 'extract', 'load'"],
  // launch without a definition, and conflicts
  ['job-queue without a definition', 'job-queue', { ...SYNC, 'job-queue': QUEUE }, "needs 'job-definition' or 'task-definition'"],
  ['service without a definition', 'cluster', { ...SYNC, cluster: CLUSTER, service: 'web' }, "needs 'job-definition' or 'task-definition'"],
  ['run-task without a definition', 'run-task', { ...SYNC, 'run-task': 'true' }, "needs 'job-definition' or 'task-definition'"],
  ['containers without a definition', 'containers', { ...SYNC, containers: 'app' }, "needs 'job-definition' or 'task-definition'"],
  ['wait with nothing to launch', 'wait', { ...BATCH, wait: 'true' }, "needs something to launch: 'job-queue', 'service' or 'run-task'"],
  ['job-definition and task-definition both', 'task-definition', { ...SYNC, 'job-definition': 'billing-report', 'task-definition': 'web' },
    "give either 'job-definition' (Batch) or 'task-definition' (ECS), not both"],
  ['service without cluster', 'cluster', { ...ECS, service: 'web' }, "is required with 'service'"],
  ['service and run-task both', 'run-task', { ...ECS, cluster: CLUSTER, service: 'web', 'run-task': 'true' },
    "give either 'service' (redeploy) or 'run-task' (one-off task), not both"],
  ['subnets with a service', 'subnets', { ...ECS, cluster: CLUSTER, service: 'web', subnets: 'subnet-0123456789abcdef0' },
    "applies to 'run-task', not to a service"],
  ['cluster with nothing to run', 'cluster', { ...ECS, cluster: CLUSTER }, "needs 'service' or 'run-task: true'"],
  ['an ECS input with a job definition', 'cluster', { ...BATCH, 'job-queue': QUEUE, cluster: CLUSTER },
    "is for ECS; with 'job-definition' use 'job-queue'"],
  ['a Batch input with a task definition', 'job-queue', { ...ECS, 'job-queue': QUEUE },
    "is for Batch; with 'task-definition' use 'service' or 'run-task'"],
  ['job-name without job-queue', 'job-name', { ...BATCH, 'job-name': 'nightly' }, "needs 'job-queue' (the queue to submit the job to)"],
  ['prune with nothing selected', 'prune', { ...SYNC, include: 'NOTHING_*', prune: 'true' },
    'that would delete every managed parameter under the path'],
  // run-task settings
  ['subnets: not subnet ids', 'subnets', { ...ECS, 'run-task': 'true', subnets: 'net-1' },
    "'net-1' is not an id like subnet-0123456789abcdef0"],
  ['security-groups: not group ids', 'security-groups', { ...ECS, 'run-task': 'true', subnets: 'subnet-0abc', 'security-groups': 'default' },
    "'default' is not an id like sg-0123456789abcdef0"],
  ['assign-public-ip: unknown', 'assign-public-ip', { ...ECS, 'run-task': 'true', subnets: 'subnet-0abc', 'assign-public-ip': 'yes' },
    "'yes' is not one of ENABLED, DISABLED"],
  ['launch-type: unknown', 'launch-type', { ...ECS, 'run-task': 'true', subnets: 'subnet-0abc', 'launch-type': 'SPOT' },
    "'SPOT' is not one of FARGATE, EC2, EXTERNAL, MANAGED_INSTANCES"],
  ['run-task: an awsvpc task without subnets', 'subnets', { ...ECS, 'run-task': 'true' },
    'the task definition uses networkMode awsvpc, so RunTask needs subnets'],
]

export const BAD_INPUTS = ROWS.map(([name, input, inputs, expect, more]) => ({ name, input, inputs, expect, ...more }))
export type BadInputCase = (typeof BAD_INPUTS)[number]
