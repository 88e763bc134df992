// The fake CloudWatch Logs' contract (GetLogEvents, fixtures/launch-evidence/LOGS.md), one row per rule,
// through the real SDK client.
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as L from '@aws-sdk/client-cloudwatch-logs'
import { startFakeAws, type ContainerOutput, type FakeAws } from './fake-aws/index.js'

let fake: FakeAws
let logs: L.CloudWatchLogsClient
const credentials = { accessKeyId: 'a', secretAccessKey: 's' }
const client = (f: FakeAws) =>
  new L.CloudWatchLogsClient({ endpoint: f.url, region: 'us-east-1', credentials, maxAttempts: 1 })
const G = '/app'
const GROUP_ARN = `arn:aws:logs:us-east-1:123456789012:log-group:${G}`
type Get = Partial<L.GetLogEventsCommandInput>
const get = (input: Get) =>
  logs.send(new L.GetLogEventsCommand({ logGroupName: G, ...input } as L.GetLogEventsCommandInput))
const failure = async (input: Get) => {
  const e = (await get(input).catch((error: unknown) => error)) as Error & { $metadata?: { httpStatusCode?: number } }
  return `${e.$metadata?.httpStatusCode} ${e.name}: ${e.message}`
}
const messages = (out: L.GetLogEventsCommandOutput) => out.events?.map((e) => e.message ?? '')
/** A stream of `lines` in group G, its first line printed `in` ms from now, one every `everyMs`. */
const stream = (name: string, output: ContainerOutput, inMs = 0) =>
  fake.logs.run({}, output, Date.now() + inMs, () => undefined, { group: G, stream: name, createGroup: false })
const five = ['m0', 'm1', 'm2', 'm3', 'm4']

beforeAll(async () => {
  fake = await startFakeAws()
  logs = client(fake)
  fake.logs.createGroup(G)
  stream('five', { lines: five, everyMs: 0 })
  stream('times', { lines: ['t0', 't1', 't2'], everyMs: 100 }, -300)
  stream('multi', { lines: ['a\nb'] })
})
afterAll(async () => {
  logs.destroy()
  await fake.close()
})

const limit10001 =
  "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"
const refusals: Array<[string, Get, string]> = [
  ['neither group member', { logGroupName: undefined, logStreamName: 'five' }, '400 InvalidParameterException'],
  ['both group members', { logGroupIdentifier: G, logStreamName: 'five' }, '400 InvalidParameterException'],
  ['no logStreamName', {}, "400 InvalidParameterException: 1 validation error detected: Value null at 'logStreamName'"],
  ['limit 10001', { logStreamName: 'five', limit: 10_001 }, `400 InvalidParameterException: ${limit10001}`],
  ['limit 0', { logStreamName: 'five', limit: 0 }, '400 InvalidParameterException: 1 validation error detected'],
  [
    'a missing group (checked first)',
    { logGroupName: '/no', logStreamName: 'no' },
    '400 ResourceNotFoundException: The specified log group does not exist.'
  ],
  [
    'a missing stream',
    { logStreamName: 'no' },
    '400 ResourceNotFoundException: The specified log stream does not exist.'
  ],
  [
    'a bad token',
    { logStreamName: 'five', nextToken: 'f/1/s', startFromHead: true },
    '400 InvalidParameterException: The specified nextToken is invalid.'
  ],
  ['a forward token, startFromHead false', { logStreamName: 'five', nextToken: 'FORWARD' }, '400 NotModelledByFake']
]

describe('GetLogEvents refuses', () => {
  it.each(refusals)('%s', async (_, input, expected) => {
    let nextToken = input.nextToken
    if (nextToken === 'FORWARD')
      nextToken = (await get({ logStreamName: 'five', startFromHead: true })).nextForwardToken
    expect(await failure({ ...input, nextToken })).toContain(expected)
  })

  it('a token of another stream is invalid', async () => {
    const { nextForwardToken } = await get({ logStreamName: 'times', startFromHead: true })
    expect(await failure({ logStreamName: 'five', startFromHead: true, nextToken: nextForwardToken })).toContain(
      'nextToken is invalid'
    )
  })

  it('while denied: AccessDeniedException naming the caller and the stream ARN', async () => {
    fake.logs.deny()
    const text = await failure({ logStreamName: 'five' })
    fake.logs.deny(false)
    const resource = `${GROUP_ARN}:log-stream:five`
    expect(text).toBe(
      `400 AccessDeniedException: User: arn:aws:iam::123456789012:user/fake is not authorized to perform: logs:GetLogEvents on resource: ${resource}`
    )
  })

  it('an injected server error is ServiceUnavailableException, 500', async () => {
    fake.inject({ operation: 'GetLogEvents', kind: 'server-error' })
    expect(await failure({ logStreamName: 'five' })).toMatch(/^500 ServiceUnavailableException/)
  })

  it('over the quota (GetLogEvents rate 1): ThrottlingException Rate exceeded', async () => {
    const limited = await startFakeAws({ quotas: { GetLogEvents: { rate: 1 } } })
    const c = client(limited)
    const send = () =>
      c
        .send(new L.GetLogEventsCommand({ logGroupName: '/aws/batch/job', logStreamName: 'x' }))
        .catch((e: Error) => e.name)
    expect([await send(), await send()]).toEqual(['ResourceNotFoundException', 'ThrottlingException'])
    c.destroy()
    await limited.close()
  })
})

