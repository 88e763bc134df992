// AWS Batch as far as the action uses it: job definitions (register, describe with the defaults Batch
// fills in, deregister), SubmitJob, ListJobs by job name, and DescribeJobs through a job's lifecycle.
import { randomBytes, randomUUID } from 'node:crypto'
import {
  DEFINITION_TYPES,
  JOB_NAME,
  MAX_DEFINITION_BYTES,
  MAX_PAGE,
  RESOURCE_NAME,
  checkSize,
  checkTags,
  clientError,
  computeEnvironmentArn,
  decodeToken,
  definitionArn,
  encodeToken,
  jobArn,
  jobNameMatches,
  parseDefinitionRef,
  parseQueueRef,
  queueArn,
  required,
  type ComputeType,
  type DefinitionType,
  type JobStatus,
  type ResourceState,
  type ResourceStatus
} from './batch-rules.js'
import { secretValue, secretsProblem } from './ecs-rules.js'
import { partitionOf } from './identity.js'
import { awslogsTarget, type ContainerHooks, type ContainerOutput } from './logs.js'
import { AwsError } from './protocols.js'
import { optList, optString } from './validate.js'
import type { Input, ServiceContext, ServiceDefinition, ServiceEnv } from './types.js'

export type { ComputeType, JobStatus, ResourceState, ResourceStatus } from './batch-rules.js'

/** A queue as addQueue seeds it; statusReason defaults to "JobQueue Healthy" when VALID (aws-cli example). */
export interface JobQueueOptions {
  /** default ENABLED */
  state?: ResourceState
  /** default VALID */
  status?: ResourceStatus
  statusReason?: string
  /** default 1 */
  priority?: number
  /** names of compute environments added before, in order; default none (DESCRIBE.md 3) */
  computeEnvironments?: string[]
}

export interface ComputeEnvironmentSeed {
  name: string
  /** computeResources.type, or UNMANAGED */
  type: ComputeType
  /** default ENABLED */
  state?: ResourceState
  /** default VALID */
  status?: ResourceStatus
  /** default "ComputeEnvironment Healthy" when VALID */
  statusReason?: string
  /** required for a managed type */
  maxvCpus?: number
}

type StoredQueue = Required<Omit<JobQueueOptions, 'statusReason'>> & { name: string; statusReason: string | undefined }
type StoredEnvironment = Required<Omit<ComputeEnvironmentSeed, 'statusReason' | 'maxvCpus'>> & {
  statusReason: string | undefined
  maxvCpus?: number | undefined
}

/** A revision as it is stored: the registered members plus the output-only ones. */
type StoredDefinition = Input & {
  jobDefinitionName: string
  jobDefinitionArn: string
  revision: number
  status: 'ACTIVE' | 'INACTIVE'
  type: DefinitionType
  containerOrchestrationType: 'ECS' | 'EKS'
}

/**
 * A revision as DescribeJobDefinitions returns it. The output-only members are always present; they
 * are typed optional only so that a test can cast a revision to the part of it that it inspects.
 */
export type JobDefinition = Input & Partial<StoredDefinition>

export type JobOutcome =
  | { result: 'SUCCEEDED' }
  | { result: 'FAILED'; statusReason: string; exitCode?: number; containerReason?: string; logStreamName?: string }

export interface JobOutcomeOptions {
  /** time spent in each intermediate status, default 20 ms */
  stepMs?: number
  /** the job reaches RUNNING and stays there */
  holdAt?: 'RUNNING'
  /** what a container job prints once RUNNING; it runs at least until its last line */
  output?: ContainerOutput
}

/**
 * A submitted job, for assertions: the SubmitJob members as received, except that jobQueue and
 * jobDefinition are resolved to ARNs, plus the job's state now.
 */
export type Job = Input & {
  jobId: string
  jobArn: string
  jobName: string
  /** queue ARN */
  jobQueue: string
  /** ARN of the revision the job runs */
  jobDefinition: string
  parameters?: Record<string, string>
  tags?: Record<string, string>
  containerOverrides?: Input
  ecsPropertiesOverride?: Input
  status: JobStatus
  statusReason?: string
  /** epoch milliseconds, like Batch */
  createdAt: number
  startedAt?: number
  stoppedAt?: number
  /** the SubmitJob members exactly as received */
  input: Input
}

