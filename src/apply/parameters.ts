// Apply: writes the planned parameter changes (bounded concurrency, tags), then prunes.
import type { AwsClients } from '../aws/clients.js'
import { deleteParameters, writeParameter } from '../aws/ssm.js'
import type { Identity } from '../aws/sts.js'
import { mapWithConcurrency } from '../concurrency.js'
import { describeAwsError, type Logger } from '../errors.js'
import type { ActionRequest } from '../inputs/index.js'
import type { ParameterChange, ParameterStatus } from '../plan/parameters.js'
import { MANAGED_BY_KEY, MANAGED_BY_VALUE, parameterArn, partitionOf, type Tag } from '../plan/rules.js'

// Writes in flight at once. The SSM pacer (aws/pacing.ts) does not pace until AWS throttles, and
// then the requests in flight when the bucket ran dry are throttled too: a first wave of about this
// many, re-sent, whatever the quota (3 of 60 writes under 3/s with a burst of 3). With no quota,
// three still write 60 values in 20 round trips, a third of the time of one at a time.
const WRITE_CONCURRENCY = 3

export type OutcomeStatus = ParameterStatus | 'failed' | 'skipped'

/** What happened to one parameter. Never holds its value. */
export interface ParameterOutcome {
  name: string
  key?: string
  planned: ParameterStatus
  status: OutcomeStatus
  type: string
  version?: number
  tier?: string
  arn: string
  error?: string
}

export interface SyncResult {
  outcomes: ParameterOutcome[]
  /** The first failure, already phrased for the user; undefined when everything succeeded. */
  failure?: string
}

export function withArn(change: ParameterChange, region: string, identity: Identity | undefined): string {
  if (change.arn) return change.arn
  if (!identity) return ''
  return parameterArn({
    partition: identity.partition || partitionOf(region),
    region,
    account: identity.account,
    name: change.name
  })
}

export function outcomeOf(change: ParameterChange, arn: string): ParameterOutcome {
  const outcome: ParameterOutcome = {
    name: change.name,
    planned: change.status,
    status: change.status,
    type: change.type,
    arn
  }
  if (change.key !== undefined) outcome.key = change.key
  if (change.version !== undefined) outcome.version = change.version
  if (change.tier !== undefined) outcome.tier = change.tier
  return outcome
}

export interface ApplyOptions {
  clients: AwsClients
  request: ActionRequest
  changes: readonly ParameterChange[]
  /** Account and partition for the ARNs of created parameters; undefined leaves them empty. */
  identity: Identity | undefined
  log: Logger
}

/**
 * Writes changed values (bounded concurrency, tags included), then prunes. A failed write stops
 * new writes from starting and skips pruning, so a re-run finds and repairs the rest.
 */
export async function applySync(options: ApplyOptions): Promise<SyncResult> {
  const { clients, request, changes, log } = options
  const tags: Tag[] = [...request.tags, { key: MANAGED_BY_KEY, value: MANAGED_BY_VALUE }]
  let failure: string | undefined
  const outcomes = new Map<ParameterChange, ParameterOutcome>()
  const writes = changes.filter((change) => change.status === 'created' || change.status === 'updated')

  await mapWithConcurrency(writes, WRITE_CONCURRENCY, async (change) => {
    const outcome = outcomeOf(change, change.arn ?? '')
    outcomes.set(change, outcome)
    if (failure) {
      outcome.status = 'skipped'
      return
    }
    try {
      const result = await writeParameter(clients.ssm, {
        name: change.name,
        value: change.value ?? '',
        type: change.type,
        tier: change.tier ?? 'Standard',
        kmsKeyId: request.kmsKeyId,
        tags,
        exists: change.status === 'updated'
      })
      outcome.version = result.version
      outcome.tier = result.tier
      log.info(`${change.status} ${change.name} (version ${result.version}, ${result.tier})`)
    } catch (error) {
      outcome.status = 'failed'
      outcome.error = describeAwsError(error)
      failure ??= `Writing ${change.name} failed: ${outcome.error}`
    }
  })

  const deletions = changes.filter((change) => change.status === 'deleted')
  if (deletions.length > 0) {
    if (failure) {
      for (const change of deletions)
        outcomes.set(change, { ...outcomeOf(change, change.arn ?? ''), status: 'skipped' })
    } else {
      try {
        const { missing } = await deleteParameters(
          clients.ssm,
          deletions.map((change) => change.name)
        )
        for (const change of deletions) {
          outcomes.set(change, outcomeOf(change, change.arn ?? ''))
          log.info(missing.includes(change.name) ? `${change.name} was already gone` : `deleted ${change.name}`)
        }
      } catch (error) {
        failure = `Pruning failed: ${describeAwsError(error)}`
        for (const change of deletions)
          outcomes.set(change, { ...outcomeOf(change, change.arn ?? ''), status: 'failed' })
      }
    }
  }

  const { identity } = options
  const result: SyncResult = {
    outcomes: changes.map((change) => {
      const outcome = outcomes.get(change) ?? outcomeOf(change, '')
      outcome.arn = withArn(change, request.region, identity)
      return outcome
    })
  }
  if (failure) result.failure = failure
  return result
}
