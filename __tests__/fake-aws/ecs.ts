import { randomBytes, randomInt, randomUUID } from 'node:crypto'
import {
  CLIENT_TOKEN,
  MAX_EVENTS,
  NAME,
  STARTED_BY,
  checkRegistration,
  clientError,
  clusterArn,
  clusterNotFound,
  decodeToken,
  encodeToken,
  invalidParameter,
  lastName,
  optObject,
  parseTaskDefinitionRef,
  readTags,
  serviceArn,
  serviceNotFound,
  secretsOf,
  ssmNames,
  taskArn,
  taskDefinitionArn,
  withDescribeDefaults,
  type StopCode,
  type Tag
} from './ecs-rules.js'
import { callerArn } from './identity.js'
import { AwsError } from './protocols.js'
import { optBool, optList, optString } from './validate.js'
import type { Input, ServiceDefinition, ServiceEnv } from './types.js'

export type { StopCode, Tag as EcsTag } from './ecs-rules.js'

/** A revision as it is stored: the registered members, defaults filled in, plus the output-only ones. */
type StoredDefinition = Input & {
  family: string
  taskDefinitionArn: string
  revision: number
  status: 'ACTIVE' | 'INACTIVE'
  containerDefinitions: Input[]
  compatibilities: string[]
  requiresAttributes: Array<{ name: string }>
  registeredAt: Date
  registeredBy: string
  deregisteredAt?: Date
}

/** A revision as DescribeTaskDefinition returns it, plus its tags (typed optional so a test can cast it). */
export type EcsTaskDefinition = Input & Partial<StoredDefinition & { tags: Tag[] }>

export type DeploymentOutcome =
  | { result: 'COMPLETED' }
  /**
   * The deployment's tasks fail. With the service's circuit breaker enabled the deployment becomes
   * FAILED (and rolls back when the circuit breaker has rollback on); without it the deployment stays
   * IN_PROGRESS, as ECS keeps trying. `rollback`, when given, must agree with the service's
   * deploymentCircuitBreaker: the circuit breaker decides, not the test.
   */
  | { result: 'FAILED'; reason?: string; rollback?: boolean }

/** stepMs: time from one deployment step to the next, default 50 ms; holdInProgress: it stays IN_PROGRESS */
export type DeploymentOutcomeOptions = { stepMs?: number } | { holdInProgress: true }

export interface TaskOutcome {
  /** per container name; containers not listed exit 0 */
  exitCodes: Record<string, number>
  reasons?: Record<string, string>
  /** default 'Essential container in task exited' */
  stoppedReason?: string
  /** default 'EssentialContainerExited' */
  stopCode?: StopCode
}

/** stepMs: time spent in each status before STOPPED, default 20 ms; holdRunning: it stays RUNNING */
export type TaskOutcomeOptions = { stepMs?: number } | { holdRunning: true }

export interface EcsClusterOptions {
  /** registered container instances, default 0: a task with the EC2 launch type needs one */
  containerInstances?: number
}

export interface EcsServiceSeed {
  cluster: string
  serviceName: string
  /** ARN or family:revision; the launch type is FARGATE when it requires FARGATE, EC2 otherwise */
  taskDefinition: string
  /** default 1 */
  desiredCount?: number
  deploymentCircuitBreaker?: { enable: boolean; rollback: boolean }
}

export interface EcsDeployment {
  id: string
  status: 'PRIMARY' | 'ACTIVE'
  taskDefinition: string
  desiredCount: number
  pendingCount: number
  runningCount: number
  failedTasks: number
  createdAt: Date
  updatedAt: Date
  launchType: string
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED'
  rolloutStateReason: string
}

export interface EcsServiceEvent {
  id: string
  createdAt: Date
  message: string
}

/** A service as DescribeServices returns it (tags included), plus its cluster's name. */
export type EcsService = Input & {
  cluster: string
  serviceArn: string
  serviceName: string
  taskDefinition: string
  /** PRIMARY first, then the others newest first */
  deployments: EcsDeployment[]
  /** newest first */
  events: EcsServiceEvent[]
  tags: Tag[]
}

