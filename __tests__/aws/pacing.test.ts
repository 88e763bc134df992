import { PutParameterCommand } from '@aws-sdk/client-ssm'
import type { SdkError } from '@smithy/types'
import { afterEach, describe, expect, it } from 'vitest'
import { createClients } from '../../src/aws/clients.js'
import { mapWithConcurrency } from '../../src/concurrency.js'
import { Pacer, retriesWithoutThrottling, wasThrottled } from '../../src/aws/pacing.js'
import { startFakeAws, type FakeAws } from '../fake-aws/index.js'

const throttling = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })
const isThrottling = (error: unknown) => error === throttling

/** A clock for concurrent tasks: time jumps to the next timer once every task waits on one. */
function eventClock() {
  let now = 0
  let order = 0
  const timers: { at: number; order: number; wake: () => void }[] = []
  const sleep = (ms: number) => new Promise<void>((wake) => timers.push({ at: now + ms, order: order++, wake }))
  async function run<T>(work: Promise<T>): Promise<T> {
    let done = false
    const result = work.finally(() => (done = true))
    // Its caller handles a rejection once the loop ends; until then it is not unhandled.
    result.catch(() => undefined)
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve))
      timers.sort((a, b) => a.at - b.at || a.order - b.order)
      const next = timers.shift()
      if (!next) continue
      now = Math.max(now, next.at)
      next.wake()
    }
    return result
  }
  return { now: () => now, sleep, run }
}

interface Quota {
  rate: number
  burst: number
  /** from this time (ms) on, the rate is `then` */
  changeAt?: number
  then?: number
}

/**
 * `n` requests through one pacer by `concurrency` workers (as src/apply/parameters.ts writes), to a service
 * that answers `latency` ms after a request is sent and throttles like AWS: a token bucket, full at
 * the start, checked when the request arrives; a throttled request takes no token.
 */
async function runAgainst(
  quota: Quota | undefined,
  options: { n: number; concurrency: number; latency?: () => number }
) {
  const clock = eventClock()
  const pacer = new Pacer({ now: clock.now, sleep: clock.sleep })
  const latency = options.latency ?? (() => 30)
  let tokens = quota?.burst ?? 0
  let at = 0
  const log: { sentAt: number; at: number; ok: boolean }[] = []
  const request = async () => {
    const sentAt = clock.now()
    await clock.sleep(latency())
    let ok = true
    if (quota) {
      const rate =
        quota.changeAt !== undefined && clock.now() >= quota.changeAt ? (quota.then ?? quota.rate) : quota.rate
      tokens = Math.min(quota.burst, tokens + ((clock.now() - at) / 1000) * rate)
      at = clock.now()
      ok = tokens >= 1
      if (ok) tokens -= 1
    }
    log.push({ sentAt, at: clock.now(), ok })
    if (!ok) throw throttling
    return 'done'
  }
  let next = 0
  const results: string[] = []
  const worker = async () => {
    while (next < options.n) {
      next++
      results.push(await pacer.send(request, isThrottling))
    }
  }
  await clock.run(Promise.all(Array.from({ length: options.concurrency }, worker)))
  const throttles = log.filter((entry) => !entry.ok)
  return { pacer, log, results, throttles, elapsed: clock.now(), firstThrottle: throttles[0]?.at ?? Infinity }
}

/** The least time `n` requests can take: the burst at once, the rest at the rate, plus one answer. */
const bound = (n: number, quota: Quota, latency = 30) => (Math.max(0, n - quota.burst) / quota.rate) * 1000 + latency

