import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types'
import { realSleep, type Sleep } from '../concurrency.js'

export interface PacerOptions {
  /** Throttled sends of one request before its throttling error is passed on. */
  maxThrottles?: number
  now?: () => number
  sleep?: Sleep
}

/**
 * After the first throttle the pace starts at this share of the requests accepted before it, a
 * second: the buckets AWS documents hold a few seconds' worth (EC2's DescribeHosts: 100, refilled
 * at 20 a second; docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html)…
 */
const RAMP_START = 1 / 4
/** …and doubles this often (ms) until the next throttle measures the rate. */
const RAMP_DOUBLING_MS = 500
/** A measured pace grows by at least this share of itself a second, probing for room. */
const PROBE = 0.005
/** Measurement windows without a throttle (one is due after about two) before ramping up again. */
const PATIENCE = 5
/** The slowest pace, a second, however often the service throttles. */
const MIN_RATE = 0.5

/**
 * Sends requests at full speed until the service throttles one, then at the rate the service
 * showed it accepts. AWS throttles with a token bucket per operation (B requests at once, refilled
 * at r a second) and publishes neither number for most of Parameter Store, so the pacer learns r:
 *
 * - A throttled request found the bucket empty. Between two such moments the service accepted
 *   r × (the time between them) requests, give or take one, provided the bucket never filled up in
 *   between (a full bucket drops its refill). So at each throttle the pacer measures r as the
 *   requests accepted since the throttle before the last one, divided by the time since: ±1/W for
 *   a window of W seconds. Two throttles back, not the first: a quota that changes is followed.
 * - Sending slower than r costs nothing until the bucket is full; sending faster gets throttled.
 *   So until the first measurement the pace starts low and doubles every RAMP_DOUBLING_MS. After
 *   a measurement it grows by 1/(2W²) a second² (or PROBE, if more): if r is at the top of the
 *   measurement's range, at most one token goes unused and is taken back within 4W; if r is the
 *   measurement, the pace gets one request ahead after 2W and that throttle measures again, over a
 *   longer window. So a handful of throttles in a run, and a pace within a token of the quota.
 * - A throttled request is sent again by the pacer, not the SDK: the SDK's backoff (a random wait
 *   of up to 1 s, doubling) holds back one request while the others keep hitting the quota.
 *
 * When a request reaches the service is not known, only that it did between being sent and being
 * answered. The first requests of a run open their connections and arrive tens of milliseconds
 * after they are sent, so the pacer counts each answered request as arriving when it was answered,
 * and each request in flight as arriving now: what it lets through, the real bucket does too.
 */
export class Pacer {
  private readonly maxThrottles: number
  private readonly now: () => number
  private readonly sleep: Sleep
  /** The pace at `since`, a second: Infinity until the first throttle. */
  private base = Infinity
  private since = 0
  /** Whether `base` was measured (it then grows linearly) or is a guess (it then doubles). */
  private measured = false
  /** How fast a measured pace grows, a second per second. */
  private growth = 0
  /** How long (ms) a measured pace may go without a throttle. */
  private patience = Infinity
  /** Requests accepted before the first throttle: the bucket holds at least about as many. */
  private burst = 0
  /** The bucket as the pacer counts it. */
  private level = 0
  private levelAt = 0
  private inFlight = 0
  /** Requests accepted since the first throttle. */
  private accepted = 0
  /** The last two throttles since the bucket may have filled up: a measurement spans both. */
  private marks: { at: number; accepted: number }[] = []
  private lastThrottleAt = -Infinity
  private queue: Promise<unknown> = Promise.resolve()
  /** Throttled answers: each was sent again, or given up on after maxThrottles. */
  throttled = 0

  constructor(options: PacerOptions = {}) {
    this.maxThrottles = options.maxThrottles ?? 10
    this.now = options.now ?? (() => performance.now())
    this.sleep = options.sleep ?? realSleep
  }

  /** Requests a second the pacer lets through now: Infinity until the service throttles. */
  get currentRate(): number {
    return this.rateAt(this.now())
  }

  /** Runs `request` when the pace allows, again after each throttling, up to maxThrottles times. */
  async send<T>(request: () => Promise<T>, isThrottling: (error: unknown) => boolean): Promise<T> {
    for (let throttles = 0; ; throttles++) {
      const sentAt = await this.take()
      try {
        const result = await request()
        this.answered(sentAt, true)
        return result
      } catch (error) {
        const throttled = isThrottling(error)
        // Any other failure got past the quota (and may have taken a token).
        this.answered(sentAt, !throttled)
        if (throttled) {
          this.throttled++
          this.onThrottle(sentAt)
        }
        if (!throttled || throttles >= this.maxThrottles) throw error
      }
    }
  }

  private rateAt(t: number): number {
    const seconds = (t - this.since) / 1000
    if (this.measured) return this.base + this.growth * seconds
    return this.base * 2 ** ((seconds * 1000) / RAMP_DOUBLING_MS)
  }