/** A started task as DescribeTasks returns it (tags included), plus its cluster and the RunTask request. */
export type EcsTask = Input & {
  cluster: string
  taskArn: string
  taskDefinitionArn: string
  lastStatus: string
  containers: Input[]
  createdAt: Date
  stoppedReason?: string
  stopCode?: string
  tags: Tag[]
  /** the RunTask members as received, clientToken included (the SDK generates one when none is given) */
  input: Input
}

const SUCCESS_REASON = 'Essential container in task exited'
const CIRCUIT_BREAKER_REASON = 'ECS deployment circuit breaker: tasks failed to start.'
const RESOURCE_INITIALIZATION =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: '

/** `ecs-svc/` and 19 digits. */
const deploymentId = () => `ecs-svc/${randomInt(1, 10)}${Array.from({ length: 18 }, () => randomInt(10)).join('')}`
const taskId = () => randomBytes(16).toString('hex')
const includesTags = (input: Input) => (optList(input, 'include') ?? []).includes('TAGS')

/** DescribeServices and DescribeTasks: what each name or ARN names, or a MISSING failure with its ARN. */
function describeEach(
  refs: unknown[] | undefined,
  what: string,
  find: (name: string) => Input | undefined,
  arnOf: (name: string) => string
): { found: Input[]; failures: Input[] } {
  const names = [...new Set((refs ?? []).map((ref) => lastName(String(ref))))]
  if (names.length === 0) throw invalidParameter(`${what} cannot be empty.`)
  const found = names.map((name) => ({ name, view: find(name) }))
  return {
    found: found.flatMap(({ view }) => (view ? [view] : [])),
    failures: found.filter(({ view }) => !view).map(({ name }) => ({ arn: arnOf(name), reason: 'MISSING' }))
  }
}

function stepOf(options: { stepMs?: number } | object, fallback: number): number {
  const step = 'stepMs' in options ? options.stepMs : undefined
  if (step !== undefined && !(Number.isFinite(step) && step >= 0)) {
    throw new Error(`stepMs must be a number >= 0, got ${step}`)
  }
  return step ?? fallback
}

const circuitBreaker = (svc: StoredService) =>
  svc.deploymentConfiguration.deploymentCircuitBreaker as { enable: boolean; rollback: boolean } | undefined

interface Revision {
  def: StoredDefinition
  tags: Tag[]
}

interface StoredCluster {
  name: string
  containerInstances: number
  /** RunTask client tokens → the task each started */
  tokens: Map<string, string>
}

interface StoredService {
  cluster: string
  name: string
  createdAt: Date
  desiredCount: number
  launchType: string
  deploymentConfiguration: Input
  taskDefinition: string
  /** the PRIMARY (newest) first; all but the newest are ACTIVE */
  deployments: EcsDeployment[]
  /** newest first */
  events: EcsServiceEvent[]
  /** what the newest deployment still has to go through, by time */
  schedule: Array<{ at: number; run: () => void }>
  lastCompleted?: EcsDeployment
}

type TaskStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'DEPROVISIONING' | 'STOPPED'

interface StoredTask {
  id: string
  cluster: string
  def: StoredDefinition
  input: Input
  launchType: string
  createdAt: number
  /** the statuses the task goes through, one every `step` ms from createdAt */
  statuses: TaskStatus[]
  step: number
  /** how the task ends; exitCodes undefined when its containers never started */
  stop?: {
    stoppedReason: string
    stopCode: string
    exitCodes?: Record<string, number>
    reasons: Record<string, string>
  }
  tags: Tag[]
}

export class EcsState {
  private readonly families = new Map<string, Revision[]>()
  private readonly clusters = new Map<string, StoredCluster>()
  private readonly servicesByKey = new Map<string, StoredService>()
  private readonly tasksById = new Map<string, StoredTask>()
  private deploymentOutcome: DeploymentOutcome = { result: 'COMPLETED' }
  private deploymentOptions: DeploymentOutcomeOptions = {}
  private taskOutcome: TaskOutcome = { exitCodes: {} }
  private taskOptions: TaskOutcomeOptions = {}

  constructor(
    private readonly env: ServiceEnv,
    /** whether an SSM parameter of this name exists (secrets are fetched from it when a task starts) */
    private readonly ssmParameterExists: (name: string) => boolean = () => true
  ) {}

