import * as core from '@actions/core'
import { randomUUID } from 'node:crypto'
import { batchDefinitions } from './aws/batch.js'
import { createClients, type AwsClients } from './aws/clients.js'
import { ecsDefinitions } from './aws/ecs.js'
import { realSleep, type Sleep } from './concurrency.js'
import { applyDefinition } from './apply/definition.js'
import { describeAwsError, errorMessage, InputErrors, type Logger } from './errors.js'
import { readInputs, type ActionRequest } from './inputs/index.js'
import { launch } from './apply/launch.js'
import { batchModel } from './plan/batch.js'
import type { DefinitionPlan, DefinitionState } from './plan/definitions.js'
import { ecsModel } from './plan/ecs.js'
import { explainSecretFailure } from './plan/failures.js'
import { plan, type Plan } from './plan/index.js'
import { preflight, readEarlyFacts, reportFindings } from './preflight.js'
import { describeLaunch } from './plan/launch.js'
import { readState, type DefinitionTarget, type State } from './read.js'
import {
  describeFailure,
  planLines,
  planSummaryLine,
  redact,
  secretValuesOf,
  type DefinitionReport,
  type RunReport
} from './report/index.js'
import { setOutputs } from './report/outputs.js'
import { writeSummary } from './report/summary.js'
import { applySync, outcomeOf, withArn } from './apply/parameters.js'

/**
 * Container lines go out between stop-commands markers with a token the container cannot guess:
 * the runner reads `::command::` at the start of any line and `##[command]` anywhere in it.
 */
function relay(lines: string[]): void {
  const token = randomUUID()
  core.info(`::stop-commands::${token}`)
  for (const line of lines) core.info(line)
  core.info(`::${token}::`)
}

const log: Logger = { info: core.info, warning: core.warning, debug: core.debug, relay }

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

function definitionTarget(clients: AwsClients, request: ActionRequest): DefinitionTarget | undefined {
  if (!request.definition) return undefined
  return request.definition.kind === 'batch'
    ? { model: batchModel, store: batchDefinitions(clients.batch, clients.batchSubmit) }
    : { model: ecsModel, store: ecsDefinitions(clients.ecs, clients.ecsDeploy) }
}

/** Prints the plan: the parameter changes, then the definition diff and its warnings. */
async function printPlan(planned: Plan, state: State): Promise<void> {
  await inGroup(`Plan: ${planSummaryLine(planned.changes)}`, async () => printLines(planLines(planned.changes)))
  const { definition } = planned
  if (!definition || !state.definition) return
  const title = `${state.definition.model.noun} ${state.definition.name}: ${definition.changed ? 'new revision' : 'unchanged'}`
  await inGroup(title, async () =>
    printLines(definition.changes.length > 0 ? definition.changes : ['(no change to secrets)'])
  )
  for (const warning of definition.warnings) core.warning(warning)
}

function definitionReport(state: DefinitionState, plan: DefinitionPlan): DefinitionReport {
  return {
    kind: state.model.kind,
    name: state.name,
    before: state.current?.revision,
    after: plan.changed ? undefined : state.current?.revision,
    arn: plan.changed ? '' : (state.current?.arn ?? ''),
    registered: plan.changed,
    changes: plan.changes,
    deregistered: []
  }
}

async function finish(report: RunReport): Promise<void> {
  setOutputs(report)
  await writeSummary(report)
  if (report.failure) core.setFailed(report.failure)
}

/** The definition stage, when the run has one: where it goes, what AWS holds, the plan, the report. */
interface DefinitionStage {
  target: DefinitionTarget
  state: DefinitionState
  plan: DefinitionPlan
  report: DefinitionReport
}

function definitionStage(
  target: DefinitionTarget | undefined,
  state: State,
  planned: Plan
): DefinitionStage | undefined {
  if (!target || !state.definition || !planned.definition) return undefined
  const report = definitionReport(state.definition, planned.definition)
  return { target, state: state.definition, plan: planned.definition, report }
}

interface Run {
  clients: AwsClients
  request: ActionRequest
  state: State
  planned: Plan
  definition: DefinitionStage | undefined
  report: RunReport
  secretValues: string[]
  sleep: Sleep
}