// RegisterJobDefinition's members; a Smithy server ignores unknown ones.
const DEFINITION_MEMBERS = (
  'jobDefinitionName type parameters schedulingPriority containerProperties nodeProperties retryStrategy ' +
  'propagateTags timeout tags platformCapabilities eksProperties ecsProperties consumableResourceProperties'
).split(' ')
// SubmitJob members whose effect (array and multi-node jobs, dependencies, fair share) is not modelled.
const UNMODELLED_SUBMIT = ['arrayProperties', 'dependsOn', 'nodeOverrides', 'eksPropertiesOverride', 'shareIdentifier']
/** The statusReason of a job whose essential container ended (DescribeJobs answers in the Batch docs). */
const SUCCESS_REASON = 'Essential container in task exited'
/** FAILURES.md 1.8: a container that never started; container.reason says why. */
const START_FAILURE = 'Task failed to start'
const DEFAULT_STEP_MS = 20
/**
 * DescribeJobDefinitions returns these container lists as [] when none were given (a published
 * describe-job-definitions answer of 21 revisions; Terraform's acceptance tests): see
 * __tests__/fixtures/real-definitions/DEFAULTS.md.
 */
const DEFAULTED_CONTAINER_LISTS = 'command environment mountPoints resourceRequirements secrets ulimits volumes'.split(
  ' '
)

const isRecord = (v: unknown): v is Input => typeof v === 'object' && v !== null && !Array.isArray(v)
const records = (v: unknown): Input[] => (Array.isArray(v) ? v.filter(isRecord) : [])

/** What is kept is a deep copy. */
function pick(input: Input, keys: readonly string[]): Input {
  const out: Input = {}
  for (const k of keys) if (input[k] !== undefined && input[k] !== null) out[k] = structuredClone(input[k])
  return out
}

/**
 * A container of a job definition as Batch stores and describes it: empty lists filled in, an
 * environment entry without a value dropped ("ignored by the Batch service", Terraform), and an
 * empty secretOptions beside a logConfiguration.
 */
function describedContainer(container: Input, fargate: boolean): Input {
  const out: Input = { ...container }
  for (const k of DEFAULTED_CONTAINER_LISTS) out[k] ??= []
  out.environment = records(out.environment).filter((e) => e.value !== undefined && e.value !== '')
  if (isRecord(out.logConfiguration)) out.logConfiguration = { secretOptions: [], ...out.logConfiguration }
  if (fargate) {
    out.fargatePlatformConfiguration = {
      platformVersion: 'LATEST',
      ...(isRecord(out.fargatePlatformConfiguration) ? out.fargatePlatformConfiguration : {})
    }
  }
  return out
}

/**
 * The definition as DescribeJobDefinitions returns it. Batch does not add platformCapabilities,
 * propagateTags or a Fargate networkConfiguration that were not given. It echoes evaluateOnExit
 * actions lower-case: not in a published answer, but the value is case-insensitive by the API
 * reference, Terraform lower-cases it on both sides, and an independent emulator answered so (issue
 * 11); the action must accept either case.
 */
function describedDefinition(def: Input): Input {
  const out: Input = { parameters: {}, tags: {}, ...def }
  const fargate = Array.isArray(def.platformCapabilities) && def.platformCapabilities.includes('FARGATE')
  if (isRecord(def.containerProperties)) out.containerProperties = describedContainer(def.containerProperties, fargate)
  if (isRecord(def.nodeProperties)) {
    out.nodeProperties = {
      ...def.nodeProperties,
      nodeRangeProperties: records(def.nodeProperties.nodeRangeProperties).map((range) => ({
        instanceTypes: [],
        ...range,
        ...(isRecord(range.container) && { container: describedContainer(range.container, false) })
      }))
    }
  }
  if (isRecord(def.ecsProperties)) {
    // Terraform's ecsProperties normaliser: containers essential, platformVersion LATEST.
    out.ecsProperties = {
      ...def.ecsProperties,
      taskProperties: records(def.ecsProperties.taskProperties).map((task) => ({
        platformVersion: 'LATEST',
        ...task,
        containers: records(task.containers).map((c) => ({ essential: true, ...describedContainer(c, false) }))
      }))
    }
  }
  if (isRecord(def.retryStrategy)) {
    out.retryStrategy = {
      ...def.retryStrategy,
      evaluateOnExit: records(def.retryStrategy.evaluateOnExit).map((rule) =>
        typeof rule.action === 'string' ? { ...rule, action: rule.action.toLowerCase() } : rule
      )
    }
  }
  return out
}

