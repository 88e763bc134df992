import { InputError } from '../errors.js'
import { isJobName } from '../plan/batch.js'
import { tagProblem, type Tag } from '../plan/rules.js'
import type { DefinitionKind } from '../plan/definitions.js'
import {
  booleanInput,
  choiceInput,
  jsonObjectInput,
  keyValueLines,
  listInput,
  numberInput,
  optionalInput
} from './read.js'

export type LaunchTarget =
  | {
      kind: 'batch-job'
      jobQueue: string
      /** Given by the user; the default is built from the definition name and the run. */
      jobName: string | undefined
      parameters: Record<string, string>
      containerOverrides: Record<string, unknown> | undefined
      tags: Tag[]
    }
  | { kind: 'ecs-service'; cluster: string; service: string }
  | {
      kind: 'ecs-task'
      cluster: string | undefined
      launchType: LaunchType | undefined
      subnets: string[]
      securityGroups: string[]
      assignPublicIp: 'ENABLED' | 'DISABLED' | undefined
    }

export interface LaunchRequest {
  target: LaunchTarget
  when: 'always' | 'on-change'
  wait: boolean
  waitTimeoutMinutes: number
}

const LAUNCH_TYPES = ['FARGATE', 'EC2', 'EXTERNAL', 'MANAGED_INSTANCES'] as const
type LaunchType = (typeof LAUNCH_TYPES)[number]

const BATCH_INPUTS = ['job-queue', 'job-name', 'job-parameters', 'container-overrides', 'job-tags']
const TASK_INPUTS = ['subnets', 'security-groups', 'assign-public-ip', 'launch-type']

function given(names: readonly string[]): string | undefined {
  return names.find((name) => optionalInput(name) !== undefined)
}

function ids(input: string, prefix: string): string[] {
  const values = listInput(input)
  const bad = values.find((value) => !new RegExp(`^${prefix}-[0-9a-f]+$`).test(value))
  if (bad) throw new InputError(input, `'${bad}' is not an id like ${prefix}-0123456789abcdef0`)
  return values
}

function batchTarget(): LaunchTarget {
  const jobName = optionalInput('job-name')
  if (jobName !== undefined && !isJobName(jobName)) {
    throw new InputError(
      'job-name',
      `'${jobName}' must be 1 to 128 letters, digits, - and _, starting with a letter or digit`
    )
  }
  return {
    kind: 'batch-job',
    jobQueue: optionalInput('job-queue') as string,
    jobName,
    parameters: Object.fromEntries(keyValueLines('job-parameters').map(({ key, value }) => [key, value])),
    containerOverrides: jsonObjectInput('container-overrides'),
    tags: keyValueLines('job-tags', { check: tagProblem })
  }
}

function ecsTarget(): LaunchTarget | undefined {
  const cluster = optionalInput('cluster')
  const service = optionalInput('service')
  const runTask = booleanInput('run-task', false)
  if (service !== undefined && runTask) {
    throw new InputError('run-task', `give either 'service' (redeploy) or 'run-task' (one-off task), not both`)
  }
  if (service !== undefined) {
    if (cluster === undefined) throw new InputError('cluster', `is required with 'service'`)
    const stray = given(TASK_INPUTS)
    if (stray)
      throw new InputError(stray, `applies to 'run-task', not to a service (the service keeps its network settings)`)
    return { kind: 'ecs-service', cluster, service }
  }
  if (!runTask) {
    const stray = given([...TASK_INPUTS, 'cluster'])
    if (stray) throw new InputError(stray, `needs 'service' or 'run-task: true'`)
    return undefined
  }
  return {
    kind: 'ecs-task',
    cluster,
    launchType: choiceInput('launch-type', LAUNCH_TYPES),
    subnets: ids('subnets', 'subnet'),
    securityGroups: ids('security-groups', 'sg'),
    assignPublicIp: choiceInput('assign-public-ip', ['ENABLED', 'DISABLED'] as const)
  }
}

/** What to launch once the definition is in place, checked against the kind of definition. */
// Inputs with a default in action.yml (launch, wait, wait-timeout, run-task) always reach the
// action from the runner, so only a value that asks for something counts as given.
export function readLaunch(kind: DefinitionKind | undefined): LaunchRequest | undefined {
  const runTask = booleanInput('run-task', false) ? ['run-task'] : []
  let target: LaunchTarget | undefined
  if (kind === 'batch') {
    const ecsInput = given(['cluster', 'service', ...TASK_INPUTS]) ?? runTask[0]
    if (ecsInput) throw new InputError(ecsInput, `is for ECS; with 'job-definition' use 'job-queue'`)
    target = optionalInput('job-queue') === undefined ? undefined : batchTarget()
    if (!target) {
      const orphan = given(BATCH_INPUTS)
      if (orphan) throw new InputError(orphan, `needs 'job-queue' (the queue to submit the job to)`)
    }
  } else if (kind === 'ecs') {
    const batchInput = given(BATCH_INPUTS)
    if (batchInput) throw new InputError(batchInput, `is for Batch; with 'task-definition' use 'service' or 'run-task'`)
    target = ecsTarget()
  } else {
    const orphan = given([...BATCH_INPUTS, 'cluster', 'service', ...TASK_INPUTS]) ?? runTask[0]
    if (orphan) throw new InputError(orphan, `needs 'job-definition' or 'task-definition' (the definition to run)`)
  }
  if (!target) {
    if (booleanInput('wait', false)) {
      throw new InputError('wait', `needs something to launch: 'job-queue', 'service' or 'run-task'`)
    }
    return undefined
  }
  return {
    target,
    when: choiceInput('launch', ['always', 'on-change'] as const, 'always'),
    wait: booleanInput('wait', false),
    waitTimeoutMinutes: numberInput('wait-timeout', { integer: false, min: 0.01 }) ?? 30
  }
}
