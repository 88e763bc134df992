import {
  DeregisterJobDefinitionCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  ListJobsCommand,
  paginateDescribeComputeEnvironments,
  paginateDescribeJobDefinitions,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  type BatchClient,
  type ComputeEnvironmentDetail,
  type JobDefinition,
  type JobDetail,
  type RegisterJobDefinitionCommandInput,
  type SubmitJobCommandInput
} from '@aws-sdk/client-batch'
import type { Lazy } from './clients.js'
import { chunk } from '../concurrency.js'
import type { DefinitionDocument } from '../plan/definitions.js'
import type { QueueState } from '../plan/failures.js'
import type { DefinitionStore, DescribedDefinition } from './definition-store.js'

function described(jobDefinition: JobDefinition): DescribedDefinition {
  const definition = jobDefinition as unknown as Record<string, unknown>
  return {
    arn: String(definition.jobDefinitionArn ?? ''),
    name: String(definition.jobDefinitionName ?? ''),
    revision: Number(definition.revision ?? 0),
    status: String(definition.status ?? ''),
    document: definition
  }
}

/** Every ACTIVE revision of a definition, newest first, following pages. */
async function activeRevisions(batch: BatchClient, name: string): Promise<DescribedDefinition[]> {
  const revisions: DescribedDefinition[] = []
  const pages = paginateDescribeJobDefinitions({ client: batch }, { jobDefinitionName: name, status: 'ACTIVE' })
  for await (const page of pages) {
    for (const definition of page.jobDefinitions ?? []) revisions.push(described(definition))
  }
  return revisions.sort((a, b) => b.revision - a.revision)
}

async function describeRevision(batch: BatchClient, reference: string): Promise<DescribedDefinition | undefined> {
  const response = await batch.send(new DescribeJobDefinitionsCommand({ jobDefinitions: [reference] }))
  const [definition] = response.jobDefinitions ?? []
  return definition ? described(definition) : undefined
}

async function registerDefinition(
  batch: BatchClient,
  request: DefinitionDocument
): Promise<{ arn: string; revision: number }> {
  const response = await batch.send(
    new RegisterJobDefinitionCommand(request as unknown as RegisterJobDefinitionCommandInput)
  )
  return { arn: response.jobDefinitionArn ?? '', revision: response.revision ?? 0 }
}

/**
 * Batch job definitions behind the DefinitionStore interface. `batchOnce` registers: a client
 * without automatic retries, since a register resent after a lost answer adds a second revision;
 * the caller looks the revision up instead.
 */
export function batchDefinitions(batch: Lazy<BatchClient>, batchOnce: Lazy<BatchClient>): DefinitionStore {
  return {
    latest: async (name) => (await activeRevisions(batch(), name))[0],
    revision: async (reference) => describeRevision(batch(), reference),
    register: async (document) => registerDefinition(batchOnce(), document),
    activeRevisions: async (name) => activeRevisions(batch(), name),
    deregister: async (arn) => {
      await batch().send(new DeregisterJobDefinitionCommand({ jobDefinition: arn }))
    }
  }
}

export interface SubmittedJob {
  jobId: string
  jobArn: string
  jobName: string
}

export async function submitJob(batch: BatchClient, input: SubmitJobCommandInput): Promise<SubmittedJob> {
  const response = await batch.send(new SubmitJobCommand(input))
  return { jobId: response.jobId ?? '', jobArn: response.jobArn ?? '', jobName: response.jobName ?? '' }
}

/**
 * The newest job of that name in the queue created at or after `since` (epoch ms) and carrying every
 * tag in `runTags`, if any.
 */
export async function findJobByName(
  batch: BatchClient,
  options: {
    jobQueue: string
    jobName: string
    jobDefinitionArn: string
    since: number
    runTags: Record<string, string>
  }
): Promise<SubmittedJob | undefined> {
  // With a filter, ListJobs returns jobs of every status, newest first.
  const response = await batch.send(
    new ListJobsCommand({ jobQueue: options.jobQueue, filters: [{ name: 'JOB_NAME', values: [options.jobName] }] })
  )
  const candidates = (response.jobSummaryList ?? []).filter(
    (summary) =>
      summary.jobName === options.jobName &&
      (summary.createdAt ?? 0) >= options.since &&
      (summary.jobDefinition === undefined || summary.jobDefinition === options.jobDefinitionArn)
  )
  const tags = Object.entries(options.runTags)
  if (candidates.length === 0 || tags.length === 0) {
    const [job] = candidates
    return job ? { jobId: job.jobId ?? '', jobArn: job.jobArn ?? '', jobName: job.jobName ?? '' } : undefined
  }
  // A job-name input repeats across runs: only a job tagged with this run is this run's job.
  const details = await batch.send(
    new DescribeJobsCommand({ jobs: candidates.slice(0, 100).map((summary) => summary.jobId ?? '') })
  )
  const ours = (details.jobs ?? []).find((job) => tags.every(([key, value]) => job.tags?.[key] === value))
  return ours ? { jobId: ours.jobId ?? '', jobArn: ours.jobArn ?? '', jobName: ours.jobName ?? '' } : undefined
}

export async function describeJob(batch: BatchClient, jobId: string): Promise<JobDetail | undefined> {
  const response = await batch.send(new DescribeJobsCommand({ jobs: [jobId] }))
  return response.jobs?.[0]
}

/** A multi-node job's nodes in index order: each is described as `<jobId>#<index>` (LOGS.md 2.1, multi-node). */
export async function describeNodes(
  batch: BatchClient,
  jobId: string,
  numNodes: number
): Promise<Partial<JobDetail>[]> {
  const ids = Array.from({ length: numNodes }, (_, index) => `${jobId}#${index}`)
  const pages = await Promise.all(chunk(ids, 100).map((jobs) => batch.send(new DescribeJobsCommand({ jobs }))))
  const found = pages.flatMap((page) => page.jobs ?? [])
  return ids.map((id) => found.find((job) => job.jobId === id) ?? {})
}

/**
 * A job queue (name or ARN) and its compute environments, or undefined when there is no such queue.
 * Both are asked for at once, every compute environment of the account (up to 100 a page), so that
 * preflight's queue check costs one round trip, not two.
 */
export async function describeQueue(batch: BatchClient, queue: string): Promise<QueueState | undefined> {
  const environments: ComputeEnvironmentDetail[] = []
  const [queues] = await Promise.all([
    batch.send(new DescribeJobQueuesCommand({ jobQueues: [queue] })),
    (async () => {
      for await (const page of paginateDescribeComputeEnvironments({ client: batch }, {})) {
        environments.push(...(page.computeEnvironments ?? []))
      }
    })()
  ])
  const [found] = queues.jobQueues ?? []
  if (!found) return undefined
  const order = (found.computeEnvironmentOrder ?? []).flatMap((entry) => entry.computeEnvironment ?? [])
  return {
    name: found.jobQueueName ?? queue,
    state: found.state,
    status: found.status,
    statusReason: found.statusReason,
    computeEnvironments: order.flatMap((arn) => {
      const ce = environments.find((candidate) => candidate.computeEnvironmentArn === arn)
      return ce
        ? [
            {
              name: ce.computeEnvironmentName ?? arn,
              state: ce.state,
              status: ce.status,
              statusReason: ce.statusReason,
              maxvCpus: ce.computeResources?.maxvCpus,
              type: ce.computeResources?.type
            }
          ]
        : []
    })
  }
}
