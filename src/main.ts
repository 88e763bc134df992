import * as core from '@actions/core'
import { batchDefinitions } from './aws/batch.js'
import { createClients, type AwsClients } from './aws/clients.js'
import type { DefinitionStore } from './aws/definition-store.js'
import { ecsDefinitions } from './aws/ecs.js'
import type { Identity } from './aws/sts.js'
import {
  applyDefinition,
  planDefinition,
  planSecrets,
  readDefinitionState,
  unsyncedReferences,
  type DefinitionState,
  type SecretsPlan
} from './definition.js'
import { realSleep, type Sleep } from './concurrency.js'
import { errorMessage, InputError } from './errors.js'
import { readInputs, type ActionRequest } from './inputs/index.js'
import { checkLaunch, describeLaunch, launch } from './launch/index.js'
import { batchModel } from './plan/batch.js'
import type { DefinitionModel, DefinitionPlan } from './plan/definitions.js'
import { ecsModel } from './plan/ecs.js'
import { planParameters, type ParameterChange } from './plan/parameters.js'
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
import {
  applySync,
  arnsOf,
  describeAwsError,
  outcomeOf,
  readSyncState,
  resolveIdentity,
  staleReferences,
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

/** The definition's shape and where it is registered, Batch or ECS. */
interface DefinitionTarget {
  model: DefinitionModel
  store: DefinitionStore
}

function definitionTarget(clients: AwsClients, request: ActionRequest): DefinitionTarget | undefined {
  if (!request.definition) return undefined
  return request.definition.kind === 'batch'
    ? { model: batchModel, store: batchDefinitions(clients.batch, clients.batchSubmit) }
    : { model: ecsModel, store: ecsDefinitions(clients.ecs, clients.ecsDeploy) }
}

interface State {
  sync: SyncState
  definition: DefinitionState | undefined
}

async function readState(
  clients: AwsClients,
  request: ActionRequest,
  target: DefinitionTarget | undefined
): Promise<State> {
  const [sync, definition] = await Promise.all([
    readSyncState(clients, request).catch((error: unknown) => {
      throw new Error(`Reading the current parameters failed, nothing was written: ${describeAwsError(error)}`, {
        cause: error
      })
    }),
    target && request.definition
      ? readDefinitionState(target.store, target.model, request.definition).catch((error: unknown) => {
          if (error instanceof InputError) throw error
          throw new Error(`Reading the ${target.model.noun} failed, nothing was written: ${describeAwsError(error)}`, {
            cause: error
          })
        })
      : undefined
  ])
  core.info(`${sync.current.size} of ${request.entries.length} parameters exist under ${request.path || '(no path)'}`)
  if (sync.managed) core.info(`${sync.managed.length} managed parameters found for pruning checks`)
  if (definition) {
    const { noun } = definition.model
    core.info(
      definition.current
        ? `${noun} ${definition.name}: revision ${definition.current.revision} (${definition.current.status})`
        : `${noun} ${definition.name}: not registered yet`
    )
  }
  return { sync, definition }
}

interface Plan {
  changes: ParameterChange[]
  /**
   * Account and partition for ARNs. A definition needs them before anything is written; without
   * one only the outputs do, so the STS call (if any) goes on while the parameters are written.
   */
  identity: Promise<Identity | undefined>
  /** With a definition only: without one, the policy is worked out when the identity is known. */
  secrets: SecretsPlan | undefined
  definition: DefinitionPlan | undefined
}

function identityFor(clients: AwsClients, state: State, changes: readonly ParameterChange[]) {
  if (!state.definition && changes.length === 0) return Promise.resolve(undefined)
  const knownArns = [...arnsOf(state.sync), ...(state.definition?.current ? [state.definition.current.arn] : [])]
  return resolveIdentity(clients, knownArns, log).catch((error: unknown) => {
    const message = `Could not read the account id (STS GetCallerIdentity): ${describeAwsError(error)}`
    // ARNs in outputs can go without the account; ARNs in a definition cannot.
    if (state.definition) throw new Error(message, { cause: error })
    log.warning(`${message}; parameter ARNs are left empty`)
    return undefined
  })
}

async function makePlan(clients: AwsClients, request: ActionRequest, state: State): Promise<Plan> {
  const changes = planParameters({
    entries: request.entries,
    path: request.path,
    tier: request.tier,
    current: state.sync.current,
    ...(state.sync.managed ? { managed: state.sync.managed } : {})
  })
  await inGroup(`Plan: ${planSummaryLine(changes)}`, async () => printLines(planLines(changes)))

  const identity = identityFor(clients, state, changes)
  if (!state.definition) return { changes, identity, secrets: undefined, definition: undefined }
  // Awaited here: a definition cannot be planned without the account, and a failure stops the run
  // before any write.
  const account = await identity
  let secrets: SecretsPlan | undefined
  if (account) {
    const referenced = unsyncedReferences(request, account, state.definition.source)
    const stale =
      referenced.length > 0
        ? await staleReferences(clients, referenced, changes).catch((error: unknown) => {
            throw new Error(`Reading the current parameters failed, nothing was written: ${describeAwsError(error)}`, {
              cause: error
            })
          })
        : undefined
    secrets = planSecrets(request, account, stale)
  }
  let definition: DefinitionPlan | undefined
  if (request.definition && secrets) {
    const plan = planDefinition(state.definition, request.definition, secrets)
    const title = `${state.definition.model.noun} ${state.definition.name}: ${plan.changed ? 'new revision' : 'unchanged'}`
    await inGroup(title, async () => printLines(plan.changes.length > 0 ? plan.changes : ['(no change to secrets)']))
    for (const warning of plan.warnings) core.warning(warning)
    if (request.launch) {
      checkLaunch(request.launch.target, {
        definition: plan.definition,
        definitionName: state.definition.name,
        request
      })
    }
    definition = plan
  }
  return { changes, identity, secrets, definition }
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
    const state = await inGroup('Read current state', () => readState(clients, request, target))
    const plan = await makePlan(clients, request, state)
    const report: RunReport = { request, outcomes: [], dryRun: request.dryRun }
    const setPolicy = (identity: Identity | undefined) => {
      const secrets = plan.secrets ?? (identity ? planSecrets(request, identity) : undefined)
      if (secrets) report.policy = secrets.policy
    }
    if (state.definition && plan.definition) {
      report.definition = definitionReport(state.definition, plan.definition)
      if (request.launch) report.launch = describeLaunch(request.launch.target, state.definition.name, request)
    }

    if (request.dryRun) {
      const identity = await plan.identity
      setPolicy(identity)
      report.outcomes = plan.changes.map((change) => outcomeOf(change, withArn(change, request.region, identity)))
      if (report.launch) core.info(`Would launch ${report.launch.label.replace(/`/g, '')}`)
      core.info('Dry run: nothing was written.')
      return await finish(report)
    }

    const hasWrites = plan.changes.some((change) => change.status !== 'unchanged')
    const sync = () => applySync({ clients, request, changes: plan.changes, identity: plan.identity, log })
    const result = hasWrites ? await inGroup('Write parameters', sync) : await sync()
    report.outcomes = result.outcomes
    const identity = await plan.identity
    setPolicy(identity)
    if (result.failure) {
      const stopped = request.definition ? ' No definition was registered and nothing was launched.' : ''
      report.failure = redact(describeFailure(result) + stopped, secretValues)
      return await finish(report)
    }

    if (target && state.definition && plan.definition && report.definition) {
      const definitionState = state.definition
      const definitionPlan = plan.definition
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