/**
 * A job's life, laid out at submission so that its status depends only on the clock. One attempt:
 * a retryStrategy is stored but not modelled (the action reads the status, not the attempts).
 */
interface StoredJob {
  seq: number
  jobId: string
  jobName: string
  queueArn: string
  definition: StoredDefinition
  input: Input
  createdAt: number
  steps: Array<{ status: JobStatus; at: number }>
  /** undefined: the job stays RUNNING */
  end?: { status: 'SUCCEEDED' | 'FAILED'; at: number; statusReason: string; exitCode?: number; reason?: string }
  logStreamName?: string
  /** the ECS task that runs a container job's attempt */
  taskArn?: string
}

const endOf = (job: StoredJob, now: number) => (job.end !== undefined && job.end.at <= now ? job.end : undefined)

function view(job: StoredJob, now: number) {
  const reached = job.steps.filter((s) => s.at <= now)
  const startedAt = reached.find((s) => s.status === 'RUNNING')?.at
  const end = endOf(job, now)
  return {
    status: end?.status ?? reached.at(-1)?.status ?? 'SUBMITTED',
    ...(end && { statusReason: end.statusReason }),
    ...(startedAt !== undefined && { startedAt }),
    ...(end && { stoppedAt: end.at })
  }
}

export class BatchState {
  private readonly defs = new Map<string, StoredDefinition[]>()
  private readonly queues = new Map<string, StoredQueue>()
  private readonly environments = new Map<string, StoredEnvironment>()
  private readonly jobsById = new Map<string, StoredJob>()
  private seq = 0
  private outcome: JobOutcome = { result: 'SUCCEEDED' }
  private outcomeOptions: JobOutcomeOptions = {}

  constructor(
    private readonly env: ServiceEnv,
    private readonly hooks: ContainerHooks
  ) {}

  /** Seeds a job queue (or replaces it); returns its ARN. */
  addQueue(name: string, options: JobQueueOptions = {}): string {
    if (!RESOURCE_NAME.test(name)) throw clientError(`'${name}' is not a job queue name.`)
    const missing = options.computeEnvironments?.find((ce) => !this.environments.has(ce))
    if (missing !== undefined) throw new Error(`No compute environment ${missing}; add it first.`)
    this.queues.set(name, {
      name,
      state: 'ENABLED',
      status: 'VALID',
      priority: 1,
      computeEnvironments: [],
      ...options,
      statusReason: options.statusReason ?? ((options.status ?? 'VALID') === 'VALID' ? 'JobQueue Healthy' : undefined)
    })
    return queueArn(this.env, name)
  }

  /** Seeds a compute environment (or replaces it); returns its ARN. */
  addComputeEnvironment(seed: ComputeEnvironmentSeed): string {
    if (!RESOURCE_NAME.test(seed.name)) throw new Error(`'${seed.name}' is not a compute environment name.`)
    if (seed.type !== 'UNMANAGED' && !(Number.isInteger(seed.maxvCpus) && (seed.maxvCpus ?? 0) >= 0)) {
      throw new Error(`A ${seed.type} compute environment needs maxvCpus.`)
    }
    const status = seed.status ?? 'VALID'
    this.environments.set(seed.name, {
      state: 'ENABLED',
      ...seed,
      status,
      statusReason: seed.statusReason ?? (status === 'VALID' ? 'ComputeEnvironment Healthy' : undefined)
    })
    return computeEnvironmentArn(this.env, seed.name)
  }

  /** Registers a revision by the rules of RegisterJobDefinition. */
  seedDefinition(input: Record<string, unknown>): { arn: string; revision: number } {
    const out = this.registerJobDefinition(input)
    return { arn: out.jobDefinitionArn, revision: out.revision }
  }

  /** Every revision (ACTIVE and INACTIVE), by name then revision, with the output-only members. */
  definitions(name?: string): JobDefinition[] {
    return this.allDefinitions()
      .filter((d) => name === undefined || d.jobDefinitionName === name)
      .map((d) => structuredClone(d))
  }

