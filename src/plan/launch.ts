// Pure: what the launch will be (a Batch job, a service deployment or a task), its SubmitJob and
// RunTask requests, the job's name and tags, and console links.
import type { RunContext } from '../context.js'
import { InputError } from '../errors.js'
import { INPUT } from '../names.js'
import { createHash } from 'node:crypto'
import { cleanJobName } from './batch.js'
import type { DefinitionDocument } from './definitions.js'
import type { ActionRequest, LaunchTarget } from '../inputs/index.js'
import type { Tag } from './rules.js'

// Batch allows 50 tags on a job; the action adds the ones that trace the run.
const JOB_TAG_LIMIT = 50

export function defaultJobName(definitionName: string, context: RunContext): string {
  return cleanJobName(`${definitionName}-${context.runId}-${context.runAttempt}`)
}

export function traceTags(context: RunContext): Record<string, string> {
  const tags: Record<string, string> = {
    'github-run-id': context.runId,
    'github-run-attempt': context.runAttempt
  }
  if (context.repository) tags['github-repository'] = context.repository
  if (context.sha) tags['github-sha'] = context.sha
  return tags
}

export interface SubmitPlanOptions {
  definition: DefinitionDocument
  definitionArn: string
  jobQueue: string
  jobName: string
  parameters: Record<string, string>
  containerOverrides: Record<string, unknown> | undefined
  tags: readonly Tag[]
  context: RunContext
}

export interface SubmitJobRequest {
  jobName: string
  jobQueue: string
  jobDefinition: string
  parameters?: Record<string, string>
  containerOverrides?: Record<string, unknown>
  ecsPropertiesOverride?: Record<string, unknown>
  tags: Record<string, string>
}

export function planSubmitJob(options: SubmitPlanOptions): SubmitJobRequest {
  const tags = { ...Object.fromEntries(options.tags.map((tag) => [tag.key, tag.value])), ...traceTags(options.context) }
  if (Object.keys(tags).length > JOB_TAG_LIMIT) {
    throw new InputError(
      INPUT.jobTags,
      `${options.tags.length} tags plus ${Object.keys(traceTags(options.context)).length} the action adds exceed Batch's ${JOB_TAG_LIMIT}`
    )
  }
  const request: SubmitJobRequest = {
    jobName: options.jobName,
    jobQueue: options.jobQueue,
    jobDefinition: options.definitionArn,
    tags
  }
  if (Object.keys(options.parameters).length > 0) request.parameters = options.parameters
  const overrides = options.containerOverrides
  if (overrides) {
    if (options.definition.nodeProperties) {
      throw new InputError(
        INPUT.containerOverrides,
        `multi-node job definitions take node overrides, which this action does not send`
      )
    }
    if (options.definition.ecsProperties) request.ecsPropertiesOverride = overrides
    else request.containerOverrides = overrides
  }
  return request
}

export interface RunTaskRequest {
  cluster?: string
  taskDefinition: string
  clientToken: string
  startedBy: string
  launchType?: string
  networkConfiguration?: {
    awsvpcConfiguration: { subnets: string[]; securityGroups?: string[]; assignPublicIp?: 'ENABLED' | 'DISABLED' }
  }
  tags: { key: string; value: string }[]
}

export interface RunTaskPlanOptions {
  definition: DefinitionDocument
  definitionArn: string
  cluster: string | undefined
  launchType: string | undefined
  subnets: readonly string[]
  securityGroups: readonly string[]
  assignPublicIp: 'ENABLED' | 'DISABLED' | undefined
  context: RunContext
}

/** A token that is the same for every retry within one run attempt, and new for a re-run (at most 64 ASCII characters). */
export function runToken(context: RunContext, salt: string): string {
  const digest = createHash('sha256').update(`${context.repository}\n${salt}`).digest('hex').slice(0, 24)
  return `gh-${context.runId}-${context.runAttempt}-${digest}`.slice(0, 64)
}

