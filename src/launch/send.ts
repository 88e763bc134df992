import type { Deployment, Service } from '@aws-sdk/client-ecs'
import type { AwsClients } from '../aws/clients.js'
import { findJobByName, submitJob, type SubmittedJob } from '../aws/batch.js'
import { describeService, updateService } from '../aws/ecs.js'
import { realSleep, type Sleep } from '../concurrency.js'
import type { SubmitJobRequest } from '../plan/launch.js'
import { describeAwsError, type Logger } from '../sync.js'

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
 * Sends a request that must not act twice (SubmitJob, UpdateService with forceNewDeployment).
 * When an answer is lost, the effect is looked up before the request is sent again.
 */
export async function sendOnce<T>(
  options: Timing & { what: string; send: () => Promise<T>; lookup: () => Promise<T | undefined> }
): Promise<T> {
  const { log, what } = options
  const sleep = options.sleep ?? realSleep
  let lastError: unknown
  for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
    try {
      return await options.send()
    } catch (error) {
      lastError = error
      if (isThrottled(error)) {
        log.info(`${what} throttled (attempt ${attempt}); trying again`)
        await sleep(500 * 2 ** attempt)
        continue
      }
      if (!isAmbiguous(error)) throw error
      log.warning(
        `${what} got no answer (${describeAwsError(error)}); checking whether it took effect before trying again`
      )
      for (let lookup = 0; lookup < LOOKUPS_AFTER_LOST_ANSWER; lookup++) {
        if (lookup > 0) await sleep(LOOKUP_INTERVAL_MS)
        const found = await options.lookup()
        if (found !== undefined) {
          log.info(`${what} had taken effect; not sending it again`)
          return found
        }
      }
    }
  }
  throw new Error(`${what} failed after ${SEND_ATTEMPTS} attempts: ${describeAwsError(lastError)}`)
}

export async function submitJobOnce(
  options: Timing & { clients: AwsClients; request: SubmitJobRequest }
): Promise<SubmittedJob> {
  const { clients, request } = options
  const since = (options.now ?? Date.now)() - CLOCK_SKEW_MS
  return sendOnce({
    ...options,
    what: `SubmitJob ${request.jobName}`,
    send: async () => submitJob(await clients.batchSubmit(), request),
    lookup: async () =>
      findJobByName(await clients.batch(), {
        jobQueue: request.jobQueue,
        jobName: request.jobName,
        jobDefinitionArn: request.jobDefinition,
        since,
        runTags: Object.fromEntries(Object.entries(request.tags).filter(([key]) => RUN_TAGS.includes(key)))
      })
  })
}

function ourDeployment(
  service: Service | undefined,
  taskDefinition: string,
  since: number,
  earlier: ReadonlySet<string> = new Set()
): Deployment | undefined {
  return service?.deployments?.find(
    (deployment) =>
      deployment.status === 'PRIMARY' &&
      deployment.taskDefinition === taskDefinition &&
      (deployment.createdAt?.getTime() ?? 0) >= since &&
      !earlier.has(deployment.id ?? '')
  )
}

export async function deployServiceOnce(
  options: Timing & { clients: AwsClients; cluster: string; service: string; taskDefinition: string }
): Promise<Deployment> {
  const { clients, cluster, service, taskDefinition } = options
  const since = (options.now ?? Date.now)() - CLOCK_SKEW_MS
  // A rotation redeploys the same revision, so a recent deployment of it may be an earlier run's:
  // only one that did not exist before the request is ours. Without this list (the service could not
  // be described), UpdateService's own answer says what is wrong.
  const earlier = await describeService(await clients.ecs(), cluster, service).then(
    (current) => new Set((current?.deployments ?? []).map((deployment) => deployment.id ?? '')),
    () => new Set<string>()
  )
  return sendOnce({
    ...options,
    what: `UpdateService ${service}`,
    send: async () => {
      const updated = await updateService(await clients.ecsDeploy(), { cluster, service, taskDefinition })
      const deployment = ourDeployment(updated, taskDefinition, 0)
      if (!deployment) throw new Error(`UpdateService ${service} returned no PRIMARY deployment of ${taskDefinition}`)
      return deployment
    },
    lookup: async () =>
      ourDeployment(await describeService(await clients.ecs(), cluster, service), taskDefinition, since, earlier)
  })
}
