// The fault matrix, partial-failure, concurrency and nothing-lost cases, as data.
import type { Fault } from '../fake-aws/index.js'
import { FLOWS } from './flows.js'

/** The client timeout the slow-response cases run with; the answer comes 800 ms after it. */
export const SLOW_TIMEOUT_MS = 1_500
const forever = { times: 1_000 }
const FEW_ATTEMPTS = { AWS_MAX_ATTEMPTS: '3' }
const SLOW = { SSM_SECRETS_ACTION_REQUEST_TIMEOUT_MS: String(SLOW_TIMEOUT_MS) }

/** Every way a request can go wrong: [id, the fault, the environment the run gets]. */
const FAULT_KINDS: [string, Omit<Fault, 'operation'>, Record<string, string>?][] = [
  ['throttle', { kind: 'throttle', times: 2 }],
  ['too-many-requests', { kind: 'too-many-requests', times: 2 }],
  ['500', { kind: 'server-error', status: 500, times: 2 }],
  ['503', { kind: 'server-error', status: 503, times: 2 }],
  ['drop', { kind: 'drop', times: 2 }],
  ['drop-after', { kind: 'drop-after', times: 2 }],
  ['slow', { kind: 'latency', delayMs: SLOW_TIMEOUT_MS + 800, times: 1 }, SLOW],
  // Beyond every retry: the run must fail cleanly, and the re-run repair it.
  ['persistent-500', { kind: 'server-error', status: 500, ...forever }, FEW_ATTEMPTS],
  ['persistent-drop', { kind: 'drop', ...forever }, FEW_ATTEMPTS]
]

/** The fault matrix: every operation each flow calls × every way a request can go wrong. */
export const FAULT_CASES = FLOWS.flatMap((flow) =>
  flow.operations.split(' ').flatMap((entry) => {
    const [operation = '', earlier] = entry.split('<')
    return FAULT_KINDS.map(([kind, fault, env = {}]) => ({
      name: `${flow.name} / ${operation} / ${kind}`,
      flow: flow.name,
      operation,
      kind,
      faults: [
        ...(earlier ? [{ operation: earlier, kind: 'drop-after' as const, times: 1 }] : []),
        { operation, ...fault }
      ],
      env
    }))
  })
)

const partial = (name: string, flow: string, operation: string, kind: Fault['kind'], skip = 0) => ({
  name,
  flow,
  faults: [{ operation, kind, skip, ...forever }]
})

export const PARTIAL_FAILURES = [
  partial('sync: writes after the first fail', 'sync', 'PutParameter', 'server-error', 1),
  partial('sync: tagging the parameter to update fails', 'sync', 'AddTagsToResource', 'server-error'),
  partial('sync: the prune fails after every write', 'sync', 'DeleteParameters', 'server-error'),
  partial('Batch: writes after the first fail', 'batch', 'PutParameter', 'throttle', 1),
  partial('ECS service: every write is dropped', 'ecs-service', 'PutParameter', 'drop'),
  partial('ECS task: writes after the second fail', 'ecs-task', 'PutParameter', 'too-many-requests', 2)
]

export type FaultCase = (typeof FAULT_CASES)[number]
export type PartialFailureCase = (typeof PARTIAL_FAILURES)[number]

// The second run starts offsetMs after the first; latencyMs on every request widens the windows they interleave in.
export const CONCURRENCY_CASES = ['sync', 'batch', 'ecs-service', 'ecs-task'].flatMap((flow) => [
  { name: `${flow}: started together`, flow, offsetMs: 0, latencyMs: 0 },
  { name: `${flow}: started together, 20 ms on every request`, flow, offsetMs: 0, latencyMs: 20 },
  { name: `${flow}: second started 150 ms later`, flow, offsetMs: 150, latencyMs: 0 }
])
export type ConcurrencyCase = (typeof CONCURRENCY_CASES)[number]

export interface PruneCase {
  name: string
  /** the path input as given, when not PATH */
  path?: string
  /** stale parameters with the managed-by tag (deleted) and without it (kept), next to PROTECTED */
  managed: number
  unmanaged: number
  dryRun?: boolean
  faults?: Fault[]
  /** a Batch definition whose container references kept and pruned parameters */
  definition?: boolean
}

export const PRUNE_CASES: PruneCase[] = [
  { name: 'prune next to every kind of parameter it must keep', managed: 3, unmanaged: 3 },
  { name: 'prune across pages: 60 stale managed, 60 untagged', managed: 60, unmanaged: 60 },
  { name: 'prune with the path given without its trailing slash', path: '/prod/billing', managed: 3, unmanaged: 3 },
  { name: 'prune in a dry run deletes nothing', managed: 3, unmanaged: 3, dryRun: true },
  {
    name: 'prune while DescribeParameters is throttled and dropped',
    managed: 25,
    unmanaged: 25,
    faults: [
      { operation: 'DescribeParameters', kind: 'throttle', times: 2 },
      { operation: 'DescribeParameters', kind: 'drop', skip: 3, times: 1 }
    ]
  },
  {
    name: 'prune while DeleteParameters fails, then a re-run',
    managed: 12,
    unmanaged: 12,
    faults: [{ operation: 'DeleteParameters', kind: 'server-error', skip: 1, ...forever }]
  },
  { name: 'prune keeps definition secrets whose parameters it keeps', managed: 2, unmanaged: 0, definition: true }
]
