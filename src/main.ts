import * as core from '@actions/core'
import { batchDefinitions } from './aws/batch.js'
import { createClients, type AwsClients } from './aws/clients.js'
import { ecsDefinitions } from './aws/ecs.js'
import { realSleep, type Sleep } from './concurrency.js'
import { applyDefinition } from './apply/definition.js'
import { describeAwsError, errorMessage, type Logger } from './errors.js'
import { readInputs, type ActionRequest } from './inputs/index.js'
import { launch } from './apply/launch.js'
import { batchModel } from './plan/batch.js'
import type { DefinitionPlan, DefinitionState } from './plan/definitions.js'
import { ecsModel } from './plan/ecs.js'
import { plan, type Plan } from './plan/index.js'
import { describeLaunch } from './plan/launch.js'
import { readState, type DefinitionTarget, type State } from './read.js'
import {
  describeFailure,
  planLines,
  planSummaryLine,
  redact,
  setOutputs,
  writeSummary,
  type DefinitionReport,
  type RunReport
} from './report.js'
import { applySync, outcomeOf, withArn } from './apply/parameters.js'

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

/** The action: inputs → read → plan → apply → report. The only place that fails the step. */
export async function run(options: { sleep?: Sleep } = {}): Promise<void> {
  let secretValues: string[] = []
  try {
    const request = await readInputs()
    secretValues = request.entries.filter((entry) => entry.kind === 'secrets').map((entry) => entry.value)
    for (const warning of request.warnings) core.warning(warning)
    core.debug(
      `Selected ${request.entries.length} names: ${request.entries.map((entry) => `${entry.key} (${entry.kind})`).join(', ')}`
    )

    const clients = createClients({ region: request.region })
    const target = definitionTarget(clients, request)
    const state = await inGroup('Read current state', () => readState(clients, request, target, log))
    const planned = plan(request, state)
    await printPlan(planned, state)
    const { identity } = state
    const report: RunReport = { request, outcomes: [], dryRun: request.dryRun }
    if (planned.secrets) report.policy = planned.secrets.policy
    if (state.definition && planned.definition) {
      report.definition = definitionReport(state.definition, planned.definition)
      if (request.launch) report.launch = describeLaunch(request.launch.target, state.definition.name, request)
    }

    if (request.dryRun) {
      report.outcomes = planned.changes.map((change) => outcomeOf(change, withArn(change, request.region, identity)))
      if (report.launch) core.info(`Would launch ${report.launch.label.replace(/`/g, '')}`)
      core.info('Dry run: nothing was written.')
      return await finish(report)
    }

    const hasWrites = planned.changes.some((change) => change.status !== 'unchanged')
    const sync = () => applySync({ clients, request, changes: planned.changes, identity, log })
    const result = hasWrites ? await inGroup('Write parameters', sync) : await sync()
    report.outcomes = result.outcomes
    if (result.failure) {
      const stopped = request.definition ? ' No definition was registered and nothing was launched.' : ''
      report.failure = redact(describeFailure(result) + stopped, secretValues)
      return await finish(report)
    }

    if (target && state.definition && planned.definition && report.definition) {
      const definitionState = state.definition
      const definitionPlan = planned.definition
      const registered = await inGroup(`${definitionState.model.noun} ${definitionState.name}`, () =>
        applyDefinition({
          store: target.store,
          state: definitionState,
          plan: definitionPlan,
          keepRevisions: request.definition?.keepRevisions,
          log,
          sleep: options.sleep ?? realSleep
        })
      ).catch((error: unknown) => {
        throw new Error(
          `Registering ${definitionState.model.noun} ${definitionState.name} failed after the parameters were written; nothing was launched: ${describeAwsError(error)}`,
          { cause: error }
        )
      })
      Object.assign(report.definition, {
        after: registered.revision,
        arn: registered.arn,
        deregistered: registered.deregistered
      })
      if (request.launch) {
        const launched = await inGroup('Launch', () =>
          launch({
            clients,
            request,
            launch: request.launch!,
            definitionName: definitionState.name,
            definitionArn: registered.arn,
            definition: definitionPlan.definition,
            changed: registered.registered || result.outcomes.some((outcome) => outcome.status !== 'unchanged'),
            identity,
            log,
            sleep: options.sleep ?? realSleep
          })
        )
        report.launch = launched.report
        report.launchOutputs = launched.outputs
        if (launched.failure) report.failure = redact(launched.failure, secretValues)
      }
    }
    await finish(report)
  } catch (error) {
    core.setFailed(redact(errorMessage(error), secretValues))
  }
}
