// The partial-failure, concurrency and nothing-lost cases, as data.
import { PATH } from './fixtures.js'
import type { ConcurrencyCase, PartialFailureCase, PruneCase } from './runners.js'

const forever = { times: 1_000 }

export const PARTIAL_FAILURES: PartialFailureCase[] = [
  {
    name: 'sync: writes after the first fail',
    flow: 'sync',
    faults: [{ operation: 'PutParameter', kind: 'server-error', skip: 1, ...forever }]
  },
  {
    name: 'sync: tagging the parameter to update fails',
    flow: 'sync',
    faults: [{ operation: 'AddTagsToResource', kind: 'server-error', ...forever }]
  },
  {
    name: 'sync: the prune fails after every write',
    flow: 'sync',
    faults: [{ operation: 'DeleteParameters', kind: 'server-error', ...forever }]
  },
  {
    name: 'Batch: writes after the first fail',
    flow: 'batch',
    faults: [{ operation: 'PutParameter', kind: 'throttle', skip: 1, ...forever }]
  },
  {
    name: 'ECS service: every write is dropped',
    flow: 'ecs-service',
    faults: [{ operation: 'PutParameter', kind: 'drop', ...forever }]
  },
  {
    name: 'ECS task: writes after the second fail',
    flow: 'ecs-task',
    faults: [{ operation: 'PutParameter', kind: 'too-many-requests', skip: 2, ...forever }]
  }
]

export const CONCURRENCY_CASES: ConcurrencyCase[] = ['sync', 'batch', 'ecs-service', 'ecs-task'].flatMap((flow) => [
  { name: `${flow}: started together`, flow, offsetMs: 0 },
  { name: `${flow}: started together, 20 ms on every request`, flow, offsetMs: 0, latencyMs: 20 },
  { name: `${flow}: second started 150 ms later`, flow, offsetMs: 150 }
])

export const PRUNE_CASES: PruneCase[] = [
  { name: 'prune next to every kind of parameter it must keep', path: PATH, managedStale: 3, unmanagedStale: 3 },
  {
    name: 'prune across pages: 60 stale managed, 60 untagged',
    path: PATH,
    managedStale: 60,
    unmanagedStale: 60
  },
  {
    name: 'prune with the path given without its trailing slash',
    path: PATH.replace(/\/$/, ''),
    managedStale: 3,
    unmanagedStale: 3
  },
  { name: 'prune in a dry run deletes nothing', path: PATH, managedStale: 3, unmanagedStale: 3, dryRun: true },
  {
    name: 'prune while DescribeParameters is throttled and dropped',
    path: PATH,
    managedStale: 25,
    unmanagedStale: 25,
    faults: [
      { operation: 'DescribeParameters', kind: 'throttle', times: 2 },
      { operation: 'DescribeParameters', kind: 'drop', skip: 3, times: 1 }
    ]
  },
  {
    name: 'prune while DeleteParameters fails, then a re-run',
    path: PATH,
    managedStale: 12,
    unmanagedStale: 12,
    faults: [{ operation: 'DeleteParameters', kind: 'server-error', skip: 1, times: 1_000 }]
  },
  {
    name: 'prune keeps definition secrets whose parameters it keeps',
    path: PATH,
    managedStale: 2,
    unmanagedStale: 0,
    definition: true
  }
]
