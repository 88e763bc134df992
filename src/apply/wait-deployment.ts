// Waiting for a service deployment: its rollout state, and when it fails, why (FAILURES.md section 3).
import type { Service } from '@aws-sdk/client-ecs'
import type { AwsClients } from '../aws/clients.js'
import { describeService, stoppedTasksOf } from '../aws/ecs.js'
import { describeAwsError } from '../errors.js'
import { mapWithConcurrency } from '../concurrency.js'
import { ourDeployment, type StartedDeployment, type Timing } from './send.js'
import { pollUntilDone, type WaitResult } from './wait.js'

function recentEvents(service: Service | undefined, since: Date | undefined): string {
  const events = (service?.events ?? [])
    .filter((event) => !since || (event.createdAt?.getTime() ?? 0) >= since.getTime())
    .slice(0, 5)
    .map((event) => `- ${event.message}`)
  return events.length > 0 ? `\nService events:\n${events.join('\n')}` : ''
}

/** The last lines a stopped task's containers logged, or none. */
export type TaskTail = (taskArn: string) => Promise<string[]>

/**
 * A failed deployment's stopped tasks, why each stopped and the last lines it logged; reading them
 * never fails the wait by itself.
 */
async function stoppedTasks(
  clients: AwsClients,
  cluster: string,
  service: string,
  deploymentId: string,
  tail: TaskTail | undefined
) {
  try {
    const tasks = await stoppedTasksOf(clients.ecs(), { cluster, service, deploymentId, limit: 3 })
    const lines = await mapWithConcurrency(tasks, 3, async (task) => {
      const containers = (task.containers ?? [])
        .filter((container) => container.reason || (container.exitCode ?? 0) !== 0)
        .map(
          (c) =>
            `container '${c.name}'${c.exitCode === undefined ? '' : ` exited with code ${c.exitCode}`}${c.reason ? `: ${c.reason}` : ''}`
        )
      const logged = tail && task.taskArn ? await tail(task.taskArn) : []
      const last =
        logged.length > 0
          ? `\n  Last ${logged.length} log lines:\n${logged.map((line) => `    ${line}`).join('\n')}`
          : ''
      return `- ${task.taskArn}: ${[task.stoppedReason ?? 'no reason given', ...containers].join('; ')}${last}`
    })
    return lines.length > 0 ? `\nStopped tasks of ${deploymentId}:\n${lines.join('\n')}` : ''
  } catch (error) {
    return `\nIts stopped tasks could not be read (${describeAwsError(error)}); this needs ecs:ListTasks and ecs:DescribeTasks.`
  }
}

export function waitForDeployment(
  options: Timing & {
    clients: AwsClients
    cluster: string
    service: string
    taskDefinition: string
    started: StartedDeployment
    timeoutMinutes: number
    taskTail?: TaskTail | undefined
  }
): Promise<WaitResult> {
  const { clients, cluster, service, started } = options
  let deployment = started.deployment
  return pollUntilDone({
    ...options,
    what: `deployment ${deployment?.id ?? `of ${options.taskDefinition}`} of service ${service}`,
    stillRunning: 'the deployment goes on',
    check: async () => {
      const current = await describeService(clients.ecs(), cluster, service)
      // UpdateService's answer did not show the deployment: the first new one of this revision is it.
      deployment ??= ourDeployment(current, options.taskDefinition, 0, started.earlier)
      if (!deployment) return { status: 'REQUESTED', done: false }
      const ours = current?.deployments?.find((candidate) => candidate.id === deployment?.id)
      if (!ours) {
        // A rolled-back deployment drains away; its failure is left in the service events.
        const id = deployment.id ?? ''
        const failedEvent = current?.events?.find((event) => event.message?.includes(id) && /fail/i.test(event.message))
        return {
          status: failedEvent ? 'FAILED' : 'REPLACED',
          done: true,
          failure: failedEvent
            ? `Deployment ${id} of ${service} FAILED and was rolled back: ${failedEvent.message}${recentEvents(current, deployment.createdAt)}${await stoppedTasks(clients, cluster, service, id, options.taskTail)}`
            : `Deployment ${id} of ${service} was replaced by another deployment before it completed.${recentEvents(current, deployment.createdAt)}`
        }
      }
      const state = ours.rolloutState ?? 'IN_PROGRESS'
      const status = `${state} (${ours.runningCount ?? 0}/${ours.desiredCount ?? 0} running)`
      if (state === 'FAILED') {
        const rolledBack = current?.deployments?.some((other) => other.status === 'PRIMARY' && other.id !== ours.id)
        return {
          status,
          done: true,
          failure: `Deployment ${ours.id} of ${service} FAILED${rolledBack ? ' and was rolled back' : ''}: ${ours.rolloutStateReason ?? 'no reason given'}${recentEvents(current, deployment.createdAt)}${await stoppedTasks(clients, cluster, service, ours.id ?? '', options.taskTail)}`
        }
      }
      return { status, done: state === 'COMPLETED' }
    }
  })
}