  /** Tokens the pace adds from `since` to `t`. */
  private tokens(t: number): number {
    const seconds = (t - this.since) / 1000
    if (this.measured) return this.base * seconds + (this.growth * seconds ** 2) / 2
    const doubling = RAMP_DOUBLING_MS / 1000
    return ((this.base * doubling) / Math.LN2) * (2 ** (seconds / doubling) - 1)
  }

  /** When `tokens(t)` reaches `tokens`. */
  private timeOf(tokens: number): number {
    if (this.measured) {
      // base·s + growth·s²/2 = tokens, solved in the form that stays exact for a tiny growth.
      const seconds = (2 * tokens) / (this.base + Math.sqrt(this.base ** 2 + 2 * this.growth * tokens))
      return this.since + seconds * 1000
    }
    const doubling = RAMP_DOUBLING_MS / 1000
    return this.since + Math.log2(1 + (tokens * Math.LN2) / (this.base * doubling)) * doubling * 1000
  }

  private refill(now: number): void {
    const capacity = Math.max(1, this.burst)
    this.level += this.tokens(now) - this.tokens(this.levelAt)
    this.levelAt = now
    // A full bucket drops its refill: a window that spans it measures too low, so start anew.
    if (this.level - this.inFlight > capacity) this.marks = []
    this.level = Math.min(capacity, this.level)
    if (this.measured && now - this.since > this.patience) {
      // No throttle long after one was due: the quota grew, or the bucket filled up during the
      // window and the measurement came out low. Ramp up from here until the next throttle.
      this.base = this.rateAt(now)
      this.since = now
      this.measured = false
      this.marks = []
    }
  }

  /** Waits for a token, first come first served; resolves with the time it was taken. */
  private take(): Promise<number> {
    if (this.base === Infinity) {
      this.inFlight++
      return Promise.resolve(this.now())
    }
    const taken = this.queue.then(async () => {
      for (;;) {
        const now = this.now()
        this.refill(now)
        const missing = 1 - (this.level - this.inFlight)
        if (missing <= 0) {
          this.inFlight++
          return now
        }
        await this.sleep(Math.max(1, Math.ceil(this.timeOf(this.tokens(now) + missing) - now)))
      }
    })
    this.queue = taken
    return taken
  }

  /** `passed`: the request got past the quota. */
  private answered(sentAt: number, passed: boolean): void {
    if (sentAt > this.lastThrottleAt) this.inFlight--
    if (!passed) return
    if (this.base === Infinity) {
      this.burst++
      return
    }
    this.refill(this.now())
    this.level -= 1
    this.accepted++
  }

  private onThrottle(sentAt: number): void {
    const now = this.now()
    this.refill(now)
    // The bucket is empty now.
    this.level = 0
    // Requests sent before the last throttle were sent too fast already: count them once.
    if (sentAt <= this.lastThrottleAt) return
    this.lastThrottleAt = now
    // Requests still in flight met the same empty bucket and will most likely be throttled too:
    // they no longer count as taking a token (one that is accepted is counted when answered).
    this.inFlight = 0
    const from = this.marks[0]
    if (from && this.accepted > from.accepted) {
      const seconds = (now - from.at) / 1000
      this.base = (this.accepted - from.accepted) / seconds
      this.measured = true
      this.growth = Math.max(1 / (2 * seconds ** 2), PROBE * this.base)
      this.patience = PATIENCE * seconds * 1000
    } else {
      // The first throttle (start from a share of the burst), nothing accepted since the window
      // began (half the pace that was too fast), or no valid window: ramp up until the next one.
      this.base = Math.max(MIN_RATE, this.base === Infinity ? this.burst * RAMP_START : this.rateAt(now) / 2)
      this.measured = false
      this.marks = []
    }
    this.marks = [...this.marks, { at: now, accepted: this.accepted }].slice(-2)
    this.since = now
    this.levelAt = now
  }
}

const throttlingErrors = new WeakSet<object>()

/** Whether the SDK classified `error` as throttling (and so left its retry to the pacer). */
export function wasThrottled(error: unknown): boolean {
  return typeof error === 'object' && error !== null && throttlingErrors.has(error)
}

const INITIAL_BACKOFF_MS = 100
const MAX_BACKOFF_MS = 20_000

function retryToken(count: number, delay: number): RetryToken {
  return { getRetryCount: () => count, getRetryDelay: () => delay }
}

/**
 * The SDK's retries for a paced client: transient failures (5xx, timeouts, dropped connections)
 * with jittered exponential backoff, throttling not at all: it is marked and passed on, to the
 * pacer, which slows the whole client down instead.
 */
export function retriesWithoutThrottling(maxAttempts: number): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: async () => retryToken(0, 0),
    refreshRetryTokenForRetry: async (token: RetryToken, info: RetryErrorInfo) => {
      if (info.errorType === 'THROTTLING' && info.error) throttlingErrors.add(info.error)
      const attempt = token.getRetryCount() + 1
      if (info.errorType !== 'TRANSIENT' || attempt >= maxAttempts) throw info.error ?? new Error('Not retried')
      const delay = Math.floor(Math.random() * Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** attempt))
      return retryToken(attempt, delay)
    },
    recordSuccess: () => undefined
  }
}
