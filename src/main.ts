import * as core from '@actions/core'
import { createClients, type AwsClients } from './aws/clients.js'
import type { Identity } from './aws/sts.js'
import {
  applyDefinition,
  planDefinition,
  planSecrets,
  readDefinitionState,
  type DefinitionState,
  type SecretsPlan
} from './definition.js'
import { errorMessage, InputError } from './errors.js'
import { readInputs, type ActionRequest } from './inputs.js'
import { realSleep, submitJobOnce, waitForJob, type Sleep } from './launch.js'
import type { DefinitionPlan, JobDefinitionDocument } from './plan/batch.js'
import { batchJobLink, defaultJobName, planSubmitJob, type SubmitJobRequest } from './plan/launch.js'
import { planParameters, type ParameterChange } from './plan/parameters.js'
import {
  describeFailure,
  planLines,
  planSummaryLine,
  redact,
  setOutputs,
  writeSummary,
  type DefinitionReport,
  type JobReport,
  type RunReport
} from './report.js'
import {
  applySync,
  arnsOf,
  describeAwsError,
  outcomeOf,
  readSyncState,
  resolveIdentity,
  withArn,
  type Logger,
  type SyncState
} from './sync.js'

const log: Logger = { info: core.info, warning: core.warning, debug: core.debug }

async function inGroup<T>(name: string, task: () => Promise<T>): Promise<T> {
  core.startGroup(name)
  try {
    return await task()
  } finally {
    core.endGroup()
  }
}

function printLines(lines: readonly string[]): void {
  for (const line of lines) core.info(line)
}

async function readState(
  clients: AwsClients,
  request: ActionRequest
): Promise<{ sync: SyncState; definition: DefinitionState | undefined }> {
  const [sync, definition] = await Promise.all([
    readSyncState(clients, request).catch((error: unknown) => {
      throw new Error(`Reading the current parameters failed, nothing was written: ${describeAwsError(error)}`)
    }),
    request.definition
      ? readDefinitionState(clients, request.definition).catch((error: unknown) => {
          if (error instanceof InputError) throw error
          throw new Error(`Reading the job definition failed, nothing was written: ${describeAwsError(error)}`)
        })
      : undefined
  ])
  core.info(`${sync.current.size} of ${request.entries.length} parameters exist under ${request.path || '(no path)'}`)
  if (sync.managed) core.info(`${sync.managed.length} managed parameters found for pruning checks`)
  if (definition) {
    core.info(
      definition.current
        ? `Job definition ${definition.name}: revision ${definition.current.revision} (${definition.current.status})`
        : `Job definition ${definition.name}: not registered yet`
    )
  }
  return { sync, definition }
}

interface Plan {
  changes: ParameterChange[]
  identity: Identity | undefined
  secrets: SecretsPlan | undefined
  definition: DefinitionPlan<JobDefinitionDocument> | undefined
  jobName: string | undefined
}

async function makePlan(
  clients: AwsClients,
  request: ActionRequest,
  state: { sync: SyncState; definition: DefinitionState | undefined }
): Promise<Plan> {
  const changes = planParameters({
    entries: request.entries,
    path: request.path,
    tier: request.tier,
    current: state.sync.current,
    ...(state.sync.managed ? { managed: state.sync.managed } : {})
  })
  await inGroup(`Plan: ${planSummaryLine(changes)}`, async () => printLines(planLines(changes)))

  const knownArns = [...arnsOf(state.sync), ...(state.definition?.current ? [state.definition.current.arn] : [])]
  let identity: Identity | undefined
  if (state.definition || changes.length > 0) {
    try {
      identity = await resolveIdentity(clients, knownArns, log)
    } catch (error) {
      // ARNs in outputs can go without the account; ARNs in a definition cannot.
      if (state.definition)
        throw new Error(`Could not read the account id (STS GetCallerIdentity): ${describeAwsError(error)}`, {
          cause: error
        })
      log.warning(
        `Could not read the account id (STS GetCallerIdentity): ${describeAwsError(error)}; parameter ARNs are left empty`
      )
    }
  }
  const secrets = identity ? planSecrets(request, identity) : undefined
  let definition: DefinitionPlan<JobDefinitionDocument> | undefined
  if (state.definition && request.definition && secrets) {
    definition = planDefinition(state.definition, request.definition, secrets)
    const title = definition.changed
      ? `Job definition ${state.definition.name}: new revision`
      : `Job definition ${state.definition.name}: unchanged`
    const plan = definition
    await inGroup(title, async () => printLines(plan.changes.length > 0 ? plan.changes : ['(no change to secrets)']))
    for (const warning of definition.warnings) core.warning(warning)
  }
  const jobName =
    request.launch && state.definition
      ? (request.launch.jobName ?? defaultJobName(state.definition.name, request.context))
      : undefined
  return { changes, identity, secrets, definition, jobName }
}

function definitionReport(state: DefinitionState, plan: DefinitionPlan<JobDefinitionDocument>): DefinitionReport {
  return {
    name: state.name,
    before: state.current?.revision,
    after: plan.changed ? undefined : state.current?.revision,
    arn: plan.changed ? '' : (state.current?.arn ?? ''),
    registered: plan.changed,
    changes: plan.changes,
    deregistered: []
  }
}