  /** Seeds a cluster (CreateCluster is idempotent: adding it again only applies the options); returns its ARN. */
  addCluster(name: string, options: EcsClusterOptions = {}): string {
    if (!NAME.test(name)) throw new Error('A cluster name can be up to 255 letters, numbers, hyphens and underscores.')
    const cluster = this.clusters.get(name) ?? { name, containerInstances: 0, tokens: new Map() }
    cluster.containerInstances = options.containerInstances ?? cluster.containerInstances
    this.clusters.set(name, cluster)
    return clusterArn(this.env, name)
  }

  /** Seeds a service with one PRIMARY deployment that has COMPLETED; returns the service ARN. */
  addService(seed: EcsServiceSeed): string {
    if (!this.clusters.has(seed.cluster)) throw new Error(`No cluster ${seed.cluster}; add it first.`)
    if (!NAME.test(seed.serviceName)) {
      throw new Error('A service name can be up to 255 letters, numbers, hyphens and underscores.')
    }
    const key = `${seed.cluster}/${seed.serviceName}`
    if (this.servicesByKey.has(key)) throw new Error(`Service ${key} exists already.`)
    const def = this.resolve(seed.taskDefinition)?.def
    if (def?.status !== 'ACTIVE') throw new Error(`No ACTIVE task definition ${seed.taskDefinition}.`)
    const now = Date.now()
    const svc: StoredService = {
      cluster: seed.cluster,
      name: seed.serviceName,
      createdAt: new Date(now),
      desiredCount: seed.desiredCount ?? 1,
      launchType: def.compatibilities.includes('FARGATE') ? 'FARGATE' : 'EC2',
      deploymentConfiguration: {
        ...(seed.deploymentCircuitBreaker && { deploymentCircuitBreaker: { ...seed.deploymentCircuitBreaker } }),
        maximumPercent: 200,
        minimumHealthyPercent: 100
      },
      taskDefinition: def.taskDefinitionArn,
      deployments: [],
      events: [],
      schedule: []
    }
    this.completed(svc, this.deploy(svc, def, now), now)
    this.servicesByKey.set(key, svc)
    return serviceArn(this.env, seed.cluster, seed.serviceName)
  }

  /** Registers a revision by the rules of RegisterTaskDefinition. */
  seedTaskDefinition(input: Input): { arn: string; revision: number } {
    const { taskDefinition } = this.registerTaskDefinition(input)
    return { arn: taskDefinition.taskDefinitionArn, revision: taskDefinition.revision }
  }

  /** Every revision (ACTIVE and INACTIVE), by family then revision, with the output-only members and tags. */
  taskDefinitions(family?: string): EcsTaskDefinition[] {
    return this.allRevisions()
      .filter((r) => family === undefined || r.def.family === family)
      .map((r) => ({ ...structuredClone(r.def), tags: structuredClone(r.tags) }))
  }

  /** Every service as it is now, with its deployments and events. */
  services(): EcsService[] {
    const now = Date.now()
    return [...this.servicesByKey.values()].map((svc) => {
      this.advance(svc, now)
      return { ...this.serviceView(svc, true), cluster: svc.cluster } as EcsService
    })
  }

  /** Every started task, oldest first, as it is now, with the RunTask request that started it. */
  tasks(): EcsTask[] {
    const now = Date.now()
    return [...this.tasksById.values()].map(
      (t) => ({ ...this.taskView(t, now, true), cluster: t.cluster, input: structuredClone(t.input) }) as EcsTask
    )
  }

  /** How deployments created from now on end, and how fast they get there. */
  setDeploymentOutcome(outcome: DeploymentOutcome, options: DeploymentOutcomeOptions = {}): void {
    stepOf(options, 0)
    this.deploymentOutcome = structuredClone(outcome)
    this.deploymentOptions = { ...options }
  }

  /** How tasks started from now on end, and how fast they get there. */
  setTaskOutcome(outcome: TaskOutcome, options: TaskOutcomeOptions = {}): void {
    stepOf(options, 0)
    this.taskOutcome = structuredClone(outcome)
    this.taskOptions = { ...options }
  }

