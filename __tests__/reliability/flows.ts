// The flows the fault matrix, partial-failure and concurrency cases run: what each seeds and which
// inputs it gives. From the inputs follow what it launches and the state a successful run must leave.
import type { FakeAws } from '../fake-aws/index.js'
import {
  addService,
  batchDefinition,
  CLUSTER,
  latestActive,
  LEGACY,
  MANAGED,
  parameterArn,
  parameterProblems,
  PATH,
  QUEUE,
  RUN_TASK,
  seedCluster,
  seedProtected,
  seedQueue,
  seedRunTask,
  SERVICE,
  taskDefinition
} from './fixtures.js'

export type LaunchKind = 'batch-job' | 'ecs-service' | 'ecs-task'

export interface FlowValues {
  secrets: Record<string, string>
  variables: Record<string, string>
}

interface FlowSpec {
  name: string
  /**
   * The operations the fault matrix aims at, space-separated. `ListJobs<SubmitJob` is called only
   * after SubmitJob lost its answer (ListJobs looks the job up).
   */
  operations: string
  seed(fake: FakeAws): void
  /** the inputs beyond the secrets, variables, path and tags every flow gives */
  inputs: Record<string, string>
}

export const VALUES_A: FlowValues = {
  secrets: { DB_PASSWORD: 'a-db-password-1', API_KEY: 'a-api-key-1', NEW_TOKEN: 'a-new-token-1' },
  variables: { LOG_LEVEL: 'info' }
}
export const VALUES_B: FlowValues = {
  secrets: { DB_PASSWORD: 'b-db-password-2', API_KEY: 'b-api-key-2', NEW_TOKEN: 'b-new-token-2' },
  variables: { LOG_LEVEL: 'debug' }
}

const USER_TAGS = { team: 'billing', environment: 'prod' }
const TAGGED = { ...MANAGED, ...USER_TAGS }
const keysOf = (values: FlowValues) => [...Object.keys(values.secrets), ...Object.keys(values.variables)]
type Type = 'SecureString' | 'String'
function put(fake: FakeAws, values: Record<string, string>, tags = MANAGED, type: Type = 'SecureString'): void {
  for (const [key, value] of Object.entries(values)) fake.ssm.put({ name: `${PATH}${key}`, value, type, tags })
}

/** An earlier state: one value to rotate, one already right, one stale managed parameter. */
function seedExisting(fake: FakeAws): void {
  seedProtected(fake)
  put(fake, { DB_PASSWORD: 'old-db-password', STALE: 'stale-1' })
  // Unchanged, so not rewritten: tags are applied when a value is written.
  put(fake, { API_KEY: VALUES_A.secrets.API_KEY as string }, TAGGED)
}

/** Only values rotate: every parameter holds run B's value, which the definition references. */
function seedRotation(fake: FakeAws): { name: string; valueFrom: string }[] {
  seedProtected(fake)
  put(fake, VALUES_B.secrets, TAGGED)
  put(fake, VALUES_B.variables, TAGGED, 'String')
  return keysOf(VALUES_B).map((key) => ({ name: key, valueFrom: parameterArn(`${PATH}${key}`) }))
}

const SSM = 'GetParameters PutParameter AddTagsToResource'
const SERVICE_INPUTS = { 'task-definition': 'web', cluster: CLUSTER, service: SERVICE }

