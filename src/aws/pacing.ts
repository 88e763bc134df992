import type {
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeMiddleware,
  MetadataBearer,
  Pluggable,
  RetryErrorInfo,
  RetryStrategyV2,
  RetryToken
} from '@smithy/types'
import { realSleep, type Sleep } from '../concurrency.js'

export interface PacerOptions {
  /** Requests per second to start with, and never exceed. */
  rate: number
  /** Requests that may go at once from a full bucket; defaults to one second's worth. */
  burst?: number
  /** The slowest it slows down to. */
  minRate?: number
  /** Throttled sends of one request before its throttling error is passed on. */
  maxThrottles?: number
  now?: () => number
  sleep?: Sleep
}

const SLOWDOWN = 0.7
const RECOVERED = 0.9
const PROBE = 0.05

/**
 * Keeps requests within a quota of `burst` requests at once and `rate` a second (a token bucket,
 * which is how AWS throttles), without knowing when a request reaches the service: only that it
 * did so between being sent and being answered. The first requests of a run open their connections
 * and reach the service tens of milliseconds after they are sent; a pacer that counted from the
 * send would let the next one through too early. So its bucket counts each answered request as
 * arriving as late as it can have, when it was answered, and each request in flight as arriving
 * now. A later arrival leaves the real bucket fuller at any moment after it, so whatever the
 * delays, what this bucket lets through the real one does too, at the cost of one round trip of lag.
 *
 * The real quota is not known (AWS publishes few), so the pacer starts at a given rate and, when a
 * request is throttled, slows down and sends that request again itself. The SDK's own throttling
 * backoff (a random wait of up to 1 s, doubling with each retry) holds back one request at a time
 * while the others keep hitting the quota, which stalls a run of hundreds of writes. After slowing
 * down it speeds up again, by about one request per second every second until it is near the rate
 * that was throttled, then twenty times slower, probing whether the quota has room.
 */
export class Pacer {
  private readonly maxRate: number
  private readonly burst: number
  private readonly minRate: number
  private readonly maxThrottles: number
  private readonly now: () => number
  private readonly sleep: Sleep
  private rate: number
  /** The bucket after the last answered request, counted as arriving when it was answered. */
  private level: number
  private levelAt: number
  private inFlight = 0
  private lastSlowdownAt = -Infinity
  /** The rate at the last throttling: below it the pacer speeds up quickly, above it slowly. */
  private ceiling: number
  private queue: Promise<unknown> = Promise.resolve()
  /** Requests that were throttled and sent again (or given up on). */
  throttled = 0

  constructor(options: PacerOptions) {
    this.maxRate = options.rate
    this.rate = options.rate
    this.burst = Math.max(1, options.burst ?? options.rate)
    this.minRate = Math.min(options.minRate ?? 0.5, options.rate)
    this.maxThrottles = options.maxThrottles ?? 10
    this.now = options.now ?? (() => performance.now())
    this.sleep = options.sleep ?? realSleep
    this.ceiling = options.rate
    this.level = this.burst
    this.levelAt = this.now()
  }

  get currentRate(): number {
    return this.rate
  }

  /** Runs `request` when the quota allows, again after each throttling, up to maxThrottles times. */
  async send<T>(request: () => Promise<T>, isThrottling: (error: unknown) => boolean): Promise<T> {
    for (let throttles = 0; ; throttles++) {
      const sentAt = await this.take()
      try {
        const result = await request()
        this.answered()
        this.speedUp()
        return result
      } catch (error) {
        this.answered()
        if (!isThrottling(error) || throttles >= this.maxThrottles) throw error
        this.throttled++
        this.slowDown(sentAt)
      }
    }
  }

  private levelNow(now: number): number {
    return Math.min(this.burst, this.level + ((now - this.levelAt) / 1000) * this.rate)
  }

  /** Waits for a token, first come first served; resolves with the time it was taken. */
  private take(): Promise<number> {
    const taken = this.queue.then(async () => {
      for (;;) {
        const now = this.now()
        const available = this.levelNow(now) - this.inFlight
        if (available >= 1) {
          this.inFlight++
          return now
        }
        await this.sleep(Math.max(1, Math.ceil(((1 - available) / this.rate) * 1000)))
      }
    })
    this.queue = taken
    return taken
  }

  private answered(): void {
    const now = this.now()
    this.level = this.levelNow(now) - 1
    this.levelAt = now
    this.inFlight--
  }

  private speedUp(): void {
    const step = this.rate < this.ceiling * RECOVERED ? 1 : PROBE
    this.rate = Math.min(this.maxRate, this.rate + step / this.rate)
  }

  private slowDown(sentAt: number): void {
    // The service's bucket is empty now; ours should not let the next request through at once.
    this.level = Math.min(this.level, 0)
    // Requests sent before the last slowdown were sent too fast already: count them once.
    if (sentAt <= this.lastSlowdownAt) return
    this.ceiling = this.rate
    this.rate = Math.max(this.minRate, this.rate * SLOWDOWN)
    this.lastSlowdownAt = this.now()
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

/**
 * Client middleware that sends each command through its operation's pacer (by command name, e.g.
 * `PutParameterCommand`), and commands without one through `fallback`.
 */
export function pacingPlugin(pacers: ReadonlyMap<string, Pacer>, fallback: Pacer): Pluggable<object, MetadataBearer> {
  const middleware: InitializeMiddleware<object, MetadataBearer> =
    (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
    (args: InitializeHandlerArguments<object>) => {
      const pacer = pacers.get(context.commandName ?? '') ?? fallback
      return pacer.send(() => next(args), wasThrottled)
    }
  return {
    applyToStack: (stack) => stack.add(middleware, { step: 'initialize', name: 'pacingMiddleware', priority: 'low' })
  }
}
