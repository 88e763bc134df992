import type { Deployment, Service } from '@aws-sdk/client-ecs'
import type { AwsClients } from '../aws/clients.js'
import { findJobByName, submitJob, type SubmittedJob } from '../aws/batch.js'
import { describeService, updateService } from '../aws/ecs.js'
import { realSleep, type Sleep } from '../concurrency.js'
import type { SubmitJobRequest } from '../plan/launch.js'
import { describeAwsError, type Logger } from '../errors.js'

export interface Timing {
  log: Logger
  sleep?: Sleep
  now?: () => number
}

const SEND_ATTEMPTS = 5
const LOOKUPS_AFTER_LOST_ANSWER = 3
const LOOKUP_INTERVAL_MS = 1_000
// Allow for clock skew between the runner and AWS when matching creation times.
const CLOCK_SKEW_MS = 5 * 60_000
// The tags every job carries (plan/launch.ts traceTags) that tell this run attempt's job from others.
const RUN_TAGS = ['github-run-id', 'github-run-attempt']

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
}

/** AWS refused the request without acting on it: safe to send again. */
function isThrottled(error: unknown): boolean {
  const name = (error as { name?: string }).name ?? ''
  return httpStatus(error) === 429 || /Throttl|TooManyRequests/.test(name)
}

/** The request may or may not have been carried out: a 5xx, a timeout, a dropped connection. */
function isAmbiguous(error: unknown): boolean {
  const status = httpStatus(error)
  return status === undefined || status >= 500
}

/**
 * AWS answered 2xx but the SDK could not read the answer (its deserializer puts the status on the
 * error it throws): the request took effect, and sending it again would act twice.
 */
function wasAnswered(error: unknown): boolean {
  const status = httpStatus(error)
  return status !== undefined && status >= 200 && status < 300
}

