import { randomUUID } from 'node:crypto'
import {
  DEFINITION_TYPES,
  JOB_NAME,
  JOB_STATUSES,
  MAX_DEFINITION_BYTES,
  MAX_DEPENDENCIES,
  MAX_QUEUES,
  MAX_SUBMIT_BYTES,
  PLATFORM_CAPABILITIES,
  RESOURCE_NAME,
  checkEnvironmentNames,
  checkRetryStrategy,
  checkSize,
  checkTimeout,
  clientError,
  decodeToken,
  definitionArn,
  encodeToken,
  globMatch,
  jobArn,
  optIntIn,
  optPriority,
  optStringMap,
  optTags,
  parseDefinitionRef,
  parseQueueRef,
  queueArn,
  required,
  type DefinitionType,
  type JobStatus
} from './batch-rules.js'
import { AwsError } from './protocols.js'
import { asRecord, optBool, optList, optString } from './validate.js'
import type { Input, ServiceContext, ServiceDefinition, ServiceEnv } from './types.js'

export type { JobStatus } from './batch-rules.js'

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
  /** how many attempts have ended */
  attempts: number
  /** the SubmitJob members exactly as received */
  input: Input
}

const DEFINITION_MEMBERS = [
  'jobDefinitionName',
  'type',
  'parameters',
  'schedulingPriority',
  'containerProperties',
  'nodeProperties',
  'retryStrategy',
  'propagateTags',
  'timeout',
  'tags',
  'platformCapabilities',
  'eksProperties',
  'ecsProperties',
  'consumableResourceProperties'
] as const
const SUBMIT_MEMBERS = [
  'jobName',
  'jobQueue',
  'shareIdentifier',
  'schedulingPriorityOverride',
  'arrayProperties',
  'dependsOn',
  'jobDefinition',
  'parameters',
  'containerOverrides',
  'nodeOverrides',
  'retryStrategy',
  'propagateTags',
  'timeout',
  'tags',
  'eksPropertiesOverride',
  'ecsPropertiesOverride',
  'consumableResourcePropertiesOverride'
] as const
const PROPERTY_MEMBERS = ['containerProperties', 'nodeProperties', 'ecsProperties', 'eksProperties'] as const
/**
 * DescribeJobDefinitions and DescribeJobs return these container lists as [] when none were given
 * (a published describe-job-definitions answer of 21 revisions; Terraform's acceptance tests): see
 * __tests__/fixtures/real-definitions/DEFAULTS.md.
 */
const DEFAULTED_CONTAINER_LISTS = [
  'command',
  'environment',
  'mountPoints',
  'resourceRequirements',
  'secrets',
  'ulimits',
  'volumes'
] as const

/**
 * A container of a job definition as Batch stores and describes it: empty lists filled in, an
 * environment entry without a value dropped ("ignored by the Batch service", Terraform), and an
 * empty secretOptions beside a logConfiguration.
 */
function describedContainer(container: Input, fargate: boolean): Input {
  const out: Input = { ...container }
  for (const k of DEFAULTED_CONTAINER_LISTS) out[k] ??= []
  if (Array.isArray(out.environment)) {
    out.environment = out.environment.filter((e: unknown) => isRecord(e) && e.value !== undefined && e.value !== '')
  }
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
    const ranges = Array.isArray(def.nodeProperties.nodeRangeProperties) ? def.nodeProperties.nodeRangeProperties : []
    out.nodeProperties = {
      ...def.nodeProperties,
      nodeRangeProperties: ranges.map((range: unknown) =>
        isRecord(range)
          ? {
              instanceTypes: [],
              ...range,
              ...(isRecord(range.container) && { container: describedContainer(range.container, false) })
            }
          : range
      )
    }
  }
  if (isRecord(def.ecsProperties)) {
    const tasks = Array.isArray(def.ecsProperties.taskProperties) ? def.ecsProperties.taskProperties : []
    // Terraform's ecsProperties normaliser: containers essential, platformVersion LATEST.
    out.ecsProperties = {
      ...def.ecsProperties,
      taskProperties: tasks.map((task: unknown) =>
        isRecord(task)
          ? {
              platformVersion: 'LATEST',
              ...task,
              containers: (Array.isArray(task.containers) ? task.containers : []).map((c: unknown) =>
                isRecord(c) ? { essential: true, ...describedContainer(c, false) } : c
              )
            }
          : task
      )
    }
  }
  if (isRecord(def.retryStrategy)) {
    const rules = Array.isArray(def.retryStrategy.evaluateOnExit) ? def.retryStrategy.evaluateOnExit : []
    out.retryStrategy = {
      ...def.retryStrategy,
      evaluateOnExit: rules.map((rule: unknown) =>
        isRecord(rule) && typeof rule.action === 'string' ? { ...rule, action: rule.action.toLowerCase() } : rule
      )
    }
  }
  return out
}
const SUCCESS_REASON = 'Essential container in task exited'
const DEFAULT_STEP_MS = 20

