// The fake CloudWatch Logs' GetLogEvents (fixtures/launch-evidence/LOGS.md), one row per rule, through the real client.
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import * as L from '@aws-sdk/client-cloudwatch-logs'
import { startFakeAws, type FakeAws } from './fake-aws/index.js'

let fake: FakeAws
let logs: L.CloudWatchLogsClient
const credentials = { accessKeyId: 'a', secretAccessKey: 's' }
const client = (f: FakeAws) =>
  new L.CloudWatchLogsClient({ endpoint: f.url, region: 'us-east-1', credentials, maxAttempts: 1 })
const [G, T] = ['/app', Date.now() - 300]
const ARN = `arn:aws:logs:us-east-1:123456789012:log-group:${G}`
type Get = Partial<L.GetLogEventsCommandInput>
const get = (input: Get) =>
  logs.send(new L.GetLogEventsCommand({ logGroupName: G, ...input } as L.GetLogEventsCommandInput))
const head = (logStreamName: string, extra: Get = {}) => get({ logStreamName, startFromHead: true, ...extra })
const text = (out: L.GetLogEventsCommandOutput) => out.events?.map((e) => e.message ?? '') ?? []
/** Lays out a stream in G: `lines` from `at` on, one every `everyMs`. */
const stream = (name: string, lines: string[], everyMs = 0, at = Date.now()) =>
  fake.logs.run({}, { lines, everyMs }, at, () => undefined, { group: G, stream: name, createGroup: false })
const tokens = { forward: '', other: '' }

beforeAll(async () => {
  fake = await startFakeAws()
  logs = client(fake)
  fake.logs.createGroup(G)
  stream('five', ['m0', 'm1', 'm2', 'm3', 'm4'])
  stream('times', ['t0', 't1', 't2'], 100, T)
  stream('multi', ['a\nb'])
  stream('big', Array<string>(4).fill('é'.repeat(150_000))) // 300,026 bytes each
  stream('many', Array<string>(10_001).fill('x'))
  stream('later', ['x'], 0, Date.now() + 60_000)
  tokens.forward = (await head('five')).nextForwardToken ?? ''
  tokens.other = (await head('times')).nextForwardToken ?? ''
})
afterEach(() => fake.logs.deny(false))
afterAll(async () => {
  logs.destroy()
  await fake.close()
})

const IPE = '400 InvalidParameterException: '
const missing = (what: string) => `400 ResourceNotFoundException: The specified log ${what} does not exist.`
const five = { logStreamName: 'five' }
// prettier-ignore
const refusals: Array<[string, () => Get, string, (() => void)?]> = [
  ['neither group member', () => ({ ...five, logGroupName: undefined }), IPE],
  ['both group members', () => ({ ...five, logGroupIdentifier: G }), IPE],
  ['no logStreamName', () => ({}), `${IPE}1 validation error detected: Value null at 'logStreamName'`],
  ['limit 10001', () => ({ ...five, limit: 10_001 }), `${IPE}1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000`],
  ['limit 0', () => ({ ...five, limit: 0 }), `${IPE}1 validation error detected`],
  ['group and stream missing: the group', () => ({ logGroupName: '/no', logStreamName: 'no' }), missing('group')],
  ['a missing stream', () => ({ logStreamName: 'no' }), missing('stream')],
  ['a stream before its creation', () => ({ logStreamName: 'later' }), missing('stream')],
  ['a bad token', () => ({ ...five, startFromHead: true, nextToken: 'f/1/s' }), `${IPE}The specified nextToken is invalid.`],
  ['a token of another stream', () => ({ ...five, startFromHead: true, nextToken: tokens.other }), `${IPE}The specified nextToken is invalid.`],
  ['a forward token with startFromHead false', () => ({ ...five, nextToken: tokens.forward }), '400 NotModelledByFake'],
  ['while denied', () => five, `400 AccessDeniedException: User: arn:aws:iam::123456789012:user/fake is not authorized to perform: logs:GetLogEvents on resource: ${ARN}:log-stream:five`, () => fake.logs.deny()],
  ['on a server error', () => five, '500 ServiceUnavailableException', () => fake.inject({ operation: 'GetLogEvents', kind: 'server-error' })]
]

