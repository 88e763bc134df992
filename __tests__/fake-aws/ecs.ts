// Amazon ECS state and lifecycles: task definition revisions, service deployments, tasks. What AWS
// accepts and how it describes things is in ecs-rules.ts.
import { randomBytes, randomInt, randomUUID } from 'node:crypto'
import * as rules from './ecs-rules.js'
import { callerArn } from './identity.js'
import { awslogsTarget, type ContainerHooks, type ContainerOutput } from './logs.js'
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
export type EcsTaskDefinition = Input & Partial<StoredDefinition & { tags: rules.Tag[] }>

export type DeploymentOutcome =
  | { result: 'COMPLETED' }
  /**
   * The deployment's tasks fail. With the service's circuit breaker enabled the deployment becomes
   * FAILED (and rolls back when the circuit breaker has rollback on); without it the deployment stays
   * IN_PROGRESS, as ECS keeps trying. `rollback`, when given, must agree with the service's
   * deploymentCircuitBreaker: the circuit breaker decides, not the test.
   */
  | { result: 'FAILED'; reason?: string; rollback?: boolean }

/** stepMs: time from one deployment step to the next (two steps), default 50 ms; or it stays IN_PROGRESS */
export type DeploymentOutcomeOptions = { stepMs?: number } | { holdInProgress: true }

export interface TaskOutcome {
  /** per container name; containers not listed exit 0 */
  exitCodes: Record<string, number>
  reasons?: Record<string, string>
  /** default 'Essential container in task exited' */
  stoppedReason?: string
  /** default 'EssentialContainerExited' */
  stopCode?: rules.StopCode
}

/**
 * stepMs: time spent in each status before STOPPED, default 20 ms; RUNNING lasts at least until the
 * last line of `output`, what each container (by name) prints.
 */
export type TaskOutcomeOptions = { stepMs?: number; output?: Record<string, ContainerOutput> }

export type CapacityProviderItem = { capacityProvider: string; weight?: number; base?: number }

export interface EcsClusterOptions {
  /** how many are registered, default 0; a task with the EC2 launch type needs one */
  containerInstances?: number
  /** default ACTIVE; an INACTIVE cluster is a deleted one that DescribeClusters still shows */
  status?: 'ACTIVE' | 'PROVISIONING' | 'DEPROVISIONING' | 'FAILED' | 'INACTIVE'
  /** default [] */
  capacityProviders?: string[]
  /** default [] */
  defaultCapacityProviderStrategy?: CapacityProviderItem[]
}

export interface EcsServiceSeed {
  cluster: string
  serviceName: string
  /** ARN or family:revision; the launch type is FARGATE when it requires FARGATE, EC2 otherwise */
  taskDefinition: string
  desiredCount?: number
  deploymentCircuitBreaker?: { enable: boolean; rollback: boolean }
  /** default: FARGATE when the task definition requires FARGATE, EC2 otherwise; not with a capacityProviderStrategy */
  launchType?: 'EC2' | 'FARGATE' | 'EXTERNAL'
  capacityProviderStrategy?: CapacityProviderItem[]
  /** default ECS */
  deploymentController?: 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL'
  /** default ACTIVE; DRAINING and INACTIVE are deleted services DescribeServices still shows */
  status?: 'ACTIVE' | 'DRAINING' | 'INACTIVE'
}

export interface EcsDeployment {
  id: string
  status: 'PRIMARY' | 'ACTIVE'
  taskDefinition: string
  desiredCount: number
  pendingCount: number
  runningCount: number
  createdAt: Date
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED'
  rolloutStateReason: string
}

/** A service as DescribeServices returns it, plus its cluster's name. */
export type EcsService = Input & {
  cluster: string
  serviceName: string
  taskDefinition: string
  /** the PRIMARY (newest) first, then the older ones, ACTIVE */
  deployments: EcsDeployment[]
  /** newest first */
  events: Array<{ id: string; createdAt: Date; message: string }>
}

