// Pure: where each container of a job or task writes its logs, what the action prints of them,
// and console links. The rules and their sources are in
// __tests__/fixtures/launch-evidence/LOGS.md (section 2: where Batch and ECS put streams; 3: links).
import type { DefinitionDocument } from './definitions.js'

export interface LogStream {
  group: string
  stream: string
  region: string
}

/** One container's logs: a CloudWatch stream to follow, or a sentence saying where they go instead. */
export interface ContainerLogs {
  container: string
  stream?: LogStream
  elsewhere?: string
}

interface LogConfiguration {
  logDriver?: string
  options?: Record<string, string>
}

interface ContainerShape {
  name?: string
  logConfiguration?: LogConfiguration
}

// Batch enables awslogs by default and writes to this group when the definition names none (2.1).
const BATCH_DEFAULT_GROUP = '/aws/batch/job'

/** Where a container that does not use awslogs sends its logs, in one sentence (2.3). */
function elsewhere(container: string, log: LogConfiguration | undefined): string {
  const options = log?.options ?? {}
  switch (log?.logDriver) {
    case undefined:
      return `container '${container}' has no logConfiguration: its logs stay on the instance it ran on`
    case 'awsfirelens': {
      const target = [options.Name, options.log_group_name].filter(Boolean).join(' ')
      return `container '${container}' sends its logs through FireLens${target ? ` to ${target}` : ''}`
    }
    case 'splunk':
      return `container '${container}' sends its logs to Splunk${options['splunk-url'] ? ` at ${options['splunk-url']}` : ''}`
    default:
      return `container '${container}' sends its logs to the ${log?.logDriver} log driver, not to CloudWatch Logs`
  }
}

function awslogs(
  log: LogConfiguration | undefined
): { group: string | undefined; region: string | undefined; prefix: string | undefined } | undefined {
  if (log?.logDriver !== 'awslogs') return undefined
  const options = log.options ?? {}
  return {
    group: options['awslogs-group'],
    region: options['awslogs-region'],
    prefix: options['awslogs-stream-prefix']
  }
}

/** The stream Batch named (it is never built: LOGS.md 2.1), in the group the definition's log configuration names. */
function batchStream(
  container: string,
  log: LogConfiguration | undefined,
  streamName: string | undefined,
  region: string
): ContainerLogs {
  const aws = log === undefined ? { group: undefined, region: undefined } : awslogs(log)
  if (!aws) return { container, elsewhere: elsewhere(container, log) }
  if (!streamName) return { container }
  return {
    container,
    stream: { group: aws.group ?? BATCH_DEFAULT_GROUP, stream: streamName, region: aws.region ?? region }
  }
}

/** The parts of DescribeJobs' JobDetail that say where the logs are (LOGS.md 2.1). */
type Maybe<T> = T | undefined
export interface JobLogFields {
  container?: Maybe<{ logStreamName?: Maybe<string> }>
  attempts?: Maybe<{ container?: Maybe<{ logStreamName?: Maybe<string> }> }[]>
  /** A multi-node job's nodes, by index: DescribeJobs of `<jobId>#<index>` each (LOGS.md 2.1, multi-node). */
  nodes?: Maybe<JobLogFields[]>
  ecsProperties?: Maybe<{
    taskProperties?: Maybe<{ containers?: Maybe<{ name?: Maybe<string>; logStreamName?: Maybe<string> }[]> }[]>
  }>
}

function streamNameOf(job: JobLogFields): string | undefined {
  return job.container?.logStreamName ?? job.attempts?.at(-1)?.container?.logStreamName
}

interface NodeRange {
  targetNodes?: string
  container?: ContainerShape
}

/** Whether node `index` is in a range written `n`, `start:end`, `start:` or `:end` (both ends included). */
function inRange(targetNodes: string | undefined, index: number): boolean {
  const [start = '', end = start] = (targetNodes ?? '').split(':')
  return (start === '' || index >= Number(start)) && (end === '' || index <= Number(end))
}

/**
 * A Batch job's containers and their streams. A running job has its stream in `container` only;
 * a finished one also in its last attempt. A stream name appears once the container runs, so a
 * container without one yet is listed without a stream, to be looked for again.
 */
export function batchJobLogs(definition: DefinitionDocument, job: JobLogFields, region: string): ContainerLogs[] {
  const tasks = (definition.ecsProperties as { taskProperties?: { containers?: ContainerShape[] }[] } | undefined)
    ?.taskProperties
  if (tasks) {
    const described = job.ecsProperties?.taskProperties?.flatMap((task) => task.containers ?? []) ?? []
    return tasks
      .flatMap((task) => task.containers ?? [])
      .map((container, index) => {
        const name = container.name ?? `container ${index + 1}`
        const found = described.find((candidate) => candidate.name === name) ?? described[index]
        return batchStream(name, container.logConfiguration, found?.logStreamName, region)
      })
  }
  const ranges = (definition.nodeProperties as { nodeRangeProperties?: NodeRange[] } | undefined)?.nodeRangeProperties
  if (ranges) {
    return (job.nodes ?? []).map((node, index) => {
      const range = ranges.find((candidate) => inRange(candidate.targetNodes, index))
      return batchStream(`node ${index}`, range?.container?.logConfiguration, streamNameOf(node), region)
    })
  }
  const container = definition.containerProperties as ContainerShape | undefined
  return [batchStream('default', container?.logConfiguration, streamNameOf(job), region)]
}

/** An ECS task's containers and their streams: `prefix/container-name/task-id` in the awslogs group (2.2). */
export function ecsTaskLogs(definition: DefinitionDocument, taskArn: string, region: string): ContainerLogs[] {
  const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1)
  const containers = (definition.containerDefinitions as ContainerShape[] | undefined) ?? []
  return containers.map((container, index) => {
    const name = container.name ?? `container ${index + 1}`
    const aws = awslogs(container.logConfiguration)
    if (!aws) return { container: name, elsewhere: elsewhere(name, container.logConfiguration) }
    if (!aws.group) return { container: name, elsewhere: `container '${name}' uses awslogs without awslogs-group` }
    if (!aws.prefix) {
      return {
        container: name,
        elsewhere: `container '${name}' logs to ${aws.group} without awslogs-stream-prefix, so its stream is named after the Docker container id, which the ECS API does not give`
      }
    }
    return {
      container: name,
      stream: { group: aws.group, stream: `${aws.prefix}/${name}/${taskId}`, region: aws.region ?? region }
    }
  })
}

/**
 * The lines of one log event as the action prints them: each line of a multi-line message on its
 * own, prefixed with the container's name when the job or task has more than one.
 */
export function eventLines(message: string, container: string | undefined): string[] {
  const lines = message.replace(/\r?\n$/, '').split(/\r?\n/)
  return container === undefined ? lines : lines.map((line) => `[${container}] ${line}`)
}