it.each(refusals)('GetLogEvents refuses %s', async (_, input, expected, setup) => {
  setup?.()
  const e = (await get(input()).catch((error: unknown) => error)) as Error & { $metadata: { httpStatusCode?: number } }
  expect(`${e.$metadata.httpStatusCode} ${e.name}: ${e.message}`).toContain(expected)
})

// prettier-ignore
const answers: Array<[string, () => Get, string[] | number]> = [
  ['startFromHead default false: the latest page', () => ({ ...five, limit: 2 }), ['m3', 'm4']],
  ['startFromHead true: from the first event', () => ({ ...five, limit: 2, startFromHead: true }), ['m0', 'm1']],
  ['logGroupIdentifier, a name; a line with \\n is one event', () => ({ logGroupName: undefined, logGroupIdentifier: G, logStreamName: 'multi' }), ['a\nb']],
  ['logGroupIdentifier, an ARN', () => ({ logGroupName: undefined, logGroupIdentifier: ARN, logStreamName: 'multi' }), ['a\nb']],
  ['startTime inclusive, endTime exclusive', () => ({ logStreamName: 'times', startFromHead: true, startTime: T, endTime: T + 100 }), ['t0']],
  ['from startTime', () => ({ logStreamName: 'times', startFromHead: true, startTime: T + 100 }), ['t1', 't2']],
  ['at most 1 MB a page (UTF-8 bytes + 26 an event)', () => ({ logStreamName: 'big', startFromHead: true }), 3],
  ['at most 10,000 events a page', () => ({ logStreamName: 'many', startFromHead: true }), 10_000]
]

it.each(answers)(
  'GetLogEvents: %s; events {timestamp, message, ingestionTime}, tokens f/…/s b/…/s',
  async (_, input, expected) => {
    const out = await get(input())
    expect(typeof expected === 'number' ? out.events?.length : text(out)).toEqual(expected)
    const first = out.events?.[0]
    expect(first).toEqual({
      timestamp: expect.any(Number),
      message: expect.any(String),
      ingestionTime: first?.timestamp
    })
    expect([out.nextForwardToken, out.nextBackwardToken]).toEqual([
      expect.stringMatching(/^f\/\d+\/s$/),
      expect.stringMatching(/^b\/\d+\/s$/)
    ])
  }
)

it('following nextForwardToken reads each event once, until the token returned equals the token sent', async () => {
  let [out, sent] = [await head('five', { limit: 2 }), '']
  const seen = text(out)
  while (out.nextForwardToken !== sent) {
    sent = out.nextForwardToken ?? ''
    out = await head('five', { limit: 2, nextToken: sent })
    seen.push(...text(out))
  }
  expect(seen).toEqual(['m0', 'm1', 'm2', 'm3', 'm4'])
})

it('an event is returned once its ingestion time has passed, and the token then moves on', async () => {
  stream('soon', ['now', 'soon'], 150)
  const first = await head('soon')
  const again = await head('soon', { nextToken: first.nextForwardToken })
  await sleep(160)
  const next = await head('soon', { nextToken: first.nextForwardToken })
  expect([first, again, next].map(text)).toEqual([['now'], [], ['soon']])
  expect([again.nextForwardToken, next.nextForwardToken === first.nextForwardToken]).toEqual([
    first.nextForwardToken,
    false
  ])
  expect(fake.logs.events(G, 'soon').map((e) => e.message)).toEqual(['now', 'soon'])
  fake.logs.ingestionDelay(150)
  stream('lagging', ['late'])
  fake.logs.ingestionDelay(0)
  const [{ timestamp = 0, ingestionTime = 0 } = {}] = fake.logs.events(G, 'lagging')
  expect([ingestionTime - timestamp, text(await head('lagging'))]).toEqual([150, []])
})

it('over the quota (rate 1) ThrottlingException; /aws/batch/job exists from the start', async () => {
  const limited = await startFakeAws({ quotas: { GetLogEvents: { rate: 1 } } })
  const c = client(limited)
  const send = () => c.send(new L.GetLogEventsCommand({ logGroupName: '/aws/batch/job', logStreamName: 'x' }))
  expect([await send().catch((e: Error) => e.name), await send().catch((e: Error) => e.name)]).toEqual([
    'ResourceNotFoundException',
    'ThrottlingException'
  ])
  c.destroy()
  await limited.close()
})
