import { randomBytes, randomInt, randomUUID } from 'node:crypto'
import {
  CLIENT_TOKEN,
  CLIENT_TOKEN_TTL_MS,
  COMPATIBILITIES,
  LAUNCH_TYPES,
  MAX_DESCRIBE_SERVICES,
  MAX_DESCRIBE_TASKS,
  MAX_EVENTS,
  MAX_RUN_COUNT,
  MAX_SECURITY_GROUPS,
  MAX_SUBNETS,
  MAX_TASK_DEFINITION_BYTES,
  NAME,
  NETWORK_MODES,
  RESOURCE_NAME,
  STOP_CODES,
  TASK_DEFINITION_STATUSES,
  canonicalJson,
  clientError,
  clusterArn,
  clusterNotFound,
  containerArn,
  containerInstanceArn,
  cpuUnits,
  decodeToken,
  encodeToken,
  invalidParameter,
  isEcrImage,
  isFargateSize,
  memoryMiB,
  oneOf,
  optNum,
  optObject,
  parseClusterRef,
  parseServiceRef,
  parseTaskDefinitionRef,
  parseTaskRef,
  readTags,
  records,
  secretSource,
  serviceArn,
  serviceNotFound,
  stringArray,
  taskArn,
  taskDefinitionArn,
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

/**
 * A revision as DescribeTaskDefinition returns it, plus its tags. The output-only members are always
 * present; they are typed optional only so that a test can cast a revision to the part it inspects.
 */
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

export type DeploymentOutcomeOptions =
  /** time from one deployment step to the next, default 50 ms */
  | { stepMs?: number }
  /** the deployment starts its tasks and stays IN_PROGRESS */
  | { holdInProgress: true }

export interface TaskOutcome {
  /** per container name; containers not listed exit 0 */
  exitCodes: Record<string, number>
  /** per container name */
  reasons?: Record<string, string>
  /** default 'Essential container in task exited' */
  stoppedReason?: string
  /** default 'EssentialContainerExited' */
  stopCode?: StopCode
}

export type TaskOutcomeOptions =
  /** time spent in each status before STOPPED, default 20 ms */
  | { stepMs?: number }
  /** the task reaches RUNNING and stays there */
  | { holdRunning: true }

export interface EcsClusterOptions {
  /**
   * registered container instances, default 0: a task with the EC2 launch type needs one ("No Container
   * Instances were found in your cluster.")
   */
  containerInstances?: number
  /** the cluster's default capacity provider strategy, used when RunTask names neither launch type nor strategy */
  defaultCapacityProvider?: 'FARGATE' | 'FARGATE_SPOT'
}

export interface EcsServiceSeed {
  cluster: string
  serviceName: string
  /** ARN or family:revision */
  taskDefinition: string
  /** default 1 */
  desiredCount?: number
  /** default FARGATE when the task definition requires FARGATE, EC2 otherwise */
  launchType?: 'EC2' | 'FARGATE' | 'EXTERNAL'
  deploymentCircuitBreaker?: { enable: boolean; rollback: boolean }
  /** default, for an awsvpc task definition: one placeholder subnet */
  networkConfiguration?: Input
  tags?: Tag[]
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
  launchType?: string
  platformVersion?: string
  networkConfiguration?: Input
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
  clusterArn: string
  status: 'ACTIVE'
  desiredCount: number
  runningCount: number
  pendingCount: number
  taskDefinition: string
  /** PRIMARY first, then the others newest first */
  deployments: EcsDeployment[]
  /** newest first */
  events: EcsServiceEvent[]
  deploymentConfiguration: Input
  tags: Tag[]
}

/** A started task as DescribeTasks returns it (tags included), plus its cluster and the RunTask request. */
export type EcsTask = Input & {
  cluster: string
  taskArn: string
  taskDefinitionArn: string
  lastStatus: string
  desiredStatus: string
  containers: Input[]
  createdAt: Date
  stoppedReason?: string
  stopCode?: string
  tags: Tag[]
  /** the RunTask members as received, clientToken included (the SDK generates one when none is given) */
  input: Input
}

const DEFINITION_MEMBERS = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection'
] as const
const RUN_TASK_MEMBERS = [
  'capacityProviderStrategy',
  'cluster',
  'count',
  'enableECSManagedTags',
  'enableExecuteCommand',
  'group',
  'launchType',
  'networkConfiguration',
  'overrides',
  'placementConstraints',
  'placementStrategy',
  'platformVersion',
  'propagateTags',
  'referenceId',
  'startedBy',
  'tags',
  'taskDefinition',
  'clientToken',
  'volumeConfigurations'
] as const
const DEFAULT_DEPLOYMENT_STEP_MS = 50
const DEFAULT_TASK_STEP_MS = 20
const SUCCESS_REASON = 'Essential container in task exited'
const CIRCUIT_BREAKER_REASON = 'ECS deployment circuit breaker: tasks failed to start.'
const FARGATE_PLATFORM_VERSION = '1.4.0'

const isRecord = (v: unknown): v is Input => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Unknown members are ignored, as a Smithy server does; what is kept is a deep copy. */
function pick(input: Input, keys: readonly string[]): Input {
  const out: Input = {}
  for (const k of keys) if (input[k] !== undefined && input[k] !== null) out[k] = structuredClone(input[k])
  return out
}

/** `ecs-svc/` and 19 digits. */
const deploymentId = () => `ecs-svc/${randomInt(1, 10)}${Array.from({ length: 18 }, () => randomInt(10)).join('')}`
const taskId = () => randomBytes(16).toString('hex')

interface Revision {
  def: StoredDefinition
  tags: Tag[]
}

interface StoredCluster {
  name: string
  containerInstances: number
  defaultCapacityProvider?: 'FARGATE' | 'FARGATE_SPOT'
  /** RunTask client tokens: the request they came with (canonical JSON) and the tasks it started */
  tokens: Map<string, { key: string; taskIds: string[]; at: number }>
}

interface Scheduled {
  at: number
  run: () => void
}

interface StoredService {
  cluster: string
  name: string
  createdAt: Date
  desiredCount: number
  launchType?: string
  platformVersion?: string
  networkConfiguration?: Input
  deploymentConfiguration: Input
  taskDefinition: string
  /** newest first */
  deployments: EcsDeployment[]
  /** newest first */
  events: EcsServiceEvent[]
  /** what the newest deployment still has to go through, by time */
  schedule: Scheduled[]
  lastCompleted: { id: string; taskDefinition: string }
  tags: Tag[]
}

interface Milestone {
  status: 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'DEPROVISIONING' | 'STOPPED'
  at: number
}