describe('Pacer', () => {
  it('does not pace at all until the service throttles', async () => {
    const { log, pacer, elapsed } = await runAgainst(undefined, { n: 60, concurrency: 3 })
    // Each worker sends its next request as soon as the last one is answered: 20 round trips.
    expect(log).toHaveLength(60)
    expect(elapsed).toBe(20 * 30)
    expect(new Set(log.map((entry) => entry.sentAt)).size).toBe(20)
    expect(pacer.currentRate).toBe(Infinity)
    expect(pacer.throttled).toBe(0)
    // A large batch goes out all at once.
    const wide = await runAgainst(undefined, { n: 100, concurrency: 100 })
    expect(wide.log.every((entry) => entry.sentAt === 0)).toBe(true)
  })

  it.each([
    { rate: 10, burst: 10, n: 100 },
    { rate: 3, burst: 3, n: 60 },
    { rate: 10, burst: 40, n: 100 },
    { rate: 50, burst: 50, n: 300 }
  ])('learns a quota of $rate/s (burst $burst) from what the service accepts', async ({ n, ...quota }) => {
    const { pacer, log, throttles, results, elapsed, firstThrottle } = await runAgainst(quota, { n, concurrency: 3 })
    expect(results).toHaveLength(n)
    // The pace after learning: what the service accepted from the first throttle to the end.
    const acceptedAfter = log.filter((entry) => entry.ok && entry.at > firstThrottle).length
    const learned = acceptedAfter / ((elapsed - firstThrottle) / 1000)
    expect(learned).toBeGreaterThan(quota.rate * 0.95)
    expect(learned).toBeLessThan(quota.rate * 1.05)
    expect(pacer.currentRate).toBeGreaterThan(quota.rate * 0.9)
    expect(pacer.currentRate).toBeLessThan(quota.rate * 1.15)
    // Within a few per cent of the least time the quota allows, and few throttles.
    expect(elapsed).toBeLessThan(bound(n, quota) * 1.05)
    expect(throttles.length).toBeLessThanOrEqual(n * 0.1)
  })

  it('learns the rate when answers take anything from 1 to 60 ms', async () => {
    // A fixed sequence of latencies (a linear congruential generator), the same on every run.
    let seed = 7
    const latency = () => 1 + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 59
    const quota = { rate: 20, burst: 20 }
    const { throttles, results, elapsed, pacer } = await runAgainst(quota, { n: 200, concurrency: 3, latency })
    expect(results).toHaveLength(200)
    expect(throttles.length).toBeLessThanOrEqual(10)
    expect(elapsed).toBeLessThan(bound(200, quota, 60) * 1.05)
    expect(pacer.currentRate).toBeGreaterThan(18)
    expect(pacer.currentRate).toBeLessThan(23)
  })

  it('sends throttled requests again itself, until each is accepted', async () => {
    const quota = { rate: 20, burst: 20 }
    const { pacer, log, throttles, results, elapsed } = await runAgainst(quota, { n: 60, concurrency: 3 })
    expect(throttles.length).toBeGreaterThan(0)
    expect(pacer.throttled).toBe(throttles.length)
    expect(results).toEqual(Array.from({ length: 60 }, () => 'done'))
    // One call per request, and one more per throttle: nothing dropped, nothing sent twice.
    expect(log).toHaveLength(60 + throttles.length)
    expect(log.filter((entry) => entry.ok)).toHaveLength(60)
    // Each re-send waits for the pace, not for a backoff: the run ends close to the bound.
    expect(elapsed).toBeLessThan(bound(60, quota) * 1.1)
  })

  it('throttles rarely once it has learned the rate', async () => {
    const quota = { rate: 25, burst: 25 }
    const { throttles, elapsed } = await runAgainst(quota, { n: 500, concurrency: 3 })
    // The first wave (the requests in flight when the burst ran out) and the first measurement
    // take a few; after that, a probe now and then over the 19 s.
    expect(throttles.filter((entry) => entry.at < 3000).length).toBeLessThanOrEqual(5)
    expect(throttles.filter((entry) => entry.at >= 3000).length).toBeLessThanOrEqual(500 * 0.02)
    expect(elapsed).toBeLessThan(bound(500, quota) * 1.02)
  })

  it('follows a quota that drops during the run', async () => {
    const quota = { rate: 10, burst: 10, changeAt: 5000, then: 3 }
    const { pacer, throttles, results, log } = await runAgainst(quota, { n: 150, concurrency: 3 })
    expect(results).toHaveLength(150)
    expect(pacer.currentRate).toBeGreaterThan(2.7)
    expect(pacer.currentRate).toBeLessThan(3.5)
    expect(throttles.length).toBeLessThanOrEqual(15)
    // Accepted at the lower quota, not far below it.
    const late = log.filter((entry) => entry.ok && entry.at > 15_000)
    const span = (late.at(-1)!.at - late[0]!.at) / 1000
    expect((late.length - 1) / span).toBeGreaterThan(2.8)
  })

  it('speeds up again when the quota grows during the run', async () => {
    const quota = { rate: 3, burst: 3, changeAt: 5000, then: 10 }
    const { pacer, results, elapsed } = await runAgainst(quota, { n: 300, concurrency: 3 })
    expect(results).toHaveLength(300)
    // About 18 in the first 5 s, then 282 at 10/s: 33 s at the least. Probing alone (a measured
    // pace grows slowly) would take about 50 s; no throttle for long ramps the pace up again.
    expect(elapsed).toBeLessThan(40_000)
    expect(pacer.currentRate).toBeGreaterThan(9)
  })

  /** A pacer on its own clock, and a request that records when it is sent and always fails with `error`. */
  function failing(error: Error, options: { maxThrottles?: number; latency?: number } = {}) {
    const clock = eventClock()
    const pacer = new Pacer({ ...options, now: clock.now, sleep: clock.sleep })
    const sent: number[] = []
    const request = async () => {
      sent.push(clock.now())
      if (options.latency) await clock.sleep(options.latency)
      throw error
    }
    return { clock, pacer, sent, send: () => pacer.send(request, isThrottling) }
  }

  it('passes other errors on at once, without sending again', async () => {
    const denied = Object.assign(new Error('no'), { name: 'AccessDeniedException' })
    const { pacer, sent, send } = failing(denied)
    await expect(send()).rejects.toBe(denied)
    expect(sent).toHaveLength(1)
    expect(pacer.throttled).toBe(0)
    expect(pacer.currentRate).toBe(Infinity)
  })

  it('gives up after maxThrottles throttled sends of one request, in bounded time', async () => {
    const { clock, pacer, sent, send } = failing(throttling, { maxThrottles: 3 })
    await expect(clock.run(send())).rejects.toBe(throttling)
    expect(sent).toHaveLength(4)
    expect(pacer.throttled).toBe(4)
    expect(clock.now()).toBeLessThan(10_000)
  })

  it('keeps sending, slowly, when every request is throttled', async () => {
    const { clock, pacer, sent, send } = failing(throttling, { latency: 30 })
    const outcomes = await clock.run(Promise.allSettled([send(), send(), send()]))
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true)
    // Three requests, each sent 11 times (maxThrottles 10), within a minute, never faster than
    // the service could have refilled one token for each.
    expect(sent).toHaveLength(33)
    expect(clock.now()).toBeLessThan(60_000)
    expect(pacer.currentRate).toBeGreaterThanOrEqual(0.5)
  })
})