const SPECS: FlowSpec[] = [
  {
    name: 'sync',
    operations: `${SSM} DescribeParameters DeleteParameters`,
    seed: seedExisting,
    inputs: { prune: 'true' }
  },
  { name: 'sync-first', operations: 'GetParameters GetCallerIdentity PutParameter', seed: seedProtected, inputs: {} },
  {
    name: 'batch',
    operations: `${SSM} DescribeJobDefinitions RegisterJobDefinition DeregisterJobDefinition SubmitJob ListJobs<SubmitJob DescribeJobs`,
    seed(fake) {
      seedExisting(fake)
      seedQueue(fake)
      // The current revision references the stale parameter that the prune deletes.
      const stale = [{ name: 'STALE', valueFrom: parameterArn(`${PATH}STALE`) }]
      fake.batch.seedDefinition(batchDefinition())
      fake.batch.seedDefinition({
        ...batchDefinition('billing-report', stale),
        tags: { team: 'billing', revision: 'two' }
      })
    },
    inputs: {
      prune: 'true',
      'job-definition': 'billing-report',
      'job-queue': QUEUE,
      'keep-revisions': '2',
      wait: 'true'
    }
  },
  {
    // The definition stays, and a job with a name the user chose (one already used by an earlier
    // run) must still be submitted exactly once.
    name: 'batch-rotation',
    operations: 'SubmitJob ListJobs<SubmitJob DescribeJobs<SubmitJob',
    seed(fake) {
      const references = seedRotation(fake)
      seedQueue(fake)
      const { arn } = fake.batch.seedDefinition(batchDefinition('nightly', references))
      const context = { region: fake.region, accountId: fake.accountId, requestId: 'seed' }
      fake.batch.submitJob({ jobName: 'nightly-report', jobQueue: QUEUE, jobDefinition: arn }, context)
    },
    inputs: { 'job-definition': 'nightly', 'job-queue': QUEUE, 'job-name': 'nightly-report' }
  },
  {
    name: 'ecs-service',
    operations: `${SSM} DescribeTaskDefinition RegisterTaskDefinition ListTaskDefinitions DeregisterTaskDefinition UpdateService DescribeServices`,
    seed(fake) {
      seedExisting(fake)
      seedCluster(fake)
      fake.ecs.seedTaskDefinition(taskDefinition())
      addService(fake, fake.ecs.seedTaskDefinition({ ...taskDefinition(), cpu: '512', memory: '1024' }).arn)
    },
    inputs: { ...SERVICE_INPUTS, 'keep-revisions': '2', wait: 'true' }
  },
  {
    // The service gets a new deployment of the same revision, whose earlier deployment is minutes old at most.
    name: 'ecs-service-rotation',
    operations: 'UpdateService DescribeServices<UpdateService',
    seed(fake) {
      const references = seedRotation(fake)
      seedCluster(fake)
      addService(fake, fake.ecs.seedTaskDefinition(taskDefinition('web', references)).arn, false)
    },
    inputs: SERVICE_INPUTS
  },
  {
    name: 'ecs-task',
    operations: 'GetParameters PutParameter DescribeTaskDefinition RegisterTaskDefinition RunTask DescribeTasks',
    seed(fake) {
      seedExisting(fake)
      seedRunTask(fake, { exitCodes: {} })
    },
    inputs: RUN_TASK
  }
]

type Secrets = { name: string; valueFrom: string }[] | undefined

/** The secrets of a Batch definition's container, or of a task definition's first container. */
function secretsIn(definition: unknown): Secrets {
  const { containerProperties, containerDefinitions } = (definition ?? {}) as {
    containerProperties?: { secrets?: Secrets }
    containerDefinitions?: { secrets?: Secrets }[]
  }
  return (containerProperties ?? containerDefinitions?.[0])?.secrets
}

/** Why `secrets` do not reference exactly these keys' parameter ARNs (plus LEGACY), or []. */
function secretsProblems(what: string, secrets: Secrets, keys: readonly string[]): string[] {
  const actual = (secrets ?? []).map((secret) => `${secret.name}=${secret.valueFrom}`).sort()
  const expected = [`${LEGACY.name}=${LEGACY.valueFrom}`, ...keys.map((key) => `${key}=${parameterArn(PATH + key)}`)]
  expected.sort()
  return JSON.stringify(actual) === JSON.stringify(expected)
    ? []
    : [`${what} has secrets ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`]
}

