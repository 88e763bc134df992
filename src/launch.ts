import type { JobDetail } from '@aws-sdk/client-batch'
import type { AwsClients } from './aws/clients.js'
import { describeJob, findJobByName, submitJob, type SubmittedJob } from './aws/batch.js'
import type { SubmitJobRequest } from './plan/launch.js'
import { describeAwsError, type Logger } from './sync.js'

export type Sleep = (ms: number) => Promise<void>
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const SUBMIT_ATTEMPTS = 5
const LOOKUPS_AFTER_LOST_ANSWER = 3
const LOOKUP_INTERVAL_MS = 1_000

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
}

/** Batch refused the request without acting on it: safe to send again. */
function isThrottled(error: unknown): boolean {
  const name = (error as { name?: string }).name ?? ''
  return httpStatus(error) === 429 || /Throttl|TooManyRequests/.test(name)
}

/** The request may or may not have been carried out: a 5xx, a timeout, a dropped connection. */
function isAmbiguous(error: unknown): boolean {
  const status = httpStatus(error)
  return status === undefined || status >= 500
}

export interface SubmitOptions {
  clients: AwsClients
  request: SubmitJobRequest
  log: Logger
  sleep?: Sleep
  now?: () => number
}

/**
 * Submits the job once. When an answer is lost, the job may exist already: it is looked up by its
 * name (unique per run attempt) before the request is sent again, so a retry never starts a second job.
 */
export async function submitJobOnce(options: SubmitOptions): Promise<SubmittedJob> {
  const { clients, request, log } = options
  const sleep = options.sleep ?? realSleep
  const now = options.now ?? Date.now
  // Allow for clock skew between the runner and Batch when matching createdAt.
  const since = now() - 5 * 60_000
  let lastError: unknown
  for (let attempt = 1; attempt <= SUBMIT_ATTEMPTS; attempt++) {
    try {
      return await submitJob(clients.batchSubmit, request)
    } catch (error) {
      lastError = error
      if (isThrottled(error)) {
        log.info(`SubmitJob throttled (attempt ${attempt}); trying again`)
        await sleep(500 * 2 ** attempt)
        continue
      }
      if (!isAmbiguous(error)) throw error
      log.warning(
        `SubmitJob got no answer (${describeAwsError(error)}); looking for job ${request.jobName} before trying again`
      )
      for (let lookup = 0; lookup < LOOKUPS_AFTER_LOST_ANSWER; lookup++) {
        if (lookup > 0) await sleep(LOOKUP_INTERVAL_MS)
        const found = await findJobByName(clients.batch, {
          jobQueue: request.jobQueue,
          jobName: request.jobName,
          jobDefinitionArn: request.jobDefinition,
          since
        })
        if (found) {
          log.info(`Job ${found.jobName} (${found.jobId}) had been submitted; not submitting again`)
          return found
        }
      }
    }
  }
  throw new Error(`SubmitJob failed after ${SUBMIT_ATTEMPTS} attempts: ${describeAwsError(lastError)}`)
}

export interface WaitOptions {
  clients: AwsClients
  jobId: string
  timeoutMinutes: number
  log: Logger
  sleep?: Sleep
  now?: () => number
}

export interface WaitResult {
  status: string
  /** Set when the job failed or the wait timed out: what the step's error says. */
  failure?: string
  detail?: JobDetail
}

// Polling backoff: quick at first, when jobs move fast, then every 30 s at most.
const POLL_DELAYS_MS = [1_000, 2_000, 3_000, 5_000, 8_000, 13_000, 21_000, 30_000]

function describeFailedJob(detail: JobDetail): string {
  const parts = [`Job ${detail.jobName} (${detail.jobId}) FAILED: ${detail.statusReason ?? 'no reason given'}.`]
  const container = detail.container
  if (container?.exitCode !== undefined)
    parts.push(`Container exit code ${container.exitCode}${container.reason ? `: ${container.reason}` : ''}.`)
  else if (container?.reason) parts.push(`Container: ${container.reason}.`)
  if (container?.logStreamName) parts.push(`Log stream: ${container.logStreamName}.`)
  return parts.join(' ')
}

/** Polls DescribeJobs until the job ends or the timeout passes, logging each status change. */
export async function waitForJob(options: WaitOptions): Promise<WaitResult> {
  const { clients, jobId, log } = options
  const sleep = options.sleep ?? realSleep
  const now = options.now ?? Date.now
  const deadline = now() + options.timeoutMinutes * 60_000
  let status = 'UNKNOWN'
  let detail: JobDetail | undefined
  for (let poll = 0; ; poll++) {
    detail = await describeJob(clients.batch, jobId)
    const current = detail?.status ?? 'UNKNOWN'
    if (current !== status) {
      status = current
      log.info(`${new Date(now()).toISOString()} job ${jobId}: ${status}`)
    }
    if (status === 'SUCCEEDED') return { status, ...(detail ? { detail } : {}) }
    if (status === 'FAILED')
      return { status, failure: describeFailedJob(detail as JobDetail), ...(detail ? { detail } : {}) }
    const remaining = deadline - now()
    if (remaining <= 0) {
      return {
        status,
        failure: `Timed out after ${options.timeoutMinutes} minutes waiting for job ${jobId}; its last status was ${status} and it is still running (wait-timeout sets the limit)`
      }
    }
    await sleep(Math.min(POLL_DELAYS_MS[Math.min(poll, POLL_DELAYS_MS.length - 1)] as number, remaining))
  }
}