  // ---- task definitions ----

  private allRevisions(): Revision[] {
    return [...this.families.keys()].sort().flatMap((f) => this.families.get(f) ?? [])
  }

  /** `family` (its latest ACTIVE revision), `family:revision` or an ARN; INACTIVE revisions only by revision. */
  private resolve(ref: string): Revision | undefined {
    const parsed = parseTaskDefinitionRef(this.env, ref)
    const revisions = (parsed && this.families.get(parsed.family)) ?? []
    if (parsed?.revision !== undefined) return revisions.find((r) => r.def.revision === parsed.revision)
    return revisions.filter((r) => r.def.status === 'ACTIVE').at(-1)
  }

  registerTaskDefinition(input: Input) {
    const { def, family, tags, valueFroms } = checkRegistration(input)
    const revisions = this.families.get(family) ?? []
    // Revisions never repeat: INACTIVE ones count too.
    const revision = Math.max(0, ...revisions.map((r) => r.def.revision)) + 1
    const requires = Array.isArray(def.requiresCompatibilities) ? def.requiresCompatibilities.map(String) : []
    const full: StoredDefinition = {
      ...withDescribeDefaults(def),
      family,
      taskDefinitionArn: taskDefinitionArn(this.env, family, revision),
      revision,
      status: 'ACTIVE',
      // Output only: the capability SSM secrets need ("Pass sensitive data to a container"), not all AWS lists.
      requiresAttributes: valueFroms.some((v) => !v.includes(':secretsmanager:'))
        ? [{ name: 'ecs.capability.secrets.ssm.environment-variables' }]
        : [],
      compatibilities: [...new Set(['EC2', ...requires])],
      registeredAt: new Date(),
      registeredBy: callerArn(this.env)
    }
    this.families.set(family, [...revisions, { def: full, tags }])
    return { taskDefinition: structuredClone(full), tags: structuredClone(tags) }
  }

  describeTaskDefinition(input: Input) {
    const revision = this.resolve(optString(input, 'taskDefinition') ?? '')
    if (!revision) throw clientError('Unable to describe task definition.')
    return {
      taskDefinition: structuredClone(revision.def),
      ...(includesTags(input) && { tags: structuredClone(revision.tags) })
    }
  }

  deregisterTaskDefinition(input: Input) {
    const ref = optString(input, 'taskDefinition') ?? ''
    // Only `family:revision` or an ARN with the revision names one revision.
    const def = parseTaskDefinitionRef(this.env, ref)?.revision === undefined ? undefined : this.resolve(ref)?.def
    if (!def) throw clientError('The specified task definition does not exist.')
    if (def.status === 'ACTIVE') {
      def.status = 'INACTIVE'
      def.deregisteredAt = new Date()
    }
    return { taskDefinition: structuredClone(def) }
  }

  listTaskDefinitions(input: Input) {
    // Despite its name, familyPrefix is matched in full: "The full family name to filter the results with."
    const family = optString(input, 'familyPrefix')
    const status = optString(input, 'status') ?? 'ACTIVE'
    const desc = optString(input, 'sort') === 'DESC'
    const after = decodeToken(optString(input, 'nextToken'))
    const past = (d: StoredDefinition) => {
      if (after === undefined) return true
      const order = d.family < after[0] ? -1 : d.family > after[0] ? 1 : d.revision - after[1]
      return desc ? order < 0 : order > 0
    }
    const all = this.allRevisions().map((r) => r.def)
    const matching = (desc ? all.reverse() : all).filter(
      (d) => d.status === status && (family === undefined || d.family === family) && past(d)
    )
    const page = matching.slice(0, typeof input.maxResults === 'number' ? input.maxResults : 100)
    const last = page.at(-1)
    return {
      taskDefinitionArns: page.map((d) => d.taskDefinitionArn),
      nextToken: matching.length > page.length && last ? encodeToken([last.family, last.revision]) : undefined
    }
  }

  // ---- clusters and tasks ----

  private cluster(ref: string | undefined): StoredCluster {
    const cluster = this.clusters.get(lastName(ref ?? 'default'))
    if (!cluster) throw clusterNotFound()
    return cluster
  }

