import type { AwsClients } from '../aws/clients.js'
import { runTask } from '../aws/ecs.js'
import { describeNodes } from '../aws/batch.js'
import type { JobDetail } from '@aws-sdk/client-batch'
import type { Identity } from '../aws/sts.js'
import type { ActionRequest, LaunchRequest } from '../inputs/index.js'
import type { DefinitionDocument } from '../plan/definitions.js'
import { batchJobLink, ecsServiceLink, ecsTaskLink } from '../plan/links.js'
import {
  describeLaunch,
  essentialContainers,
  runTaskRequestFor,
  submitRequestFor,
  type LaunchReport
} from '../plan/launch.js'
import { describeAwsError, type Logger } from '../errors.js'
import { OUTPUT, type OutputName } from '../names.js'
import type { Sleep } from '../concurrency.js'
import { deployServiceOnce, submitJobOnce } from './send.js'
import { waitForJob, waitForTask, type WaitResult } from './wait.js'
import { waitForDeployment, type TaskTail } from './wait-deployment.js'
import { lastMessages, logPageReader } from '../aws/logs.js'
import { millisecondsFromEnv } from '../aws/clients.js'
import { batchJobLogs, ecsTaskLogs, type LogStream } from '../plan/logs.js'
import { logStreamLink } from '../plan/links.js'
import { END_GRACE_MS, lastLines, LogFollower } from './logs.js'

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

function failed(what: string, error: unknown): Error {
  return new Error(
    `${what} failed; the parameters and the definition are in place, a re-run launches it: ${describeAwsError(error)}`,
    { cause: error }
  )
}

/**
 * Launches what the inputs ask for, so that new containers start and read the new values:
 * a Batch job, a new ECS service deployment (even for the same revision) or a one-off task.
 */
