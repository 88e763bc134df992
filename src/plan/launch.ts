// Pure: the SubmitJob request, the job's name and tags, and console links.
import type { RunContext } from '../context.js'
import { DefinitionError } from './containers.js'
import { cleanJobName, type JobDefinitionDocument } from './batch.js'
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
  definition: JobDefinitionDocument
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
    throw new DefinitionError(
      `Input 'job-tags': ${options.tags.length} tags plus ${Object.keys(traceTags(options.context)).length} the action adds exceed Batch's ${JOB_TAG_LIMIT}`
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
      throw new DefinitionError(
        `Input 'container-overrides': multi-node job definitions take node overrides, which this action does not send`
      )
    }
    if (options.definition.ecsProperties) request.ecsPropertiesOverride = overrides
    else request.containerOverrides = overrides
  }
  return request
}

function consoleHost(partition: string, region: string): string {
  if (partition === 'aws-cn') return 'console.amazonaws.cn'
  if (partition === 'aws-us-gov') return 'console.amazonaws-us-gov.com'
  return `${region}.console.aws.amazon.com`
}

export function batchJobLink(options: { partition: string; region: string; jobId: string }): string {
  const { partition, region, jobId } = options
  return `https://${consoleHost(partition, region)}/batch/home?region=${region}#jobs/detail/${jobId}`
}