  /**
   * Why tasks of this definition fail to start, if they do: ECS fetches secrets with the task execution
   * role when the task starts, and fails it when the role is missing or a parameter does not exist.
   */
  private startProblem(def: StoredDefinition, fargate: boolean): string | undefined {
    const secrets = def.containerDefinitions.flatMap((c) => secretsOf(c))
    if (def.executionRoleArn === undefined && secrets.length > 0) {
      return `${RESOURCE_INITIALIZATION}the task definition has no execution role to retrieve the secrets with`
    }
    const missing = secrets
      .map((s) => String(s.valueFrom))
      .filter((ref) => ssmNames(this.env, ref)?.some((n) => this.ssmParameterExists(n)) === false)
    if (missing.length === 0) return undefined
    const list = [...new Set(missing)].join(', ')
    return fargate
      ? `${RESOURCE_INITIALIZATION}unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: ${list}`
      : `Fetching secret data from SSM Parameter Store in ${this.env.region}: invalid parameters: ${list}`
  }

  runTask(input: Input) {
    const cluster = this.cluster(optString(input, 'cluster'))
    const ref = optString(input, 'taskDefinition')
    if (!ref) throw invalidParameter('taskDefinition can not be blank.')
    const clientToken = optString(input, 'clientToken')
    if (clientToken !== undefined && !CLIENT_TOKEN.test(clientToken)) {
      throw invalidParameter('clientToken must be 1 to 64 ASCII characters in the range 33-126.')
    }
    // "If you retry a request that completed successfully using the same client token and the same
    // parameters, the retry succeeds without performing any further actions"; tokens are per cluster.
    const earlier = this.tasksById.get(cluster.tokens.get(clientToken ?? '') ?? '')
    if (earlier) return { tasks: [this.taskView(earlier, earlier.createdAt, true)], failures: [] }
    const def = this.resolve(ref)?.def
    if (!def) throw clientError('TaskDefinition not found.')
    if (def.status !== 'ACTIVE') throw invalidParameter('TaskDefinition is inactive')
    // Without a launch type or capacity provider strategy (and no default strategy on the cluster): EC2.
    const launchType = optString(input, 'launchType') ?? 'EC2'
    if (launchType !== 'EC2' && launchType !== 'FARGATE') {
      throw new AwsError('NotImplementedByFake', `The ${launchType} launch type is not modelled by this fake.`)
    }
    if (launchType === 'FARGATE' && !def.compatibilities.includes('FARGATE')) {
      throw invalidParameter('Task definition does not support launch_type FARGATE.')
    }
    const network = optObject(input, 'networkConfiguration')
    if (def.networkMode === 'awsvpc') {
      const vpc = network && optObject(network, 'awsvpcConfiguration')
      if (!vpc) throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
      if ((optList(vpc, 'subnets') ?? []).length === 0) throw invalidParameter('subnets can not be empty.')
    } else if (network) {
      throw invalidParameter('Network Configuration is not valid for the given networkMode of this task definition.')
    }
    if (launchType === 'EC2' && cluster.containerInstances === 0) {
      throw invalidParameter('No Container Instances were found in your cluster.')
    }
    const tags = readTags(input)
    const startedBy = optString(input, 'startedBy')
    if (startedBy !== undefined && !STARTED_BY.test(startedBy)) {
      throw invalidParameter('startedBy can be up to 128 letters, numbers, hyphens, forward slashes and underscores.')
    }
    const task: StoredTask = {
      id: taskId(),
      cluster: cluster.name,
      def,
      input: structuredClone(input),
      launchType,
      createdAt: Date.now(),
      ...this.lifecycle(def, this.startProblem(def, launchType === 'FARGATE')),
      tags
    }
    this.tasksById.set(task.id, task)
    if (clientToken !== undefined) cluster.tokens.set(clientToken, task.id)
    return { tasks: [this.taskView(task, task.createdAt, true)], failures: [] }
  }