export async function launch(options: LaunchOptions): Promise<LaunchResult> {
  const { clients, request, log, sleep, identity } = options
  const { target, when, wait, waitTimeoutMinutes } = options.launch
  const follower = followerFor(options)
  const report = describeLaunch(target, options.definitionName, request)
  if (when === 'on-change' && !options.changed) {
    report.skipped = 'launch is on-change and no parameter or definition changed'
    log.info(`Not launching: ${report.skipped}`)
    return { report, outputs: {} }
  }
  const timing = { log, sleep }
  const partition = identity?.partition ?? 'aws'
  const outputs: LaunchResult['outputs'] = {}
  const startAndWait = async (): Promise<WaitResult | undefined> => {
    let waited: WaitResult | undefined
    switch (target.kind) {
      case 'batch-job': {
        const submitRequest = submitRequestFor(target, options)
        const job = await submitJobOnce({ ...timing, clients, request: submitRequest }).catch((error: unknown) => {
          throw failed(`Submitting job ${submitRequest.jobName}`, error)
        })
        Object.assign(report, {
          id: job.jobId,
          status: 'SUBMITTED',
          link: batchJobLink({ partition, region: request.region, jobId: job.jobId })
        })
        log.info(`Submitted job ${job.jobName} (${job.jobId}): ${report.link}`)
        if (wait) {
          waited = await waitForJob({
            ...timing,
            clients,
            jobId: job.jobId,
            timeoutMinutes: waitTimeoutMinutes,
            onJob: async (detail) => {
              if (!follower) return
              const nodes = await nodesOf(clients, detail)
              follower.follow(batchJobLogs(options.definition, { ...detail, nodes }, request.region))
            }
          })
        }
        outputs[OUTPUT.jobId] = job.jobId
        outputs[OUTPUT.jobStatus] = waited?.status ?? 'SUBMITTED'
        break
      }
      case 'ecs-service': {
        const { cluster, service } = target
        const taskDefinition = options.definitionArn
        const started = await deployServiceOnce({ ...timing, clients, cluster, service, taskDefinition }).catch(
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
        if (wait) {
          waited = await waitForDeployment({
            ...timing,
            clients,
            cluster,
            service,
            taskDefinition,
            started,
            timeoutMinutes: waitTimeoutMinutes,
            taskTail: taskTail(options)
          })
        }
        break
      }
      case 'ecs-task': {
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
        if (wait) {
          waited = await waitForTask({
            ...timing,
            clients,
            cluster: target.cluster,
            taskArn,
            essentialContainers: essentialContainers(options.definition),
            timeoutMinutes: waitTimeoutMinutes,
            // Streams appear when the containers start; a task that never started has none to read.
            onTask: (task) => {
              if (task.startedAt) follower?.follow(ecsTaskLogs(options.definition, taskArn, request.region))
            }
          })
        }
        break
      }
    }
    return waited
  }
  // Whatever happens, the log readers stop: a reader left running would keep the step from ending.
  const waited = await startAndWait().catch(async (error: unknown) => {
    await follower?.finish(undefined)
    throw error
  })
  if (!waited) return { report, outputs }
  report.status = waited.status
  const failure = await readToTheEnd(follower, waited, report, partition, options.launch.logLines)
  return { report, outputs, ...(failure ? { failure } : {}) }
}

/** A running multi-node job's nodes, where its streams are; none when they cannot be read. */
async function nodesOf(clients: AwsClients, detail: JobDetail): Promise<Partial<JobDetail>[] | undefined> {
  const numNodes = detail.nodeProperties?.numNodes
  if (!numNodes || !['RUNNING', 'SUCCEEDED', 'FAILED'].includes(detail.status ?? '')) return undefined
  return describeNodes(clients.batch(), detail.jobId ?? '', numNodes).catch(() => undefined)
}

// A failed deployment's error shows a few lines of each stopped task: at most 3 tasks are listed.
const TASK_TAIL_LINES = 10

/** The last lines of a failed deployment's stopped task, when logs are on. */
function taskTail(options: LaunchOptions): TaskTail | undefined {
  const { logs, logLines } = options.launch
  if (!logs || logLines === 0) return undefined
  const limit = Math.min(logLines, TASK_TAIL_LINES)
  const readLast = (stream: LogStream, count: number) => lastMessages(options.clients, stream, count)
  return (taskArn) => lastLines(readLast, ecsTaskLogs(options.definition, taskArn, options.request.region), limit)
}

function followerFor(options: LaunchOptions): LogFollower | undefined {
  const { wait, logs, logLines, target } = options.launch
  if (!wait || !logs || target.kind === 'ecs-service') return undefined
  const { log } = options
  return new LogFollower({
    read: logPageReader(options.clients),
    print: log.relay,
    info: log.info,
    warning: log.warning,
    redact: options.redact,
    keepLines: logLines,
    sleep: options.sleep,
    // The end-to-end tests shorten it, against a fake whose lines arrive a set time late.
    graceMs: millisecondsFromEnv('SSM_SECRETS_ACTION_LOG_GRACE_MS', END_GRACE_MS)
  })
}

/**
 * Once the job or task stopped: reads its logs to the end, then adds to the report its duration,
 * exit code and log links, and to a failure its last log lines.
 */
async function readToTheEnd(
  follower: LogFollower | undefined,
  waited: WaitResult,
  report: LaunchReport,
  partition: string,
  logLines: number
): Promise<string | undefined> {
  const { ended } = waited
  // Timed out (not ended): what the streams hold now.
  await follower?.finish(ended ? (ended.stoppedAt ?? Date.now()) : undefined)
  if (ended?.startedAt !== undefined && ended.stoppedAt !== undefined) {
    report.durationSeconds = Math.round((ended.stoppedAt - ended.startedAt) / 1000)
  }
  if (ended?.exitCode !== undefined) report.exitCode = ended.exitCode
  if (follower && follower.containers.length > 0) {
    report.logs = follower.containers.map(({ container, stream, elsewhere }) => ({
      container,
      ...(stream ? { link: logStreamLink(partition, stream) } : {}),
      ...(elsewhere ? { elsewhere } : {})
    }))
  }
  const lines = follower?.lastLines.slice(-logLines) ?? []
  if (!waited.failure || lines.length === 0 || logLines === 0) return waited.failure
  report.lastLines = [...lines]
  return `${waited.failure}\nLast ${lines.length} log lines:\n${lines.join('\n')}`
}