describe('retriesWithoutThrottling', () => {
  const sdkError = (name: string, message: string) =>
    Object.assign(new Error(message), { name, $metadata: {} }) as SdkError
  const token = { getRetryCount: () => 0, getRetryDelay: () => 0 }

  it('marks throttling errors and leaves them to the pacer', async () => {
    const strategy = retriesWithoutThrottling(8)
    const error = sdkError('ThrottlingException', 'slow down')
    await expect(strategy.refreshRetryTokenForRetry(token, { error, errorType: 'THROTTLING' })).rejects.toBe(error)
    expect(wasThrottled(error)).toBe(true)
    expect(wasThrottled(new Error('other'))).toBe(false)
  })

  it('retries transient failures with a growing, bounded backoff, up to maxAttempts', async () => {
    const strategy = retriesWithoutThrottling(3)
    const error = sdkError('ServiceUnavailable', '503')
    const first = await strategy.refreshRetryTokenForRetry(token, { error, errorType: 'TRANSIENT' })
    expect(first.getRetryCount()).toBe(1)
    expect(first.getRetryDelay()).toBeLessThan(200)
    const second = await strategy.refreshRetryTokenForRetry(first, { error, errorType: 'TRANSIENT' })
    expect(second.getRetryCount()).toBe(2)
    expect(second.getRetryDelay()).toBeLessThan(400)
    await expect(strategy.refreshRetryTokenForRetry(second, { error, errorType: 'TRANSIENT' })).rejects.toBe(error)
    expect(wasThrottled(error)).toBe(false)
  })

  it('does not retry client errors', async () => {
    const strategy = retriesWithoutThrottling(8)
    const error = sdkError('ValidationException', 'bad')
    await expect(strategy.refreshRetryTokenForRetry(token, { error, errorType: 'CLIENT_ERROR' })).rejects.toBe(error)
  })
})

describe('the SSM client against a quota', () => {
  let fake: FakeAws | undefined
  const saved = { ...process.env }
  afterEach(async () => {
    await fake?.close()
    fake = undefined
    process.env = { ...saved }
  })

  async function writeAll(quotas: Record<string, { rate: number; burst: number }>, n: number) {
    fake = await startFakeAws({ quotas, latencyMs: 20 })
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: fake.url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true'
    })
    const { ssm } = createClients({ region: fake.region })
    // Three at a time, as the action writes.
    await mapWithConcurrency(
      Array.from({ length: n }, (_, i) => i),
      3,
      (i) => ssm.send(new PutParameterCommand({ Name: `/q/P${i}`, Value: 'v', Type: 'String' }))
    )
    const puts = fake.requests.filter((request) => request.operation === 'PutParameter')
    const throttled = puts.filter((request) => request.fault === 'throttle').length
    const span = Math.max(...puts.map((request) => request.end)) - Math.min(...puts.map((request) => request.start))
    return { puts, throttled, span }
  }

  it('writes at full speed where nothing throttles', async () => {
    const { puts, throttled, span } = await writeAll({}, 40)
    expect(puts).toHaveLength(40)
    expect(throttled).toBe(0)
    expect(fake?.ssm.get('/q/P39')).toBeDefined()
    // 14 round trips of 20 ms; a pacer that assumed 10/s would take over 3 s.
    expect(span).toBeLessThan(1500)
  })

  it('writes at a quota it has to learn: every write lands, few are throttled', async () => {
    const { puts, throttled, span } = await writeAll({ PutParameter: { rate: 20, burst: 20 } }, 60)
    expect(puts.length - throttled).toBe(60)
    expect(fake?.ssm.get('/q/P59')).toBeDefined()
    // The first wave (about the three in flight when the burst ran out) and a measurement or two.
    expect(throttled).toBeGreaterThanOrEqual(1)
    expect(throttled).toBeLessThanOrEqual(8)
    // 40 beyond the burst at 20/s: 2 s at the least.
    expect(span).toBeGreaterThan(1950)
    expect(span).toBeLessThan(2000 * 1.25)
  }, 20_000)
})