/** Unknown members are ignored, as a Smithy server does; what is kept is a deep copy. */
function pick(input: Input, keys: readonly string[]): Input {
  const out: Input = {}
  for (const k of keys) if (input[k] !== undefined && input[k] !== null) out[k] = structuredClone(input[k])
  return out
}

const isRecord = (v: unknown): v is Input => typeof v === 'object' && v !== null && !Array.isArray(v)

interface Attempt {
  runnableAt: number
  startingAt: number
  runningAt: number
  /** undefined: the attempt stays RUNNING */
  stoppedAt?: number
  exitCode?: number
  reason?: string
  statusReason?: string
  taskId: string
  logStreamName?: string
}

interface StoredJob {
  seq: number
  jobId: string
  jobName: string
  queueArn: string
  definition: StoredDefinition
  input: Input
  createdAt: number
  pendingAt?: number
  attempts: Attempt[]
  /** undefined: the job never ends */
  end?: { status: 'SUCCEEDED' | 'FAILED'; at: number; statusReason: string }
}

interface JobView {
  status: JobStatus
  statusReason?: string
  startedAt?: number
  stoppedAt?: number
  /** attempts that have reached RUNNING */
  started: Attempt[]
  /** attempts that have ended */
  ended: Attempt[]
}

function view(job: StoredJob, now: number): JobView {
  let status: JobStatus = 'SUBMITTED'
  if (job.pendingAt !== undefined && job.pendingAt <= now) status = 'PENDING'
  for (const a of job.attempts) {
    if (a.runnableAt <= now) status = 'RUNNABLE'
    if (a.startingAt <= now) status = 'STARTING'
    if (a.runningAt <= now) status = 'RUNNING'
  }
  const started = job.attempts.filter((a) => a.runningAt <= now)
  const ended = started.filter((a) => a.stoppedAt !== undefined && a.stoppedAt <= now)
  const done = job.end !== undefined && job.end.at <= now ? job.end : undefined
  return {
    status: done?.status ?? status,
    ...(done && { statusReason: done.statusReason, stoppedAt: done.at }),
    ...(started.length > 0 && { startedAt: started[started.length - 1]!.runningAt }),
    started,
    ended
  }
}

/** RetryStrategy.evaluateOnExit: the first condition that matches decides; none matching means retry. */
function shouldRetry(conditions: unknown, a: Attempt): boolean {
  if (!Array.isArray(conditions)) return true
  for (const c of conditions.filter(isRecord)) {
    const test = (pattern: unknown, value: string | undefined) =>
      typeof pattern !== 'string' || (value !== undefined && globMatch(pattern, value))
    if (
      test(c.onStatusReason, a.statusReason) &&
      test(c.onReason, a.reason) &&
      test(c.onExitCode, a.exitCode === undefined ? undefined : String(a.exitCode))
    ) {
      return String(c.action).toUpperCase() === 'RETRY'
    }
  }
  return true
}