/** A started task as DescribeTasks returns it, plus its cluster and the RunTask request. */
export type EcsTask = Input & {
  cluster: string
  taskArn: string
  lastStatus: string
  /** the RunTask members as received, clientToken included (the SDK generates one when none is given) */
  input: Input
}

type Revision = { def: StoredDefinition; tags: rules.Tag[] }
/** tokens: each RunTask client token → the task it started */
type StoredCluster = Required<EcsClusterOptions> & { name: string; tokens: Map<string, string> }
type StoredService = Pick<EcsService, 'cluster' | 'taskDefinition' | 'deployments' | 'events'> & {
  name: string
  createdAt: Date
  desiredCount: number
  /** how its tasks launch: EC2 or FARGATE, also under a capacity provider strategy */
  launchType: string
  launch: Pick<EcsServiceSeed, 'launchType' | 'capacityProviderStrategy'>
  deploymentController: { type: NonNullable<EcsServiceSeed['deploymentController']> }
  status: NonNullable<EcsServiceSeed['status']>
  breaker?: EcsServiceSeed['deploymentCircuitBreaker']
  /** the PRIMARY deployment while it is IN_PROGRESS and not held: how and when it ends */
  rollout?: { deployment: EcsDeployment; endsAt: number; outcome: DeploymentOutcome } | undefined
  lastCompleted?: EcsDeployment
}
type TaskStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'DEPROVISIONING' | 'STOPPED'
type StoredTask = Pick<EcsTask, 'cluster' | 'input'> & {
  id: string
  def: StoredDefinition
  launchType: string
  createdAt: number
  /** the statuses the task goes through, and when each begins (the first at createdAt) */
  statuses: TaskStatus[]
  at: number[]
  /** how the task ends, once it does */
  stop: Partial<TaskOutcome> & { stoppedReason: string; stopCode: string }
}

/** `ecs-svc/` and 19 digits. */
const deploymentId = () => `ecs-svc/${randomInt(1, 10)}${Array.from({ length: 18 }, () => randomInt(10)).join('')}`