describe('GetLogEvents answers', () => {
  it('startFromHead default false: the latest page first; true: from the first event', async () => {
    expect(messages(await get({ logStreamName: 'five', limit: 2 }))).toEqual(['m3', 'm4'])
    expect(messages(await get({ logStreamName: 'five', limit: 2, startFromHead: true }))).toEqual(['m0', 'm1'])
  })

  it('by logGroupIdentifier, name or ARN; events {timestamp, message, ingestionTime}; a line with \\n is one event', async () => {
    for (const logGroupIdentifier of [G, GROUP_ARN]) {
      const out = await get({ logGroupName: undefined, logGroupIdentifier, logStreamName: 'multi' })
      expect(out.events).toEqual([
        { timestamp: expect.any(Number), message: 'a\nb', ingestionTime: out.events?.[0]?.timestamp }
      ])
    }
  })

  it('following nextForwardToken reads every event once; at the end the token returned equals the token sent', async () => {
    const seen: string[] = []
    let out = await get({ logStreamName: 'five', limit: 2, startFromHead: true })
    const tokens = [out.nextForwardToken]
    for (let sent = ''; out.nextForwardToken !== sent; tokens.push(out.nextForwardToken)) {
      seen.push(...(messages(out) ?? []))
      sent = out.nextForwardToken ?? ''
      out = await get({ logStreamName: 'five', limit: 2, startFromHead: true, nextToken: sent })
    }
    expect(seen).toEqual(five)
    expect(tokens.every((t) => /^f\/\d+\/s$/.test(t ?? ''))).toBe(true)
    expect(out.nextBackwardToken).toMatch(/^b\/\d+\/s$/)
  })

  it('startTime is inclusive, endTime exclusive', async () => {
    const [t0, t1] = (await get({ logStreamName: 'times', startFromHead: true })).events?.map((e) => e.timestamp) ?? []
    expect(messages(await get({ logStreamName: 'times', startFromHead: true, startTime: t0, endTime: t1 }))).toEqual([
      't0'
    ])
    expect(messages(await get({ logStreamName: 'times', startFromHead: true, startTime: t1 }))).toEqual(['t1', 't2'])
  })

  it('a page holds at most 1 MB (message bytes + 26 each) and 10,000 events', async () => {
    stream('big', { lines: Array(4).fill('é'.repeat(150_000)), everyMs: 0 }) // 300,026 bytes each
    expect((await get({ logStreamName: 'big', startFromHead: true })).events).toHaveLength(3)
    stream('many', { lines: Array(10_001).fill('x'), everyMs: 0 })
    expect((await get({ logStreamName: 'many', startFromHead: true })).events).toHaveLength(10_000)
  })

  it('a stream exists from its creation, an event is returned once ingested; the token then moves on', async () => {
    stream('later', { lines: ['soon', 'later'], everyMs: 150 }, 100)
    expect(await failure({ logStreamName: 'later' })).toContain('log stream does not exist')
    await sleep(120)
    const first = await get({ logStreamName: 'later', startFromHead: true })
    expect(messages(first)).toEqual(['soon'])
    const again = await get({ logStreamName: 'later', startFromHead: true, nextToken: first.nextForwardToken })
    expect([messages(again), again.nextForwardToken]).toEqual([[], first.nextForwardToken])
    await sleep(150)
    const next = await get({ logStreamName: 'later', startFromHead: true, nextToken: first.nextForwardToken })
    expect([messages(next), next.nextForwardToken === first.nextForwardToken]).toEqual([['later'], false])
    expect(fake.logs.events(G, 'later').map((e) => e.message)).toEqual(['soon', 'later'])
  })

  it('groups: /aws/batch/job from the start, others once created', () => {
    expect(fake.logs.streams('/aws/batch/job')).toEqual([])
    expect(fake.logs.streams(G)).toEqual(expect.arrayContaining(['five', 'times', 'multi']))
  })
})