  /** Every submitted job, oldest first, as it is now. */
  jobs(): Job[] {
    const now = Date.now()
    return [...this.jobsById.values()].map((j) => ({
      ...structuredClone(j.input),
      jobId: j.jobId,
      jobArn: jobArn(this.env, j.jobId),
      jobName: j.jobName,
      jobQueue: j.queueArn,
      jobDefinition: j.definition.jobDefinitionArn,
      input: structuredClone(j.input),
      createdAt: j.createdAt,
      ...view(j, now)
    }))
  }

  /** How jobs submitted from now on end, and how fast they get there. */
  setJobOutcome(outcome: JobOutcome, options: JobOutcomeOptions = {}): void {
    if (options.stepMs !== undefined && !(Number.isFinite(options.stepMs) && options.stepMs >= 0)) {
      throw new Error(`stepMs must be a number >= 0, got ${options.stepMs}`)
    }
    this.outcome = structuredClone(outcome)
    this.outcomeOptions = { ...options }
  }

  private allDefinitions(): StoredDefinition[] {
    return [...this.defs.keys()].sort().flatMap((n) => this.defs.get(n) ?? [])
  }

  /** The revisions a reference names: `name` (all of them), `name:revision` or an ARN. */
  private named(ref: string): StoredDefinition[] {
    const parsed = parseDefinitionRef(this.env, ref)
    if (!parsed) return []
    return (this.defs.get(parsed.name) ?? []).filter(
      (d) => parsed.revision === undefined || d.revision === parsed.revision
    )
  }

  registerJobDefinition(input: Input) {
    const name = required(input, 'jobDefinitionName')
    const type = required(input, 'type')
    if (!RESOURCE_NAME.test(name)) {
      throw clientError(
        'Job definition name can be up to 128 characters long and contain uppercase and lowercase letters, numbers, ' +
          'hyphens (-), and underscores (_).'
      )
    }
    if (!(DEFINITION_TYPES as readonly string[]).includes(type)) {
      throw clientError(`Invalid job definition type '${type}'. Expected one of: ${DEFINITION_TYPES.join(', ')}.`)
    }
    checkTags(input)
    checkSize(input, MAX_DEFINITION_BYTES, 'RegisterJobDefinition')
    const def = pick(input, DEFINITION_MEMBERS)
    const revisions = this.defs.get(name) ?? []
    // Revisions never repeat: INACTIVE ones count too.
    const revision = Math.max(0, ...revisions.map((d) => d.revision)) + 1
    const stored: StoredDefinition = {
      ...describedDefinition(def),
      jobDefinitionName: name,
      jobDefinitionArn: definitionArn(this.env, name, revision),
      revision,
      status: 'ACTIVE',
      type: type as DefinitionType,
      containerOrchestrationType: def.eksProperties === undefined ? 'ECS' : 'EKS'
    }
    this.defs.set(name, [...revisions, stored])
    return { jobDefinitionName: name, jobDefinitionArn: stored.jobDefinitionArn, revision }
  }

  /** By a list of references, or by name and status a page of up to 100 at a time, by name then revision. */
  describeJobDefinitions(input: Input) {
    const refs = optList(input, 'jobDefinitions') ?? []
    if (refs.length > 0) {
      const wanted = new Set(refs.flatMap((ref) => this.named(String(ref))))
      return {
        jobDefinitions: this.allDefinitions()
          .filter((d) => wanted.has(d))
          .map((d) => structuredClone(d))
      }
    }
    const name = optString(input, 'jobDefinitionName')
    const status = optString(input, 'status')
    const after = decodeToken(optString(input, 'nextToken'))
    if (
      after !== undefined &&
      !(Array.isArray(after) && typeof after[0] === 'string' && typeof after[1] === 'number')
    ) {
      throw clientError('The nextToken is not valid.')
    }
    const matching = this.allDefinitions().filter(
      (d) =>
        (name === undefined || d.jobDefinitionName === name) &&
        (status === undefined || d.status === status) &&
        (after === undefined ||
          d.jobDefinitionName > after[0] ||
          (d.jobDefinitionName === after[0] && d.revision > after[1]))
    )
    const page = matching.slice(0, MAX_PAGE)
    const last = page.at(-1)
    return {
      jobDefinitions: page.map((d) => structuredClone(d)),
      nextToken:
        matching.length > page.length && last ? encodeToken([last.jobDefinitionName, last.revision]) : undefined
    }
  }

