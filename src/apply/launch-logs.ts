// The launch's log reading: the follower of a job's or task's streams, what it adds to the report
// once the job or task stopped, and the last lines of a failed deployment's stopped tasks.
import type { JobDetail } from '@aws-sdk/client-batch'
import { describeNodes } from '../aws/batch.js'
import { millisecondsFromEnv, type AwsClients } from '../aws/clients.js'
import { lastMessages, logPageReader } from '../aws/logs.js'
import type { LaunchReport } from '../plan/launch.js'
import { logStreamLink } from '../plan/links.js'
import { ecsTaskLogs, type LogStream } from '../plan/logs.js'
import type { LaunchOptions } from './launch.js'
import { END_GRACE_MS, lastLines, LogFollower } from './logs.js'
import type { TaskTail } from './wait-deployment.js'
import type { WaitResult } from './wait.js'

/** A follower when the run waits for a job or a task with logs on: a service's tasks are not followed. */
export function followerFor(options: LaunchOptions): LogFollower | undefined {
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

/** A running multi-node job's nodes, where its streams are; none when they cannot be read. */
export async function nodesOf(clients: AwsClients, detail: JobDetail): Promise<Partial<JobDetail>[] | undefined> {
  const numNodes = detail.nodeProperties?.numNodes
  if (!numNodes || !['RUNNING', 'SUCCEEDED', 'FAILED'].includes(detail.status ?? '')) return undefined
  return describeNodes(clients.batch(), detail.jobId ?? '', numNodes).catch(() => undefined)
}

// A failed deployment's error shows a few lines of each stopped task: at most 3 tasks are listed.
const TASK_TAIL_LINES = 10

/** The last lines of a failed deployment's stopped task, when logs are on. */
export function taskTail(options: LaunchOptions): TaskTail | undefined {
  const { logs, logLines } = options.launch
  if (!logs || logLines === 0) return undefined
  const limit = Math.min(logLines, TASK_TAIL_LINES)
  const readLast = (stream: LogStream, count: number) => lastMessages(options.clients, stream, count)
  return (taskArn) => lastLines(readLast, ecsTaskLogs(options.definition, taskArn, options.request.region), limit)
}

/**
 * Once the job or task stopped: reads its logs to the end, then adds to the report its duration,
 * exit code and log links, and to a failure its last log lines.
 */
export async function readToTheEnd(
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
