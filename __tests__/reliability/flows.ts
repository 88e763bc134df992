// The flows the fault matrix, partial-failure and concurrency cases run: what each seeds, which
// inputs it gives, what state a successful run must leave, and how many launches a run made.
import type { FakeAws } from '../fake-aws/index.js'
import {
  batchDefinition,
  CLUSTER,
  deploymentIds,
  latestActiveJobDefinition,
  latestActiveTaskDefinition,
  MANAGED,
  parameterArn,
  parameterProblems,
  PATH,
  QUEUE,
  secretsProblems,
  seedProtected,
  SERVICE,
  SUBNET,
  taskDefinition
} from './fixtures.js'

export type LaunchKind = 'batch-job' | 'ecs-service' | 'ecs-task'

export interface FlowValues {
  secrets: Record<string, string>
  variables: Record<string, string>
}

/** What a flow remembers between its runs (deployment ids seen before a run). */
export interface FlowMemory {
  deployments: Set<string>
}

export interface Flow {
  name: string
  /** the operations this flow calls that the fault matrix aims at */
  operations: FlowOperation[]
  launch?: LaunchKind
  seed(fake: FakeAws): void
  inputs(values: FlowValues): Record<string, string>
  /** why the state is not what a successful run with `values` leaves, or [] */
  verify(fake: FakeAws, values: FlowValues): string[]
  /**
   * Checks that a request answered after the client gave up can upset for a while (an identical
   * revision registered late): keep-revisions, and the service running the latest revision. They
   * must hold after a fault-free re-run.
   */
  settled?(fake: FakeAws): string[]
}

export interface FlowOperation {
  operation: string
  /**
   * a fault that must happen first for the operation to be called at all (ListJobs is only used to
   * look a job up after SubmitJob lost its answer)
   */
  after?: { operation: string; kind: 'drop-after' }
}

export const VALUES_A: FlowValues = {
  secrets: { DB_PASSWORD: 'a-db-password-1', API_KEY: 'a-api-key-1', NEW_TOKEN: 'a-new-token-1' },
  variables: { LOG_LEVEL: 'info' }
}
export const VALUES_B: FlowValues = {
  secrets: { DB_PASSWORD: 'b-db-password-2', API_KEY: 'b-api-key-2', NEW_TOKEN: 'b-new-token-2' },
  variables: { LOG_LEVEL: 'debug' }
}

const USER_TAGS = 'team=billing\nenvironment=prod'
const USER_TAG_MAP = { team: 'billing', environment: 'prod' }

function keysOf(values: FlowValues): string[] {
  return [...Object.keys(values.secrets), ...Object.keys(values.variables)]
}

function syncInputs(values: FlowValues): Record<string, string> {
  return {
    secrets: JSON.stringify(values.secrets),
    variables: JSON.stringify(values.variables),
    path: PATH,
    tags: USER_TAGS
  }
}

/** An earlier state: one value to rotate, one already right, one stale managed parameter. */
function seedExisting(fake: FakeAws): void {
  seedProtected(fake)
  fake.ssm.put({ name: `${PATH}DB_PASSWORD`, value: 'old-db-password', type: 'SecureString', tags: MANAGED })
  // Unchanged, so not rewritten: tags are applied when a value is written.
  fake.ssm.put({
    name: `${PATH}API_KEY`,
    value: VALUES_A.secrets.API_KEY ?? '',
    type: 'SecureString',
    tags: { ...MANAGED, ...USER_TAG_MAP }
  })
  fake.ssm.put({ name: `${PATH}STALE`, value: 'stale-1', type: 'SecureString', tags: MANAGED })
}

function seedRotation(fake: FakeAws): void {
  seedProtected(fake)
  for (const [key, value] of Object.entries(VALUES_B.secrets)) {
    fake.ssm.put({ name: `${PATH}${key}`, value, type: 'SecureString', tags: { ...MANAGED, ...USER_TAG_MAP } })
  }
  for (const [key, value] of Object.entries(VALUES_B.variables)) {
    fake.ssm.put({ name: `${PATH}${key}`, value, type: 'String', tags: { ...MANAGED, ...USER_TAG_MAP } })
  }
}

const referencesAll = (values: FlowValues) =>
  keysOf(values).map((key) => ({ name: key, valueFrom: parameterArn(`${PATH}${key}`) }))

function batchProblems(fake: FakeAws, values: FlowValues, name: string): string[] {
  const latest = latestActiveJobDefinition(fake, name)
  if (!latest) return [`no ACTIVE revision of ${name}`]
  const container = latest.containerProperties as { secrets?: { name: string; valueFrom: string }[] }
  return secretsProblems(`job definition ${name}:${latest.revision}`, container.secrets, keysOf(values))
}

type ContainerSecrets = { secrets?: { name: string; valueFrom: string }[] }[]

function ecsProblems(fake: FakeAws, values: FlowValues, family: string): string[] {
  const latest = latestActiveTaskDefinition(fake, family)
  if (!latest) return [`no ACTIVE revision of ${family}`]
  const [app] = (latest.containerDefinitions ?? []) as ContainerSecrets
  return secretsProblems(`task definition ${family}:${latest.revision}`, app?.secrets, keysOf(values))
}

