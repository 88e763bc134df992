// Sets up one scenario on a fresh local server, runs the bundled action once, and measures it.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Quota, RecordedRequest } from '../../__tests__/fake-aws/types.js'
import { startBenchFake, type BenchFake } from './fake.js'
import { changedCount, OPERATIONS, type Scenario } from './model.js'
import { spawnAction, type TimedRun } from './spawn.js'

export const PARAMETER_PATH = '/bench/app/'
export const JOB_DEFINITION = 'bench-report'
export const JOB_QUEUE = 'bench-queue'
export const EXECUTION_ROLE = 'arn:aws:iam::123456789012:role/bench-exec'

export interface BenchConfig {
  node: string
  /** the bundle to run */
  bundle: string
  latencyMs: number
  quotas: Record<string, Quota>
}

export const secretName = (i: number) => `SECRET_${String(i).padStart(4, '0')}`

/** N secrets; when rotated, every tenth value (at least one) is new. */
export function secretValues(n: number, rotated = false): Record<string, string> {
  const values: Record<string, string> = {}
  const every = Math.max(1, Math.round(n / Math.max(1, Math.round(n / 10))))
  for (let i = 0; i < n; i++) {
    const rotate = rotated && i % every === 0
    values[secretName(i)] = `${rotate ? 'rotated' : 'value'}-${i}-0123456789abcdef0123456789abcdef`
  }
  return values
}

export function baseDefinition(): Record<string, unknown> {
  return {
    jobDefinitionName: JOB_DEFINITION,
    type: 'container',
    parameters: { day: 'today' },
    platformCapabilities: ['FARGATE'],
    tags: { team: 'bench' },
    containerProperties: {
      image: 'registry.example/report:1.0',
      command: ['report', 'Ref::day'],
      executionRoleArn: EXECUTION_ROLE,
      resourceRequirements: [
        { type: 'VCPU', value: '1' },
        { type: 'MEMORY', value: '2048' }
      ],
      environment: [{ name: 'MODE', value: 'batch' }]
    }
  }
}

export function actionInputs(scenario: Scenario, rotated = scenario.state === 'rotated'): Record<string, string> {
  return {
    secrets: JSON.stringify(secretValues(scenario.n, rotated)),
    path: PARAMETER_PATH,
    ...(scenario.batch ? { 'job-definition': JOB_DEFINITION, 'job-queue': JOB_QUEUE } : {}),
    ...(scenario.noPreflight ? { preflight: 'false' } : {})
  }
}

/** Longest time any bucket needs to fill up again after a setup run. */
export function refillMs(quotas: Record<string, Quota>): number {
  return Math.max(0, ...Object.values(quotas).map((q) => ((q.burst ?? Math.max(1, q.rate)) / q.rate) * 1000))
}

export interface Measurement {
  scenario: Scenario
  ok: boolean
  /** why the run is not what the scenario expects */
  problem?: string
  wallMs: number
  /** spawn to the arrival of the first AWS request */
  startupMs: number
  /** first request's arrival to the last answer */
  awsSpanMs: number
  counts: Record<string, number>
  total: number
  throttled: number
  peakRssKb?: number
  t0Error: number
}

async function prepare(bench: BenchFake, scenario: Scenario, config: BenchConfig): Promise<void> {
  const { fake } = bench
  if (scenario.batch) {
    // A world where preflight passes: a Fargate compute environment, an execution role that may read.
    fake.batch.addComputeEnvironment({ name: 'bench-fargate', type: 'FARGATE', maxvCpus: 256 })
    fake.batch.addQueue(JOB_QUEUE, { computeEnvironments: ['bench-fargate'] })
    const statement = { Effect: 'Allow' as const, Action: 'ssm:GetParameters', Resource: '*' }
    fake.iam.putRole(EXECUTION_ROLE, [{ Version: '2012-10-17', Statement: [statement] }])
    fake.batch.seedDefinition(baseDefinition())
  }
  if (scenario.state === 'cold') return
  for (const [key, value] of Object.entries(secretValues(scenario.n))) {
    fake.ssm.put({
      name: `${PARAMETER_PATH}${key}`,
      value,
      type: 'SecureString',
      tags: { 'managed-by': 'ssm-secrets-action' }
    })
  }
  if (scenario.batch) {
    // The definition already references every secret: what the action left behind last time.
    const setup = await spawnAction({
      node: config.node,
      bundle: config.bundle,
      endpoint: fake.url,
      inputs: actionInputs(scenario, false)
    })
    if (setup.exitCode !== 0) throw new Error(`setup run failed: ${failureOf(setup)}`)
    await sleep(refillMs(config.quotas) + 200)
  }
  fake.clearRequests()
}

