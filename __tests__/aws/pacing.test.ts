import { PutParameterCommand } from '@aws-sdk/client-ssm'
import type { SdkError } from '@smithy/types'
import { afterEach, describe, expect, it } from 'vitest'
import { createClients } from '../../src/aws/clients.js'
import { Pacer, retriesWithoutThrottling, wasThrottled } from '../../src/aws/pacing.js'
import { startFakeAws, type FakeAws } from '../fake-aws/index.js'

/** A virtual clock: sleeping moves it forward at once. */
function virtualClock() {
  let now = 0
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms
    }
  }
}

const throttling = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })
const isThrottling = (error: unknown) => error === throttling

/** A service that throttles beyond a token bucket of `rate` a second, full at the start. */
function serviceWithQuota(clock: { now: () => number }, rate: number, burst = rate) {
  let tokens = burst
  let at = clock.now()
  const log: { at: number; ok: boolean }[] = []
  return {
    log,
    call: async () => {
      tokens = Math.min(burst, tokens + ((clock.now() - at) / 1000) * rate)
      at = clock.now()
      const ok = tokens >= 1
      log.push({ at: clock.now(), ok })
      if (!ok) throw throttling
      tokens -= 1
      return 'done'
    }
  }
}

/** A clock for concurrent tasks: time jumps to the next timer once every task waits on one. */
function eventClock() {
  let now = 0
  const timers: { at: number; wake: () => void }[] = []
  const sleep = (ms: number) => new Promise<void>((wake) => timers.push({ at: now + ms, wake }))
  async function run<T>(work: Promise<T>): Promise<T> {
    let done = false
    const result = work.finally(() => (done = true))
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve))
      timers.sort((a, b) => a.at - b.at)
      const next = timers.shift()
      if (!next) continue
      now = Math.max(now, next.at)
      next.wake()
    }
    return result
  }
  return { now: () => now, sleep, run }
}

describe('Pacer', () => {
  it('lets a burst go at once, then one request every 1/rate s', async () => {
    const clock = virtualClock()
    const pacer = new Pacer({ rate: 10, burst: 3, ...clock })
    const sentAt: number[] = []
    await Promise.all(Array.from({ length: 6 }, () => pacer.send(async () => sentAt.push(clock.now()), isThrottling)))
    expect(sentAt).toEqual([0, 0, 0, 100, 200, 300])
  })

  it('meets a quota equal to its rate without a single throttle', async () => {
    const clock = virtualClock()
    const service = serviceWithQuota(clock, 10)
    const pacer = new Pacer({ rate: 10, ...clock })
    const results = await Promise.all(Array.from({ length: 100 }, () => pacer.send(service.call, isThrottling)))
    expect(results.every((result) => result === 'done')).toBe(true)
    expect(service.log.filter((entry) => !entry.ok)).toHaveLength(0)
    // 10 at once, then 90 at 10 a second.
    expect(clock.now()).toBe(9000)
  })

  it('counts a request as arriving when it is answered: a late first burst does not make the next ones early', async () => {
    const clock = eventClock()
    // The service's bucket, at the arrival of each request: 10 a second, 10 at once.
    let tokens = 10
    let at = 0
    const arrivals: { at: number; ok: boolean }[] = []
    let sent = 0
    const request = async () => {
      // The first ten open connections: they arrive 45 ms after being sent; later ones after 1 ms.
      const first = sent++ < 10
      await clock.sleep(first ? 45 : 1)
      tokens = Math.min(10, tokens + ((clock.now() - at) / 1000) * 10)
      at = clock.now()
      const ok = tokens >= 1
      if (ok) tokens -= 1
      arrivals.push({ at: clock.now(), ok })
      await clock.sleep(30)
      if (!ok) throw throttling
    }
    const pacer = new Pacer({ rate: 10, now: clock.now, sleep: clock.sleep })
    await clock.run(Promise.all(Array.from({ length: 20 }, () => pacer.send(request, isThrottling))))
    expect(arrivals.filter((arrival) => !arrival.ok)).toHaveLength(0)
    expect(arrivals).toHaveLength(20)
    // One round trip of lag, not more: the last of 20 arrives about a second after the first ten.
    expect(arrivals[19]!.at).toBeLessThan(45 + 1000 + 100)
  })

  it('settles on a slower quota after a few throttles, and every request still succeeds', async () => {
    const clock = virtualClock()
    const service = serviceWithQuota(clock, 3)
    const pacer = new Pacer({ rate: 10, ...clock })
    const results = await Promise.all(Array.from({ length: 60 }, () => pacer.send(service.call, isThrottling)))
    expect(results.every((result) => result === 'done')).toBe(true)
    const throttled = service.log.filter((entry) => !entry.ok).length
    expect(throttled).toBe(pacer.throttled)
    // The first burst of 10 meets a bucket of 3: those 7 are unavoidable; after that only a few.
    expect(throttled).toBeLessThanOrEqual(15)
    expect(pacer.currentRate).toBeLessThan(4.5)
    // Close to the 3/s the quota allows: 57 requests beyond the burst take at least 19 s.
    expect(clock.now()).toBeLessThan(19_000 * 1.1)
  })

  it('passes other errors on at once, without sending again', async () => {
    const clock = virtualClock()
    const pacer = new Pacer({ rate: 10, ...clock })
    let calls = 0
    const denied = Object.assign(new Error('no'), { name: 'AccessDeniedException' })
    await expect(
      pacer.send(async () => {
        calls++
        throw denied
      }, isThrottling)
    ).rejects.toBe(denied)
    expect(calls).toBe(1)
    expect(pacer.currentRate).toBe(10)
  })

  it('gives up after maxThrottles throttled sends of one request', async () => {
    const clock = virtualClock()
    const pacer = new Pacer({ rate: 10, maxThrottles: 3, ...clock })
    let calls = 0
    await expect(
      pacer.send(async () => {
        calls++
        throw throttling
      }, isThrottling)
    ).rejects.toBe(throttling)
    expect(calls).toBe(4)
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

  it('writes at the quota: every write lands, and only the burst beyond the bucket is throttled', async () => {
    // A bucket of 5 with a 10/s pacer: the first 10 meet 5 tokens, then the pacer settles.
    fake = await startFakeAws({ quotas: { PutParameter: { rate: 5, burst: 5 } } })
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: fake.url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true'
    })
    const { ssm } = createClients({ region: fake.region })
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ssm.send(new PutParameterCommand({ Name: `/q/P${i}`, Value: 'v', Type: 'String' }))
      )
    )
    expect(fake.ssm.get('/q/P19')).toBeDefined()
    const puts = fake.requests.filter((request) => request.operation === 'PutParameter')
    const throttled = puts.filter((request) => request.fault === 'throttle').length
    expect(puts.length - throttled).toBe(20)
    expect(throttled).toBeGreaterThanOrEqual(5)
    expect(throttled).toBeLessThanOrEqual(10)
  }, 20_000)
})
