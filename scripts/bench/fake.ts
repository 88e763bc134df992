// The local AWS-protocol server for the benchmark, with the offset of its request-log clock.
import { performance } from 'node:perf_hooks'
import { startFakeAws, type FakeAws } from '../../__tests__/fake-aws/index.js'
import type { Quota } from '../../__tests__/fake-aws/types.js'

export interface BenchFake {
  fake: FakeAws
  /**
   * performance.now() of the server's clock zero: a request logged at `start` arrived at
   * `t0 + start` on the benchmark's clock (same process, same clock origin).
   */
  t0: number
  /** how far off t0 may be, ms */
  t0Error: number
}

export async function startBenchFake(options: {
  latencyMs: number
  quotas: Record<string, Quota>
}): Promise<BenchFake> {
  const before = performance.now()
  const fake = await startFakeAws(options)
  const after = performance.now()
  // An unsigned probe is logged like any request; its arrival brackets the clock zero again.
  const sent = performance.now()
  await fetch(fake.url, { method: 'POST' }).then((response) => response.arrayBuffer())
  const answered = performance.now()
  const probe = fake.requests.find((request) => request.service === '')
  let lo = before
  let hi = after
  if (probe) {
    lo = Math.max(lo, sent - probe.start)
    hi = Math.min(hi, answered - probe.start)
  }
  fake.clearRequests()
  return { fake, t0: (lo + hi) / 2, t0Error: Math.max(0, (hi - lo) / 2) }
}