/** What a dry run reports: the plan's outcomes, nothing written. */
function reportDryRun({ request, state, planned, report }: Run): void {
  report.outcomes = planned.changes.map((change) => outcomeOf(change, withArn(change, request.region, state.identity)))
  if (report.launch) core.info(`Would launch ${report.launch.label.replace(/`/g, '')}`)
  core.info('Dry run: nothing was written.')
}

/** Executes the plan: parameters, then the definition, then the launch, each only after the one before succeeded. */
async function apply(run: Run): Promise<void> {
  const { clients, request, state, planned, report, secretValues } = run
  const hasWrites = planned.changes.some((change) => change.status !== 'unchanged')
  const sync = () => applySync({ clients, request, changes: planned.changes, identity: state.identity, log })
  const result = hasWrites ? await inGroup('Write parameters', sync) : await sync()
  report.outcomes = result.outcomes
  if (result.failure) {
    const stopped = request.definition ? ' No definition was registered and nothing was launched.' : ''
    report.failure = redact(describeFailure(result) + stopped, secretValues)
    return
  }
  const stage = run.definition
  if (!stage) return
  const { noun } = stage.state.model
  const registered = await inGroup(`${noun} ${stage.state.name}`, () =>
    applyDefinition({
      store: stage.target.store,
      state: stage.state,
      plan: stage.plan,
      keepRevisions: request.definition?.keepRevisions,
      log,
      sleep: run.sleep
    })
  ).catch((error: unknown) => {
    throw new Error(
      `Registering ${noun} ${stage.state.name} failed after the parameters were written; nothing was launched: ${describeAwsError(error)}`,
      { cause: error }
    )
  })
  Object.assign(stage.report, {
    after: registered.revision,
    arn: registered.arn,
    deregistered: registered.deregistered
  })
  if (!request.launch) return
  const settings = request.launch
  const launched = await inGroup('Launch', () =>
    launch({
      clients,
      request,
      launch: settings,
      definitionName: stage.state.name,
      definitionArn: registered.arn,
      definition: stage.plan.definition,
      changed: registered.registered || result.outcomes.some((outcome) => outcome.status !== 'unchanged'),
      identity: state.identity,
      log,
      sleep: run.sleep,
      redact: (text) => redact(text, secretValues)
    })
  )
  report.launch = launched.report
  report.launchOutputs = launched.outputs
  if (launched.failure) {
    const why = explainSecretFailure(launched.failure, planned.secrets?.policy)
    report.failure = redact(why ? `${launched.failure}\n${why}` : launched.failure, secretValues)
  }
}

/** The report as planned; apply fills in what happened. */
function startReport(request: ActionRequest, planned: Plan, definition: DefinitionStage | undefined): RunReport {
  const report: RunReport = { request, outcomes: [], dryRun: request.dryRun }
  if (definition) report.definition = definition.report
  if (planned.secrets) report.policy = planned.secrets.policy
  if (definition && request.launch) {
    report.launch = describeLaunch(request.launch.target, definition.state.name, request)
  }
  return report
}

/** The action: inputs → read → plan → apply → report. The only place that fails the step. */
export async function run(options: { sleep?: Sleep } = {}): Promise<void> {
  let secretValues: string[] = []
  try {
    const request = await readInputs()
    secretValues = secretValuesOf(request)
    for (const warning of request.warnings) core.warning(warning)
    core.debug(
      `Selected ${request.entries.length} names: ${request.entries.map((e) => `${e.key} (${e.kind})`).join(', ')}`
    )

    const clients = createClients({ region: request.region })
    const target = definitionTarget(clients, request)
    // What preflight reads that the definition does not decide goes out with the state reads.
    const early = request.preflight === 'false' ? undefined : readEarlyFacts(clients, request)
    const state = await inGroup('Read current state', () => readState(clients, request, target, log))
    const planned = plan(request, state)
    await printPlan(planned, state)

    const definition = definitionStage(target, state, planned)
    const report = startReport(request, planned, definition)
    const findings = early ? await preflight(clients, request, state, planned, await early) : []
    if (findings.length > 0) report.preflight = findings
    const stop =
      findings.length > 0
        ? await inGroup('Preflight', async () => reportFindings(findings, request.preflight, log))
        : undefined
    const sleep = options.sleep ?? realSleep
    const context = { clients, request, state, planned, definition, report, secretValues, sleep }
    // A dry run reports its plan whatever preflight found; a real run writes nothing after a failed check.
    if (request.dryRun) reportDryRun(context)
    else if (!stop) await apply(context)
    if (stop) report.failure = stop
    await finish(report)
  } catch (error) {
    // One annotation for each bad input.
    const errors = error instanceof InputErrors ? error.errors : [error]
    for (const each of errors) core.setFailed(redact(errorMessage(each), secretValues))
  }
}
