// Pure: what the launch target's preflight checks found — the job queue and its compute
// environments, the cluster, the service, the task's network.
import type { LaunchTarget } from '../inputs/index.js'
import type { DefinitionDocument } from './definitions.js'
import { containerVcpus, type QueueState } from './failures.js'
import {
  failed,
  over,
  passed,
  type Finding,
  type NetworkFacts,
  type Read,
  type ServiceFacts,
  type TargetFacts
} from './preflight.js'

/** The queue is ENABLED and VALID, with a usable compute environment of the definition's platform and size. */
export function queueFinding(queueName: string, read: Read<QueueState | undefined>, definition: DefinitionDocument) {
  const check = 'Job queue'
  return over(check, read, 'batch:DescribeJobQueues and batch:DescribeComputeEnvironments', (queue) => {
    if (!queue) return failed(check, `job queue '${queueName}' does not exist in this account and region`)
    if (queue.state !== undefined && queue.state !== 'ENABLED') {
      return failed(check, `job queue ${queue.name} is ${queue.state}: enable it`)
    }
    if (queue.status === 'INVALID')
      return failed(check, `job queue ${queue.name} is INVALID: ${queue.statusReason ?? ''}`)
    const vcpus = containerVcpus(definition.containerProperties as Parameters<typeof containerVcpus>[0])
    const capabilities = definition.platformCapabilities
    const fargate = Array.isArray(capabilities) && capabilities.includes('FARGATE')
    const platform = fargate ? 'FARGATE' : 'EC2'
    const usable = queue.computeEnvironments.filter(
      (ce) =>
        ce.state === 'ENABLED' &&
        ce.status !== 'INVALID' &&
        (ce.type === undefined || ce.type.startsWith('FARGATE') === fargate)
    )
    if (usable.length === 0) {
      return failed(
        check,
        `job queue ${queue.name} has no ENABLED, VALID ${platform} compute environment; the definition needs ${platform}: add one to the queue, or use another queue`
      )
    }
    const largest = Math.max(...usable.map((ce) => ce.maxvCpus ?? Infinity))
    if (vcpus !== undefined && largest < vcpus) {
      return failed(
        check,
        `the job asks for ${vcpus} vCPUs; the compute environments of ${queue.name} allow at most ${largest}`
      )
    }
    return passed(check, `${queue.name} is ENABLED and VALID, with ${usable.map((ce) => ce.name).join(', ')}`)
  })
}

// An answer without a status is taken as ACTIVE: only a status that says otherwise fails.
const ACTIVE = (what: string, status: string | undefined) =>
  status === undefined || status === 'ACTIVE' || `${what} is ${status}, not ACTIVE`

export function clusterFinding(cluster: string, read: Read<{ status: string | undefined } | undefined>): Finding {
  const check = 'Cluster'
  return over(check, read, 'ecs:DescribeClusters', (found) => {
    if (found === undefined) return failed(check, `cluster '${cluster}' does not exist in this account and region`)
    const active = ACTIVE(`cluster ${cluster}`, found.status)
    return active === true ? passed(check, `${cluster} is ACTIVE`) : failed(check, active)
  })
}

/** The service exists, is ACTIVE, deploys with ECS, and runs where the task definition can. */
export function serviceFinding(
  target: { cluster: string; service: string },
  read: Read<ServiceFacts | undefined>,
  definition: DefinitionDocument
) {
  const check = 'Service'
  return over(check, read, 'ecs:DescribeServices', (service) => {
    if (!service) return failed(check, `service '${target.service}' does not exist in cluster ${target.cluster}`)
    const active = ACTIVE(`service ${target.service}`, service.status)
    if (active !== true) return failed(check, active)
    if (service.controller && service.controller !== 'ECS') {
      const instead =
        service.controller === 'CODE_DEPLOY'
          ? 'deploy it through CodeDeploy (e.g. aws-actions/amazon-ecs-deploy-task-definition with codedeploy-appspec)'
          : 'deploy it with your own controller, and use this action without `service` to register the revision'
      return failed(
        check,
        `service ${target.service} uses the ${service.controller} deployment controller, which UpdateService cannot redeploy: ${instead}`
      )
    }
    const requires = Array.isArray(definition.requiresCompatibilities)
      ? definition.requiresCompatibilities.map(String)
      : []
    const launchType =
      service.launchType ?? (service.capacityProviders.some((p) => p.startsWith('FARGATE')) ? 'FARGATE' : undefined)
    if (launchType && requires.length > 0 && !requires.includes(launchType)) {
      return failed(
        check,
        `service ${target.service} runs on ${launchType}; the task definition requires ${requires.join(', ')}: add ${launchType} to requiresCompatibilities`
      )
    }
    return passed(check, `${target.service} is ACTIVE and deploys with ECS`)
  })
}

/** The subnets and security groups exist and are in one VPC. */
export function networkFinding(
  target: { subnets: readonly string[]; securityGroups: readonly string[] },
  read: Read<NetworkFacts>
): Finding {
  const check = 'Network'
  return over(
    check,
    read,
    'ec2:DescribeSubnets and ec2:DescribeSecurityGroups',
    ({ subnets, securityGroups, notFound }) => {
      if (notFound) return failed(check, `${notFound}: fix the subnets or security-groups input`)
      const missing = [
        ...target.subnets.filter((id) => !subnets.some((subnet) => subnet.id === id)),
        ...target.securityGroups.filter((id) => !securityGroups.some((group) => group.id === id))
      ]
      if (missing.length > 0) return failed(check, `${missing.join(', ')} not found in this account and region`)
      const vpcs = [...new Set([...subnets, ...securityGroups].map((found) => found.vpcId))]
      if (vpcs.length > 1) {
        const where = [...subnets, ...securityGroups].map((found) => `${found.id} (${found.vpcId})`).join(', ')
        return failed(
          check,
          `the subnets and security groups are in more than one VPC: ${where}; a task's network interface needs them in one`
        )
      }
      return passed(check, `${[...target.subnets, ...target.securityGroups].join(', ')} in ${vpcs[0] ?? 'one VPC'}`)
    }
  )
}

/** What the launch target's checks found. */
export function targetFindings(target: LaunchTarget, facts: TargetFacts, definition: DefinitionDocument): Finding[] {
  const findings: Finding[] = []
  if (target.kind === 'batch-job' && facts.queue) findings.push(queueFinding(target.jobQueue, facts.queue, definition))
  if (target.kind !== 'batch-job' && facts.cluster)
    findings.push(clusterFinding(target.cluster ?? 'default', facts.cluster))
  if (target.kind === 'ecs-service' && facts.service) findings.push(serviceFinding(target, facts.service, definition))
  if (target.kind === 'ecs-task' && facts.network) findings.push(networkFinding(target, facts.network))
  return findings
}