/** The service runs a revision that references the secrets. */
function serviceProblems(fake: FakeAws, values: FlowValues): string[] {
  const service = fake.ecs.services().find((candidate) => candidate.serviceName === SERVICE)
  const running = fake.ecs
    .taskDefinitions()
    .find((definition) => definition.taskDefinitionArn === service?.taskDefinition)
  const [app] = (running?.containerDefinitions ?? []) as ContainerSecrets
  return secretsProblems(`the task definition service ${SERVICE} runs`, app?.secrets, keysOf(values))
}

function keepProblems(active: number, name: string, keep: number): string[] {
  return active > keep ? [`${active} ACTIVE revisions of ${name}, keep-revisions ${keep}`] : []
}

const activeJobDefinitions = (fake: FakeAws, name: string) =>
  fake.batch.definitions(name).filter((definition) => definition.status === 'ACTIVE').length
const activeTaskDefinitions = (fake: FakeAws, family: string) =>
  fake.ecs.taskDefinitions(family).filter((definition) => definition.status === 'ACTIVE').length

function runsLatest(fake: FakeAws): string[] {
  const latest = latestActiveTaskDefinition(fake, 'web')
  const service = fake.ecs.services().find((candidate) => candidate.serviceName === SERVICE)
  return service?.taskDefinition === latest?.taskDefinitionArn
    ? []
    : [`service ${SERVICE} runs ${service?.taskDefinition}, not the latest revision ${latest?.taskDefinitionArn}`]
}

const syncVerify = (fake: FakeAws, values: FlowValues, pruned: boolean): string[] => [
  ...parameterProblems(fake, { ...values, tags: USER_TAG_MAP }),
  ...(pruned && fake.ssm.get(`${PATH}STALE`) ? [`${PATH}STALE was not pruned`] : [])
]

const ssmOperations = ['GetParameters', 'PutParameter', 'AddTagsToResource'].map((operation) => ({ operation }))

