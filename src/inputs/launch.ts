import { InputError } from '../errors.js'
import { INPUT, type InputName } from '../names.js'
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
  /** Follow the containers' logs while waiting. */
  logs: boolean
  /** The last log lines a failure shows. */
  logLines: number
}

const LAUNCH_TYPES = ['FARGATE', 'EC2', 'EXTERNAL', 'MANAGED_INSTANCES'] as const
type LaunchType = (typeof LAUNCH_TYPES)[number]

const BATCH_INPUTS = [INPUT.jobQueue, INPUT.jobName, INPUT.jobParameters, INPUT.containerOverrides, INPUT.jobTags]
const TASK_INPUTS = [INPUT.subnets, INPUT.securityGroups, INPUT.assignPublicIp, INPUT.launchType]

function given(names: readonly InputName[]): InputName | undefined {
  return names.find((name) => optionalInput(name) !== undefined)
}

function ids(input: InputName, prefix: string): string[] {
  const values = listInput(input)
  const bad = values.find((value) => !new RegExp(`^${prefix}-[0-9a-f]+$`).test(value))
  if (bad) throw new InputError(input, `'${bad}' is not an id like ${prefix}-0123456789abcdef0`)
  return values
}

function batchTarget(): LaunchTarget {
  const jobName = optionalInput(INPUT.jobName)
  if (jobName !== undefined && !isJobName(jobName)) {
    throw new InputError(
      INPUT.jobName,
      `'${jobName}' must be 1 to 128 letters, digits, - and _, starting with a letter or digit`
    )
  }
  return {
    kind: 'batch-job',
    jobQueue: optionalInput(INPUT.jobQueue) as string,
    jobName,
    parameters: Object.fromEntries(keyValueLines(INPUT.jobParameters).map(({ key, value }) => [key, value])),
    containerOverrides: jsonObjectInput(INPUT.containerOverrides),
    tags: keyValueLines(INPUT.jobTags, { check: tagProblem })
  }
}

function ecsTarget(): LaunchTarget | undefined {
  const cluster = optionalInput(INPUT.cluster)
  const service = optionalInput(INPUT.service)
  const runTask = booleanInput(INPUT.runTask, false)
  if (service !== undefined && runTask) {
    throw new InputError(
      INPUT.runTask,
      `give either '${INPUT.service}' (redeploy) or '${INPUT.runTask}' (one-off task), not both`
    )
  }
  if (service !== undefined) {
    if (cluster === undefined) throw new InputError(INPUT.cluster, `is required with '${INPUT.service}'`)
    const stray = given(TASK_INPUTS)
    if (stray)
      throw new InputError(
        stray,
        `applies to '${INPUT.runTask}', not to a service (the service keeps its network settings)`
      )
    return { kind: 'ecs-service', cluster, service }
  }
  if (!runTask) {
    const stray = given([...TASK_INPUTS, INPUT.cluster])
    if (stray) throw new InputError(stray, `needs '${INPUT.service}' or '${INPUT.runTask}: true'`)
    return undefined
  }
  return {
    kind: 'ecs-task',
    cluster,
    launchType: choiceInput(INPUT.launchType, LAUNCH_TYPES),
    subnets: ids(INPUT.subnets, 'subnet'),
    securityGroups: ids(INPUT.securityGroups, 'sg'),
    assignPublicIp: choiceInput(INPUT.assignPublicIp, ['ENABLED', 'DISABLED'] as const)
  }
}

/** What to launch once the definition is in place, checked against the kind of definition. */
// Inputs with a default in action.yml (launch, wait, wait-timeout, run-task) always reach the
// action from the runner, so only a value that asks for something counts as given.
export function readLaunch(kind: DefinitionKind | undefined): LaunchRequest | undefined {
  const runTask = booleanInput(INPUT.runTask, false) ? [INPUT.runTask] : []
  let target: LaunchTarget | undefined
  if (kind === 'batch') {
    const ecsInput = given([INPUT.cluster, INPUT.service, ...TASK_INPUTS]) ?? runTask[0]
    if (ecsInput) throw new InputError(ecsInput, `is for ECS; with '${INPUT.jobDefinition}' use '${INPUT.jobQueue}'`)
    target = optionalInput(INPUT.jobQueue) === undefined ? undefined : batchTarget()
    if (!target) {
      const orphan = given(BATCH_INPUTS)
      if (orphan) throw new InputError(orphan, `needs '${INPUT.jobQueue}' (the queue to submit the job to)`)
    }
  } else if (kind === 'ecs') {
    const batchInput = given(BATCH_INPUTS)
    if (batchInput)
      throw new InputError(
        batchInput,
        `is for Batch; with '${INPUT.taskDefinition}' use '${INPUT.service}' or '${INPUT.runTask}'`
      )
    target = ecsTarget()
  } else {
    const orphan = given([...BATCH_INPUTS, INPUT.cluster, INPUT.service, ...TASK_INPUTS]) ?? runTask[0]
    if (orphan)
      throw new InputError(
        orphan,
        `needs '${INPUT.jobDefinition}' or '${INPUT.taskDefinition}' (the definition to run)`
      )
  }
  // Checked whether or not something is launched: a typo is an error, not a setting ignored.
  const settings = {
    when: choiceInput(INPUT.launch, ['always', 'on-change'] as const, 'always'),
    wait: booleanInput(INPUT.wait, false),
    waitTimeoutMinutes: numberInput(INPUT.waitTimeout, { integer: false, min: 0.01 }) ?? 30,
    logs: booleanInput(INPUT.logs, true),
    logLines: numberInput(INPUT.logLines, { integer: true, min: 0 }) ?? 50
  }
  if (!target) {
    if (settings.wait) {
      throw new InputError(
        INPUT.wait,
        `needs something to launch: '${INPUT.jobQueue}', '${INPUT.service}' or '${INPUT.runTask}'`
      )
    }
    return undefined
  }
  return { target, ...settings }
}