interface StoredTask {
  seq: number
  id: string
  cluster: string
  def: StoredDefinition
  input: Input
  launchType?: string
  capacityProviderName?: string
  /** EC2 tasks: the container instance the task was placed on */
  containerInstanceId?: string
  awsvpc: boolean
  subnet?: string
  eniId: string
  privateIp: string
  createdAt: number
  milestones: Milestone[]
  /** how the task ends; exitCodes undefined when its containers never started */
  stop?: {
    stoppedReason: string
    stopCode: string
    exitCodes?: Record<string, number>
    reasons: Record<string, string>
  }
  containers: Array<{ name: string; image: string; arn: string; runtimeId: string; def: Input }>
  tags: Tag[]
  group: string
  overrides: Input
}

function circuitBreaker(svc: StoredService): { enable: boolean; rollback: boolean } | undefined {
  const cb = svc.deploymentConfiguration.deploymentCircuitBreaker
  if (!isRecord(cb)) return undefined
  return { enable: cb.enable === true, rollback: cb.rollback === true }
}

export class EcsState {
  private readonly families = new Map<string, Revision[]>()
  private readonly clusters = new Map<string, StoredCluster>()
  private readonly servicesByKey = new Map<string, StoredService>()
  private readonly tasksById = new Map<string, StoredTask>()
  private seq = 0
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
    if (!RESOURCE_NAME.test(name)) {
      throw new Error('A cluster name can be up to 255 letters, numbers, hyphens and underscores.')
    }
    const existing = this.clusters.get(name)
    const cluster: StoredCluster = existing ?? { name, containerInstances: 0, tokens: new Map() }
    if (options.containerInstances !== undefined) cluster.containerInstances = options.containerInstances
    if (options.defaultCapacityProvider !== undefined) cluster.defaultCapacityProvider = options.defaultCapacityProvider
    this.clusters.set(name, cluster)
    return clusterArn(this.env, name)
  }

  /** Seeds a service with one PRIMARY deployment that has COMPLETED; returns the service ARN. */
  addService(seed: EcsServiceSeed): string {
    if (!this.clusters.has(seed.cluster)) throw new Error(`No cluster ${seed.cluster}; add it first.`)
    if (!RESOURCE_NAME.test(seed.serviceName)) {
      throw new Error('A service name can be up to 255 letters, numbers, hyphens and underscores.')
    }
    const key = `${seed.cluster}/${seed.serviceName}`
    if (this.servicesByKey.has(key)) throw new Error(`Service ${key} exists already.`)
    const def = this.resolve(seed.taskDefinition)
    if (!def) throw new Error(`No task definition ${seed.taskDefinition}.`)
    if (def.status !== 'ACTIVE') throw new Error(`Task definition ${seed.taskDefinition} is INACTIVE.`)
    const launchType =
      seed.launchType ??
      (Array.isArray(def.requiresCompatibilities) && def.requiresCompatibilities.includes('FARGATE')
        ? 'FARGATE'
        : 'EC2')
    const desiredCount = seed.desiredCount ?? 1
    let networkConfiguration = seed.networkConfiguration && structuredClone(seed.networkConfiguration)
    if (def.networkMode === 'awsvpc' && networkConfiguration === undefined) {
      networkConfiguration = {
        awsvpcConfiguration: { subnets: ['subnet-0fa4e3f0c0ffee001'], securityGroups: [], assignPublicIp: 'DISABLED' }
      }
    }
    this.checkLaunch(def, launchType, networkConfiguration)
    const now = Date.now()
    const id = deploymentId()
    const svc: StoredService = {
      cluster: seed.cluster,
      name: seed.serviceName,
      createdAt: new Date(now),
      desiredCount,
      launchType,
      ...(launchType === 'FARGATE' && { platformVersion: 'LATEST' }),
      ...(networkConfiguration !== undefined && { networkConfiguration }),
      deploymentConfiguration: {
        ...(seed.deploymentCircuitBreaker && { deploymentCircuitBreaker: { ...seed.deploymentCircuitBreaker } }),
        maximumPercent: 200,
        minimumHealthyPercent: 100
      },
      taskDefinition: def.taskDefinitionArn,
      deployments: [
        {
          id,
          status: 'PRIMARY',
          taskDefinition: def.taskDefinitionArn,
          desiredCount,
          pendingCount: 0,
          runningCount: desiredCount,
          failedTasks: 0,
          createdAt: new Date(now),
          updatedAt: new Date(now),
          launchType,
          ...(launchType === 'FARGATE' && { platformVersion: FARGATE_PLATFORM_VERSION }),
          ...(networkConfiguration !== undefined && { networkConfiguration: structuredClone(networkConfiguration) }),
          rolloutState: 'COMPLETED',
          rolloutStateReason: `ECS deployment ${id} completed.`
        }
      ],
      events: [],
      schedule: [],
      lastCompleted: { id, taskDefinition: def.taskDefinitionArn },
      tags: structuredClone(seed.tags ?? [])
    }
    this.addEvent(svc, now, `(service ${svc.name}) has reached a steady state.`)
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
    if (
      'stepMs' in options &&
      options.stepMs !== undefined &&
      !(Number.isFinite(options.stepMs) && options.stepMs >= 0)
    ) {
      throw new Error(`stepMs must be a number >= 0, got ${options.stepMs}`)
    }
    this.deploymentOutcome = structuredClone(outcome)
    this.deploymentOptions = { ...options }
  }

  /** How tasks started from now on end, and how fast they get there. */
  setTaskOutcome(outcome: TaskOutcome, options: TaskOutcomeOptions = {}): void {
    if (
      'stepMs' in options &&
      options.stepMs !== undefined &&
      !(Number.isFinite(options.stepMs) && options.stepMs >= 0)
    ) {
      throw new Error(`stepMs must be a number >= 0, got ${options.stepMs}`)
    }
    if (outcome.stopCode !== undefined && !(STOP_CODES as readonly string[]).includes(outcome.stopCode)) {
      throw new Error(`stopCode must be one of ${STOP_CODES.join(', ')}, got ${outcome.stopCode}`)
    }
    this.taskOutcome = structuredClone(outcome)
    this.taskOptions = { ...options }
  }

  // ---- task definitions ----

  private allRevisions(): Revision[] {
    return [...this.families.keys()].sort().flatMap((f) => this.families.get(f) ?? [])
  }

  /** `family` (its latest ACTIVE revision), `family:revision` or an ARN; INACTIVE revisions only by revision. */
  private resolve(ref: string): StoredDefinition | undefined {
    const parsed = parseTaskDefinitionRef(this.env, ref)
    if (!parsed) return undefined
    const revisions = this.families.get(parsed.family) ?? []
    if (parsed.revision !== undefined) return revisions.find((r) => r.def.revision === parsed.revision)?.def
    return revisions.filter((r) => r.def.status === 'ACTIVE').at(-1)?.def
  }

  private revisionOf(def: StoredDefinition): Revision | undefined {
    return this.families.get(def.family)?.find((r) => r.def === def)
  }

  registerTaskDefinition(input: Input) {
    const family = optString(input, 'family')
    if (family === undefined || family === '') throw clientError('Family should not be null or empty.')
    if (!NAME.test(family)) {
      throw clientError(
        'Family contains invalid characters: up to 255 letters (uppercase and lowercase), numbers, hyphens, and ' +
          'underscores are allowed.'
      )
    }
    const containers = records(optList(input, 'containerDefinitions') ?? [], 'containerDefinitions')
    if (containers.length === 0) throw clientError('Container list cannot be empty.')
    const networkMode = oneOf(optString(input, 'networkMode'), NETWORK_MODES, 'networkMode', clientError)
    const requires = stringArray(optList(input, 'requiresCompatibilities') ?? [], 'requiresCompatibilities')
    for (const c of requires) oneOf(c, COMPATIBILITIES, 'requiresCompatibilities value', clientError)
    const cpu = optString(input, 'cpu')
    const memory = optString(input, 'memory')
    const executionRoleArn = optString(input, 'executionRoleArn')
    optString(input, 'taskRoleArn')
    const tags = readTags(input) ?? []
    const fargate = requires.includes('FARGATE')

    const names = new Set<string>()
    let hasSecrets = false
    for (const c of containers) {
      const name = optString(c, 'name')
      if (name === undefined || name === '') throw clientError('Container.name should not be null or empty.')
      if (!NAME.test(name)) {
        throw clientError(
          `Container name '${name}' is not valid: up to 255 letters (uppercase and lowercase), numbers, hyphens, ` +
            'and underscores are allowed.'
        )
      }
      if (names.has(name)) throw clientError(`Container names must be unique within a task definition: '${name}'.`)
      names.add(name)
      const image = optString(c, 'image')
      if (image === undefined || image === '') throw clientError('Container.image should not be null or empty.')
      optBool(c, 'essential')
      // AWS rejects a `secrets` list without an execution role even when the list is empty.
      const secrets = optList(c, 'secrets')
      if (secrets !== undefined) {
        hasSecrets = true
        for (const s of records(secrets, 'secrets')) {
          for (const k of ['name', 'valueFrom']) {
            const v = optString(s, k)
            if (v === undefined || v === '') throw clientError(`Container.secrets.${k} should not be null or empty.`)
          }
        }
      }
      const log = optObject(c, 'logConfiguration')
      if (log !== undefined) {
        const driver = optString(log, 'logDriver')
        if (driver === undefined || driver === '') {
          throw clientError('Container.logConfiguration.logDriver should not be null or empty.')
        }
        for (const s of records(optList(log, 'secretOptions') ?? [], 'secretOptions')) {
          for (const k of ['name', 'valueFrom']) {
            const v = optString(s, k)
            if (v === undefined || v === '') {
              throw clientError(`Container.logConfiguration.secretOptions.${k} should not be null or empty.`)
            }
          }
        }
        if (fargate && driver === 'awslogs' && executionRoleArn === undefined) {
          throw clientError(
            'Fargate requires task definition to have execution role ARN to support log driver awslogs.'
          )
        }
      }
      if (fargate && isEcrImage(image) && executionRoleArn === undefined) {
        throw clientError('Fargate requires task definition to have execution role ARN to support ECR images.')
      }
      if (!fargate && memory === undefined && c.memory == null && c.memoryReservation == null) {
        throw clientError(
          `Invalid setting for container '${name}'. At least one of 'memory' or 'memoryReservation' must be specified.`
        )
      }
    }
    if (!containers.some((c) => c.essential !== false)) {
      throw clientError('A task definition must have at least one essential container.')
    }
    if (hasSecrets && executionRoleArn === undefined) {
      throw clientError(
        "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."
      )
    }
    if (fargate) {
      if (networkMode !== 'awsvpc') throw clientError('Fargate only supports network mode ‘awsvpc’.')
      if (cpu === undefined) throw clientError("Fargate requires that 'cpu' be defined at the task level.")
      if (memory === undefined) throw clientError("Fargate requires that 'memory' be defined at the task level.")
      const units = cpuUnits(cpu)
      const mib = memoryMiB(memory)
      if (units === undefined || mib === undefined || !isFargateSize(units, mib)) {
        throw clientError(`No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory.`)
      }
    } else {
      if (cpu !== undefined && cpuUnits(cpu) === undefined) throw clientError(`Invalid 'cpu' setting for task: ${cpu}.`)
      if (memory !== undefined && memoryMiB(memory) === undefined) {
        throw clientError(`Invalid 'memory' setting for task: ${memory}.`)
      }
    }
    const size = Buffer.byteLength(JSON.stringify(pick(input, DEFINITION_MEMBERS)))
    if (size > MAX_TASK_DEFINITION_BYTES) {
      throw clientError(`Actual length: '${size}'. Max allowed length is '${MAX_TASK_DEFINITION_BYTES}' bytes.`)
    }

    const def = pick(input, DEFINITION_MEMBERS)
    // What DescribeTaskDefinition returns for members that were not given; evidence, with links, in
    // __tests__/fixtures/real-definitions/DEFAULTS.md (the AWS CLI's register-task-definition example
    // shows file and answer; Terraform's normaliser and acceptance tests; issue threads).
    // Task cpu and memory come back as units and MiB: "String values are converted to an integer
    // ... when the task definition is registered" (API_RegisterTaskDefinition.html).
    if (cpu !== undefined) def.cpu = String(cpuUnits(cpu))
    if (memory !== undefined) def.memory = String(memoryMiB(memory))
    const hostPortIsContainerPort = networkMode === 'awsvpc' || networkMode === 'host'
    const stored = (def.containerDefinitions as Input[]).map((c) => ({
      cpu: 0,
      portMappings: [],
      essential: true,
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
      ...c,
      // Entries without a value are dropped (hashicorp/terraform-provider-aws#39533).
      ...(Array.isArray(c.environment) && {
        environment: c.environment.filter((e: unknown) => isRecord(e) && e.value !== undefined && e.value !== '')
      }),
      ...(Array.isArray(c.portMappings) && {
        portMappings: c.portMappings.map((p: unknown) =>
          isRecord(p)
            ? {
                ...p,
                // bridge (or no mode): 0, a dynamic host port; awsvpc and host: the container port.
                ...(p.containerPort !== undefined && {
                  hostPort: p.hostPort ?? (hostPortIsContainerPort ? p.containerPort : 0)
                }),
                protocol: p.protocol ?? 'tcp'
              }
            : p
        )
      }),
      ...(isRecord(c.healthCheck) && {
        healthCheck: { interval: 30, timeout: 5, retries: 3, ...c.healthCheck }
      })
    }))
    const revisions = this.families.get(family) ?? []
    // Revisions never repeat: INACTIVE ones count too.
    const revision = Math.max(0, ...revisions.map((r) => r.def.revision)) + 1
    const full: StoredDefinition = {
      ...def,
      taskDefinitionArn: taskDefinitionArn(this.env, family, revision),
      containerDefinitions: stored,
      family,
      revision,
      volumes: def.volumes ?? [],
      status: 'ACTIVE',
      requiresAttributes: this.requiresAttributes(def),
      placementConstraints: def.placementConstraints ?? [],
      compatibilities: ['EC2', ...COMPATIBILITIES.filter((c) => c !== 'EC2' && requires.includes(c))],
      registeredAt: new Date(),
      registeredBy: callerArn(this.env)
    }
    this.families.set(family, [...revisions, { def: full, tags }])
    return { taskDefinition: structuredClone(full), tags: structuredClone(tags) }
  }

  /** A plausible requiresAttributes list: what the registered members need of a container instance. */
  private requiresAttributes(def: Input): Array<{ name: string }> {
    const containers = (def.containerDefinitions as Input[]) ?? []
    const names = new Set(['com.amazonaws.ecs.capability.docker-remote-api.1.18'])
    const valueFroms: string[] = []
    for (const c of containers) {
      const log = isRecord(c.logConfiguration) ? c.logConfiguration : undefined
      if (log?.logDriver === 'awslogs') {
        names.add('com.amazonaws.ecs.capability.logging-driver.awslogs')
        if (def.executionRoleArn !== undefined) names.add('ecs.capability.execution-role-awslogs')
      }
      if (typeof c.image === 'string' && isEcrImage(c.image) && def.executionRoleArn !== undefined) {
        names.add('ecs.capability.execution-role-ecr-pull')
      }
      for (const s of [
        ...(Array.isArray(c.secrets) ? c.secrets : []),
        ...(Array.isArray(log?.secretOptions) ? log.secretOptions : [])
      ]) {
        if (isRecord(s) && typeof s.valueFrom === 'string') valueFroms.push(s.valueFrom)
      }
    }
    if (valueFroms.some((v) => v.includes(':secretsmanager:')))
      names.add('ecs.capability.secrets.asm.environment-variables')
    if (valueFroms.some((v) => !v.includes(':secretsmanager:')))
      names.add('ecs.capability.secrets.ssm.environment-variables')
    if (def.taskRoleArn !== undefined) names.add('com.amazonaws.ecs.capability.task-iam-role')
    if (def.networkMode === 'awsvpc') names.add('ecs.capability.task-eni')
    return [...names].map((name) => ({ name }))
  }

  describeTaskDefinition(input: Input) {
    const ref = optString(input, 'taskDefinition')
    if (ref === undefined || ref === '') throw clientError('taskDefinition should not be null or empty.')
    const include = stringArray(optList(input, 'include') ?? [], 'include')
    for (const i of include) oneOf(i, ['TAGS'], 'include value', invalidParameter)
    const def = this.resolve(ref)
    const revision = def && this.revisionOf(def)
    if (!def || !revision) throw clientError('Unable to describe task definition.')
    return {
      taskDefinition: structuredClone(def),
      ...(include.includes('TAGS') && { tags: structuredClone(revision.tags) })
    }
  }

  deregisterTaskDefinition(input: Input) {
    const ref = optString(input, 'taskDefinition')
    if (ref === undefined || ref === '') throw clientError('taskDefinition should not be null or empty.')
    const parsed = parseTaskDefinitionRef(this.env, ref)
    if (parsed && parsed.revision === undefined) {
      throw clientError(`The task definition must be given as family:revision or as a full ARN, got '${ref}'.`)
    }
    const def = parsed && this.resolve(ref)
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
    const status = oneOf(optString(input, 'status'), TASK_DEFINITION_STATUSES, 'status', invalidParameter) ?? 'ACTIVE'
    const sort = oneOf(optString(input, 'sort'), ['ASC', 'DESC'] as const, 'sort', invalidParameter) ?? 'ASC'
    const max = optNum(input, 'maxResults')
    if (max !== undefined && (max < 1 || max > 100)) {
      throw invalidParameter('maxResults must be between 1 and 100.')
    }
    const after = decodeToken(optString(input, 'nextToken'))
    if (
      after !== undefined &&
      !(Array.isArray(after) && typeof after[0] === 'string' && typeof after[1] === 'number')
    ) {
      throw invalidParameter('The nextToken is not valid.')
    }
    const cmp = (a: StoredDefinition, f: string, r: number) => (a.family < f ? -1 : a.family > f ? 1 : a.revision - r)
    let all = this.allRevisions().map((r) => r.def)
    if (sort === 'DESC') all = all.reverse()
    const matching = all.filter(
      (d) =>
        d.status === status &&
        (family === undefined || d.family === family) &&
        (after === undefined ||
          (sort === 'ASC'
            ? cmp(d, after[0] as string, after[1] as number) > 0
            : cmp(d, after[0] as string, after[1] as number) < 0))
    )
    const page = matching.slice(0, max ?? 100)
    const last = page.at(-1)
    return {
      taskDefinitionArns: page.map((d) => d.taskDefinitionArn),
      nextToken: matching.length > page.length && last ? encodeToken([last.family, last.revision]) : undefined
    }
  }

  // ---- clusters and launch checks ----

  private cluster(ref: string | undefined): StoredCluster {
    const name = parseClusterRef(this.env, ref ?? 'default')
    const cluster = name === undefined ? undefined : this.clusters.get(name)
    if (!cluster) throw clusterNotFound()
    return cluster
  }

  /** Launch type and network configuration against the task definition, as RunTask and UpdateService check them. */
  private checkLaunch(def: StoredDefinition, launchType: string | undefined, networkConfiguration: Input | undefined) {
    if (launchType !== undefined && launchType !== 'EC2' && !def.compatibilities.includes(launchType)) {
      throw invalidParameter(`Task definition does not support launch_type ${launchType}.`)
    }
    if (def.networkMode === 'awsvpc') {
      if (networkConfiguration === undefined) {
        throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
      }
      const vpc = optObject(networkConfiguration, 'awsvpcConfiguration')
      if (vpc === undefined) {
        throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
      }
      const subnets = stringArray(optList(vpc, 'subnets') ?? [], 'subnets')
      if (subnets.length === 0) throw invalidParameter('subnets can not be empty.')
      if (subnets.length > MAX_SUBNETS) throw invalidParameter(`subnets can have at most ${MAX_SUBNETS} items.`)
      const groups = stringArray(optList(vpc, 'securityGroups') ?? [], 'securityGroups')
      if (groups.length > MAX_SECURITY_GROUPS) {
        throw invalidParameter(`securityGroups can have at most ${MAX_SECURITY_GROUPS} items.`)
      }
      const publicIp = oneOf(
        optString(vpc, 'assignPublicIp'),
        ['ENABLED', 'DISABLED'] as const,
        'assignPublicIp',
        invalidParameter
      )
      if (publicIp === 'ENABLED' && launchType !== 'FARGATE') {
        throw invalidParameter('Assign public IP is not supported for this launch type.')
      }
    } else if (networkConfiguration !== undefined) {
      throw invalidParameter('Network Configuration is not valid for the given networkMode of this task definition.')
    }
  }

  /**
   * Why tasks of this definition fail to start, if they do: ECS fetches secrets with the task execution
   * role when the task starts, and fails it when the role is missing or a parameter does not exist.
   */
  private startProblem(def: StoredDefinition, launchType: string | undefined): string | undefined {
    const refs: string[] = []
    let secretOptions = false
    for (const c of def.containerDefinitions) {
      for (const s of Array.isArray(c.secrets) ? c.secrets : []) {
        if (isRecord(s) && typeof s.valueFrom === 'string') refs.push(s.valueFrom)
      }
      const log = isRecord(c.logConfiguration) ? c.logConfiguration : undefined
      for (const s of Array.isArray(log?.secretOptions) ? log.secretOptions : []) {
        secretOptions = true
        if (isRecord(s) && typeof s.valueFrom === 'string') refs.push(s.valueFrom)
      }
    }
    if (refs.length === 0) return undefined
    if (secretOptions && typeof def.executionRoleArn !== 'string') {
      return (
        'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ' +
        'the task definition has no execution role to retrieve the secrets with'
      )
    }
    const missing = refs.filter((ref) => {
      const source = secretSource(this.env, ref)
      if (source.kind === 'elsewhere') return false
      return source.kind === 'missing' || !source.names.some((n) => this.ssmParameterExists(n))
    })
    if (missing.length === 0) return undefined
    const list = [...new Set(missing)].join(', ')
    return launchType === 'FARGATE'
      ? 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ' +
          `unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: ${list}`
      : `Fetching secret data from SSM Parameter Store in ${this.env.region}: invalid parameters: ${list}`
  }

  // ---- tasks ----

  runTask(input: Input) {
    const cluster = this.cluster(optString(input, 'cluster'))
    const ref = optString(input, 'taskDefinition')
    if (ref === undefined || ref === '') throw invalidParameter('taskDefinition can not be blank.')
    const clientToken = optString(input, 'clientToken')
    if (clientToken !== undefined && !CLIENT_TOKEN.test(clientToken)) {
      throw invalidParameter('clientToken must be 1 to 64 ASCII characters in the range 33-126.')
    }
    const now = Date.now()
    // "If you retry a request that completed successfully using the same client token and the same
    // parameters, the retry succeeds without performing any further actions"; tokens are per cluster.
    const key = canonicalJson({ ...input, clientToken: undefined })
    if (clientToken !== undefined) {
      const used = cluster.tokens.get(clientToken)
      if (used && now - used.at < CLIENT_TOKEN_TTL_MS) {
        const arns = used.taskIds.map((id) => taskArn(this.env, cluster.name, id))
        if (used.key !== key) {
          throw new AwsError(
            'ConflictException',
            'The specified client token is already in use with a different RunTask request.',
            400,
            { resourceIds: arns }
          )
        }
        const tasks = used.taskIds.map((id) => this.tasksById.get(id)).filter((t) => t !== undefined)
        return { tasks: tasks.map((t) => this.taskView(t, t.createdAt, true)), failures: [] }
      }
    }

    const count = optNum(input, 'count') ?? 1
    if (count < 1 || count > MAX_RUN_COUNT) throw invalidParameter(`count must be between 1 and ${MAX_RUN_COUNT}.`)
    const def = this.resolve(ref)
    if (!def) throw clientError('TaskDefinition not found.')
    if (def.status !== 'ACTIVE') throw invalidParameter('TaskDefinition is inactive')

    let launchType = oneOf(optString(input, 'launchType'), LAUNCH_TYPES, 'launchType', invalidParameter)
    const strategy = records(optList(input, 'capacityProviderStrategy') ?? [], 'capacityProviderStrategy')
    if (launchType !== undefined && strategy.length > 0) {
      throw invalidParameter(
        'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.'
      )
    }
    let capacityProviderName: string | undefined
    if (strategy.length > 0) {
      const providers = strategy.map((s) => optString(s, 'capacityProvider'))
      const unknown = providers.find((p) => p !== 'FARGATE' && p !== 'FARGATE_SPOT')
      if (unknown !== undefined || providers.length === 0) {
        throw invalidParameter(
          `The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster: ${String(unknown)}.`
        )
      }
      capacityProviderName = providers[0]
    } else if (launchType === undefined && cluster.defaultCapacityProvider !== undefined) {
      capacityProviderName = cluster.defaultCapacityProvider
    } else {
      launchType ??= 'EC2'
    }
    if (launchType === 'EXTERNAL' || launchType === 'MANAGED_INSTANCES') {
      throw new AwsError('NotImplementedByFake', `The ${launchType} launch type is not modelled by this fake.`)
    }
    const onFargate = launchType === 'FARGATE' || capacityProviderName !== undefined
    const networkConfiguration = optObject(input, 'networkConfiguration')
    this.checkLaunch(def, onFargate ? 'FARGATE' : launchType, networkConfiguration)
    if (!onFargate && cluster.containerInstances === 0) {
      throw invalidParameter('No Container Instances were found in your cluster.')
    }
    if (!onFargate && optString(input, 'platformVersion') !== undefined) {
      throw invalidParameter('The platform version can only be specified for tasks that use the FARGATE launch type.')
    }
    const overrides = optObject(input, 'overrides') ?? {}
    const containerNames = new Set(def.containerDefinitions.map((c) => c.name))
    for (const o of records(optList(overrides, 'containerOverrides') ?? [], 'containerOverrides')) {
      const name = optString(o, 'name')
      if (name !== undefined && !containerNames.has(name)) {
        throw invalidParameter(`Override for container named ${name} is not a container in the TaskDefinition.`)
      }
    }
    const tags = readTags(input) ?? []
    const startedBy = optString(input, 'startedBy')
    if (startedBy !== undefined && !/^[A-Za-z0-9_/-]{1,128}$/.test(startedBy)) {
      throw invalidParameter('startedBy can be up to 128 letters, numbers, hyphens, forward slashes and underscores.')
    }
    const group = optString(input, 'group')
    if (group !== undefined && group.length > 255) throw invalidParameter('group can be at most 255 characters.')
    const propagateTags = oneOf(
      optString(input, 'propagateTags'),
      ['TASK_DEFINITION', 'SERVICE', 'NONE'] as const,
      'propagateTags',
      invalidParameter
    )
    optBool(input, 'enableExecuteCommand')
    optBool(input, 'enableECSManagedTags')

    const effectiveLaunch = onFargate ? 'FARGATE' : launchType
    const problem = this.startProblem(def, effectiveLaunch)
    const vpc = networkConfiguration && optObject(networkConfiguration, 'awsvpcConfiguration')
    const subnet = vpc && Array.isArray(vpc.subnets) ? (vpc.subnets[0] as string | undefined) : undefined
    const revisionTags = propagateTags === 'TASK_DEFINITION' ? (this.revisionOf(def)?.tags ?? []) : []
    const taskTags = [...revisionTags.filter((t) => !tags.some((x) => x.key === t.key)), ...tags]
    const started: StoredTask[] = []
    for (let i = 0; i < count; i++) {
      const id = taskId()
      const task: StoredTask = {
        seq: ++this.seq,
        id,
        cluster: cluster.name,
        def,
        input: pick(input, RUN_TASK_MEMBERS),
        ...(launchType !== undefined && { launchType }),
        ...(capacityProviderName !== undefined && { capacityProviderName }),
        ...(!onFargate && { containerInstanceId: taskId() }),
        awsvpc: def.networkMode === 'awsvpc',
        ...(subnet !== undefined && { subnet }),
        eniId: `eni-${randomBytes(8).toString('hex').slice(0, 17)}`,
        privateIp: `10.0.${randomInt(0, 256)}.${randomInt(1, 255)}`,
        createdAt: now,
        milestones: [],
        containers: def.containerDefinitions.map((c) => ({
          name: String(c.name),
          image: String(c.image),
          arn: containerArn(this.env, cluster.name, id, randomUUID()),
          runtimeId: `${id}-${randomInt(1_000_000_000, 9_999_999_999)}`,
          def: c
        })),
        tags: structuredClone(taskTags),
        group: group ?? `family:${def.family}`,
        overrides: isRecord(input.overrides)
          ? structuredClone(overrides)
          : { containerOverrides: [], inferenceAcceleratorOverrides: [] }
      }
      this.planTask(task, problem)
      this.tasksById.set(id, task)
      started.push(task)
    }
    if (clientToken !== undefined) {
      cluster.tokens.set(clientToken, { key, taskIds: started.map((t) => t.id), at: now })
    }
    return { tasks: started.map((t) => this.taskView(t, now, true)), failures: [] }
  }

  /** Lays out the task's whole life at launch, so that its status only depends on the clock. */
  private planTask(task: StoredTask, problem: string | undefined): void {
    const options = this.taskOptions
    const step = ('stepMs' in options ? options.stepMs : undefined) ?? DEFAULT_TASK_STEP_MS
    const hold = 'holdRunning' in options && options.holdRunning
    const outcome = this.taskOutcome
    let t = task.createdAt
    const m = task.milestones
    if (task.awsvpc) {
      m.push({ status: 'PROVISIONING', at: t })
      m.push({ status: 'PENDING', at: (t += step) })
    } else {
      m.push({ status: 'PENDING', at: t })
    }
    if (problem !== undefined) {
      task.stop = { stoppedReason: problem, stopCode: 'TaskFailedToStart', reasons: {} }
    } else {
      m.push({ status: 'RUNNING', at: (t += step) })
      if (hold) return
      task.stop = {
        stoppedReason: outcome.stoppedReason ?? SUCCESS_REASON,
        stopCode: outcome.stopCode ?? 'EssentialContainerExited',
        exitCodes: Object.fromEntries(task.containers.map((c) => [c.name, outcome.exitCodes[c.name] ?? 0])),
        reasons: { ...outcome.reasons }
      }
    }
    if (task.awsvpc) m.push({ status: 'DEPROVISIONING', at: (t += step) })
    m.push({ status: 'STOPPED', at: t + step })
  }

  private taskView(task: StoredTask, now: number, includeTags: boolean): Input {
    const reached = task.milestones.filter((m) => m.at <= now)
    const current = reached.at(-1) ?? task.milestones[0]!
    const at = (s: Milestone['status']) => task.milestones.find((m) => m.status === s)?.at
    const pendingAt = at('PENDING')
    const runningAt = at('RUNNING')
    const stoppingAt = task.milestones.find((m) => m.status === 'DEPROVISIONING' || m.status === 'STOPPED')?.at
    const stoppedAt = at('STOPPED')
    const isPast = (t: number | undefined): t is number => t !== undefined && t <= now
    const stopping = isPast(stoppingAt)
    const running = isPast(runningAt)
    const fargate = task.launchType === 'FARGATE' || task.capacityProviderName !== undefined
    const date = (t: number) => new Date(t)
    const containerOverrides = Array.isArray(task.overrides.containerOverrides)
      ? task.overrides.containerOverrides.filter(isRecord)
      : []
    const eniStatus = isPast(stoppedAt)
      ? 'DELETED'
      : stopping
        ? 'DETACHING'
        : isPast(pendingAt)
          ? 'ATTACHED'
          : 'PRECREATED'
    const attachmentId = task.id.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')
    return {
      attachments: task.awsvpc
        ? [
            {
              id: attachmentId,
              type: 'ElasticNetworkInterface',
              status: eniStatus,
              details: [
                ...(task.subnet !== undefined ? [{ name: 'subnetId', value: task.subnet }] : []),
                { name: 'networkInterfaceId', value: task.eniId },
                { name: 'privateIPv4Address', value: task.privateIp }
              ]
            }
          ]
        : [],
      attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
      availabilityZone: `${this.env.region}a`,
      ...(task.capacityProviderName !== undefined && { capacityProviderName: task.capacityProviderName }),
      clusterArn: clusterArn(this.env, task.cluster),
      ...(isPast(pendingAt) && { connectivity: 'CONNECTED', connectivityAt: date(pendingAt) }),
      ...(task.containerInstanceId !== undefined && {
        containerInstanceArn: containerInstanceArn(this.env, task.cluster, task.containerInstanceId)
      }),
      containers: task.containers.map((c) => {
        const o = containerOverrides.find((x) => x.name === c.name)
        const exitCode = task.stop?.exitCodes?.[c.name]
        const reason = task.stop?.reasons[c.name]
        return {
          containerArn: c.arn,
          taskArn: taskArn(this.env, task.cluster, task.id),
          name: c.name,
          image: c.image,
          ...(running && { runtimeId: c.runtimeId }),
          lastStatus: stopping ? 'STOPPED' : running ? 'RUNNING' : 'PENDING',
          ...(stopping && exitCode !== undefined && { exitCode }),
          ...(stopping && reason !== undefined && { reason }),
          networkBindings: [],
          networkInterfaces:
            task.awsvpc && isPast(pendingAt) ? [{ attachmentId, privateIpv4Address: task.privateIp }] : [],
          healthStatus: 'UNKNOWN',
          cpu: String(o?.cpu ?? c.def.cpu ?? 0),
          ...((o?.memory ?? c.def.memory) != null && { memory: String(o?.memory ?? c.def.memory) }),
          ...((o?.memoryReservation ?? c.def.memoryReservation) != null && {
            memoryReservation: String(o?.memoryReservation ?? c.def.memoryReservation)
          })
        }
      }),
      ...((task.overrides.cpu ?? task.def.cpu) !== undefined && { cpu: String(task.overrides.cpu ?? task.def.cpu) }),
      ...((task.overrides.memory ?? task.def.memory) !== undefined && {
        memory: String(task.overrides.memory ?? task.def.memory)
      }),
      createdAt: date(task.createdAt),
      desiredStatus: stopping ? 'STOPPED' : 'RUNNING',
      enableExecuteCommand: task.input.enableExecuteCommand === true,
      ...(stopping && { executionStoppedAt: date(stoppingAt) }),
      group: task.group,
      healthStatus: 'UNKNOWN',
      lastStatus: current.status,
      ...(task.launchType !== undefined && { launchType: task.launchType }),
      overrides: structuredClone(task.overrides),
      ...(fargate && { platformVersion: FARGATE_PLATFORM_VERSION, platformFamily: 'Linux' }),
      ...(running && { pullStartedAt: date(pendingAt ?? task.createdAt), pullStoppedAt: date(runningAt) }),
      ...(running && { startedAt: date(runningAt) }),
      ...(typeof task.input.startedBy === 'string' && { startedBy: task.input.startedBy }),
      ...(stopping && task.stop && { stopCode: task.stop.stopCode, stoppedReason: task.stop.stoppedReason }),
      ...(stopping && { stoppingAt: date(stoppingAt) }),
      ...(isPast(stoppedAt) && { stoppedAt: date(stoppedAt) }),
      ...(includeTags && { tags: structuredClone(task.tags) }),
      taskArn: taskArn(this.env, task.cluster, task.id),
      taskDefinitionArn: task.def.taskDefinitionArn,
      version: reached.length
    }
  }

  describeTasks(input: Input) {
    const cluster = this.cluster(optString(input, 'cluster'))
    const refs = stringArray(optList(input, 'tasks') ?? [], 'tasks')
    if (refs.length === 0) throw invalidParameter('Tasks cannot be empty.')
    if (refs.length > MAX_DESCRIBE_TASKS)
      throw invalidParameter(`Tasks cannot have more than ${MAX_DESCRIBE_TASKS} items.`)
    const include = stringArray(optList(input, 'include') ?? [], 'include')
    for (const i of include) oneOf(i, ['TAGS'], 'include value', invalidParameter)
    const now = Date.now()
    const tasks: Input[] = []
    const failures: Input[] = []
    for (const ref of new Set(refs)) {
      const parsed = parseTaskRef(this.env, ref)
      const task = parsed && this.tasksById.get(parsed.id)
      if (task && task.cluster === cluster.name && (parsed.cluster === undefined || parsed.cluster === cluster.name)) {
        tasks.push(this.taskView(task, now, include.includes('TAGS')))
      } else {
        failures.push({
          arn: parsed && !ref.startsWith('arn:') ? taskArn(this.env, cluster.name, ref) : ref,
          reason: 'MISSING'
        })
      }
    }
    return { tasks, failures }
  }

  // ---- services ----

  private service(cluster: StoredCluster, ref: string | undefined): StoredService {
    if (ref === undefined || ref === '') throw invalidParameter('service can not be blank.')
    const parsed = parseServiceRef(this.env, ref)
    if (!parsed || (parsed.cluster !== undefined && parsed.cluster !== cluster.name)) throw serviceNotFound()
    const svc = this.servicesByKey.get(`${cluster.name}/${parsed.name}`)
    if (!svc) throw serviceNotFound()
    return svc
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
   * had scheduled is dropped; the new one's life is laid out on the service's schedule.
   */
  private deploy(
    svc: StoredService,
    def: StoredDefinition,
    at: number,
    outcome: DeploymentOutcome,
    step: number,
    hold: boolean,
    rollingBackTo?: string
  ): EcsDeployment {
    for (const d of svc.deployments) {
      if (d.status === 'PRIMARY') {
        d.status = 'ACTIVE'
        d.updatedAt = new Date(at)
      }
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
      ...(svc.launchType !== undefined && { launchType: svc.launchType }),
      ...(svc.launchType === 'FARGATE' && { platformVersion: FARGATE_PLATFORM_VERSION }),
      ...(svc.networkConfiguration !== undefined && {
        networkConfiguration: structuredClone(svc.networkConfiguration)
      }),
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason:
        rollingBackTo === undefined
          ? `ECS deployment ${id} in progress.`
          : `ECS deployment circuit breaker: rolling back to deploymentId ${rollingBackTo}.`
    }
    svc.deployments.unshift(d)
    svc.taskDefinition = def.taskDefinitionArn
    const name = svc.name
    const touch = (t: number) => {
      d.updatedAt = new Date(t)
    }

    const startedAt = at + step
    this.scheduleAt(svc, startedAt, () => {
      if (d.desiredCount === 0) return
      d.pendingCount = d.desiredCount
      touch(startedAt)
      const ids = Array.from({ length: Math.min(d.desiredCount, 10) }, () => `(task ${taskId()})`).join(' ')
      this.addEvent(svc, startedAt, `(service ${name}) has started ${d.desiredCount} tasks: ${ids}.`)
    })
    if (hold) return d
    const endAt = at + 2 * step
    this.scheduleAt(svc, endAt, () => {
      touch(endAt)
      if (outcome.result === 'COMPLETED') {
        d.pendingCount = 0
        d.runningCount = d.desiredCount
        d.rolloutState = 'COMPLETED'
        d.rolloutStateReason = `ECS deployment ${id} completed.`
        // The older deployments' tasks are drained and the deployments go away.
        svc.deployments = [d]
        svc.lastCompleted = { id, taskDefinition: d.taskDefinition }
        this.addEvent(svc, endAt, `(service ${name}) (deployment ${id}) deployment completed.`)
        this.addEvent(svc, endAt, `(service ${name}) has reached a steady state.`)
        return
      }
      const reason = outcome.reason ?? CIRCUIT_BREAKER_REASON
      d.failedTasks += Math.max(1, d.desiredCount)
      d.pendingCount = 0
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
      d.rolloutState = 'FAILED'
      d.rolloutStateReason = reason
      const what = reason.replace(/^ECS deployment circuit breaker: /, '')
      this.addEvent(svc, endAt, `(service ${name}) (deployment ${id}) deployment failed: ${what}`)
      if (!cb.rollback) return
      const target = svc.lastCompleted
      const targetDef = this.allRevisions().find((r) => r.def.taskDefinitionArn === target.taskDefinition)?.def
      if (!targetDef) return
      this.addEvent(svc, endAt, `(service ${name}) rolling back to deployment ${target.id}.`)
      this.deploy(svc, targetDef, endAt, { result: 'COMPLETED' }, step, false, target.id)
    })
    return d
  }

  private serviceView(svc: StoredService, includeTags: boolean): Input {
    const primary = svc.deployments.filter((d) => d.status === 'PRIMARY')
    const others = svc.deployments.filter((d) => d.status !== 'PRIMARY')
    const deployments = [...primary, ...others]
    return {
      serviceArn: serviceArn(this.env, svc.cluster, svc.name),
      serviceName: svc.name,
      clusterArn: clusterArn(this.env, svc.cluster),
      loadBalancers: [],
      serviceRegistries: [],
      status: 'ACTIVE',
      desiredCount: svc.desiredCount,
      runningCount: deployments.reduce((n, d) => n + d.runningCount, 0),
      pendingCount: deployments.reduce((n, d) => n + d.pendingCount, 0),
      ...(svc.launchType !== undefined && { launchType: svc.launchType }),
      ...(svc.platformVersion !== undefined && { platformVersion: svc.platformVersion }),
      taskDefinition: svc.taskDefinition,
      deploymentConfiguration: structuredClone(svc.deploymentConfiguration),
      deployments: structuredClone(deployments),
      events: structuredClone(svc.events),
      createdAt: svc.createdAt,
      placementConstraints: [],
      placementStrategy: [],
      ...(svc.networkConfiguration !== undefined && {
        networkConfiguration: structuredClone(svc.networkConfiguration)
      }),
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
      createdBy: callerArn(this.env),
      enableECSManagedTags: false,
      propagateTags: 'NONE',
      enableExecuteCommand: false,
      ...(includeTags && { tags: structuredClone(svc.tags) })
    }
  }

  updateService(input: Input) {
    const cluster = this.cluster(optString(input, 'cluster'))
    const svc = this.service(cluster, optString(input, 'service'))
    const now = Date.now()
    this.advance(svc, now)

    const desiredCount = optNum(input, 'desiredCount')
    if (desiredCount !== undefined && desiredCount < 0) throw invalidParameter('desiredCount must be at least 0.')
    const force = optBool(input, 'forceNewDeployment') ?? false
    const ref = optString(input, 'taskDefinition')
    let def: StoredDefinition | undefined
    if (ref !== undefined) {
      def = this.resolve(ref)
      if (!def) throw clientError('TaskDefinition not found.')
      if (def.status !== 'ACTIVE') throw invalidParameter('TaskDefinition is inactive')
    }
    const networkConfiguration = optObject(input, 'networkConfiguration')
    const platformVersion = optString(input, 'platformVersion')
    if (platformVersion !== undefined && svc.launchType !== 'FARGATE') {
      throw invalidParameter(
        'The platform version can only be specified for services that use the FARGATE launch type.'
      )
    }
    const config = optObject(input, 'deploymentConfiguration')
    const cb = config && optObject(config, 'deploymentCircuitBreaker')
    if (cb !== undefined) {
      const enable = optBool(cb, 'enable')
      const rollback = optBool(cb, 'rollback')
      if (enable === undefined || rollback === undefined) {
        throw invalidParameter('deploymentCircuitBreaker needs both enable and rollback.')
      }
    }
    const current = this.resolve(svc.taskDefinition)
    const target = def ?? current
    if (!target) throw new Error(`fake-aws: the task definition ${svc.taskDefinition} of ${svc.name} is gone`)
    const newNetwork = networkConfiguration ?? svc.networkConfiguration
    if (def !== undefined || networkConfiguration !== undefined) this.checkLaunch(target, svc.launchType, newNetwork)

    const outcome = this.deploymentOutcome
    const cbNow =
      cb !== undefined ? { enable: cb.enable === true, rollback: cb.rollback === true } : circuitBreaker(svc)
    const changes =
      force ||
      (def !== undefined && def.taskDefinitionArn !== svc.taskDefinition) ||
      (networkConfiguration !== undefined &&
        canonicalJson(networkConfiguration) !== canonicalJson(svc.networkConfiguration)) ||
      (platformVersion !== undefined && platformVersion !== svc.platformVersion)
    if (changes && outcome.result === 'FAILED' && outcome.rollback !== undefined) {
      const rollback = cbNow?.enable === true && cbNow.rollback
      if (outcome.rollback !== rollback) {
        // A test set-up mistake, not an AWS error: the circuit breaker decides whether ECS rolls back.
        throw new Error(
          `fake-aws: setDeploymentOutcome asks for rollback: ${outcome.rollback}, but service ${svc.name} has ` +
            `deploymentCircuitBreaker ${JSON.stringify(cbNow ?? null)}`
        )
      }
    }

    if (desiredCount !== undefined) {
      svc.desiredCount = desiredCount
      const primary = svc.deployments.find((d) => d.status === 'PRIMARY')
      if (primary) {
        primary.desiredCount = desiredCount
        if (primary.rolloutState === 'COMPLETED') primary.runningCount = desiredCount
      }
    }
    if (config !== undefined) {
      svc.deploymentConfiguration = { ...svc.deploymentConfiguration, ...structuredClone(config) }
    }
    if (networkConfiguration !== undefined) svc.networkConfiguration = structuredClone(networkConfiguration)
    if (platformVersion !== undefined) svc.platformVersion = platformVersion
    if (changes) {
      const options = this.deploymentOptions
      const step = ('stepMs' in options ? options.stepMs : undefined) ?? DEFAULT_DEPLOYMENT_STEP_MS
      const hold = 'holdInProgress' in options && options.holdInProgress
      const problem = this.startProblem(target, svc.launchType)
      const effective: DeploymentOutcome = problem !== undefined ? { result: 'FAILED' } : outcome
      this.deploy(svc, target, now, effective, step, hold)
    }
    return { service: this.serviceView(svc, false) }
  }

  describeServices(input: Input) {
    const cluster = this.cluster(optString(input, 'cluster'))
    const refs = stringArray(optList(input, 'services') ?? [], 'services')
    if (refs.length === 0) throw invalidParameter('Services cannot be empty.')
    if (refs.length > MAX_DESCRIBE_SERVICES) {
      throw invalidParameter(`Services cannot have more than ${MAX_DESCRIBE_SERVICES} items.`)
    }
    const include = stringArray(optList(input, 'include') ?? [], 'include')
    for (const i of include) oneOf(i, ['TAGS'], 'include value', invalidParameter)
    const now = Date.now()
    const services: Input[] = []
    const failures: Input[] = []
    for (const ref of new Set(refs)) {
      const parsed = parseServiceRef(this.env, ref)
      const svc =
        parsed && (parsed.cluster === undefined || parsed.cluster === cluster.name)
          ? this.servicesByKey.get(`${cluster.name}/${parsed.name}`)
          : undefined
      if (svc) {
        this.advance(svc, now)
        services.push(this.serviceView(svc, include.includes('TAGS')))
      } else {
        const arn = parsed && !ref.startsWith('arn:') ? serviceArn(this.env, cluster.name, parsed.name) : ref
        failures.push({ arn, reason: 'MISSING' })
      }
    }
    return { services, failures }
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