export const FLOWS: Flow[] = [
  {
    name: 'sync',
    operations: [...ssmOperations, { operation: 'DescribeParameters' }, { operation: 'DeleteParameters' }],
    seed: seedExisting,
    inputs: (values) => ({ ...syncInputs(values), prune: 'true' }),
    verify: (fake, values) => syncVerify(fake, values, true)
  },
  {
    name: 'sync-first',
    operations: [{ operation: 'GetParameters' }, { operation: 'GetCallerIdentity' }, { operation: 'PutParameter' }],
    seed: seedProtected,
    inputs: syncInputs,
    verify: (fake, values) => syncVerify(fake, values, false)
  },
  {
    name: 'batch',
    launch: 'batch-job',
    operations: [
      ...ssmOperations,
      { operation: 'DescribeJobDefinitions' },
      { operation: 'RegisterJobDefinition' },
      { operation: 'DeregisterJobDefinition' },
      { operation: 'SubmitJob' },
      { operation: 'ListJobs', after: { operation: 'SubmitJob', kind: 'drop-after' } },
      { operation: 'DescribeJobs' }
    ],
    seed(fake) {
      seedExisting(fake)
      fake.batch.addQueue(QUEUE)
      fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { stepMs: 0 })
      // The current revision references the stale parameter that the prune deletes.
      const stale = [{ name: 'STALE', valueFrom: parameterArn(`${PATH}STALE`) }]
      fake.batch.seedDefinition(batchDefinition())
      fake.batch.seedDefinition({
        ...batchDefinition('billing-report', stale),
        tags: { team: 'billing', revision: 'two' }
      })
    },
    inputs: (values) => ({
      ...syncInputs(values),
      prune: 'true',
      'job-definition': 'billing-report',
      'job-queue': QUEUE,
      'keep-revisions': '2',
      wait: 'true'
    }),
    verify: (fake, values) => [...syncVerify(fake, values, true), ...batchProblems(fake, values, 'billing-report')],
    settled: (fake) => keepProblems(activeJobDefinitions(fake, 'billing-report'), 'billing-report', 2)
  },
  {
    // Only a value rotates: the definition stays, and a job with a name the user chose (one already
    // used by an earlier run) must still be submitted exactly once.
    name: 'batch-rotation',
    launch: 'batch-job',
    operations: [
      { operation: 'SubmitJob' },
      { operation: 'ListJobs', after: { operation: 'SubmitJob', kind: 'drop-after' } },
      { operation: 'DescribeJobs', after: { operation: 'SubmitJob', kind: 'drop-after' } }
    ],
    seed(fake) {
      seedRotation(fake)
      fake.batch.addQueue(QUEUE)
      fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { stepMs: 0 })
      const { arn } = fake.batch.seedDefinition(batchDefinition('nightly', referencesAll(VALUES_B)))
      fake.batch.submitJob(
        { jobName: 'nightly-report', jobQueue: QUEUE, jobDefinition: arn },
        { region: fake.region, accountId: fake.accountId, requestId: 'seed' }
      )
    },
    inputs: (values) => ({
      ...syncInputs(values),
      'job-definition': 'nightly',
      'job-queue': QUEUE,
      'job-name': 'nightly-report'
    }),
    verify: (fake, values) => [...syncVerify(fake, values, false), ...batchProblems(fake, values, 'nightly')]
  },
  {
    name: 'ecs-service',
    launch: 'ecs-service',
    operations: [
      ...ssmOperations,
      { operation: 'DescribeTaskDefinition' },
      { operation: 'RegisterTaskDefinition' },
      { operation: 'ListTaskDefinitions' },
      { operation: 'DeregisterTaskDefinition' },
      { operation: 'UpdateService' },
      { operation: 'DescribeServices' }
    ],
    seed(fake) {
      seedExisting(fake)
      fake.ecs.addCluster(CLUSTER)
      fake.ecs.setDeploymentOutcome({ result: 'COMPLETED' }, { stepMs: 0 })
      fake.ecs.seedTaskDefinition(taskDefinition())
      const { arn } = fake.ecs.seedTaskDefinition({ ...taskDefinition(), cpu: '512', memory: '1024' })
      fake.ecs.addService({
        cluster: CLUSTER,
        serviceName: SERVICE,
        taskDefinition: arn,
        deploymentCircuitBreaker: { enable: true, rollback: true }
      })
    },
    inputs: (values) => ({
      ...syncInputs(values),
      'task-definition': 'web',
      cluster: CLUSTER,
      service: SERVICE,
      'keep-revisions': '2',
      wait: 'true'
    }),
    verify: (fake, values) => [
      ...syncVerify(fake, values, false),
      ...ecsProblems(fake, values, 'web'),
      ...serviceProblems(fake, values)
    ],
    settled: (fake) => [...keepProblems(activeTaskDefinitions(fake, 'web'), 'web', 2), ...runsLatest(fake)]
  },
  {
    // Only a value rotates: the service gets a new deployment of the same revision, whose earlier
    // deployment is minutes old at most.
    name: 'ecs-service-rotation',
    launch: 'ecs-service',
    operations: [
      { operation: 'UpdateService' },
      { operation: 'DescribeServices', after: { operation: 'UpdateService', kind: 'drop-after' } }
    ],
    seed(fake) {
      seedRotation(fake)
      fake.ecs.addCluster(CLUSTER)
      fake.ecs.setDeploymentOutcome({ result: 'COMPLETED' }, { stepMs: 0 })
      const { arn } = fake.ecs.seedTaskDefinition(taskDefinition('web', referencesAll(VALUES_B)))
      fake.ecs.addService({ cluster: CLUSTER, serviceName: SERVICE, taskDefinition: arn })
    },
    inputs: (values) => ({ ...syncInputs(values), 'task-definition': 'web', cluster: CLUSTER, service: SERVICE }),
    verify: (fake, values) => [
      ...syncVerify(fake, values, false),
      ...ecsProblems(fake, values, 'web'),
      ...serviceProblems(fake, values)
    ],
    settled: runsLatest
  },
  {
    name: 'ecs-task',
    launch: 'ecs-task',
    operations: [
      { operation: 'GetParameters' },
      { operation: 'PutParameter' },
      { operation: 'DescribeTaskDefinition' },
      { operation: 'RegisterTaskDefinition' },
      { operation: 'RunTask' },
      { operation: 'DescribeTasks' }
    ],
    seed(fake) {
      seedExisting(fake)
      fake.ecs.addCluster(CLUSTER)
      fake.ecs.setTaskOutcome({ exitCodes: {} }, { stepMs: 0 })
      fake.ecs.seedTaskDefinition(taskDefinition('migrate'))
    },
    inputs: (values) => ({
      ...syncInputs(values),
      'task-definition': 'migrate',
      cluster: CLUSTER,
      'run-task': 'true',
      'launch-type': 'FARGATE',
      subnets: SUBNET,
      wait: 'true'
    }),
    verify: (fake, values) => [...syncVerify(fake, values, false), ...ecsProblems(fake, values, 'migrate')]
  }
]

export function flowNamed(name: string): Flow {
  const flow = FLOWS.find((candidate) => candidate.name === name)
  if (!flow) throw new Error(`no flow ${name}`)
  return flow
}

/** What a run is told about itself: GitHub gives a re-run the same run id and the next attempt. */
export function runEnv(attempt: number): Record<string, string> {
  return { GITHUB_RUN_ID: '1234', GITHUB_RUN_ATTEMPT: String(attempt) }
}

export function memory(fake: FakeAws): FlowMemory {
  return { deployments: deploymentIds(fake) }
}

/** How many jobs, service deployments or tasks the run with `attempt` started. */
export function launchesBy(fake: FakeAws, kind: LaunchKind, attempt: number, before: FlowMemory): number {
  switch (kind) {
    case 'batch-job':
      return fake.batch
        .jobs()
        .filter((job) => (job.tags as Record<string, string> | undefined)?.['github-run-attempt'] === String(attempt))
        .length
    case 'ecs-task':
      return fake.ecs.tasks().filter((task) => task.startedBy === `github-1234-${attempt}`).length
    case 'ecs-service':
      return [...deploymentIds(fake)].filter((id) => !before.deployments.has(id)).length
  }
}