  /**
   * The task's whole life, laid out at launch so that its status only depends on the clock ("Task
   * lifecycle"): awsvpc tasks are PROVISIONING first and DEPROVISIONING last; a task whose secrets
   * cannot be fetched never runs.
   */
  private lifecycle(
    def: StoredDefinition,
    problem: string | undefined
  ): Pick<StoredTask, 'statuses' | 'step' | 'stop'> {
    const { exitCodes, reasons, stoppedReason, stopCode } = this.taskOutcome
    const awsvpc = def.networkMode === 'awsvpc'
    const statuses: TaskStatus[] = [
      ...(awsvpc ? (['PROVISIONING'] as const) : []),
      'PENDING',
      ...(problem === undefined ? (['RUNNING'] as const) : []),
      ...(awsvpc ? (['DEPROVISIONING'] as const) : []),
      'STOPPED'
    ]
    const step = stepOf(this.taskOptions, 20)
    if (problem !== undefined)
      return { statuses, step, stop: { stoppedReason: problem, stopCode: 'TaskFailedToStart', reasons: {} } }
    if ('holdRunning' in this.taskOptions) return { statuses: statuses.slice(0, statuses.indexOf('RUNNING') + 1), step }
    const names = def.containerDefinitions.map((c) => String(c.name))
    return {
      statuses,
      step,
      stop: {
        stoppedReason: stoppedReason ?? SUCCESS_REASON,
        stopCode: stopCode ?? 'EssentialContainerExited',
        exitCodes: Object.fromEntries(names.map((name) => [name, exitCodes[name] ?? 0])),
        reasons: { ...reasons }
      }
    }
  }

  private taskView(task: StoredTask, now: number, includeTags: boolean): Input {
    const elapsed = now - task.createdAt
    const reached = Math.min(task.statuses.length, task.step > 0 ? Math.floor(elapsed / task.step) + 1 : Infinity)
    const timeOf = (s: TaskStatus) => {
      const i = task.statuses.indexOf(s)
      return i >= 0 && i < reached ? new Date(task.createdAt + i * task.step) : undefined
    }
    const startedAt = timeOf('RUNNING')
    const stoppingAt = timeOf('DEPROVISIONING') ?? timeOf('STOPPED')
    const arn = taskArn(this.env, task.cluster, task.id)
    return {
      taskArn: arn,
      clusterArn: clusterArn(this.env, task.cluster),
      taskDefinitionArn: task.def.taskDefinitionArn,
      lastStatus: task.statuses[reached - 1],
      desiredStatus: stoppingAt ? 'STOPPED' : 'RUNNING',
      launchType: task.launchType,
      ...(typeof task.input.startedBy === 'string' && { startedBy: task.input.startedBy }),
      containers: task.def.containerDefinitions.map((c) => {
        const exitCode = task.stop?.exitCodes?.[String(c.name)]
        const reason = task.stop?.reasons[String(c.name)]
        return {
          taskArn: arn,
          name: c.name,
          image: c.image,
          lastStatus: stoppingAt ? 'STOPPED' : startedAt ? 'RUNNING' : 'PENDING',
          ...(stoppingAt && exitCode !== undefined && { exitCode }),
          ...(stoppingAt && reason !== undefined && { reason })
        }
      }),
      createdAt: new Date(task.createdAt),
      ...(startedAt && { startedAt }),
      ...(stoppingAt &&
        task.stop && { stopCode: task.stop.stopCode, stoppedReason: task.stop.stoppedReason, stoppingAt }),
      ...(timeOf('STOPPED') && { stoppedAt: timeOf('STOPPED') }),
      ...(includeTags && { tags: structuredClone(task.tags) })
    }
  }

  describeTasks(input: Input) {
    const cluster = this.cluster(optString(input, 'cluster'))
    const now = Date.now()
    const { found, failures } = describeEach(
      optList(input, 'tasks'),
      'Tasks',
      (id) => {
        const task = this.tasksById.get(id)
        return task?.cluster === cluster.name ? this.taskView(task, now, includesTags(input)) : undefined
      },
      (id) => taskArn(this.env, cluster.name, id)
    )
    return { tasks: found, failures }
  }

  // ---- services ----

  private service(cluster: StoredCluster, ref: string): StoredService | undefined {
    return this.servicesByKey.get(`${cluster.name}/${lastName(ref)}`)
  }

  private addEvent(svc: StoredService, at: number, message: string): void {
    svc.events.unshift({ id: randomUUID(), createdAt: new Date(at), message })
    svc.events.splice(MAX_EVENTS)
  }

