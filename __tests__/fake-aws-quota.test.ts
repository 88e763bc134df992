import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { startFakeAws, type FakeAws } from './fake-aws/index.js'

let fake: FakeAws | undefined

afterEach(async () => {
  await fake?.close()
  fake = undefined
})

/** No SDK retries: every throttle reaches the test. */
const client = (f: FakeAws) =>
  new SSMClient({
    endpoint: f.url,
    region: f.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1
  })

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'ok'
  } catch (e) {
    const error = e as Error & { $metadata?: { httpStatusCode?: number } }
    return `${error.$metadata?.httpStatusCode} ${error.name}: ${error.message}`
  }
}

describe('fake AWS per-operation quotas', () => {
  it('lets a burst through, throttles beyond it with 400 ThrottlingException, and refills at the rate', async () => {
    // 2 a second: a token every 500 ms, so the timings below have wide margins.
    fake = await startFakeAws({ quotas: { GetParameters: { rate: 2, burst: 3 } } })
    const ssm = client(fake)
    const get = () => outcome(ssm.send(new GetParametersCommand({ Names: ['/a'] })))

    expect([await get(), await get(), await get()]).toEqual(['ok', 'ok', 'ok'])
    expect(await get()).toBe('400 ThrottlingException: Rate exceeded')
    await sleep(700)
    expect(await get()).toBe('ok')
    expect(await get()).toBe('400 ThrottlingException: Rate exceeded')

    expect(fake.count('GetParameters')).toBe(6)
    expect(fake.requests.map((r) => r.fault ?? r.status)).toEqual([200, 200, 200, 'throttle', 200, 'throttle'])
  })

  it('keeps one bucket per operation and leaves operations without a quota alone', async () => {
    fake = await startFakeAws({ quotas: { PutParameter: { rate: 1 } } })
    const ssm = client(fake)
    const put = (name: string) => outcome(ssm.send(new PutParameterCommand({ Name: name, Value: 'v', Type: 'String' })))

    expect(await put('/p1')).toBe('ok')
    expect(await put('/p2')).toBe('400 ThrottlingException: Rate exceeded')
    // A throttled request changes nothing.
    expect(fake.ssm.get('/p2')).toBeUndefined()
    const gets = await Promise.all(
      Array.from({ length: 20 }, () => outcome(ssm.send(new GetParametersCommand({ Names: ['/p1'] }))))
    )
    expect(gets.every((g) => g === 'ok')).toBe(true)
  })

  it('throttles before an injected fault is used up', async () => {
    fake = await startFakeAws({ quotas: { GetParameters: { rate: 1 } } })
    const ssm = client(fake)
    const get = () => outcome(ssm.send(new GetParametersCommand({ Names: ['/a'] })))
    expect(await get()).toBe('ok')
    fake.inject({ operation: 'GetParameters', kind: 'server-error' })
    expect(await get()).toBe('400 ThrottlingException: Rate exceeded')
    await sleep(1_100)
    expect(await get()).toMatch(/^500 /)
  })

  it('refuses a quota it cannot enforce', async () => {
    await expect(startFakeAws({ quotas: { PutParameter: { rate: 0 } } })).rejects.toThrow(
      'Invalid quota for PutParameter'
    )
    await expect(startFakeAws({ quotas: { PutParameter: { rate: 5, burst: 0.5 } } })).rejects.toThrow(
      'Invalid quota for PutParameter'
    )
  })

  it('changes nothing without quotas', async () => {
    fake = await startFakeAws()
    const ssm = client(fake)
    const gets = await Promise.all(
      Array.from({ length: 50 }, () => outcome(ssm.send(new GetParametersCommand({ Names: ['/a'] }))))
    )
    expect(gets.every((g) => g === 'ok')).toBe(true)
  })
})
