import * as core from '@actions/core'
import { createClients } from './aws/clients.js'
import { errorMessage } from './errors.js'
import { readInputs, type SyncRequest } from './inputs.js'
import { planParameters } from './plan/parameters.js'
import { describeFailure, planLines, planSummaryLine, redact, setSyncOutputs, writeSummary } from './report.js'
import { applySync, describeAwsError, outcomeOf, readSyncState, resolveIdentity, withArn, type Logger } from './sync.js'

const log: Logger = { info: core.info, warning: core.warning, debug: core.debug }

async function inGroup<T>(name: string, task: () => Promise<T>): Promise<T> {
  core.startGroup(name)
  try {
    return await task()
  } finally {
    core.endGroup()
  }
}

/** The action: inputs → read → plan → apply → report. The only place that fails the step. */
export async function run(): Promise<void> {
  let secretValues: string[] = []
  try {
    const request: SyncRequest = readInputs()
    secretValues = request.entries.filter((entry) => entry.kind === 'secrets').map((entry) => entry.value)
    for (const warning of request.warnings) core.warning(warning)
    core.debug(
      `Selected ${request.entries.length} names: ${request.entries.map((entry) => `${entry.key} (${entry.kind})`).join(', ')}`
    )

    const clients = createClients({ region: request.region })
    const state = await inGroup('Read current parameters', async () => {
      const read = await readSyncState(clients, request).catch((error: unknown) => {
        throw new Error(`Reading the current parameters failed, nothing was written: ${describeAwsError(error)}`)
      })
      core.info(
        `${read.current.size} of ${request.entries.length} parameters exist under ${request.path || '(no path)'}`
      )
      if (read.managed) core.info(`${read.managed.length} managed parameters found for pruning checks`)
      return read
    })

    const changes = planParameters({
      entries: request.entries,
      path: request.path,
      tier: request.tier,
      current: state.current,
      ...(state.managed ? { managed: state.managed } : {})
    })
    await inGroup(`Plan: ${planSummaryLine(changes)}`, async () => {
      for (const line of planLines(changes)) core.info(line)
    })
    // Started now so the identity lookup, when needed, overlaps the writes.
    const identity = changes.length > 0 ? resolveIdentity(clients, state, log) : Promise.resolve(undefined)

    if (request.dryRun) {
      const known = await identity
      const outcomes = changes.map((change) => outcomeOf(change, withArn(change, request.region, known)))
      setSyncOutputs(outcomes)
      await writeSummary({ request, outcomes, dryRun: true })
      core.info('Dry run: nothing was written.')
      return
    }

    const result = changes.some((change) => change.status !== 'unchanged')
      ? await inGroup('Write parameters', async () => applySync({ clients, request, changes, identity, log }))
      : await applySync({ clients, request, changes, identity, log })
    setSyncOutputs(result.outcomes)
    const failure = result.failure ? redact(describeFailure(result), secretValues) : undefined
    await writeSummary({ request, outcomes: result.outcomes, dryRun: false, ...(failure ? { failure } : {}) })
    if (failure) core.setFailed(failure)
  } catch (error) {
    core.setFailed(redact(errorMessage(error), secretValues))
  }
}
