import type { AwsClients } from '../aws/clients.js'
import { runTask } from '../aws/ecs.js'
import type { Identity } from '../aws/sts.js'
import type { ActionRequest, LaunchRequest, LaunchTarget } from '../inputs/index.js'
import type { DefinitionDocument } from '../plan/definitions.js'
import { batchJobLink, ecsServiceLink, ecsTaskLink } from '../plan/links.js'
import {
  describeLaunch,
  essentialContainers,
  runTaskRequestFor,
  submitRequestFor,
  type LaunchReport
} from '../plan/launch.js'
import { batchJobLogs, ecsTaskLogs } from '../plan/logs.js'
import { describeAwsError, type Logger } from '../errors.js'
import { OUTPUT, type OutputName } from '../names.js'
import type { Sleep } from '../concurrency.js'
import { deployServiceOnce, submitJobOnce } from './send.js'
import { waitForJob, waitForTask, type WaitResult } from './wait.js'
import { waitForDeployment } from './wait-deployment.js'
import { followerFor, nodesOf, readToTheEnd, taskTail } from './launch-logs.js'
import type { LogFollower } from './logs.js'

export type { LaunchReport }

export interface LaunchResult {
  report: LaunchReport
  failure?: string
  outputs: Partial<Record<OutputName, string>>
}

export interface LaunchOptions {
  clients: AwsClients
  request: ActionRequest
  launch: LaunchRequest
  definitionName: string
  definitionArn: string
  definition: DefinitionDocument
  /** Whether any parameter or the definition changed in this run. */
  changed: boolean
  identity: Identity | undefined
  log: Logger
  sleep: Sleep
  /** Redacts every secret value from a line a container printed. */
  redact: (text: string) => string
}

/** What every kind of launch shares: its options, the report and outputs it fills in, its log follower. */
interface Launching {
  options: LaunchOptions
  report: LaunchReport
  outputs: LaunchResult['outputs']
  follower: LogFollower | undefined
  partition: string
}

type Target<K extends LaunchTarget['kind']> = Extract<LaunchTarget, { kind: K }>

function failed(what: string, error: unknown): Error {
  return new Error(
    `${what} failed; the parameters and the definition are in place, a re-run launches it: ${describeAwsError(error)}`,
    { cause: error }
  )
}

async function startJob({ options, report, outputs, follower, partition }: Launching, target: Target<'batch-job'>) {
  const { clients, request, log, sleep } = options
  const submitRequest = submitRequestFor(target, options)
  const job = await submitJobOnce({ log, sleep, clients, request: submitRequest }).catch((error: unknown) => {
    throw failed(`Submitting job ${submitRequest.jobName}`, error)
  })
  Object.assign(report, {
    id: job.jobId,
    status: 'SUBMITTED',
    link: batchJobLink({ partition, region: request.region, jobId: job.jobId })
  })
  log.info(`Submitted job ${job.jobName} (${job.jobId}): ${report.link}`)
  outputs[OUTPUT.jobId] = job.jobId
  outputs[OUTPUT.jobStatus] = 'SUBMITTED'
  if (!options.launch.wait) return undefined
  const waited = await waitForJob({
    log,
    sleep,
    clients,
    jobId: job.jobId,
    timeoutMinutes: options.launch.waitTimeoutMinutes,
    onJob: async (detail) => {
      if (!follower) return
      const nodes = await nodesOf(clients, detail)
      follower.follow(batchJobLogs(options.definition, { ...detail, nodes }, request.region))
    }
  })
  outputs[OUTPUT.jobStatus] = waited.status
  return waited
}

async function startDeployment({ options, report, partition }: Launching, target: Target<'ecs-service'>) {
  const { clients, request, log, sleep } = options
  const { cluster, service } = target
  const taskDefinition = options.definitionArn
  const started = await deployServiceOnce({ log, sleep, clients, cluster, service, taskDefinition }).catch(
    (error: unknown) => {
      throw failed(`Updating service ${service}`, error)
    }
  )
  const { deployment } = started
  Object.assign(report, {
    ...(deployment?.id ? { id: deployment.id } : {}),
    status: deployment?.rolloutState ?? 'IN_PROGRESS',
    link: ecsServiceLink({ partition, region: request.region, cluster, service })
  })
  log.info(
    `Started ${deployment?.id ? `deployment ${deployment.id}` : 'a deployment'} of ${service} with ${taskDefinition}: ${report.link}`
  )
  if (!options.launch.wait) return undefined
  return waitForDeployment({
    log,
    sleep,
    clients,
    cluster,
    service,
    taskDefinition,
    started,
    timeoutMinutes: options.launch.waitTimeoutMinutes,
    taskTail: taskTail(options)
  })
}

async function startTask({ options, report, outputs, follower, partition }: Launching, target: Target<'ecs-task'>) {
  const { clients, request, log, sleep } = options
  const runRequest = runTaskRequestFor(target, options)
  // RunTask carries a clientToken, so the SDK's own retries cannot start a second task.
  const task = await runTask(clients.ecs(), runRequest).catch((error: unknown) => {
    throw failed('Running the task', error)
  })
  const taskArn = task.taskArn ?? ''
  const cluster = target.cluster ?? 'default'
  Object.assign(report, {
    id: taskArn,
    status: task.lastStatus ?? 'PROVISIONING',
    link: ecsTaskLink({ partition, region: request.region, cluster, taskArn })
  })
  log.info(`Started task ${taskArn}: ${report.link}`)
  outputs[OUTPUT.taskArn] = taskArn
  if (!options.launch.wait) return undefined
  return waitForTask({
    log,
    sleep,
    clients,
    cluster: target.cluster,
    taskArn,
    essentialContainers: essentialContainers(options.definition),
    timeoutMinutes: options.launch.waitTimeoutMinutes,
    // Streams appear when the containers start; a task that never started has none to read.
    onTask: (described) => {
      if (described.startedAt) follower?.follow(ecsTaskLogs(options.definition, taskArn, request.region))
    }
  })
}

/**
 * Launches what the inputs ask for, so that new containers start and read the new values:
 * a Batch job, a new ECS service deployment (even for the same revision) or a one-off task.
 */
export async function launch(options: LaunchOptions): Promise<LaunchResult> {
  const { target, when } = options.launch
  const report = describeLaunch(target, options.definitionName, options.request)
  if (when === 'on-change' && !options.changed) {
    report.skipped = 'launch is on-change and no parameter or definition changed'
    options.log.info(`Not launching: ${report.skipped}`)
    return { report, outputs: {} }
  }
  const partition = options.identity?.partition ?? 'aws'
  const launching: Launching = { options, report, outputs: {}, follower: followerFor(options), partition }
  const started =
    target.kind === 'batch-job'
      ? startJob(launching, target)
      : target.kind === 'ecs-service'
        ? startDeployment(launching, target)
        : startTask(launching, target)
  // Whatever happens, the log readers stop: a reader left running would keep the step from ending.
  const waited: WaitResult | undefined = await started.catch(async (error: unknown) => {
    await launching.follower?.finish(undefined)
    throw error
  })
  const { outputs } = launching
  if (!waited) return { report, outputs }
  report.status = waited.status
  const failure = await readToTheEnd(launching.follower, waited, report, partition, options.launch.logLines)
  return { report, outputs, ...(failure ? { failure } : {}) }
}