  private scheduleAt(svc: StoredService, at: number, run: () => void): void {
    const i = svc.schedule.findIndex((s) => s.at > at)
    svc.schedule.splice(i < 0 ? svc.schedule.length : i, 0, { at, run })
  }

  /** Plays the service's schedule up to `now`. */
  private advance(svc: StoredService, now: number): void {
    for (let next = svc.schedule[0]; next !== undefined && next.at <= now; next = svc.schedule[0]) {
      svc.schedule.shift()
      next.run()
    }
  }

  /**
   * Starts a new PRIMARY deployment at `at`: the previous PRIMARY becomes ACTIVE and whatever it still
   * had scheduled is dropped; the new one's life, when it has an outcome, is laid out on the schedule.
   */
  private deploy(
    svc: StoredService,
    def: StoredDefinition,
    at: number,
    outcome?: DeploymentOutcome,
    rollingBackTo?: string
  ): EcsDeployment {
    for (const d of svc.deployments) {
      if (d.status === 'PRIMARY') Object.assign(d, { status: 'ACTIVE', updatedAt: new Date(at) })
    }
    svc.schedule = []
    const id = deploymentId()
    const d: EcsDeployment = {
      id,
      status: 'PRIMARY',
      taskDefinition: def.taskDefinitionArn,
      desiredCount: svc.desiredCount,
      pendingCount: 0,
      runningCount: 0,
      failedTasks: 0,
      createdAt: new Date(at),
      updatedAt: new Date(at),
      launchType: svc.launchType,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason:
        rollingBackTo === undefined
          ? `ECS deployment ${id} in progress.`
          : `ECS deployment circuit breaker: rolling back to deploymentId ${rollingBackTo}.`
    }
    svc.deployments.unshift(d)
    svc.taskDefinition = def.taskDefinitionArn
    if (outcome === undefined) return d
    const name = svc.name
    const step = stepOf(this.deploymentOptions, 50)
    this.scheduleAt(svc, at + step, () =>
      Object.assign(d, { pendingCount: d.desiredCount, updatedAt: new Date(at + step) })
    )
    if ('holdInProgress' in this.deploymentOptions && rollingBackTo === undefined) return d
    const endAt = at + 2 * step
    this.scheduleAt(svc, endAt, () => {
      if (outcome.result === 'COMPLETED') return this.completed(svc, d, endAt)
      const reason = outcome.reason ?? CIRCUIT_BREAKER_REASON
      Object.assign(d, { pendingCount: 0, failedTasks: Math.max(1, d.desiredCount), updatedAt: new Date(endAt) })
      const cb = circuitBreaker(svc)
      if (!cb?.enable) {
        // Without the circuit breaker ECS keeps trying: the deployment never fails.
        this.addEvent(
          svc,
          endAt,
          `(service ${name}) is unable to consistently start tasks successfully. For more information, see the ` +
            'Troubleshooting section of the Amazon ECS Developer Guide.'
        )
        return
      }
      Object.assign(d, { rolloutState: 'FAILED', rolloutStateReason: reason })
      const what = reason.replace(/^ECS deployment circuit breaker: /, '')
      this.addEvent(svc, endAt, `(service ${name}) (deployment ${id}) deployment failed: ${what}`)
      const target = svc.lastCompleted
      const targetDef = target && this.resolve(target.taskDefinition)?.def
      if (!cb.rollback || !target || !targetDef) return
      this.addEvent(svc, endAt, `(service ${name}) rolling back to deployment ${target.id}.`)
      this.deploy(svc, targetDef, endAt, { result: 'COMPLETED' }, target.id)
    })
    return d
  }

  /** The deployment reaches its desired count; the older deployments' tasks are drained and they go away. */
  private completed(svc: StoredService, d: EcsDeployment, at: number): void {
    Object.assign(d, {
      pendingCount: 0,
      runningCount: d.desiredCount,
      rolloutState: 'COMPLETED',
      updatedAt: new Date(at)
    })
    d.rolloutStateReason = `ECS deployment ${d.id} completed.`
    svc.deployments = [d]
    svc.lastCompleted = d
    this.addEvent(svc, at, `(service ${svc.name}) (deployment ${d.id}) deployment completed.`)
    this.addEvent(svc, at, `(service ${svc.name}) has reached a steady state.`)
  }

