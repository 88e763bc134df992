import type { JobDetail } from '@aws-sdk/client-batch'
import type { Task } from '@aws-sdk/client-ecs'
import type { AwsClients } from '../aws/clients.js'
import { describeJob, describeQueue } from '../aws/batch.js'
import { describeTask } from '../aws/ecs.js'
import { describeAwsError } from '../errors.js'
import { realSleep } from '../concurrency.js'
import { containerVcpus, diagnoseRunnable, type QueueState } from '../plan/failures.js'
import type { Timing } from './send.js'

/** When a job or task ran and how its container exited, as AWS reports them (epoch ms). */
export interface Ended {
  startedAt?: number | undefined
  stoppedAt?: number | undefined
  exitCode?: number | undefined
}

export interface WaitResult {
  status: string
  /** Set when the launch failed or the wait timed out: what the step's error says. */
  failure?: string
  /** Set when the job or task stopped. */
  ended?: Ended
}

interface Check {
  status: string
  done: boolean
  failure?: string
  ended?: Ended
}

// Polling backoff: quick at first, when things move fast, then every 30 s at most.
const POLL_DELAYS_MS = [1_000, 2_000, 3_000, 5_000, 8_000, 13_000, 21_000, 30_000]

/** Polls until `check` says done or the timeout passes, logging each status change with the time. */
export async function pollUntilDone(
  options: Timing & { what: string; timeoutMinutes: number; stillRunning: string; check: () => Promise<Check> }
): Promise<WaitResult> {
  const { log, what } = options
  const sleep = options.sleep ?? realSleep
  const now = options.now ?? Date.now
  const deadline = now() + options.timeoutMinutes * 60_000
  let status = ''
  for (let poll = 0; ; poll++) {
    const result = await options.check().catch((error: unknown) => {
      throw new Error(
        `Waiting for ${what} failed: ${describeAwsError(error)}. It was started and goes on without the wait; see the link above`,
        { cause: error }
      )
    })
    if (result.status !== status) {
      status = result.status
      log.info(`${new Date(now()).toISOString()} ${what}: ${status}`)
    }
    if (result.done) {
      return {
        status,
        ...(result.failure ? { failure: result.failure } : {}),
        ...(result.ended ? { ended: result.ended } : {})
      }
    }
    const remaining = deadline - now()
    if (remaining <= 0) {
      return {
        status,
        failure: `Timed out after ${options.timeoutMinutes} minutes waiting for ${what}; its last status was ${status} and ${options.stillRunning} (wait-timeout sets the limit)`
      }
    }
    await sleep(Math.min(POLL_DELAYS_MS[Math.min(poll, POLL_DELAYS_MS.length - 1)] as number, remaining))
  }
}

function describeFailedJob(detail: JobDetail): string {
  const parts = [`Job ${detail.jobName} (${detail.jobId}) FAILED: ${detail.statusReason ?? 'no reason given'}.`]
  const container = detail.container
  if (container?.exitCode !== undefined) {
    parts.push(`Container exit code ${container.exitCode}${container.reason ? `: ${container.reason}` : ''}.`)
  } else if (container?.reason) parts.push(`Container: ${container.reason}.`)
  if (container?.logStreamName) parts.push(`Log stream: ${container.logStreamName}.`)
  // An ecsProperties job reports each of its containers.
  for (const task of detail.ecsProperties?.taskProperties ?? []) {
    for (const { name, exitCode, reason } of task.containers ?? []) {
      if (exitCode === 0 || (exitCode === undefined && !reason)) continue
      const exit = exitCode === undefined ? 'did not exit normally' : `exited with code ${exitCode}`
      parts.push(`Container '${name}' ${exit}${reason ? `: ${reason}` : ''}.`)
    }
  }
  return parts.join(' ')
}

// Batch writes why a job waits in RUNNABLE only after a few minutes (FAILURES.md, 2.1): look then, once.
const STUCK_AFTER_MS = 5 * 60_000

