// Pure: AWS console links to what the action launched and to the log streams it read.
import type { LogStream } from './logs.js'

export function consoleHost(partition: string, region: string): string {
  if (partition === 'aws-cn') return 'console.amazonaws.cn'
  if (partition === 'aws-us-gov') return 'console.amazonaws-us-gov.com'
  return `${region}.console.aws.amazon.com`
}

export function ecsServiceLink(options: {
  partition: string
  region: string
  cluster: string
  service: string
}): string {
  const { partition, region, cluster, service } = options
  return `https://${consoleHost(partition, region)}/ecs/v2/clusters/${cluster}/services/${service}/deployments?region=${region}`
}

export function ecsTaskLink(options: { partition: string; region: string; cluster: string; taskArn: string }): string {
  const { partition, region, cluster, taskArn } = options
  const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1)
  return `https://${consoleHost(partition, region)}/ecs/v2/clusters/${cluster}/tasks/${taskId}?region=${region}`
}

export function batchJobLink(options: { partition: string; region: string; jobId: string }): string {
  const { partition, region, jobId } = options
  return `https://${consoleHost(partition, region)}/batch/home?region=${region}#jobs/detail/${jobId}`
}

/** The console's own encoding of names in a logs link: percent-encoded twice, then `%` written `$` (LOGS.md 3). */
function consoleName(name: string): string {
  return encodeURIComponent(encodeURIComponent(name)).replace(/%/g, '$')
}

export function logStreamLink(partition: string, stream: LogStream): string {
  const { region } = stream
  return `https://${consoleHost(partition, region)}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${consoleName(stream.group)}/log-events/${consoleName(stream.stream)}`
}