function mergeByKey(base: unknown, overrides: unknown, key: string): unknown {
  if (!Array.isArray(overrides)) return base
  const out = Array.isArray(base) ? base.filter(isRecord).map((x) => ({ ...x })) : []
  for (const o of overrides.filter(isRecord)) {
    const i = out.findIndex((x) => x[key] === o[key])
    if (i >= 0) out[i] = { ...o }
    else out.push({ ...o })
  }
  return out
}

/**
 * ContainerOverrides: command replaces the definition's; environment variables are overridden by name
 * or added; resourceRequirements by type; vcpus, memory and instanceType replace.
 */
function applyOverrides(container: Input, overrides: unknown): Input {
  if (!isRecord(overrides)) return container
  const out: Input = { ...container }
  for (const k of ['command', 'vcpus', 'memory', 'instanceType']) {
    if (overrides[k] !== undefined) out[k] = structuredClone(overrides[k])
  }
  if (overrides.environment !== undefined) out.environment = mergeByKey(out.environment, overrides.environment, 'name')
  if (overrides.resourceRequirements !== undefined) {
    out.resourceRequirements = mergeByKey(out.resourceRequirements, overrides.resourceRequirements, 'type')
  }
  return out
}

export class BatchState {
  private readonly defs = new Map<string, StoredDefinition[]>()
  private readonly queues = new Set<string>()
  private readonly jobsById = new Map<string, StoredJob>()
  private seq = 0
  private outcome: JobOutcome = { result: 'SUCCEEDED' }
  private outcomeOptions: JobOutcomeOptions = {}

  constructor(private readonly env: ServiceEnv) {}