/** The action: inputs → read → plan → apply → report. The only place that fails the step. */
export async function run(options: { sleep?: Sleep } = {}): Promise<void> {
  let secretValues: string[] = []
  try {
    const request = readInputs()
    secretValues = request.entries.filter((entry) => entry.kind === 'secrets').map((entry) => entry.value)
    for (const warning of request.warnings) core.warning(warning)
    core.debug(
      `Selected ${request.entries.length} names: ${request.entries.map((entry) => `${entry.key} (${entry.kind})`).join(', ')}`
    )

    const clients = createClients({ region: request.region })
    const state = await inGroup('Read current state', () => readState(clients, request))
    const plan = await makePlan(clients, request, state)
    const report: RunReport = { request, outcomes: [], dryRun: request.dryRun }
    if (plan.secrets) report.policy = plan.secrets.policy
    if (state.definition && plan.definition) report.definition = definitionReport(state.definition, plan.definition)

    if (request.dryRun) {
      report.outcomes = plan.changes.map((change) => outcomeOf(change, withArn(change, request.region, plan.identity)))
      if (request.launch && plan.jobName) {
        report.job = { name: plan.jobName, queue: request.launch.jobQueue }
        core.info(`Would submit job ${plan.jobName} to ${request.launch.jobQueue}`)
      }
      setOutputs(report)
      await writeSummary(report)
      core.info('Dry run: nothing was written.')
      return
    }

    const hasWork = plan.changes.some((change) => change.status !== 'unchanged')
    const syncTask = () =>
      applySync({ clients, request, changes: plan.changes, identity: Promise.resolve(plan.identity), log })
    const result = hasWork ? await inGroup('Write parameters', syncTask) : await syncTask()
    report.outcomes = result.outcomes
    if (result.failure) {
      const stopped = request.definition ? ' No job definition was registered and nothing was launched.' : ''
      report.failure = redact(describeFailure(result) + stopped, secretValues)
      return await finish(report)
    }

    if (state.definition && plan.definition && report.definition && request.definition) {
      const definitionPlan = plan.definition
      const definitionState = state.definition
      const registered = await inGroup('Job definition', () =>
        applyDefinition({
          clients,
          state: definitionState,
          plan: definitionPlan,
          keepRevisions: request.definition?.keepRevisions,
          log
        })
      ).catch((error: unknown) => {
        throw new Error(
          `Registering job definition ${definitionState.name} failed after the parameters were written; nothing was launched: ${describeAwsError(error)}`
        )
      })
      Object.assign(report.definition, {
        after: registered.revision,
        arn: registered.arn,
        deregistered: registered.deregistered
      })
      if (request.launch && plan.jobName) {
        report.job = await launch({
          clients,
          request,
          plan,
          definitionArn: registered.arn,
          definition: definitionPlan.definition,
          changed: result.outcomes.some((o) => o.status !== 'unchanged') || registered.registered,
          sleep: options.sleep ?? realSleep,
          report
        })
      }
    }
    await finish(report)
  } catch (error) {
    core.setFailed(redact(errorMessage(error), secretValues))
  }
}

async function launch(options: {
  clients: AwsClients
  request: ActionRequest
  plan: Plan
  definitionArn: string
  definition: JobDefinitionDocument
  changed: boolean
  sleep: Sleep
  report: RunReport
}): Promise<JobReport> {
  const { clients, request, plan, sleep, report } = options
  const launchRequest = request.launch!
  const job: JobReport = { name: plan.jobName!, queue: launchRequest.jobQueue }
  if (launchRequest.when === 'on-change' && !options.changed) {
    job.skipped = 'launch is on-change and no parameter or definition changed'
    core.info(`Not submitting a job: ${job.skipped}`)
    return job
  }
  const submitRequest: SubmitJobRequest = planSubmitJob({
    definition: options.definition,
    definitionArn: options.definitionArn,
    jobQueue: launchRequest.jobQueue,
    jobName: job.name,
    parameters: launchRequest.parameters,
    containerOverrides: launchRequest.containerOverrides,
    tags: launchRequest.tags,
    context: request.context
  })
  const submitted = await inGroup('Submit job', () =>
    submitJobOnce({ clients, request: submitRequest, log, sleep })
  ).catch((error: unknown) => {
    throw new Error(
      `Submitting job ${job.name} failed; the parameters and the definition are in place, a re-run submits it: ${describeAwsError(error)}`
    )
  })
  job.id = submitted.jobId
  job.status = 'SUBMITTED'
  if (plan.identity)
    job.link = batchJobLink({ partition: plan.identity.partition, region: request.region, jobId: submitted.jobId })
  core.info(`Submitted job ${submitted.jobName} (${submitted.jobId})${job.link ? `: ${job.link}` : ''}`)
  if (launchRequest.wait) {
    const waited = await inGroup(`Wait for job ${submitted.jobName}`, () =>
      waitForJob({ clients, jobId: submitted.jobId, timeoutMinutes: launchRequest.waitTimeoutMinutes, log, sleep })
    )
    job.status = waited.status
    if (waited.failure) report.failure = waited.failure
  }
  return job
}

async function finish(report: RunReport): Promise<void> {
  setOutputs(report)
  await writeSummary(report)
  if (report.failure) core.setFailed(report.failure)
}
