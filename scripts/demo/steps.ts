// The demo's three steps: a Batch run, a rotation of one value, an ECS service redeploy. Each runs the
// bundle as the runner does, prints what a person wants to see, and checks its expected outcome.
import { performance } from 'node:perf_hooks'
import { runAction, type ActionRun } from '../../__tests__/e2e/harness.js'
import type { FakeAws } from '../../__tests__/fake-aws/index.js'
import { check, paragraph, wrap, type Check, type Printer } from './print.js'
import { renderLog, requestLines, summaryStatus } from './render.js'
import { PATH, ROTATED, SECRETS, VARIABLES, type DemoWorld } from './world.js'

export interface DemoContext {
  fake: FakeAws
  out: Printer
  world: DemoWorld
  /** the Node binary the runner would use (action.yml's node24) */
  node: string
  /** extra environment for every run */
  env: Record<string, string>
}

export interface StepResult {
  title: string
  run: ActionRun
  checks: Check[]
}

interface Step {
  number: number
  title: string
  story: string
  inputs: Record<string, string>
  /** groups of the step log shown folded (already seen in an earlier step) */
  fold?: string[]
  checks: (run: ActionRun) => Check[]
}

const STEPS = 3

/** The inputs line: each input as given, except the secrets, named without their values. */
function inputLines(inputs: Record<string, string>): string[] {
  const items = Object.entries(inputs).map(([name, value]) => {
    if (name !== 'secrets') return `${name}: ${value}`
    const names = Object.keys(JSON.parse(value) as Record<string, string>)
    return `secrets: ${names.join(', ')} (values not shown)`
  })
  return wrap('Inputs: ', items)
}

async function runStep(ctx: DemoContext, step: Step): Promise<StepResult> {
  const { fake, out } = ctx
  fake.clearRequests()
  out.heading(`Step ${step.number} of ${STEPS} · ${step.title}`)
  out.say(paragraph(step.story))
  out.say(inputLines(step.inputs).join('\n'))
  const started = performance.now()
  // Each step is another workflow run, as its run id says (it names the job).
  const env = { ...ctx.env, GITHUB_RUN_ID: String(100 + step.number) }
  const run = await runAction({ endpoint: fake.url, node: ctx.node, env, inputs: step.inputs })
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  const log = renderLog(run.stdout, run.stderr, step.fold)
  const relayed = log.lines.some((line) => line.trimStart().startsWith('│ '))
  out.say(
    `\n${out.bold('Step log')}${relayed ? " (│ marks a line the job's container printed, relayed by the action)" : ''}:`
  )
  out.say(
    out.dim(
      `(${log.masks} ::add-mask:: commands not shown: the runner hides those values in every log line. ` +
        `${log.debug} ::debug:: lines hidden, as on GitHub without debug logging.)`
    )
  )
  out.say(log.lines.join('\n'))
  out.say(`\n${out.bold('Job summary:')} ${summaryStatus(run.summary)}`)
  out.say(requestLines(fake.requests, fake.writes()).join('\n'))
  const checks = step.checks(run)
  out.say(`Checks (the run took ${seconds} s):`)
  for (const { ok, text } of checks) out.say(`  ${ok ? out.good('✔') : out.bad('✖')} ${text}`)
  return { title: step.title, run, checks }
}

/** The statuses of the `parameters` output, counted: "3 created, 1 updated". */
function statuses(run: ActionRun): string {
  try {
    const counts = new Map<string, number>()
    for (const { status } of JSON.parse(run.outputs.parameters ?? '[]') as { status: string }[]) {
      counts.set(status, (counts.get(status) ?? 0) + 1)
    }
    return [...counts].map(([status, count]) => `${count} ${status}`).join(', ')
  } catch {
    return 'no parameters output'
  }
}

const succeeded = (run: ActionRun) => check(run.exitCode === 0, 'the step succeeded', `exit code ${run.exitCode}`)