async function whyStillRunnable(clients: AwsClients, detail: JobDetail): Promise<string> {
  const intro = `Job ${detail.jobName} (${detail.jobId}) has been RUNNABLE for ${STUCK_AFTER_MS / 60_000} minutes.`
  let queue: QueueState | undefined
  let unread = ''
  try {
    queue = detail.jobQueue ? await describeQueue(clients.batch(), detail.jobQueue) : undefined
  } catch (error) {
    unread = `Its job queue could not be read (${describeAwsError(error)}); this check needs batch:DescribeJobQueues and batch:DescribeComputeEnvironments.`
  }
  const found = diagnoseRunnable({ statusReason: detail.statusReason, vcpus: containerVcpus(detail.container) }, queue)
  const healthy = 'Batch gives no reason and the compute environments look healthy: capacity may still be starting.'
  const why = found.length > 0 || unread ? found.join(' ') : healthy
  return [intro, why, unread].filter(Boolean).join(' ')
}

export function waitForJob(
  options: Timing & {
    clients: AwsClients
    jobId: string
    timeoutMinutes: number
    /** Sees each answer: where the logs are. */
    onJob?: (detail: JobDetail) => Promise<void>
  }
): Promise<WaitResult> {
  const now = options.now ?? Date.now
  let runnableSince: number | undefined
  let warned = false
  return pollUntilDone({
    ...options,
    what: `job ${options.jobId}`,
    stillRunning: 'it is still running',
    check: async () => {
      const detail = await describeJob(options.clients.batch(), options.jobId)
      if (detail) await options.onJob?.(detail)
      const status = detail?.status ?? 'UNKNOWN'
      const ended = {
        startedAt: detail?.startedAt,
        stoppedAt: detail?.stoppedAt,
        exitCode: detail?.container?.exitCode ?? detail?.attempts?.at(-1)?.container?.exitCode
      }
      if (status === 'FAILED') return { status, done: true, failure: describeFailedJob(detail as JobDetail), ended }
      if (status === 'SUCCEEDED') return { status, done: true, ended }
      if (status !== 'RUNNABLE') runnableSince = undefined
      else if (!warned && now() - (runnableSince ??= now()) >= STUCK_AFTER_MS) {
        warned = true
        options.log.warning(await whyStillRunnable(options.clients, detail as JobDetail))
      }
      return { status, done: false }
    }
  })
}

function describeStoppedTask(task: Task, essential: ReadonlySet<string>): string | undefined {
  const failed = (task.containers ?? []).filter(
    (container) => essential.has(container.name ?? '') && container.exitCode !== 0
  )
  if (failed.length === 0) return undefined
  const details = failed.map((container) =>
    container.exitCode === undefined
      ? `essential container '${container.name}' did not exit normally${container.reason ? `: ${container.reason}` : ''}`
      : `essential container '${container.name}' exited with code ${container.exitCode}${container.reason ? `: ${container.reason}` : ''}`
  )
  return `Task ${task.taskArn} stopped: ${task.stoppedReason ?? 'no reason given'}; ${details.join('; ')}.`
}

export function waitForTask(
  options: Timing & {
    clients: AwsClients
    cluster: string | undefined
    taskArn: string
    essentialContainers: ReadonlySet<string>
    timeoutMinutes: number
    /** Sees each answer: when the task started, for its logs. */
    onTask?: (task: Task) => void
  }
): Promise<WaitResult> {
  const { clients, cluster, taskArn } = options
  return pollUntilDone({
    ...options,
    what: `task ${taskArn}`,
    stillRunning: 'it is still running',
    check: async () => {
      const task = await describeTask(clients.ecs(), cluster, taskArn)
      if (task) options.onTask?.(task)
      const status = task?.lastStatus ?? 'UNKNOWN'
      if (status !== 'STOPPED' || !task) return { status, done: false }
      const failure = describeStoppedTask(task, options.essentialContainers)
      const essential = (task.containers ?? []).filter((c) => options.essentialContainers.has(c.name ?? ''))
      const ended = {
        startedAt: task.startedAt?.getTime(),
        stoppedAt: task.stoppedAt?.getTime(),
        exitCode: (essential.find((c) => c.exitCode !== 0) ?? essential[0])?.exitCode
      }
      return { status, done: true, ended, ...(failure ? { failure } : {}) }
    }
  })
}