  /** Takes `name:revision` or an ARN with the revision. */
  deregisterJobDefinition(input: Input) {
    const ref = required(input, 'jobDefinition')
    const def = parseDefinitionRef(this.env, ref)?.revision === undefined ? undefined : this.named(ref)[0]
    if (!def) throw clientError(`Job definition ${ref} does not exist.`)
    def.status = 'INACTIVE'
    return {}
  }

  submitJob(input: Input, ctx: ServiceContext) {
    const jobName = required(input, 'jobName')
    if (!JOB_NAME.test(jobName)) {
      throw clientError(
        `Error executing request, Exception : Job name should match valid pattern, RequestId: ${ctx.requestId}`
      )
    }
    const queueRef = required(input, 'jobQueue')
    const defRef = required(input, 'jobDefinition')
    checkTags(input)
    const unmodelled = UNMODELLED_SUBMIT.find((k) => input[k] !== undefined && input[k] !== null)
    if (unmodelled) throw new AwsError('NotModelledByFake', `SubmitJob ${unmodelled} is not modelled by this fake.`)
    const queueName = parseQueueRef(this.env, queueRef)
    const queue = queueName === undefined ? undefined : this.queues.get(queueName)
    if (queueName === undefined || !queue) throw clientError(`JobQueue ${queueRef} not found.`)
    if (queue.state !== 'ENABLED' || queue.status !== 'VALID') {
      // "If the job queue state is DISABLED, new jobs can't be added to the queue": the answer is not known.
      throw new AwsError('NotModelledByFake', `SubmitJob to a ${queue.state} ${queue.status} queue is not modelled.`)
    }
    // `name` means the latest ACTIVE revision.
    const def = this.named(defRef)
      .filter((d) => d.status === 'ACTIVE')
      .at(-1)
    if (!def) {
      const named = parseDefinitionRef(this.env, defRef)?.revision === undefined && !defRef.startsWith('arn:')
      throw clientError(`JobDefinition ${named ? 'name ' : ''}${defRef} does not exist or is not in ACTIVE status`)
    }
    for (const [k, fits] of [
      ['containerOverrides', def.containerProperties !== undefined],
      ['ecsPropertiesOverride', def.ecsProperties !== undefined]
    ] as const) {
      if (!fits && input[k] !== undefined && input[k] !== null) {
        throw clientError(`${k} can't be used with job definition ${def.jobDefinitionArn}.`)
      }
    }

    const jobId = randomUUID()
    const createdAt = Date.now()
    const step = this.outcomeOptions.stepMs ?? DEFAULT_STEP_MS
    const job: StoredJob = {
      seq: ++this.seq,
      jobId,
      jobName,
      queueArn: queueArn(this.env, queueName),
      definition: def,
      input: pick(input, Object.keys(input)),
      createdAt,
      steps: (['RUNNABLE', 'STARTING', 'RUNNING'] as const).map((status, i) => ({
        status,
        at: createdAt + (i + 1) * step
      }))
    }
    const runningAt = createdAt + 3 * step
    const container = isRecord(def.containerProperties) ? def.containerProperties : undefined
    const { running, problem } = container ? this.startContainer(job, container, runningAt) : { running: 0 }
    const o = this.outcome
    if (problem !== undefined) {
      // FAILURES.md 1.8: it never runs; the stream it was named never exists (LOGS.md 2.1, nextstrain).
      job.steps.pop()
      job.end = { status: 'FAILED', at: runningAt, statusReason: START_FAILURE, reason: problem }
    } else if (this.outcomeOptions.holdAt !== 'RUNNING') {
      const at = runningAt + Math.max(step, running)
      if (o.result === 'SUCCEEDED') job.end = { status: 'SUCCEEDED', at, statusReason: SUCCESS_REASON, exitCode: 0 }
      else {
        job.end = { status: 'FAILED', at, statusReason: o.statusReason }
        if (o.exitCode !== undefined) job.end.exitCode = o.exitCode
        if (o.containerReason !== undefined) job.end.reason = o.containerReason
        if (o.logStreamName !== undefined) job.logStreamName = o.logStreamName
      }
    }
    this.jobsById.set(jobId, job)
    return { jobArn: jobArn(this.env, jobId), jobName, jobId }
  }