function stepOf(options: { stepMs?: number } | object, fallback: number): number {
  const step = 'stepMs' in options ? options.stepMs : undefined
  if (step !== undefined && !(Number.isFinite(step) && step >= 0)) {
    throw new Error(`stepMs must be a number >= 0, got ${step}`)
  }
  return step ?? fallback
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
    /** secrets are fetched when a task starts; its containers log */
    private readonly hooks: ContainerHooks
  ) {}

  /** Seeds a cluster (CreateCluster is idempotent: adding it again only applies the options); returns its ARN. */
  addCluster(name: string, options: EcsClusterOptions = {}): string {
    if (!rules.NAME.test(name)) throw new Error(`Cluster name ${name}: up to 255 letters, digits, - and _.`)
    const cluster = this.clusters.get(name) ?? {
      name,
      containerInstances: 0,
      status: 'ACTIVE',
      capacityProviders: [],
      defaultCapacityProviderStrategy: [],
      tokens: new Map()
    }
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined))
    this.clusters.set(name, { ...cluster, ...structuredClone(given) })
    return rules.clusterArn(this.env, name)
  }

  /** Seeds a service with one PRIMARY deployment that has COMPLETED; returns the service ARN. */
  addService(seed: EcsServiceSeed): string {
    const key = `${seed.cluster}/${seed.serviceName}`
    if (!this.clusters.has(seed.cluster)) throw new Error(`No cluster ${seed.cluster}; add it first.`)
    if (!rules.NAME.test(seed.serviceName) || this.servicesByKey.has(key)) throw new Error(`Bad or taken: ${key}`)
    const def = this.resolve(seed.taskDefinition)?.def
    if (def?.status !== 'ACTIVE') throw new Error(`No ACTIVE task definition ${seed.taskDefinition}.`)
    const strategy = seed.capacityProviderStrategy
    if (strategy && seed.launchType) throw new Error('A launchType or a capacityProviderStrategy, not both.')
    const fargate = strategy
      ? strategy.some((s) => s.capacityProvider.startsWith('FARGATE'))
      : (seed.launchType ?? (def.compatibilities.includes('FARGATE') ? 'FARGATE' : 'EC2')) === 'FARGATE'
    if (fargate && !def.compatibilities.includes('FARGATE'))
      throw new Error(`${seed.taskDefinition} cannot run on FARGATE.`)
    const now = Date.now()
    const svc: StoredService = {
      cluster: seed.cluster,
      name: seed.serviceName,
      createdAt: new Date(now),
      desiredCount: seed.desiredCount ?? 1, // as CreateService
      launchType: fargate ? 'FARGATE' : 'EC2',
      launch: strategy
        ? { capacityProviderStrategy: structuredClone(strategy) }
        : { launchType: seed.launchType ?? (fargate ? 'FARGATE' : 'EC2') },
      deploymentController: { type: seed.deploymentController ?? 'ECS' },
      status: seed.status ?? 'ACTIVE',
      breaker: seed.deploymentCircuitBreaker,
      taskDefinition: def.taskDefinitionArn,
      deployments: [],
      events: []
    }
    this.completed(svc, this.deploy(svc, def, now, { result: 'COMPLETED' }), now)
    this.servicesByKey.set(key, svc)
    return rules.serviceArn(this.env, seed.cluster, seed.serviceName)
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
    return [...this.servicesByKey.values()].map((svc) => ({
      ...this.serviceView(svc, Date.now()),
      cluster: svc.cluster
    }))
  }

  /** Every started task, oldest first, as it is now, with the RunTask request that started it. */
  tasks(): EcsTask[] {
    const now = Date.now()
    return [...this.tasksById.values()].map((t) => ({
      ...this.taskView(t, now),
      cluster: t.cluster,
      input: structuredClone(t.input)
    }))
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
    const parsed = rules.parseTaskDefinitionRef(this.env, ref)
    const revisions = (parsed && this.families.get(parsed.family)) ?? []
    if (parsed?.revision !== undefined) return revisions.find((r) => r.def.revision === parsed.revision)
    return revisions.filter((r) => r.def.status === 'ACTIVE').at(-1)
  }

  registerTaskDefinition(input: Input) {
    const { def, family, tags, valueFroms } = rules.checkRegistration(input)
    const revisions = this.families.get(family) ?? []
    // Revisions never repeat: INACTIVE ones count too.
    const revision = Math.max(0, ...revisions.map((r) => r.def.revision)) + 1
    const requires = Array.isArray(def.requiresCompatibilities) ? def.requiresCompatibilities.map(String) : []
    const full: StoredDefinition = {
      ...rules.withDescribeDefaults(def),
      family,
      taskDefinitionArn: rules.taskDefinitionArn(this.env, family, revision),
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
    if (!revision) throw rules.clientError('Unable to describe task definition.')
    const tags = (optList(input, 'include') ?? []).includes('TAGS') ? { tags: structuredClone(revision.tags) } : {}
    return { taskDefinition: structuredClone(revision.def), ...tags }
  }

  deregisterTaskDefinition(input: Input) {
    const ref = optString(input, 'taskDefinition') ?? ''
    // Only `family:revision` or an ARN with the revision names one revision.
    const def = rules.parseTaskDefinitionRef(this.env, ref)?.revision ? this.resolve(ref)?.def : undefined
    if (!def) throw rules.clientError('The specified task definition does not exist.')
    if (def.status === 'ACTIVE') Object.assign(def, { status: 'INACTIVE', deregisteredAt: new Date() })
    return { taskDefinition: structuredClone(def) }
  }

  listTaskDefinitions(input: Input) {
    // Despite its name, familyPrefix is matched in full: "The full family name to filter the results with."
    const family = optString(input, 'familyPrefix')
    const status = optString(input, 'status') ?? 'ACTIVE'
    const desc = optString(input, 'sort') === 'DESC'
    const after = rules.decodeToken(optString(input, 'nextToken'))
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
      nextToken: matching.length > page.length && last ? rules.encodeToken(last.family, last.revision) : undefined
    }
  }

  // ---- clusters and tasks ----

  /** For a request that changes it, the cluster must be ACTIVE (DESCRIBE.md 4: "The referenced cluster was inactive."). */
  private cluster(ref: string | undefined, changing = false): StoredCluster {
    const cluster = this.clusters.get(rules.lastName(ref ?? 'default'))
    if (!cluster) throw rules.clusterNotFound()
    if (changing && cluster.status === 'INACTIVE') {
      throw new AwsError('ClusterNotFoundException', 'The referenced cluster was inactive.')
    }
    if (changing && cluster.status !== 'ACTIVE') {
      throw new AwsError('NotModelledByFake', `A request to a ${cluster.status} cluster is not modelled.`)
    }
    return cluster
  }

  /** "If you do not specify a cluster, the default cluster is assumed"; unknown ones fail MISSING. */
  describeClusters(input: Input) {
    if ((optList(input, 'include') ?? []).length > 0) {
      throw new AwsError('NotModelledByFake', 'DescribeClusters include is not modelled.')
    }
    const refs = optList(input, 'clusters') ?? []
    const names = [...new Set((refs.length > 0 ? refs : ['default']).map((ref) => rules.lastName(String(ref))))]
    const now = Date.now()
    const statuses = [...this.tasksById.values()].map((t) => [t.cluster, this.taskView(t, now).lastStatus])
    const count = (name: string, wanted: string[]) =>
      statuses.filter(([cluster, status]) => cluster === name && wanted.includes(String(status))).length
    const found = names.flatMap((name) => {
      const c = this.clusters.get(name)
      if (!c) return []
      const services = [...this.servicesByKey.values()].filter((svc) => svc.cluster === name)
      return {
        clusterArn: rules.clusterArn(this.env, name),
        clusterName: name,
        status: c.status,
        registeredContainerInstancesCount: c.containerInstances,
        runningTasksCount: count(name, ['RUNNING']),
        pendingTasksCount: count(name, ['PROVISIONING', 'PENDING']),
        activeServicesCount: services.filter((svc) => svc.status === 'ACTIVE').length,
        statistics: [],
        tags: [],
        settings: [],
        capacityProviders: [...c.capacityProviders],
        defaultCapacityProviderStrategy: structuredClone(c.defaultCapacityProviderStrategy)
      }
    })
    return {
      clusters: found,
      failures: names
        .filter((name) => !this.clusters.has(name))
        .map((name) => ({ arn: rules.clusterArn(this.env, name), reason: 'MISSING' }))
    }
  }

  /** Why a task of this definition fails to start, if it does ("Pass sensitive data to a container"). */
  private startProblem(def: StoredDefinition, launchType: string, taskId: string): string | undefined {
    return rules.secretsProblem(def, launchType === 'FARGATE', this.env, taskId, this.hooks)
  }

  runTask(input: Input) {
    const cluster = this.cluster(optString(input, 'cluster'), true)
    const clientToken = rules.checkClientToken(input)
    // "If you retry a request that completed successfully using the same client token and the same
    // parameters, the retry succeeds without performing any further actions"; tokens are per cluster.
    const earlier = this.tasksById.get(cluster.tokens.get(clientToken ?? '') ?? '')
    if (earlier) return { tasks: [this.taskView(earlier, earlier.createdAt)], failures: [] }
    const def = this.resolve(optString(input, 'taskDefinition') ?? '')?.def
    if (!def) throw rules.clientError('TaskDefinition not found.')
    const launchType = rules.checkLaunch(input, def, cluster.containerInstances)
    const task = this.storeTask(cluster, def, structuredClone(input), launchType, Date.now())
    if (clientToken !== undefined) cluster.tokens.set(clientToken, task.id)
    return { tasks: [this.taskView(task, task.createdAt)], failures: [] }
  }

  /** A task started at `at`, its life laid out by `lifecycle`. */
  private storeTask(
    cluster: StoredCluster,
    def: StoredDefinition,
    input: Input,
    launchType: string,
    at: number,
    step = stepOf(this.taskOptions, 20)
  ) {
    const id = randomBytes(16).toString('hex')
    const task: StoredTask = {
      id,
      cluster: cluster.name,
      def,
      input,
      launchType,
      createdAt: at,
      ...this.lifecycle(def, id, at, step, this.startProblem(def, launchType, id))
    }
    this.tasksById.set(task.id, task)
    return task
  }

  /**
   * Lays out what each container of a task that runs from `at` prints, in its awslogs stream
   * `<prefix>/<container>/<task id>` (LOGS.md 2.2), created when it runs; without a prefix the stream is
   * named after the Docker container id, modelled as 64 random hex digits. Returns how long it runs.
   */
  private runContainers(def: StoredDefinition, taskId: string, at: number): number {
    const durations = def.containerDefinitions.map((c) => {
      const name = String(c.name)
      const stream = (prefix?: string) => (prefix ? `${prefix}/${name}/${taskId}` : randomBytes(32).toString('hex'))
      const target = awslogsTarget(c, false, stream)
      const value = (valueFrom: string) => rules.secretValue(this.env, valueFrom, this.hooks)
      return this.hooks.logs.run(c, this.taskOptions.output?.[name], at, value, target)
    })
    return Math.max(0, ...durations)
  }

  /**
   * The task's whole life, laid out at launch so that its status only depends on the clock ("Task
   * lifecycle"): awsvpc tasks are PROVISIONING first and DEPROVISIONING last; a task whose secrets
   * cannot be fetched never runs.
   */
  private lifecycle(
    def: StoredDefinition,
    id: string,
    createdAt: number,
    step: number,
    problem: string | undefined
  ): Pick<StoredTask, 'statuses' | 'at' | 'stop'> {
    const [awsvpc, runs] = [def.networkMode === 'awsvpc', problem === undefined]
    const candidates = [awsvpc && 'PROVISIONING', 'PENDING', runs && 'RUNNING', awsvpc && 'DEPROVISIONING', 'STOPPED']
    const statuses = candidates.filter((s): s is TaskStatus => typeof s === 'string')
    const at = [createdAt]
    for (const status of statuses.slice(0, -1)) {
      const start = at.at(-1) ?? createdAt
      at.push(start + (status === 'RUNNING' ? Math.max(step, this.runContainers(def, id, start)) : step))
    }
    const {
      stoppedReason = 'Essential container in task exited',
      stopCode = 'EssentialContainerExited',
      ...exits
    } = this.taskOutcome
    return {
      statuses,
      at,
      stop:
        problem === undefined
          ? structuredClone({ ...exits, stoppedReason, stopCode })
          : { stoppedReason: problem, stopCode: 'TaskFailedToStart' }
    }
  }

  private taskView(task: StoredTask, now: number) {
    const reached = Math.max(1, task.at.filter((t) => t <= now).length)
    const timeOf = (s: TaskStatus) => {
      const i = task.statuses.indexOf(s)
      return i >= 0 && i < reached ? new Date(task.at[i] ?? 0) : undefined
    }
    const [startedAt, stoppedAt] = [timeOf('RUNNING'), timeOf('STOPPED')]
    const stoppingAt = timeOf('DEPROVISIONING') ?? stoppedAt
    const taskArn = rules.taskArn(this.env, task.cluster, task.id)
    const { stopCode, stoppedReason, exitCodes, reasons } = task.stop
    const containers = task.def.containerDefinitions.map(({ name }) => {
      // Containers that never started have no exit code; those the outcome does not name exit 0.
      const exitCode = startedAt && stoppingAt ? (exitCodes?.[String(name)] ?? 0) : undefined
      const reason = stoppingAt && reasons?.[String(name)]
      return {
        name,
        lastStatus: stoppingAt ? 'STOPPED' : startedAt ? 'RUNNING' : 'PENDING',
        exitCode,
        ...(reason && { reason })
      }
    })
    return {
      taskArn,
      taskDefinitionArn: task.def.taskDefinitionArn,
      lastStatus: task.statuses[reached - 1] ?? 'PENDING',
      launchType: task.launchType,
      startedBy: optString(task.input, 'startedBy'),
      group: optString(task.input, 'group'),
      containers,
      createdAt: new Date(task.createdAt),
      ...{ startedAt, stoppingAt, stoppedAt },
      ...(stoppingAt && { stopCode, stoppedReason })
    }
  }

  /**
   * "ListTasks": serviceName "limits the results to tasks that belong to that service"; desiredStatus
   * (default RUNNING) STOPPED lists the tasks ECS has stopped. One page: the action reads at most 100.
   */
  listTasks(input: Input) {
    const cluster = this.cluster(optString(input, 'cluster'))
    const service = optString(input, 'serviceName')
    const wanted = optString(input, 'desiredStatus') ?? 'RUNNING'
    const now = Date.now()
    const taskArns = [...this.tasksById.values()]
      .filter((task) => task.cluster === cluster.name)
      .filter((task) => service === undefined || optString(task.input, 'group') === `service:${service}`)
      .filter((task) => (this.taskView(task, now).lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING') === wanted)
      .map((task) => rules.taskArn(this.env, task.cluster, task.id))
    return { taskArns: taskArns.slice(0, 100) }
  }

  describeTasks(input: Input) {
    return this.describeEach(input, 'tasks', rules.taskArn, (cluster, id, now) => {
      const task = this.tasksById.get(id)
      return task?.cluster === cluster.name ? this.taskView(task, now) : undefined
    })
  }

  /** DescribeServices and DescribeTasks: what each name or ARN names, or a MISSING failure with its ARN. */
  private describeEach(
    input: Input,
    key: 'services' | 'tasks',
    arn: (env: ServiceEnv, cluster: string, name: string) => string,
    find: (cluster: StoredCluster, name: string, now: number) => Input | undefined
  ) {
    const cluster = this.cluster(optString(input, 'cluster'))
    const names = [...new Set((optList(input, key) ?? []).map((ref) => rules.lastName(String(ref))))]
    if (names.length === 0) throw rules.invalidParameter(`${key} cannot be empty.`)
    const found = names.map((name) => find(cluster, name, Date.now()))
    const failures = names.filter((_, i) => !found[i]).map((name) => arn(this.env, cluster.name, name))
    return {
      [key]: found.filter((view) => view !== undefined),
      failures: failures.map((a) => ({ arn: a, reason: 'MISSING' }))
    }
  }

  // ---- services ----

  private addEvent(svc: StoredService, at: number, message: string): void {
    svc.events.unshift({ id: randomUUID(), createdAt: new Date(at), message })
    svc.events.splice(100) // a service keeps its 100 most recent events
  }

  /**
   * Starts a new PRIMARY deployment at `at`, whose rollout ends (unless held) two steps later with
   * `outcome`; the previous PRIMARY becomes ACTIVE, and its rollout, if it had one, never ends.
   */
  private deploy(
    svc: StoredService,
    def: StoredDefinition,
    at: number,
    outcome: DeploymentOutcome,
    rollingBackTo?: string
  ): EcsDeployment {
    for (const d of svc.deployments) d.status = 'ACTIVE'
    const id = deploymentId()
    const deployment: EcsDeployment = {
      id,
      status: 'PRIMARY',
      taskDefinition: def.taskDefinitionArn,
      desiredCount: svc.desiredCount,
      pendingCount: svc.desiredCount,
      runningCount: 0,
      createdAt: new Date(at),
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason:
        rollingBackTo === undefined
          ? `ECS deployment ${id} in progress.`
          : `ECS deployment circuit breaker: rolling back to deploymentId ${rollingBackTo}.`
    }
    svc.deployments.unshift(deployment)
    svc.taskDefinition = def.taskDefinitionArn
    const held = 'holdInProgress' in this.deploymentOptions && rollingBackTo === undefined
    const endsAt = at + 2 * stepOf(this.deploymentOptions, 50)
    svc.rollout = held ? undefined : { deployment, endsAt, outcome }
    return deployment
  }

  /** The deployment reaches its desired count; the older deployments' tasks are drained and they go away. */
  private completed(svc: StoredService, d: EcsDeployment, at: number): void {
    const done = {
      pendingCount: 0,
      runningCount: d.desiredCount,
      rolloutStateReason: `ECS deployment ${d.id} completed.`
    }
    Object.assign(d, { ...done, rolloutState: 'COMPLETED' })
    Object.assign(svc, { deployments: [d], lastCompleted: d, rollout: undefined })
    this.addEvent(svc, at, `(service ${svc.name}) (deployment ${d.id}) deployment completed.`)
    this.addEvent(svc, at, `(service ${svc.name}) has reached a steady state.`)
  }

  /** Ends the rollout in progress when its time has come, as "Deployment circuit breaker" says (then a rollback's). */
  private advance(svc: StoredService, now: number): void {
    for (let rollout = svc.rollout; rollout && rollout.endsAt <= now; rollout = svc.rollout) {
      svc.rollout = undefined
      const { deployment: d, endsAt: at, outcome } = rollout
      if (outcome.result === 'COMPLETED') {
        this.completed(svc, d, at)
        continue
      }
      d.pendingCount = 0
      if (!svc.breaker?.enable) {
        // Without the circuit breaker ECS keeps trying: the deployment never fails.
        const help = 'For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.'
        this.addEvent(svc, at, `(service ${svc.name}) is unable to consistently start tasks successfully. ${help}`)
        continue
      }
      const reason = outcome.reason ?? 'ECS deployment circuit breaker: tasks failed to start.'
      Object.assign(d, { rolloutState: 'FAILED', rolloutStateReason: reason })
      const what = reason.replace(/^ECS deployment circuit breaker: /, '')
      this.addEvent(svc, at, `(service ${svc.name}) (deployment ${d.id}) deployment failed: ${what}`)
      const target = svc.lastCompleted
      const targetDef = target && this.resolve(target.taskDefinition)?.def
      if (!svc.breaker.rollback || !target || !targetDef) continue
      this.addEvent(svc, at, `(service ${svc.name}) rolling back to deployment ${target.id}.`)
      this.deploy(svc, targetDef, at, { result: 'COMPLETED' }, target.id)
    }
  }

  /** The service at `now`, its rollouts due by then ended; without `now`, as a request has just left it. */
  private serviceView(svc: StoredService, now?: number) {
    if (now !== undefined) this.advance(svc, now)
    const { name, breaker, rollout: _r, lastCompleted: _l, launch, launchType: _t, ...rest } = svc
    return {
      ...structuredClone(rest),
      ...structuredClone(launch),
      serviceName: name,
      runningCount: svc.deployments.reduce((n, d) => n + d.runningCount, 0),
      pendingCount: svc.deployments.reduce((n, d) => n + d.pendingCount, 0),
      deploymentConfiguration: { deploymentCircuitBreaker: breaker }
    }
  }

  private service(cluster: StoredCluster, ref: string | undefined) {
    return this.servicesByKey.get(`${cluster.name}/${rules.lastName(ref ?? '')}`)
  }

  updateService(input: Input) {
    const cluster = this.cluster(optString(input, 'cluster'), true)
    const svc = this.service(cluster, optString(input, 'service'))
    if (!svc) throw rules.serviceNotFound()
    if (svc.status !== 'ACTIVE') throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.')
    if (svc.deploymentController.type === 'CODE_DEPLOY' && input.taskDefinition != null) {
      throw rules.invalidParameter(
        'Unable to update task definition on services with a CODE_DEPLOY deployment controller. ' +
          'Use AWS CodeDeploy to trigger a new deployment.'
      )
    }
    if (svc.deploymentController.type !== 'ECS') {
      throw new AwsError(
        'NotModelledByFake',
        `UpdateService of a ${svc.deploymentController.type} service is not modelled.`
      )
    }
    const now = Date.now()
    this.advance(svc, now)
    const ref = optString(input, 'taskDefinition')
    const def = this.resolve(ref ?? svc.taskDefinition)?.def
    if (!def) throw rules.clientError('TaskDefinition not found.')
    if (def.status !== 'ACTIVE' && ref !== undefined) throw rules.invalidParameter('TaskDefinition is inactive')
    // The same task definition without forceNewDeployment: nothing to deploy.
    if (def.taskDefinitionArn === svc.taskDefinition && optBool(input, 'forceNewDeployment') !== true) {
      return { service: this.serviceView(svc) }
    }
    const outcome = this.deploymentOutcome
    const rollsBack = svc.breaker?.enable === true && svc.breaker.rollback
    if (outcome.result === 'FAILED' && outcome.rollback !== undefined && outcome.rollback !== rollsBack) {
      // A test set-up mistake, not an AWS error: the circuit breaker decides whether ECS rolls back.
      throw new Error(`fake-aws: rollback: ${outcome.rollback} is not what the breaker of ${svc.name} does`)
    }
    // Whether its tasks fail to start does not depend on the task id their failure names.
    const failsToStart = this.startProblem(def, svc.launchType, '') !== undefined
    const deployment = this.deploy(svc, def, now, failsToStart ? { result: 'FAILED' } : outcome)
    // A failing deployment leaves stopped tasks: the circuit breaker's minimum failure threshold is 3
    // ("ServiceDeploymentCircuitBreaker"). A service's tasks carry startedBy = the deployment id and
    // group = service:<name> (FAILURES.md, 3.3). Those that fail to start stop at once; those that run
    // (and log) as setTaskOutcome says. They have stopped by the time the deployment fails.
    for (let i = 0; (failsToStart || outcome.result === 'FAILED') && i < 3; i++) {
      const input = { startedBy: deployment.id, group: `service:${svc.name}` }
      const task = this.storeTask(cluster, def, input, svc.launchType, now, failsToStart ? 0 : undefined)
      if (svc.rollout) svc.rollout.endsAt = Math.max(svc.rollout.endsAt, task.at.at(-1) ?? now)
    }
    // The answer shows the new deployment as it starts, even one that is to end at once.
    return { service: this.serviceView(svc) }
  }

  describeServices(input: Input) {
    return this.describeEach(input, 'services', rules.serviceArn, (cluster, name, now) => {
      const svc = this.service(cluster, name)
      return svc && this.serviceView(svc, now)
    })
  }
}

export function createEcs(env: ServiceEnv, hooks: ContainerHooks): { definition: ServiceDefinition; state: EcsState } {
  const state = new EcsState(env, hooks)
  const definition: ServiceDefinition = {
    service: 'ecs',
    protocol: 'awsJson1_1',
    targetPrefix: 'AmazonEC2ContainerServiceV20141113',
    serverErrorCode: 'ServerException',
    // IAM.md 3.4: 400 AccessDeniedException naming the service (or the task definition RunTask starts).
    accessDenied: {
      code: 'AccessDeniedException',
      status: 400,
      resource: (op, i) => {
        const last = (v: unknown) => String(v).split('/').pop() ?? ''
        const service = i.service ?? (Array.isArray(i.services) ? i.services[0] : undefined)
        if (op === 'RunTask')
          return rules.clusterArn(env, '').replace(/cluster\/$/, `task-definition/${last(i.taskDefinition)}`)
        return service === undefined ? '*' : rules.serviceArn(env, last(i.cluster ?? 'default'), last(service))
      }
    },
    writeOperations: ['RegisterTaskDefinition', 'DeregisterTaskDefinition', 'UpdateService', 'RunTask'],
    operations: {
      RegisterTaskDefinition: (i) => state.registerTaskDefinition(i),
      DescribeTaskDefinition: (i) => state.describeTaskDefinition(i),
      DeregisterTaskDefinition: (i) => state.deregisterTaskDefinition(i),
      ListTaskDefinitions: (i) => state.listTaskDefinitions(i),
      UpdateService: (i) => state.updateService(i),
      DescribeServices: (i) => state.describeServices(i),
      DescribeClusters: (i) => state.describeClusters(i),
      RunTask: (i) => state.runTask(i),
      DescribeTasks: (i) => state.describeTasks(i),
      ListTasks: (i) => state.listTasks(i)
    }
  }
  return { definition, state }
}
