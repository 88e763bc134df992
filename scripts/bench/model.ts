// What a run needs at the least: the minimum requests, and the critical-path bound on wall time
// that the per-request latency and the per-operation quotas allow.
import type { Quota } from '../../__tests__/fake-aws/types.js'

export type State = 'cold' | 'warm' | 'rotated'

export interface Scenario {
  n: number
  state: State
  /** with a Batch job definition to rewrite and a job to submit */
  batch: boolean
  /** preflight: false (the default, true, checks a Batch run before any write) */
  noPreflight?: boolean
}

/** Whether the run makes the preflight checks: a Batch run unless turned off. */
export const checked = (scenario: Scenario): boolean => scenario.batch && !scenario.noPreflight

/**
 * The preflight requests of a checked Batch run, counted as "other": DescribeJobQueues,
 * DescribeComputeEnvironments and one SimulatePrincipalPolicy (plus GetCallerIdentity, counted in
 * its column, for the workflow role's own check).
 */
export const PREFLIGHT_OTHER = 3

/** Operations shown in the tables, in this order; anything else is counted as "other". */
export const OPERATIONS = [
  'GetParameters',
  'PutParameter',
  'AddTagsToResource',
  'GetCallerIdentity',
  'DescribeJobDefinitions',
  'RegisterJobDefinition',
  'SubmitJob'
] as const

export type Operation = (typeof OPERATIONS)[number]

export const NAMES_PER_READ = 10

/** Parameters the scenario writes: all when cold, a tenth (at least one) when rotated. */
export function changedCount(scenario: Scenario): number {
  if (scenario.state === 'cold') return scenario.n
  if (scenario.state === 'rotated') return Math.max(1, Math.round(scenario.n / 10))
  return 0
}

/**
 * The minimum: ceil(N/10) reads, one write per changed value, the definition read, a
 * register only when the definition changes (cold: it gains the secrets), the submit, and the
 * identity call only when no ARN can be had from a read (cold without a definition) or preflight
 * checks the workflow role.
 */
export function minimumRequests(scenario: Scenario): Record<Operation, number> {
  return {
    GetParameters: Math.ceil(scenario.n / NAMES_PER_READ),
    PutParameter: changedCount(scenario),
    AddTagsToResource: 0,
    GetCallerIdentity: (scenario.state === 'cold' && !scenario.batch) || checked(scenario) ? 1 : 0,
    DescribeJobDefinitions: scenario.batch ? 1 : 0,
    RegisterJobDefinition: scenario.batch && scenario.state === 'cold' ? 1 : 0,
    SubmitJob: scenario.batch ? 1 : 0
  }
}

/**
 * Time for `count` independent requests of one operation, sent as early as its token bucket
 * allows: the first `burst` at once, then one every 1/rate s; each takes `latency`.
 */
export function quotaTime(count: number, latencyMs: number, quota: Quota | undefined): number {
  if (count <= 0) return 0
  if (!quota) return latencyMs
  const burst = quota.burst ?? Math.max(1, quota.rate)
  return count <= burst ? latencyMs : ((count - burst) / quota.rate) * 1000 + latencyMs
}

/**
 * Critical path: the reads, the definition read and the identity call in parallel; then the writes
 * as fast as their quota allows; then register; then submit. Process start-up is not included.
 */
export function criticalPathMs(scenario: Scenario, latencyMs: number, quotas: Record<string, Quota>): number {
  const minimum = minimumRequests(scenario)
  const stage = (operation: Operation) => quotaTime(minimum[operation], latencyMs, quotas[operation])
  const read = Math.max(stage('GetParameters'), stage('DescribeJobDefinitions'), stage('GetCallerIdentity'))
  // Preflight's simulation needs the plan: one round trip after the reads.
  const preflight = checked(scenario) ? latencyMs : 0
  return read + preflight + stage('PutParameter') + stage('RegisterJobDefinition') + stage('SubmitJob')
}