  /**
   * A container job's ECS task: its log stream and why it fails to start, if it does (the texts of ECS,
   * FAILURES.md 1.8); else what it prints from `at` on and for how long.
   */
  private startContainer(job: StoredJob, container: Input, at: number): { running: number; problem?: string } {
    const taskId = randomBytes(16).toString('hex')
    // The compute environment's ECS cluster is not modelled: 'batch' stands for it (D).
    job.taskArn = `arn:${partitionOf(this.env.region)}:ecs:${this.env.region}:${this.env.accountId}:task/batch/${taskId}`
    // LOGS.md 2.1: `<definition name>/default/<task id>`; with a prefix `<prefix>/default/<task id>` (D).
    const target = awslogsTarget(
      container,
      true,
      (prefix = job.definition.jobDefinitionName) => `${prefix}/default/${taskId}`
    )
    if (target) job.logStreamName = target.stream
    const secrets = records(container.secrets)
    if (secrets.length > 0 && container.executionRoleArn === undefined) {
      throw new AwsError('NotModelledByFake', 'A Batch container with secrets and no executionRoleArn is not modelled.')
    }
    const fargate =
      Array.isArray(job.definition.platformCapabilities) && job.definition.platformCapabilities.includes('FARGATE')
    const problem = secretsProblem(
      { ...container, containerDefinitions: [container] },
      fargate,
      this.env,
      taskId,
      this.hooks
    )
    if (problem !== undefined) return { running: 0, problem }
    const value = (valueFrom: string) => secretValue(this.env, valueFrom, this.hooks)
    return { running: this.hooks.logs.run(container, this.outcomeOptions.output, at, value, target) }
  }

  /** The JobDetail members the action reads, and the job's identity. */
  private detail(job: StoredJob, now: number): Input {
    const v = view(job, now)
    const end = endOf(job, now)
    // The stream is named once the container runs, or when it failed to start; the exit code once it ended.
    const named = (v.startedAt !== undefined || end !== undefined) && job.logStreamName !== undefined
    const container = {
      ...(end?.exitCode !== undefined && { exitCode: end.exitCode }),
      ...(end?.reason !== undefined && { reason: end.reason }),
      ...(named && { logStreamName: job.logStreamName })
    }
    // LOGS.md 2.1, FAILURES.md 1.8: no attempt while the job runs, one (retries are not modelled) once it
    // ended. Jobs with ecsProperties or nodeProperties have no attempts here.
    const attempt = end && {
      container: { ...container, taskArn: job.taskArn },
      ...(v.startedAt !== undefined && { startedAt: v.startedAt }),
      stoppedAt: end.at,
      statusReason: end.statusReason
    }
    return {
      jobArn: jobArn(this.env, job.jobId),
      jobName: job.jobName,
      jobId: job.jobId,
      jobQueue: job.queueArn,
      ...v,
      createdAt: job.createdAt,
      jobDefinition: job.definition.jobDefinitionArn,
      ...(job.input.tags !== undefined && { tags: job.input.tags }),
      ...(job.definition.containerProperties !== undefined && { container, attempts: attempt ? [attempt] : [] })
    }
  }

  /**
   * DescribeJobQueues and DescribeComputeEnvironments: the ones named (names or ARNs; unknown ones
   * are left out, DESCRIBE.md 3), or all of them. Pages are not modelled.
   */
  private describeNamed<T>(input: Input, key: string, kind: string, all: Map<string, T>): T[] {
    if (input.maxResults != null || input.nextToken != null) {
      throw new AwsError('NotModelledByFake', `Pages of ${kind}s are not modelled.`)
    }
    const refs = optList(input, key) ?? []
    if (refs.length === 0) return [...all.values()]
    const names = new Set(refs.map((ref) => parseQueueRef(this.env, String(ref), kind)))
    return [...all.entries()].filter(([name]) => names.has(name)).map(([, v]) => v)
  }

  describeJobQueues(input: Input) {
    return {
      jobQueues: this.describeNamed(input, 'jobQueues', 'job-queue', this.queues).map((q) => ({
        jobQueueName: q.name,
        jobQueueArn: queueArn(this.env, q.name),
        state: q.state,
        status: q.status,
        statusReason: q.statusReason,
        priority: q.priority,
        computeEnvironmentOrder: q.computeEnvironments.map((ce, i) => ({
          order: i + 1,
          computeEnvironment: computeEnvironmentArn(this.env, ce)
        }))
      }))
    }
  }

