// The fault matrix: every operation each flow calls × every way a request can go wrong.
import type { Fault } from '../fake-aws/index.js'
import { FLOWS } from './flows.js'

/** The client timeout the slow-response cases run with, and how much slower the answer is. */
export const SLOW_TIMEOUT_MS = 1_500
const SLOW_DELAY_MS = SLOW_TIMEOUT_MS + 800

export interface FaultKindSpec {
  id: string
  fault: Omit<Fault, 'operation'>
  env?: Record<string, string>
}

export const FAULT_KINDS: FaultKindSpec[] = [
  { id: 'throttle', fault: { kind: 'throttle', times: 2 } },
  { id: 'too-many-requests', fault: { kind: 'too-many-requests', times: 2 } },
  { id: '500', fault: { kind: 'server-error', status: 500, times: 2 } },
  { id: '503', fault: { kind: 'server-error', status: 503, times: 2 } },
  { id: 'drop', fault: { kind: 'drop', times: 2 } },
  { id: 'drop-after', fault: { kind: 'drop-after', times: 2 } },
  {
    id: 'slow',
    fault: { kind: 'latency', delayMs: SLOW_DELAY_MS, times: 1 },
    env: { SSM_SECRETS_ACTION_REQUEST_TIMEOUT_MS: String(SLOW_TIMEOUT_MS) }
  },
  // Beyond every retry: the run must fail cleanly, and the re-run repair it.
  { id: 'persistent-500', fault: { kind: 'server-error', status: 500, times: 1_000 }, env: { AWS_MAX_ATTEMPTS: '3' } },
  { id: 'persistent-drop', fault: { kind: 'drop', times: 1_000 }, env: { AWS_MAX_ATTEMPTS: '3' } }
]

export interface FaultCase {
  id: string
  flow: string
  operation: string
  kind: string
  faults: Fault[]
  env: Record<string, string>
}

export const FAULT_CASES: FaultCase[] = FLOWS.flatMap((flow) =>
  flow.operations.flatMap(({ operation, after }) =>
    FAULT_KINDS.map((kind) => ({
      id: `${flow.name} / ${operation} / ${kind.id}`,
      flow: flow.name,
      operation,
      kind: kind.id,
      faults: [...(after ? [{ ...after, times: 1 }] : []), { operation, ...kind.fault }],
      env: kind.env ?? {}
    }))
  )
)