export function planRunTask(options: RunTaskPlanOptions): RunTaskRequest {
  const { definition, context } = options
  if (definition.networkMode === 'awsvpc' && options.subnets.length === 0) {
    throw new InputError(INPUT.subnets, `the task definition uses networkMode awsvpc, so RunTask needs subnets`)
  }
  const request: RunTaskRequest = {
    taskDefinition: options.definitionArn,
    clientToken: runToken(context, options.definitionArn),
    startedBy: `github-${context.runId}-${context.runAttempt}`.slice(0, 128),
    tags: Object.entries(traceTags(context)).map(([key, value]) => ({ key, value }))
  }
  if (options.cluster) request.cluster = options.cluster
  if (options.launchType) request.launchType = options.launchType
  if (options.subnets.length > 0) {
    request.networkConfiguration = {
      awsvpcConfiguration: {
        subnets: [...options.subnets],
        ...(options.securityGroups.length > 0 ? { securityGroups: [...options.securityGroups] } : {}),
        ...(options.assignPublicIp ? { assignPublicIp: options.assignPublicIp } : {})
      }
    }
  }
  return request
}

/** Names of the containers whose exit decides the task: essential unless marked otherwise. */
export function essentialContainers(definition: DefinitionDocument): Set<string> {
  const containers = Array.isArray(definition.containerDefinitions) ? definition.containerDefinitions : []
  return new Set(
    (containers as { name?: string; essential?: boolean }[])
      .filter((container) => container.essential !== false)
      .map((container) => container.name ?? '')
  )
}

export interface LaunchReport {
  kind: LaunchTarget['kind']
  /** What is launched, in Markdown: the job and queue, the service and cluster, or the task's cluster. */
  label: string
  id?: string
  status?: string
  link?: string
  /** Why nothing was launched, when nothing was. */
  skipped?: string
  /** From AWS's startedAt to stoppedAt, when the action waited for the end. */
  durationSeconds?: number
  exitCode?: number
  /** Each container's log stream (with its console link) or where its logs go instead. */
  logs?: { container: string; link?: string; elsewhere?: string }[]
  /** The last log lines, redacted, when the job or task failed. */
  lastLines?: string[]
}

/** What the launch will be, before anything is sent (also what a dry run shows). */
export function describeLaunch(target: LaunchTarget, definitionName: string, request: ActionRequest): LaunchReport {
  switch (target.kind) {
    case 'batch-job': {
      const name = target.jobName ?? defaultJobName(definitionName, request.context)
      return { kind: target.kind, label: `job \`${name}\` on queue \`${target.jobQueue}\`` }
    }
    case 'ecs-service':
      return { kind: target.kind, label: `service \`${target.service}\` in cluster \`${target.cluster}\`` }
    case 'ecs-task':
      return { kind: target.kind, label: `a task in cluster \`${target.cluster ?? 'default'}\`` }
  }
}

/** What a launch request is built from. */
export interface LaunchPlanOptions {
  definition: DefinitionDocument
  definitionArn: string
  definitionName: string
  request: ActionRequest
}

export function submitRequestFor(
  target: Extract<LaunchTarget, { kind: 'batch-job' }>,
  options: LaunchPlanOptions
): SubmitJobRequest {
  return planSubmitJob({
    definition: options.definition,
    definitionArn: options.definitionArn,
    jobQueue: target.jobQueue,
    jobName: target.jobName ?? defaultJobName(options.definitionName, options.request.context),
    parameters: target.parameters,
    containerOverrides: target.containerOverrides,
    tags: target.tags,
    context: options.request.context
  })
}

export function runTaskRequestFor(
  target: Extract<LaunchTarget, { kind: 'ecs-task' }>,
  options: LaunchPlanOptions
): RunTaskRequest {
  return planRunTask({
    definition: options.definition,
    definitionArn: options.definitionArn,
    cluster: target.cluster,
    launchType: target.launchType,
    subnets: target.subnets,
    securityGroups: target.securityGroups,
    assignPublicIp: target.assignPublicIp,
    context: options.request.context
  })
}

/**
 * Builds the SubmitJob or RunTask request and drops it, so that a launch the inputs make impossible
 * (too many job tags, no subnets for awsvpc) fails before any parameter is written.
 */
export function checkLaunch(target: LaunchTarget, options: Omit<LaunchPlanOptions, 'definitionArn'>): void {
  const planned = { ...options, definitionArn: 'arn:not-registered-yet' }
  if (target.kind === 'batch-job') submitRequestFor(target, planned)
  if (target.kind === 'ecs-task') runTaskRequestFor(target, planned)
}