  private serviceView(svc: StoredService, includeTags: boolean): Input {
    const { cluster, name, schedule: _s, lastCompleted: _l, ...rest } = svc
    return {
      ...structuredClone(rest),
      serviceArn: serviceArn(this.env, cluster, name),
      serviceName: name,
      clusterArn: clusterArn(this.env, cluster),
      status: 'ACTIVE',
      runningCount: svc.deployments.reduce((n, d) => n + d.runningCount, 0),
      pendingCount: svc.deployments.reduce((n, d) => n + d.pendingCount, 0),
      ...(includeTags && { tags: [] })
    }
  }

  updateService(input: Input) {
    const cluster = this.cluster(optString(input, 'cluster'))
    const svc = this.service(cluster, optString(input, 'service') ?? '')
    if (!svc) throw serviceNotFound()
    const now = Date.now()
    this.advance(svc, now)
    const ref = optString(input, 'taskDefinition')
    const def = this.resolve(ref ?? svc.taskDefinition)?.def
    if (!def) throw clientError('TaskDefinition not found.')
    if (def.status !== 'ACTIVE' && ref !== undefined) throw invalidParameter('TaskDefinition is inactive')
    // The same task definition without forceNewDeployment: nothing to deploy.
    if (def.taskDefinitionArn === svc.taskDefinition && optBool(input, 'forceNewDeployment') !== true) {
      return { service: this.serviceView(svc, false) }
    }
    const outcome = this.deploymentOutcome
    const cb = circuitBreaker(svc)
    if (
      outcome.result === 'FAILED' &&
      outcome.rollback !== undefined &&
      outcome.rollback !== (cb?.enable === true && cb.rollback)
    ) {
      // A test set-up mistake, not an AWS error: the circuit breaker decides whether ECS rolls back.
      throw new Error(
        `fake-aws: setDeploymentOutcome asks for rollback: ${outcome.rollback}, but service ${svc.name} has ` +
          `deploymentCircuitBreaker ${JSON.stringify(cb ?? null)}`
      )
    }
    const failsToStart = this.startProblem(def, svc.launchType === 'FARGATE') !== undefined
    this.deploy(svc, def, now, failsToStart ? { result: 'FAILED' } : outcome)
    return { service: this.serviceView(svc, false) }
  }

  describeServices(input: Input) {
    const cluster = this.cluster(optString(input, 'cluster'))
    const now = Date.now()
    const { found, failures } = describeEach(
      optList(input, 'services'),
      'Services',
      (name) => {
        const svc = this.service(cluster, name)
        if (!svc) return undefined
        this.advance(svc, now)
        return this.serviceView(svc, includesTags(input))
      },
      (name) => serviceArn(this.env, cluster.name, name)
    )
    return { services: found, failures }
  }
}

export function createEcs(
  env: ServiceEnv,
  hooks: { ssmParameterExists?: (name: string) => boolean } = {}
): { definition: ServiceDefinition; state: EcsState } {
  const state = new EcsState(env, hooks.ssmParameterExists)
  const definition: ServiceDefinition = {
    service: 'ecs',
    protocol: 'awsJson1_1',
    targetPrefix: 'AmazonEC2ContainerServiceV20141113',
    serverErrorCode: 'ServerException',
    writeOperations: ['RegisterTaskDefinition', 'DeregisterTaskDefinition', 'UpdateService', 'RunTask'],
    operations: {
      RegisterTaskDefinition: (i) => state.registerTaskDefinition(i),
      DescribeTaskDefinition: (i) => state.describeTaskDefinition(i),
      DeregisterTaskDefinition: (i) => state.deregisterTaskDefinition(i),
      ListTaskDefinitions: (i) => state.listTaskDefinitions(i),
      UpdateService: (i) => state.updateService(i),
      DescribeServices: (i) => state.describeServices(i),
      RunTask: (i) => state.runTask(i),
      DescribeTasks: (i) => state.describeTasks(i)
    }
  }
  return { definition, state }
}