/** Looks for a request's effect a few times, a second apart: it may take a moment to be listed. */
async function lookUpEffect<T>(lookup: () => Promise<T | undefined>, sleep: Sleep): Promise<T | undefined> {
  for (let attempt = 0; attempt < LOOKUPS_AFTER_LOST_ANSWER; attempt++) {
    if (attempt > 0) await sleep(LOOKUP_INTERVAL_MS)
    const found = await lookup()
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * Sends a request that must not act twice (SubmitJob, UpdateService with forceNewDeployment,
 * register) and returns its answer, which the caller interprets: an answer in a shape the caller
 * does not expect is still an answer, and the request is never sent again. `incomplete` says what
 * an answer lacks that the caller needs (an id), if anything; such an answer is looked up instead.
 * Only a lost answer (timeout, dropped connection, 5xx) leads to a lookup of its effect, and to a
 * resend when there is none; a throttled request was refused without acting, so it is sent again.
 * Undefined: AWS answered 2xx, and the lookup did not find the effect (yet).
 */
export async function sendOnce<T>(
  options: Timing & {
    what: string
    send: () => Promise<T>
    lookup: () => Promise<T | undefined>
    incomplete?: (answer: T) => string | undefined
  }
): Promise<T | undefined> {
  const { log, what } = options
  const sleep = options.sleep ?? realSleep
  const lookUp = () => lookUpEffect(options.lookup, sleep)
  let lastError: unknown
  for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
    let answer: T
    try {
      answer = await options.send()
    } catch (error) {
      lastError = error
      if (wasAnswered(error)) {
        log.warning(
          `${what} was answered (HTTP ${httpStatus(error)}) but the answer could not be read (${describeAwsError(error)}); it took effect and is not sent again`
        )
        return await lookUp()
      }
      if (isThrottled(error)) {
        log.info(`${what} throttled (attempt ${attempt}); trying again`)
        await sleep(500 * 2 ** attempt)
        continue
      }
      if (!isAmbiguous(error)) throw error
      log.warning(
        `${what} got no answer (${describeAwsError(error)}); checking whether it took effect before trying again`
      )
      const found = await lookUp()
      if (found !== undefined) {
        log.info(`${what} had taken effect; not sending it again`)
        return found
      }
      continue
    }
    const lacking = options.incomplete?.(answer)
    if (lacking === undefined) return answer
    log.warning(lacking)
    return await lookUp()
  }
  throw new Error(`${what} failed after ${SEND_ATTEMPTS} attempts: ${describeAwsError(lastError)}`)
}

export async function submitJobOnce(
  options: Timing & { clients: AwsClients; request: SubmitJobRequest }
): Promise<SubmittedJob> {
  const { clients, request } = options
  const since = (options.now ?? Date.now)() - CLOCK_SKEW_MS
  const what = `SubmitJob ${request.jobName}`
  // Answered means submitted: only a lookup may find the job then, never a second SubmitJob.
  const job = await sendOnce({
    ...options,
    what,
    send: async () => submitJob(clients.batchSubmit(), request),
    lookup: async () =>
      findJobByName(clients.batch(), {
        jobQueue: request.jobQueue,
        jobName: request.jobName,
        jobDefinitionArn: request.jobDefinition,
        since,
        runTags: Object.fromEntries(Object.entries(request.tags).filter(([key]) => RUN_TAGS.includes(key)))
      }),
    incomplete: (answer) =>
      answer.jobId
        ? undefined
        : `${what} was answered without a jobId; it is not sent again, the job is looked up by its name`
  })
  if (job) return job
  throw new Error(
    `${what} was answered, so the job was submitted, but its id could not be read nor the job found by name in queue ${request.jobQueue}; it was not submitted again. Look for job ${request.jobName} in the Batch console`
  )
}

/** Whether a deployment's task definition (an ARN, or family:revision in some answers) is `arn`. */
function isRevision(taskDefinition: string | undefined, arn: string): boolean {
  if (!taskDefinition) return false
  return taskDefinition === arn || arn.endsWith(`/${taskDefinition}`)
}

/** The deployment this run started: PRIMARY, of this revision, and new since the request was sent. */
export function ourDeployment(
  service: Service | undefined,
  taskDefinition: string,
  since: number,
  earlier: ReadonlySet<string> = new Set()
): Deployment | undefined {
  return service?.deployments?.find(
    (deployment) =>
      deployment.status === 'PRIMARY' &&
      isRevision(deployment.taskDefinition, taskDefinition) &&
      (deployment.createdAt?.getTime() ?? 0) >= since &&
      !earlier.has(deployment.id ?? '')
  )
}

export interface StartedDeployment {
  /** Undefined when UpdateService's answer did not show it: the wait looks for it. */
  deployment: Deployment | undefined
  /** The deployments the service had before the request: none of them is this run's. */
  earlier: ReadonlySet<string>
}

export async function deployServiceOnce(
  options: Timing & { clients: AwsClients; cluster: string; service: string; taskDefinition: string }
): Promise<StartedDeployment> {
  const { clients, cluster, service, taskDefinition, log } = options
  const since = (options.now ?? Date.now)() - CLOCK_SKEW_MS
  // A rotation redeploys the same revision, so a recent deployment of it may be an earlier run's:
  // only one that did not exist before the request is ours.
  const earlier = await describeService(clients.ecs(), cluster, service).then(
    (current) => new Set((current?.deployments ?? []).map((deployment) => deployment.id ?? '')),
    () => new Set<string>()
  )
  const what = `UpdateService ${service}`
  const answer = await sendOnce<{ deployment: Deployment | undefined }>({
    ...options,
    what,
    send: async () => ({
      deployment: ourDeployment(
        await updateService(clients.ecsDeploy(), { cluster, service, taskDefinition }),
        taskDefinition,
        0,
        earlier
      )
    }),
    lookup: async () => {
      const found = ourDeployment(
        await describeService(clients.ecs(), cluster, service),
        taskDefinition,
        since,
        earlier
      )
      return found ? { deployment: found } : undefined
    }
  })
  if (!answer?.deployment) {
    log.warning(
      `${what} was answered, so a new deployment was requested, but the answer shows no PRIMARY deployment of ${taskDefinition}; it is not sent again (the service's deployments show whether it started)`
    )
  }
  return { deployment: answer?.deployment, earlier }
}
