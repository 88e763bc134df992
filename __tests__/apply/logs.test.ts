// The log follower against streams that fill up over a simulated clock, with GetLogEvents' token
// rules (LOGS.md 1.2: the token sent comes back when nothing is newer).
import { describe, expect, it } from 'vitest'
import { END_GRACE_MS, LogFollower } from '../../src/apply/logs.js'
import type { LogStream } from '../../src/plan/logs.js'
import { redact } from '../../src/report/index.js'

type Written = { at: number; message: string }
const awsError = (name: string, status?: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } })

function world(streams: Record<string, Written[] | Error>, options: { keepLines?: number; failFirst?: Error[] } = {}) {
  const failFirst = [...(options.failFirst ?? [])]
  let t = 0
  const printed: string[] = []
  const warnings: string[] = []
  const reads: { stream: string; at: number }[] = []
  const follower = new LogFollower({
    read: async ({ stream }: LogStream, token) => {
      reads.push({ stream, at: t })
      const failure = failFirst.shift()
      if (failure) throw failure
      const events = streams[stream] ?? awsError('ResourceNotFoundException', 400)
      if (events instanceof Error) throw events
      const from = Number(token ?? 0)
      const visible = events.filter((event) => event.at <= t)
      return { messages: visible.slice(from).map((e) => e.message), nextToken: String(visible.length) }
    },
    print: (lines) => printed.push(...lines),
    info: (message) => printed.push(`info: ${message}`),
    warning: (message) => warnings.push(message),
    redact: (text) => redact(text, ['s3cr3t', 'line one\nline two']),
    keepLines: options.keepLines ?? 50,
    // Time passes only while the follower sleeps; each sleep lets the test run in between.
    sleep: async (ms) => {
      t += ms
      await new Promise((resolve) => setImmediate(resolve))
    },
    now: () => t
  })
  const logs = (container: string, stream = container) => ({
    container,
    stream: { group: 'g', stream, region: 'us-east-1' }
  })
  const until = async (ms: number) => {
    while (t < ms) await new Promise((resolve) => setImmediate(resolve))
  }
  return { follower, printed, warnings, reads, logs, until }
}

const overTime = (count: number, everyMs: number): Written[] =>
  Array.from({ length: count }, (_, i) => ({ at: i * everyMs, message: `line ${i}` }))

describe('LogFollower', () => {
  it('prints every line written before the end, once and in order, then stops', async () => {
    const w = world({ app: [...overTime(30, 700), { at: 20_000 + END_GRACE_MS - 1, message: 'late' }] })
    w.follower.follow([w.logs('app')])
    await w.until(20_000)
    await w.follower.finish(20_000)
    expect(w.printed).toEqual([...overTime(30, 700).map((e) => e.message), 'late'])
    expect(w.reads.at(-1)?.at).toBeGreaterThanOrEqual(20_000 + END_GRACE_MS)
  })

  it('reads a stream no more than once a second, less often while it is idle', async () => {
    const w = world({ app: [{ at: 0, message: 'start' }] })
    w.follower.follow([w.logs('app')])
    await w.until(30_000)
    const gaps = w.reads.slice(1).map((read, i) => read.at - (w.reads[i]?.at ?? 0))
    expect(gaps.slice(0, 5)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000])
    await w.follower.finish(w.reads.at(-1)?.at)
  })

  it('redacts secret values and each line of a multi-line one, splits events into lines, prefixes names when there are several', async () => {
    const w = world({
      web: [{ at: 0, message: 'token=s3cr3t\n::error::hi' }],
      worker: [
        { at: 0, message: 'key: line one' },
        { at: 0, message: 'line two' }
      ]
    })
    w.follower.follow([w.logs('web'), w.logs('worker')])
    await w.follower.finish(0)
    expect(w.printed.sort()).toEqual(['[web] ::error::hi', '[web] token=***', '[worker] ***', '[worker] key: ***'])
    expect(w.follower.lastLines).toHaveLength(4)
  })

  it('waits for a stream that does not exist yet, and warns once when it never appears', async () => {
    const w = world({})
    w.follower.follow([w.logs('app'), w.logs('app')])
    await w.follower.finish(5_000)
    expect(w.warnings).toEqual([
      "Logs of container 'app' (g app) could not be read: ResourceNotFoundException The container may never have started."
    ])
    expect(w.reads.length).toBeGreaterThan(3)
  })

  it('warns once and stops reading when GetLogEvents is denied, for every stream; says where other logs go', async () => {
    const w = world({ app: awsError('AccessDeniedException', 400), side: awsError('AccessDeniedException', 400) })
    w.follower.follow([w.logs('app'), w.logs('side'), { container: 'router', elsewhere: 'router goes to FireLens' }])
    w.follower.follow([{ container: 'router', elsewhere: 'router goes to FireLens' }])
    await w.follower.finish(60_000)
    expect(w.reads).toHaveLength(2)
    expect(w.warnings).toEqual([
      "Logs of container 'app' (g app) could not be read: AccessDeniedException: AccessDeniedException; reading it needs logs:GetLogEvents on its stream."
    ])
    expect(w.printed).toEqual(['info: Logs: router goes to FireLens.'])
  })

  it('reads again after a throttled or lost answer; warns once about a stream that keeps failing after the end', async () => {
    const failFirst = [awsError('ThrottlingException', 400), awsError('TimeoutError')]
    const w = world(
      { app: [{ at: 0, message: 'ok' }], down: awsError('ServiceUnavailableException', 500) },
      { failFirst }
    )
    w.follower.follow([w.logs('app'), w.logs('down')])
    await w.follower.finish(0)
    expect(w.printed).toEqual(['[app] ok'])
    expect(w.warnings).toEqual([
      expect.stringMatching(/^Logs of container 'down' \(g down\) could not be read: ServiceUnavailableException/)
    ])
  })

  it('keeps the last keepLines lines', async () => {
    const w = world({ app: overTime(10, 0) }, { keepLines: 3 })
    w.follower.follow([w.logs('app')])
    await w.follower.finish(0)
    expect(w.follower.lastLines).toEqual(['line 7', 'line 8', 'line 9'])
  })
})