function makeFlow(spec: FlowSpec) {
  const { 'job-definition': job, 'task-definition': family, service, 'keep-revisions': keep } = spec.inputs
  const definition = job ?? family
  const kinds = { 'job-queue': 'batch-job', service: 'ecs-service', 'run-task': 'ecs-task' } as const
  const launch = Object.entries(kinds).find(([input]) => spec.inputs[input])?.[1]
  const revisions = (fake: FakeAws): { status?: string; revision?: number }[] =>
    job ? fake.batch.definitions(job) : family ? fake.ecs.taskDefinitions(family) : []
  const running = (fake: FakeAws) => fake.ecs.services().find((item) => item.serviceName === SERVICE)?.taskDefinition
  return {
    ...spec,
    launch,
    inputs: (values: FlowValues): Record<string, string> => ({
      secrets: JSON.stringify(values.secrets),
      variables: JSON.stringify(values.variables),
      path: PATH,
      tags: 'team=billing\nenvironment=prod',
      ...spec.inputs
    }),
    /** Why the state is not what a successful run with `values` leaves, or []. */
    verify(fake: FakeAws, values: FlowValues): string[] {
      const problems = parameterProblems(fake, { ...values, tags: USER_TAGS })
      if (spec.inputs.prune === 'true' && fake.ssm.get(`${PATH}STALE`)) problems.push(`${PATH}STALE was not pruned`)
      const latest = latestActive(revisions(fake))
      if (definition && !latest) problems.push(`no ACTIVE revision of ${definition}`)
      if (definition && latest) {
        const what = `${job ? 'job' : 'task'} definition ${definition}:${latest.revision}`
        problems.push(...secretsProblems(what, secretsIn(latest), keysOf(values)))
      }
      if (service) {
        const runs = fake.ecs.taskDefinitions().find((item) => item.taskDefinitionArn === running(fake))
        problems.push(
          ...secretsProblems(`the task definition service ${SERVICE} runs`, secretsIn(runs), keysOf(values))
        )
      }
      return problems
    },
    /**
     * What a request answered after the client gave up can upset for a while (an identical revision
     * registered late): keep-revisions, and the service running the latest revision. It must hold
     * after a fault-free re-run.
     */
    settled(fake: FakeAws): string[] {
      const problems: string[] = []
      const active = revisions(fake).filter((item) => item.status === 'ACTIVE').length
      if (keep && active > Number(keep))
        problems.push(`${active} ACTIVE revisions of ${definition}, keep-revisions ${keep}`)
      const latest = latestActive(fake.ecs.taskDefinitions(family))?.taskDefinitionArn
      if (service && running(fake) !== latest) {
        problems.push(`service ${SERVICE} runs ${running(fake)}, not the latest revision ${latest}`)
      }
      return problems
    }
  }
}

export type Flow = ReturnType<typeof makeFlow>
export const FLOWS = SPECS.map(makeFlow)

export function flowNamed(name: string): Flow {
  const flow = FLOWS.find((candidate) => candidate.name === name)
  if (!flow) throw new Error(`no flow ${name}`)
  return flow
}

/** What a run is told about itself: GitHub gives a re-run the same run id and the next attempt. */
export const runEnv = (attempt: number) => ({ GITHUB_RUN_ID: '1234', GITHUB_RUN_ATTEMPT: String(attempt) })

/** Every ECS service deployment id seen so far: current ones and those named in events. */
function deploymentIds(fake: FakeAws): Set<string> {
  const ids = new Set<string>()
  for (const service of fake.ecs.services()) {
    for (const deployment of service.deployments) ids.add(deployment.id)
    for (const event of service.events) {
      const match = /\(deployment ([^)]+)\)/.exec(event.message)
      if (match?.[1]) ids.add(match[1])
    }
  }
  return ids
}

/**
 * Called before a run: the function it returns counts the jobs, service deployments or tasks started
 * since by the run with `attempt` (for a service, by any run: deployments do not carry the attempt).
 */
export function launchCounter(fake: FakeAws, kind: LaunchKind | undefined): (attempt: number) => number {
  const before = deploymentIds(fake)
  const attemptOf = (job: { tags?: unknown }) =>
    (job.tags as Record<string, string> | undefined)?.['github-run-attempt']
  return (attempt) =>
    kind === 'batch-job'
      ? fake.batch.jobs().filter((job) => attemptOf(job) === String(attempt)).length
      : kind === 'ecs-task'
        ? fake.ecs.tasks().filter((task) => task.startedBy === `github-1234-${attempt}`).length
        : kind === 'ecs-service'
          ? [...deploymentIds(fake)].filter((id) => !before.has(id)).length
          : 0
}