/** The run's error annotation (never the whole log: it is long, and holds mask commands). */
export function failureOf(run: TimedRun): string {
  const error = run.stdout.split('\n').find((line) => line.startsWith('::error'))
  return `exit ${run.exitCode}: ${(error?.replace(/^::error[^:]*::/, '') ?? run.stderr).slice(0, 300)}`
}

function check(scenario: Scenario, run: TimedRun): string | undefined {
  if (run.exitCode !== 0) return failureOf(run)
  const changed = changedCount(scenario)
  if (run.outputs.changed !== String(changed)) return `changed=${run.outputs.changed}, expected ${changed}`
  if (scenario.batch && !run.outputs['job-id']) return 'no job submitted'
  const registered = scenario.state === 'cold' ? 'true' : 'false'
  if (scenario.batch && run.outputs.registered !== registered) return `registered=${run.outputs.registered}`
  return undefined
}

function failed(scenario: Scenario, problem: string, t0Error: number): Measurement {
  return {
    scenario,
    ok: false,
    problem,
    wallMs: NaN,
    startupMs: NaN,
    awsSpanMs: NaN,
    counts: {},
    total: 0,
    throttled: 0,
    t0Error
  }
}

/** One measured run of the scenario on a fresh server (fresh quotas, fresh request log). */
export async function measure(scenario: Scenario, config: BenchConfig, memory = true): Promise<Measurement> {
  const bench = await startBenchFake({ latencyMs: config.latencyMs, quotas: config.quotas })
  try {
    try {
      await prepare(bench, scenario, config)
    } catch (error) {
      return failed(scenario, (error as Error).message, bench.t0Error)
    }
    const { fake } = bench
    const run = await spawnAction({
      node: config.node,
      bundle: config.bundle,
      endpoint: fake.url,
      inputs: actionInputs(scenario),
      memory
    })
    return measurementOf(scenario, run, check(scenario, run), bench)
  } finally {
    await bench.fake.close()
  }
}

/** A finished run as a Measurement: its wall time, and the request log of the server it ran against. */
export function measurementOf(
  scenario: Scenario,
  run: { spawnAt: number; exitAt: number; peakRssKb?: number | undefined },
  problem: string | undefined,
  bench: BenchFake
): Measurement {
  return {
    scenario,
    ok: problem === undefined,
    ...(problem !== undefined ? { problem } : {}),
    wallMs: run.exitAt - run.spawnAt,
    ...requestStats(
      bench.fake.requests.filter((request) => request.service !== ''),
      bench.t0 - run.spawnAt
    ),
    ...(run.peakRssKb !== undefined ? { peakRssKb: run.peakRssKb } : {}),
    t0Error: bench.t0Error
  }
}

/** Counts per operation, and timings from the request log; `offset` turns its clock into ms since spawn. */
export function requestStats(
  requests: readonly RecordedRequest[],
  offset: number
): Pick<Measurement, 'startupMs' | 'awsSpanMs' | 'counts' | 'total' | 'throttled'> {
  const counts: Record<string, number> = {}
  for (const request of requests) {
    const key = (OPERATIONS as readonly string[]).includes(request.operation) ? request.operation : 'other'
    counts[key] = (counts[key] ?? 0) + 1
  }
  const first = requests[0]
  const lastEnd = Math.max(0, ...requests.map((request) => request.end))
  return {
    startupMs: first ? offset + first.start : NaN,
    awsSpanMs: first ? lastEnd - first.start : 0,
    counts,
    total: requests.length,
    throttled: requests.filter((request) => request.fault === 'throttle').length
  }
}