  describeComputeEnvironments(input: Input) {
    const all = this.describeNamed(input, 'computeEnvironments', 'compute-environment', this.environments)
    return {
      computeEnvironments: all.map((ce) => ({
        computeEnvironmentName: ce.name,
        computeEnvironmentArn: computeEnvironmentArn(this.env, ce.name),
        type: ce.type === 'UNMANAGED' ? 'UNMANAGED' : 'MANAGED',
        state: ce.state,
        status: ce.status,
        statusReason: ce.statusReason,
        containerOrchestrationType: 'ECS',
        // Only the members the action reads: subnets, instance types, roles … are not modelled.
        computeResources: ce.type === 'UNMANAGED' ? undefined : { type: ce.type, maxvCpus: ce.maxvCpus }
      }))
    }
  }

  /** Up to 100 job IDs; unknown ones are left out. */
  describeJobs(input: Input) {
    const ids = optList(input, 'jobs')
    if (ids === undefined || ids.length < 1 || ids.length > MAX_PAGE) {
      throw clientError(`jobs must list between 1 and ${MAX_PAGE} job IDs.`)
    }
    const now = Date.now()
    const found = [...new Set(ids)].map((id) => this.jobsById.get(String(id)))
    return { jobs: found.flatMap((job) => (job ? [this.detail(job, now)] : [])) }
  }

  /**
   * ListJobs with one JOB_NAME filter, as the action sends it: "jobStatus is ignored", so every
   * status is listed, "sorted by the createdAt field, with the most recent jobs being first". Pages
   * are not modelled: the action reads the first one only.
   */
  listJobs(input: Input) {
    const queueRef = required(input, 'jobQueue')
    const queueName = parseQueueRef(this.env, queueRef)
    if (queueName === undefined || !this.queues.has(queueName)) throw clientError(`JobQueue ${queueRef} not found.`)
    const filters = records(optList(input, 'filters'))
    const values = filters[0]?.values
    if (filters.length !== 1 || filters[0]?.name !== 'JOB_NAME' || !Array.isArray(values) || values.length !== 1) {
      throw new AwsError('NotModelledByFake', 'ListJobs is modelled only with one JOB_NAME filter of one value.')
    }
    const arn = queueArn(this.env, queueName)
    const now = Date.now()
    return {
      jobSummaryList: [...this.jobsById.values()]
        .filter((j) => j.queueArn === arn && jobNameMatches(String(values[0]), j.jobName))
        .sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq)
        .map((j) => ({
          jobArn: jobArn(this.env, j.jobId),
          jobId: j.jobId,
          jobName: j.jobName,
          createdAt: j.createdAt,
          ...view(j, now),
          jobDefinition: j.definition.jobDefinitionArn
        }))
    }
  }
}

export function createBatch(
  env: ServiceEnv,
  hooks: ContainerHooks
): { definition: ServiceDefinition; state: BatchState } {
  const state = new BatchState(env, hooks)
  const operations: ServiceDefinition['operations'] = {
    RegisterJobDefinition: (i) => state.registerJobDefinition(i),
    DescribeJobDefinitions: (i) => state.describeJobDefinitions(i),
    DeregisterJobDefinition: (i) => state.deregisterJobDefinition(i),
    SubmitJob: (i, ctx) => state.submitJob(i, ctx),
    DescribeJobs: (i) => state.describeJobs(i),
    ListJobs: (i) => state.listJobs(i),
    DescribeJobQueues: (i) => state.describeJobQueues(i),
    DescribeComputeEnvironments: (i) => state.describeComputeEnvironments(i)
  }
  const definition: ServiceDefinition = {
    service: 'batch',
    protocol: 'restJson1',
    serverErrorCode: 'ServerException',
    // IAM.md 3.5: 403 AccessDeniedException; SubmitJob names the job definition, a Describe call its path.
    accessDenied: {
      code: 'AccessDeniedException',
      status: 403,
      resource: (op, i) =>
        `arn:${partitionOf(env.region)}:batch:${env.region}:${env.accountId}:` +
        (op === 'SubmitJob'
          ? `job-definition/${String(i.jobDefinition)}`
          : op.startsWith('Describe')
            ? `/v1/${op.toLowerCase()}`
            : '*')
    },
    routes: Object.fromEntries(Object.keys(operations).map((op) => [`POST /v1/${op.toLowerCase()}`, op])),
    writeOperations: ['RegisterJobDefinition', 'DeregisterJobDefinition', 'SubmitJob'],
    operations
  }
  return { definition, state }
}