  /** Seeds a job queue (Batch allows 50 per region); returns its ARN. */
  addQueue(name: string): string {
    if (!RESOURCE_NAME.test(name)) {
      throw clientError(
        'A job queue name can be up to 128 characters long and contain letters, numbers, hyphens and underscores.'
      )
    }
    if (!this.queues.has(name) && this.queues.size >= MAX_QUEUES) {
      throw clientError(`An account can have at most ${MAX_QUEUES} job queues per region.`)
    }
    this.queues.add(name)
    return queueArn(this.env, name)
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
    return [...this.jobsById.values()].map((j) => {
      const v = view(j, now)
      return {
        ...structuredClone(j.input),
        jobId: j.jobId,
        jobArn: jobArn(this.env, j.jobId),
        jobName: j.jobName,
        jobQueue: j.queueArn,
        jobDefinition: j.definition.jobDefinitionArn,
        input: structuredClone(j.input),
        status: v.status,
        ...(v.statusReason !== undefined && { statusReason: v.statusReason }),
        createdAt: j.createdAt,
        ...(v.startedAt !== undefined && { startedAt: v.startedAt }),
        ...(v.stoppedAt !== undefined && { stoppedAt: v.stoppedAt }),
        attempts: v.ended.length
      }
    })
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

  private find(name: string, revision: number): StoredDefinition | undefined {
    return this.defs.get(name)?.find((d) => d.revision === revision)
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
    const def = pick(input, DEFINITION_MEMBERS)
    const given = PROPERTY_MEMBERS.filter((k) => def[k] !== undefined)
    for (const k of given) asRecord(def[k], k)
    if (type === 'multinode' && (given.length !== 1 || given[0] !== 'nodeProperties')) {
      throw clientError('A multinode job definition requires nodeProperties, and only nodeProperties.')
    }
    if (type === 'container' && (given.length !== 1 || given[0] === 'nodeProperties')) {
      throw clientError(
        'A container job definition requires exactly one of containerProperties, ecsProperties or eksProperties.'
      )
    }
    optStringMap(input, 'parameters')
    optTags(input)
    optPriority(input, 'schedulingPriority')
    const propagateTags = optBool(input, 'propagateTags')
    checkRetryStrategy(input)
    checkTimeout(input)
    const platforms = optList(input, 'platformCapabilities')
    for (const p of platforms ?? []) {
      if (typeof p !== 'string' || !(PLATFORM_CAPABILITIES as readonly string[]).includes(p)) {
        throw clientError(
          `Invalid platform capability '${String(p)}'. Expected one of: ${PLATFORM_CAPABILITIES.join(', ')}.`
        )
      }
    }
    if (def.eksProperties !== undefined && (platforms !== undefined || propagateTags !== undefined)) {
      throw clientError(
        'platformCapabilities and propagateTags must not be specified for an Amazon EKS job definition.'
      )
    }
    if (type === 'multinode' && platforms?.includes('FARGATE')) {
      throw clientError('Multi-node parallel jobs are not supported on Fargate resources.')
    }
    if (platforms?.includes('MANAGED_INSTANCES') && def.ecsProperties === undefined) {
      throw clientError('Job definitions with the MANAGED_INSTANCES platform capability must use ecsProperties.')
    }
    checkEnvironmentNames(def)
    checkSize(input, MAX_DEFINITION_BYTES, 'RegisterJobDefinition')

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

  describeJobDefinitions(input: Input) {
    const refs = optList(input, 'jobDefinitions')
    const name = optString(input, 'jobDefinitionName')
    const status = optString(input, 'status')
    const max = optIntIn(input, 'maxResults', 1, 100)
    const token = optString(input, 'nextToken')
    if (refs !== undefined && refs.length > 0) {
      if (name !== undefined || status !== undefined || max !== undefined || token !== undefined) {
        throw clientError("jobDefinitions can't be used with other parameters.")
      }
      if (refs.length > 100) throw clientError('jobDefinitions can list at most 100 job definitions.')
      const wanted = new Set<StoredDefinition>()
      for (const ref of refs) {
        if (typeof ref !== 'string')
          throw new AwsError('SerializationException', 'Unexpected value type for member jobDefinitions')
        const parsed = parseDefinitionRef(this.env, ref)
        if (!parsed) continue
        const revisions = this.defs.get(parsed.name) ?? []
        for (const d of revisions) if (parsed.revision === undefined || d.revision === parsed.revision) wanted.add(d)
      }
      const all = this.allDefinitions().filter((d) => wanted.has(d))
      return { jobDefinitions: all.map((d) => structuredClone(d)) }
    }
    if (status !== undefined && status !== 'ACTIVE' && status !== 'INACTIVE') {
      throw clientError(`Invalid status '${status}'. Expected ACTIVE or INACTIVE.`)
    }
    const after = decodeToken(token)
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
    const page = matching.slice(0, max ?? 100)
    const last = page[page.length - 1]
    return {
      jobDefinitions: page.map((d) => structuredClone(d)),
      nextToken:
        matching.length > page.length && last ? encodeToken([last.jobDefinitionName, last.revision]) : undefined
    }
  }

  deregisterJobDefinition(input: Input) {
    const ref = required(input, 'jobDefinition')
    const parsed = parseDefinitionRef(this.env, ref)
    if (parsed && parsed.revision === undefined) {
      throw clientError(`jobDefinition must be name:revision or a job definition ARN with a revision, got '${ref}'.`)
    }
    const def = parsed?.revision === undefined ? undefined : this.find(parsed.name, parsed.revision)
    if (!def) throw clientError(`Job definition ${ref} does not exist.`)
    def.status = 'INACTIVE'
    return {}
  }

  /** `name` (latest ACTIVE revision), `name:revision` or an ARN with or without the revision. */
  private activeDefinition(ref: string): StoredDefinition | undefined {
    const parsed = parseDefinitionRef(this.env, ref)
    if (!parsed) return undefined
    const active = (this.defs.get(parsed.name) ?? []).filter((d) => d.status === 'ACTIVE')
    return parsed.revision === undefined
      ? active[active.length - 1]
      : active.find((d) => d.revision === parsed.revision)
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
    optStringMap(input, 'parameters')
    optTags(input)
    optBool(input, 'propagateTags')
    optPriority(input, 'schedulingPriorityOverride')
    checkRetryStrategy(input)
    checkTimeout(input)
    for (const k of ['containerOverrides', 'nodeOverrides', 'ecsPropertiesOverride', 'eksPropertiesOverride']) {
      if (input[k] !== undefined && input[k] !== null) asRecord(input[k], k)
    }
    checkEnvironmentNames(
      pick(input, ['containerOverrides', 'nodeOverrides', 'ecsPropertiesOverride', 'eksPropertiesOverride'])
    )
    checkSize(input, MAX_SUBMIT_BYTES, 'SubmitJob')
    if (input.arrayProperties !== undefined && input.arrayProperties !== null) {
      throw new AwsError('NotImplementedByFake', 'Array jobs are not modelled by this fake.')
    }
    const dependsOn = optList(input, 'dependsOn') ?? []
    if (dependsOn.length > MAX_DEPENDENCIES) {
      throw clientError(`A job can depend on at most ${MAX_DEPENDENCIES} jobs.`)
    }
    const deps = dependsOn.map((d) => {
      const id = asRecord(d, 'dependsOn').jobId
      const dep = typeof id === 'string' ? this.jobsById.get(id) : undefined
      if (!dep) throw clientError(`Dependent job ID ${String(id)} does not exist.`)
      return dep
    })

    const queueName = parseQueueRef(this.env, queueRef)
    if (queueName === undefined || !this.queues.has(queueName)) throw clientError(`JobQueue ${queueRef} not found.`)
    if (optString(input, 'shareIdentifier') !== undefined) {
      throw clientError(
        'shareIdentifier can only be specified for a job queue that has a fair-share scheduling policy.'
      )
    }
    const def = this.activeDefinition(defRef)
    if (!def) {
      const named = parseDefinitionRef(this.env, defRef)?.revision === undefined && !defRef.startsWith('arn:')
      throw clientError(`JobDefinition ${named ? 'name ' : ''}${defRef} does not exist or is not in ACTIVE status`)
    }
    const mismatch: Array<[string, boolean]> = [
      ['containerOverrides', def.containerProperties === undefined],
      ['ecsPropertiesOverride', def.ecsProperties === undefined],
      ['eksPropertiesOverride', def.eksProperties === undefined],
      ['nodeOverrides', def.type !== 'multinode']
    ]
    for (const [k, bad] of mismatch) {
      if (bad && input[k] !== undefined && input[k] !== null) {
        throw clientError(`${k} can't be used with job definition ${def.jobDefinitionArn}.`)
      }
    }

    const jobId = randomUUID()
    const job: StoredJob = {
      seq: ++this.seq,
      jobId,
      jobName,
      queueArn: queueArn(this.env, queueName),
      definition: def,
      input: pick(input, SUBMIT_MEMBERS),
      createdAt: Date.now(),
      attempts: []
    }
    this.plan(job, deps)
    this.jobsById.set(jobId, job)
    return { jobArn: jobArn(this.env, jobId), jobName, jobId }
  }

  /** Lays out the job's whole life at submission, so that its status only depends on the clock. */
  private plan(job: StoredJob, deps: StoredJob[]): void {
    const step = this.outcomeOptions.stepMs ?? DEFAULT_STEP_MS
    const outcome = this.outcome
    const hold = this.outcomeOptions.holdAt === 'RUNNING'
    let t = job.createdAt + step
    if (deps.length > 0) {
      job.pendingAt = t
      t += step
      if (deps.some((d) => d.end === undefined)) return
      const failed = deps.filter((d) => d.end?.status === 'FAILED')
      const ready = Math.max(t, ...deps.map((d) => d.end?.at ?? t))
      if (failed.length > 0) {
        job.end = { status: 'FAILED', at: ready, statusReason: 'Dependent Job failed' }
        return
      }
      t = ready
    }
    const retry = isRecord(job.input.retryStrategy) ? job.input.retryStrategy : job.definition.retryStrategy
    const maxAttempts = isRecord(retry) && typeof retry.attempts === 'number' ? retry.attempts : 1
    for (let n = 1; n <= maxAttempts; n++) {
      const taskId = randomUUID().replace(/-/g, '')
      const a: Attempt = {
        runnableAt: t,
        startingAt: t + step,
        runningAt: t + 2 * step,
        taskId,
        ...(job.definition.containerProperties !== undefined && {
          logStreamName: `${job.definition.jobDefinitionName}/default/${taskId}`
        })
      }
      job.attempts.push(a)
      if (hold) return
      a.stoppedAt = t = a.runningAt + step
      if (outcome.result === 'SUCCEEDED') {
        a.exitCode = 0
        a.statusReason = SUCCESS_REASON
        job.end = { status: 'SUCCEEDED', at: t, statusReason: SUCCESS_REASON }
        return
      }
      if (outcome.exitCode !== undefined) a.exitCode = outcome.exitCode
      if (outcome.containerReason !== undefined) a.reason = outcome.containerReason
      if (outcome.logStreamName !== undefined) a.logStreamName = outcome.logStreamName
      a.statusReason = outcome.statusReason
      if (n === maxAttempts || !shouldRetry(isRecord(retry) ? retry.evaluateOnExit : undefined, a)) break
    }
    job.end = { status: 'FAILED', at: t, statusReason: outcome.result === 'FAILED' ? outcome.statusReason : '' }
  }

  private runtime(a: Attempt | undefined, ended: boolean): Input {
    if (!a) return {}
    return {
      ...(ended && a.exitCode !== undefined && { exitCode: a.exitCode }),
      ...(ended && a.reason !== undefined && { reason: a.reason }),
      ...(a.logStreamName !== undefined && { logStreamName: a.logStreamName })
    }
  }

  private detail(job: StoredJob, now: number): Input {
    const v = view(job, now)
    const def = job.definition
    const input = job.input
    const current = v.started[v.started.length - 1]
    const currentEnded = current !== undefined && v.ended.includes(current)
    const retryStrategy = input.retryStrategy ?? def.retryStrategy
    const timeout = input.timeout ?? def.timeout
    const propagateTags = input.propagateTags ?? def.propagateTags
    const schedulingPriority = input.schedulingPriorityOverride ?? def.schedulingPriority
    let container: Input | undefined
    if (isRecord(def.containerProperties)) {
      container = {
        ...applyOverrides(structuredClone(def.containerProperties), input.containerOverrides),
        ...this.runtime(current, currentEnded)
      }
    }
    let ecsProperties: Input | undefined
    if (isRecord(def.ecsProperties)) ecsProperties = this.ecsDetail(job, current, currentEnded)
    return {
      jobArn: jobArn(this.env, job.jobId),
      jobName: job.jobName,
      jobId: job.jobId,
      jobQueue: job.queueArn,
      status: v.status,
      ...(schedulingPriority !== undefined && { schedulingPriority }),
      attempts: v.ended.map((a) => ({
        ...(def.containerProperties !== undefined && { container: this.runtime(a, true) }),
        startedAt: a.runningAt,
        stoppedAt: a.stoppedAt,
        ...(a.statusReason !== undefined && { statusReason: a.statusReason })
      })),
      ...(v.statusReason !== undefined && { statusReason: v.statusReason }),
      createdAt: job.createdAt,
      ...(retryStrategy !== undefined && { retryStrategy }),
      ...(v.startedAt !== undefined && { startedAt: v.startedAt }),
      ...(v.stoppedAt !== undefined && { stoppedAt: v.stoppedAt }),
      dependsOn: input.dependsOn ?? [],
      jobDefinition: def.jobDefinitionArn,
      parameters: {
        ...(isRecord(def.parameters) ? def.parameters : {}),
        ...(isRecord(input.parameters) ? input.parameters : {})
      },
      ...(container && { container }),
      ...(def.nodeProperties !== undefined && { nodeProperties: def.nodeProperties }),
      ...(timeout !== undefined && { timeout }),
      ...(input.tags !== undefined && { tags: input.tags }),
      ...(propagateTags !== undefined && { propagateTags }),
      ...(def.platformCapabilities !== undefined && { platformCapabilities: def.platformCapabilities }),
      ...(def.eksProperties !== undefined && { eksProperties: def.eksProperties }),
      ...(ecsProperties && { ecsProperties })
    }
  }

  /**
   * ecsProperties jobs: the definition's task properties with ecsPropertiesOverride applied per
   * container name; when the attempt ends, the first essential container carries the outcome.
   */
  private ecsDetail(job: StoredJob, current: Attempt | undefined, ended: boolean): Input {
    const ecs = structuredClone(job.definition.ecsProperties) as Input
    const tasks = Array.isArray(ecs.taskProperties) ? ecs.taskProperties.filter(isRecord) : []
    const overrideTasks = isRecord(job.input.ecsPropertiesOverride)
      ? job.input.ecsPropertiesOverride.taskProperties
      : []
    tasks.forEach((task, i) => {
      const override = Array.isArray(overrideTasks) ? overrideTasks[i] : undefined
      const containers = Array.isArray(task.containers) ? task.containers.filter(isRecord) : []
      const overrides =
        isRecord(override) && Array.isArray(override.containers) ? override.containers.filter(isRecord) : []
      task.containers = containers.map((c, j) => {
        let out = c
        for (const o of overrides) if (o.name === undefined || o.name === c.name) out = applyOverrides(out, o)
        if (current && i === 0) {
          out.logStreamName = `${job.definition.jobDefinitionName}/${String(c.name ?? 'default')}/${current.taskId}`
          const essential = containers.findIndex((x) => x.essential !== false)
          if (ended && current.exitCode === 0) out.exitCode = 0
          else if (ended && j === essential) Object.assign(out, this.runtime(current, true))
        }
        return out
      })
    })
    return ecs
  }

  describeJobs(input: Input) {
    const ids = optList(input, 'jobs')
    if (ids === undefined || ids.length < 1 || ids.length > 100) {
      throw clientError('jobs must list between 1 and 100 job IDs.')
    }
    const now = Date.now()
    const jobs = []
    for (const id of new Set(ids)) {
      if (typeof id !== 'string') throw new AwsError('SerializationException', 'Unexpected value type for member jobs')
      const job = this.jobsById.get(id)
      if (job) jobs.push(this.detail(job, now))
    }
    return { jobs }
  }

  listJobs(input: Input) {
    const queueRef = optString(input, 'jobQueue')
    const arrayJobId = optString(input, 'arrayJobId')
    const multiNodeJobId = optString(input, 'multiNodeJobId')
    if ([queueRef, arrayJobId, multiNodeJobId].filter((x) => x !== undefined).length !== 1) {
      throw clientError('Specify exactly one of jobQueue, arrayJobId or multiNodeJobId.')
    }
    if (queueRef === undefined) {
      throw new AwsError('NotImplementedByFake', 'Array and multi-node parallel jobs are not modelled by this fake.')
    }
    const queueName = parseQueueRef(this.env, queueRef)
    if (queueName === undefined || !this.queues.has(queueName)) throw clientError(`JobQueue ${queueRef} not found.`)
    const jobStatus = optString(input, 'jobStatus')
    if (jobStatus !== undefined && !(JOB_STATUSES as readonly string[]).includes(jobStatus)) {
      throw clientError(`Invalid jobStatus '${jobStatus}'. Expected one of: ${JOB_STATUSES.join(', ')}.`)
    }
    const filters = optList(input, 'filters') ?? []
    if (filters.length > 1) throw clientError('Only one filter can be used at a time.')
    const filter = filters[0] === undefined ? undefined : this.compileFilter(asRecord(filters[0], 'filters'))
    const max = optIntIn(input, 'maxResults', 1, Number.MAX_SAFE_INTEGER)
    // AWS: up to 100 results a page with a filter, up to 1000 with a status.
    const pageSize = Math.min(max ?? Infinity, filter ? 100 : 1000)
    const after = decodeToken(optString(input, 'nextToken'))
    if (after !== undefined && typeof after !== 'number') throw clientError('The nextToken is not valid.')
    const arn = queueArn(this.env, queueName)
    const now = Date.now()
    const matching = [...this.jobsById.values()]
      .filter((j) => j.queueArn === arn && (after === undefined || j.seq < after))
      .map((j) => ({ j, v: view(j, now) }))
      .filter(({ j, v }) => (filter ? filter(j) : v.status === (jobStatus ?? 'RUNNING')))
      // newest first
      .sort((a, b) => b.j.createdAt - a.j.createdAt || b.j.seq - a.j.seq)
    const page = matching.slice(0, pageSize)
    const last = page[page.length - 1]
    return {
      jobSummaryList: page.map(({ j, v }) => {
        const current = v.started[v.started.length - 1]
        const ended = current !== undefined && v.ended.includes(current)
        const { exitCode, reason } = this.runtime(current, ended)
        return {
          jobArn: jobArn(this.env, j.jobId),
          jobId: j.jobId,
          jobName: j.jobName,
          createdAt: j.createdAt,
          status: v.status,
          ...(v.statusReason !== undefined && { statusReason: v.statusReason }),
          ...(v.startedAt !== undefined && { startedAt: v.startedAt }),
          ...(v.stoppedAt !== undefined && { stoppedAt: v.stoppedAt }),
          ...(j.definition.containerProperties !== undefined &&
            (exitCode !== undefined || reason !== undefined) && {
              container: { ...(exitCode !== undefined && { exitCode }), ...(reason !== undefined && { reason }) }
            }),
          jobDefinition: j.definition.jobDefinitionArn
        }
      }),
      nextToken: matching.length > page.length && last ? encodeToken(last.j.seq) : undefined
    }
  }

  /** A ListJobs filter; with one, jobStatus is ignored (AWS: except with SHARE_IDENTIFIER). */
  private compileFilter(f: Input): (j: StoredJob) => boolean {
    const name = optString(f, 'name')
    const values = optList(f, 'values')
    const value = values?.length === 1 && typeof values[0] === 'string' ? values[0] : undefined
    if (value === undefined) throw clientError(`Filter ${String(name)} needs exactly one value.`)
    switch (name) {
      case 'JOB_NAME':
        return (j) => globMatch(value, j.jobName, true)
      case 'JOB_DEFINITION':
        if (value.startsWith('arn:')) return (j) => j.definition.jobDefinitionArn === value
        return (j) => globMatch(value, j.definition.jobDefinitionName)
      case 'BEFORE_CREATED_AT':
      case 'AFTER_CREATED_AT': {
        if (!/^\d+$/.test(value))
          throw clientError(`Filter ${name} needs a time in epoch milliseconds, got '${value}'.`)
        const t = Number(value)
        return name === 'BEFORE_CREATED_AT' ? (j) => j.createdAt < t : (j) => j.createdAt > t
      }
      case 'SHARE_IDENTIFIER':
        // Queues here have no scheduling policy, so no job has a share identifier.
        return () => false
      default:
        throw clientError(
          `Invalid filter name '${String(name)}'. Expected one of: JOB_NAME, JOB_DEFINITION, BEFORE_CREATED_AT, ` +
            'AFTER_CREATED_AT, SHARE_IDENTIFIER.'
        )
    }
  }
}

export function createBatch(env: ServiceEnv): { definition: ServiceDefinition; state: BatchState } {
  const state = new BatchState(env)
  const operations: ServiceDefinition['operations'] = {
    RegisterJobDefinition: (i) => state.registerJobDefinition(i),
    DescribeJobDefinitions: (i) => state.describeJobDefinitions(i),
    DeregisterJobDefinition: (i) => state.deregisterJobDefinition(i),
    SubmitJob: (i, ctx) => state.submitJob(i, ctx),
    DescribeJobs: (i) => state.describeJobs(i),
    ListJobs: (i) => state.listJobs(i)
  }
  const definition: ServiceDefinition = {
    service: 'batch',
    protocol: 'restJson1',
    serverErrorCode: 'ServerException',
    routes: Object.fromEntries(Object.keys(operations).map((op) => [`POST /v1/${op.toLowerCase()}`, op])),
    writeOperations: ['RegisterJobDefinition', 'DeregisterJobDefinition', 'SubmitJob'],
    operations
  }
  return { definition, state }
}