/** Runs the three steps in order; each step's checks say whether its outcome held. */
export async function runSteps(ctx: DemoContext): Promise<StepResult[]> {
  const { fake, world } = ctx
  const base = {
    variables: JSON.stringify(VARIABLES),
    path: PATH,
    ...(world.kmsAlias !== undefined && { 'kms-key-id': world.kmsAlias }),
    wait: 'true',
    // A broken demo fails within minutes, not the default 30.
    'wait-timeout': '2'
  }
  const batch = { ...base, 'job-definition': world.jobDefinition, 'job-queue': world.queue }
  const rotated = { ...SECRETS, [ROTATED.name]: ROTATED.value }
  const synced = Object.keys(SECRETS).filter((name) => name !== 'github_token').length + Object.keys(VARIABLES).length
  /** The names of the parameters written in this step (PutParameter requests). */
  const putParameters = () =>
    fake.requests
      .filter((request) => request.operation === 'PutParameter')
      .map((request) => (request.input as { Name?: string }).Name)

  const first = await runStep(ctx, {
    number: 1,
    title: 'Batch: sync → rewrite → register → submit → wait',
    story:
      `A deploy-on-merge run. The action writes the secrets under ${PATH}, adds references to them to job definition ` +
      `${world.jobDefinition}, registers that as a new revision, submits a job with it to ${world.queue}, waits ` +
      `for the job and relays its container's log. The container prints its environment as well (the worst case): ` +
      `the action redacts every synced value in what it relays.`,
    inputs: { secrets: JSON.stringify(SECRETS), ...batch },
    checks: (run) => [
      succeeded(run),
      check(
        putParameters().length === synced && run.outputs.changed === String(synced),
        `${synced} parameters written (${statuses(run)})`,
        `${putParameters().length} PutParameter, changed=${run.outputs.changed}`
      ),
      check(
        fake.ssm.get(`${PATH}github_token`) === undefined,
        'github_token was not synced (it is only if include names it)'
      ),
      check(
        run.outputs.registered === 'true' && fake.count('RegisterJobDefinition') === 1,
        `a new revision registered: ${run.outputs['job-definition-arn']}`,
        `registered=${run.outputs.registered}`
      ),
      check(
        run.outputs['job-status'] === 'SUCCEEDED',
        `job ${run.outputs['job-id']} SUCCEEDED`,
        `job-status=${run.outputs['job-status']}`
      ),
      check(
        world.jobLines.every((line) => run.stdout.includes(`\n${line}\n`)),
        `the container's ${world.jobLines.length} log lines were relayed into the step log while the job ran`
      )
    ]
  })

  const second = await runStep(ctx, {
    number: 2,
    title: `Rotation of one value: ${ROTATED.name}`,
    story:
      `A scheduled rotation: ${ROTATED.name} has a new value, nothing else changed. The definition references each ` +
      `parameter by its ARN, which a new value does not change, so the revision registered in step 1 is used as it ` +
      `is; the new value reaches the job because a new container starts and reads it.`,
    inputs: { secrets: JSON.stringify(rotated), ...batch },
    fold: ['Preflight'],
    checks: (run) => {
      const streams = fake.logs.streams('/aws/batch/job')
      const withNewValue = streams.filter((stream) =>
        fake.logs.events('/aws/batch/job', stream).some((event) => event.message === `${ROTATED.name}=${ROTATED.value}`)
      )
      return [
        succeeded(run),
        check(
          putParameters().join() === `${PATH}${ROTATED.name}` && run.outputs.changed === '1',
          `exactly one parameter written: ${PATH}${ROTATED.name} (${statuses(run)})`,
          `${putParameters().length} PutParameter, changed=${run.outputs.changed}`
        ),
        check(
          run.outputs.registered === 'false' &&
            fake.count('RegisterJobDefinition') === 0 &&
            run.outputs['job-definition-arn'] === first.run.outputs['job-definition-arn'],
          `no new revision: the job runs ${run.outputs['job-definition-arn']} again`,
          `registered=${run.outputs.registered}, ${fake.count('RegisterJobDefinition')} RegisterJobDefinition`
        ),
        check(
          fake.count('SubmitJob') === 1 &&
            run.outputs['job-id'] !== undefined &&
            run.outputs['job-id'] !== first.run.outputs['job-id'] &&
            run.outputs['job-status'] === 'SUCCEEDED',
          `a new job ${run.outputs['job-id']} SUCCEEDED`,
          `job-status=${run.outputs['job-status']}`
        ),
        ...(world.jobLines.length > 0 && streams.length > 0
          ? [
              check(
                withNewValue.length === 1,
                `the new job's container started with the new value (its log stream holds ${ROTATED.name}=<new value>, relayed as ***)`,
                `${withNewValue.length} streams hold it`
              )
            ]
          : [])
      ]
    }
  })

  const third = await runStep(ctx, {
    number: 3,
    title: 'ECS: sync into the service’s task definition → register → redeploy → wait',
    story:
      `The same secrets for service ${world.service} in cluster ${world.cluster}. Every parameter is unchanged, so ` +
      `nothing is written; task definition ${world.taskDefinition} gains the references, the new revision is ` +
      `registered, the service is updated to it (UpdateService with forceNewDeployment), and the action waits ` +
      `until the deployment has COMPLETED.`,
    inputs: {
      secrets: JSON.stringify(rotated),
      ...base,
      'task-definition': world.taskDefinition,
      cluster: world.cluster,
      service: world.service
    },
    fold: ['Preflight'],
    checks: (run) => {
      const arn = run.outputs['task-definition-arn']
      const service = fake.ecs.services().find((s) => s.cluster === world.cluster && s.serviceName === world.service)
      const primary = service?.deployments[0]
      return [
        succeeded(run),
        check(
          putParameters().length === 0 && run.outputs.changed === '0',
          `no parameter written (${statuses(run)})`,
          `${putParameters().length} PutParameter`
        ),
        check(
          run.outputs.registered === 'true' && fake.count('RegisterTaskDefinition') === 1,
          `a new revision registered: ${arn}`,
          `registered=${run.outputs.registered}`
        ),
        check(
          fake.count('UpdateService') === 1 && primary?.taskDefinition === arn && primary?.rolloutState === 'COMPLETED',
          `service ${world.service} redeployed: its deployment ${primary?.id} runs that revision and COMPLETED`,
          `primary deployment ${primary?.taskDefinition} ${primary?.rolloutState}`
        )
      ]
    }
  })
  return [first, second, third]
}
