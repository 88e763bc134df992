// CloudWatch Logs as far as the action reads it: GetLogEvents on the streams that the fake's Batch jobs and
// ECS tasks write. Evidence: __tests__/fixtures/launch-evidence/LOGS.md (cited by section below). There are
// no write operations: a container's stream and events are laid out when it is launched, and what
// GetLogEvents sees depends only on the clock, as the Batch and ECS lifecycles do.
import { randomInt } from 'node:crypto'
import { callerArn, partitionOf } from './identity.js'
import { AwsError } from './protocols.js'
import { optBool, optInt, optString, validationError } from './validate.js'
import type { SecretReads } from './ecs-rules.js'
import type { Input, ServiceDefinition, ServiceEnv } from './types.js'

/** What a container prints: one line every `everyMs` (default 10), then it ends. */
export interface ContainerOutput {
  lines?: string[]
  everyMs?: number
  /** first one NAME=value line per environment entry and per secret of its container definition */
  printEnvironment?: boolean
}

export interface LogEvent {
  timestamp: number
  message: string
  ingestionTime: number
}

/** Where a container's awslogs driver writes, and whether it creates the group (`awslogs-create-group`). */
export interface LogTarget {
  group: string
  stream: string
  createGroup: boolean
}

interface Stream {
  createdAt: number
  events: LogEvent[]
  /** the first digits of this stream's tokens: a token of another stream is invalid here */
  tokenBase: string
}

/** LOGS.md 1.1: a page holds up to 10,000 events and 1 MB; an event counts its UTF-8 message bytes + 26. */
const MAX_EVENTS = 10_000
const MAX_PAGE_BYTES = 1_048_576
const EVENT_OVERHEAD = 26
const DEFAULT_EVERY_MS = 10
const TOKEN = /^([fb])\/(\d{36})(\d{20})\/s$/

const isRecord = (v: unknown): v is Input => typeof v === 'object' && v !== null && !Array.isArray(v)
const records = (v: unknown): Input[] => (Array.isArray(v) ? v.filter(isRecord) : [])
const notFound = (what: string) => new AwsError('ResourceNotFoundException', `The specified ${what} does not exist.`)
/** LOGS.md 1.3: GetLogEvents reports model validation as InvalidParameterException, in the Smithy wording. */
const invalid = (message: string) => new AwsError('InvalidParameterException', message)

function int(input: Input, key: string, min: number, max: number): number | undefined {
  try {
    return optInt(input, key, min, max)
  } catch (e) {
    throw e instanceof AwsError && e.code === 'ValidationException' ? invalid(e.message) : e
  }
}

/**
 * Where a container's awslogs driver writes (LOGS.md 2.1, 2.2): undefined for another driver or without a
 * group. Without a logConfiguration a Batch container uses awslogs to /aws/batch/job; an ECS container
 * Docker's json-file. `stream` names the stream after the awslogs-stream-prefix option.
 */
export function awslogsTarget(container: Input, batch: boolean, stream: (prefix?: string) => string) {
  const conf = isRecord(container.logConfiguration) ? container.logConfiguration : { logDriver: batch && 'awslogs' }
  const options = conf.logDriver === 'awslogs' ? (isRecord(conf.options) ? conf.options : {}) : undefined
  const group = options?.['awslogs-group'] ?? (batch ? '/aws/batch/job' : undefined)
  if (options === undefined || typeof group !== 'string') return undefined
  const prefix = options['awslogs-stream-prefix']
  const createGroup = options['awslogs-create-group'] === 'true'
  return { group, stream: stream(typeof prefix === 'string' ? prefix : undefined), createGroup }
}

export class LogsState {
  /** group name → when it was created and its streams */
  private readonly groups = new Map<string, { createdAt: number; streams: Map<string, Stream> }>()
  private denied = false
  private lagMs = 0

  constructor(private readonly env: ServiceEnv) {
    // LOGS.md 2.1: Batch's default group.
    this.createGroup('/aws/batch/job')
  }

  /** Creates a log group now (a no-op if it exists). */
  createGroup(name: string, at = 0): void {
    const group = this.groups.get(name)
    if (group) group.createdAt = Math.min(group.createdAt, at)
    else this.groups.set(name, { createdAt: at, streams: new Map() })
  }

  /** Every event of a stream, ingested yet or not. */
  events(group: string, stream: string): LogEvent[] {
    return structuredClone(this.groups.get(group)?.streams.get(stream)?.events ?? [])
  }

  /** The names of the streams laid out in a group, created yet or not. */
  streams(group: string): string[] {
    return [...(this.groups.get(group)?.streams.keys() ?? [])]
  }

  /**
   * Lines laid out from now on reach GetLogEvents this long after they were printed. Events carry
   * both times (LOGS.md 1.1); lines printed just before a task ended have been seen to arrive after
   * it was reported stopped (apache/airflow#21573, #43717, #73210).
   */
  ingestionDelay(ms: number): void {
    this.lagMs = ms
  }

  /** While on, GetLogEvents is denied to the caller. */
  deny(on = true): void {
    this.denied = on
  }

  /**
   * What a container started at `at` prints, laid out in its stream; returns how long it runs (its last
   * line comes before it ends). Each line is one event, its timestamp when it is printed.
   */
  run(
    container: Input,
    output: ContainerOutput | undefined,
    at: number,
    secretValue: (valueFrom: string) => string | undefined,
    target: LogTarget | undefined
  ): number {
    const every = output?.everyMs ?? DEFAULT_EVERY_MS
    if (!(Number.isFinite(every) && every >= 0)) throw new Error(`everyMs must be a number >= 0, got ${every}`)
    const environment = output?.printEnvironment
      ? [
          ...records(container.environment).map((e) => `${String(e.name)}=${String(e.value)}`),
          ...records(container.secrets).map((s) => `${String(s.name)}=${secretValue(String(s.valueFrom)) ?? ''}`)
        ]
      : []
    const lines = [...environment, ...(output?.lines ?? [])]
    // LOGS.md 2.2 (awslogs-create-group). A container whose group does not exist writes nothing here;
    // a real one fails to start ("failed to validate logger args"), which is not modelled.
    if (target?.createGroup) this.createGroup(target.group, at)
    const group = target && this.groups.get(target.group)
    if (target && group) {
      const events = lines.map((message, i) => ({
        timestamp: at + i * every,
        message,
        ingestionTime: at + i * every + this.lagMs
      }))
      const tokenBase = Array.from({ length: 36 }, () => randomInt(10)).join('')
      group.streams.set(target.stream, { createdAt: at, events, tokenBase })
    }
    return lines.length * every
  }

  getLogEvents(input: Input) {
    const byName = optString(input, 'logGroupName')
    const identifier = optString(input, 'logGroupIdentifier')
    // LOGS.md 1.1: "You must include one of these two parameters, but you can't include both." (the
    // error message is not captured; the code is the operation's error for a bad parameter).
    if ((byName === undefined) === (identifier === undefined)) {
      throw invalid("You must include one of these two parameters, but you can't include both.")
    }
    const streamName = optString(input, 'logStreamName')
    if (streamName === undefined)
      throw invalid(validationError('logStreamName', null, 'Member must not be null').message)
    const limit = int(input, 'limit', 1, MAX_EVENTS) ?? MAX_EVENTS // LOGS.md 1.3 (10001)
    const startTime = int(input, 'startTime', 0, Number.MAX_SAFE_INTEGER) ?? 0
    const endTime = int(input, 'endTime', 0, Number.MAX_SAFE_INTEGER) ?? Infinity
    const head = optBool(input, 'startFromHead') ?? false // LOGS.md 1.1: default false
    const token = optString(input, 'nextToken')
    // Name and pattern limits of the names (LOGS.md 1.1) are not checked: a bad name is simply not found.
    // `unmask`: data protection is not modelled, so events are returned as printed.
    const groupName = identifier === undefined ? (byName ?? '') : this.groupOfIdentifier(identifier)
    const partition = partitionOf(this.env.region)
    if (this.denied) {
      // LOGS.md 1.3: the resource is the stream's ARN; the HTTP status is assumed 400.
      const resource = `arn:${partition}:logs:${this.env.region}:${this.env.accountId}:log-group:${groupName}:log-stream:${streamName}`
      const message = `User: ${callerArn(this.env)} is not authorized to perform: logs:GetLogEvents on resource: ${resource}`
      throw new AwsError('AccessDeniedException', message)
    }
    const now = Date.now()
    // LOGS.md 1.3: the group is checked first. A stream exists once its container started (4.3).
    const group = this.groups.get(groupName)
    if (!group || group.createdAt > now) throw notFound('log group')
    const stream = group.streams.get(streamName)
    if (!stream || stream.createdAt > now) throw notFound('log stream')
    const visible = stream.events.filter((e) => e.ingestionTime <= now)
    const from = token === undefined ? undefined : this.position(stream, token, visible.length)
    if (from && (from.direction === 'f') !== head) {
      // LOGS.md 1.1: a nextForwardToken needs startFromHead true; a backward token with true is not documented.
      throw new AwsError('NotModelledByFake', `A ${from.direction}/ token with startFromHead ${head} is not modelled.`)
    }
    // LOGS.md 1.1: startTime inclusive, endTime exclusive.
    const inWindow = visible.flatMap((e, i) => (e.timestamp >= startTime && e.timestamp < endTime ? [i] : []))
    // Forward from a position (the first event without a token); backward: the latest events before it.
    const at = from?.at ?? (head ? 0 : visible.length)
    const candidates = head ? inWindow.filter((i) => i >= at) : inWindow.filter((i) => i < at).reverse()
    const page: number[] = []
    let bytes = 0
    for (const i of candidates) {
      const size = Buffer.byteLength(visible[i]?.message ?? '') + EVENT_OVERHEAD
      if (page.length === limit || bytes + size > MAX_PAGE_BYTES) break
      page.push(i)
      bytes += size
    }
    if (!head) page.reverse()
    // LOGS.md 1.2: tokens are never null, and a token names a position, so at the end of the stream
    // (nothing new) the forward token returned is the one sent.
    const tokenAt = (direction: string, i: number) => `${direction}/${stream.tokenBase}${String(i).padStart(20, '0')}/s`
    const [first, last] = [page[0], page.at(-1)]
    return {
      events: page.map((i) => visible[i]),
      nextForwardToken: tokenAt('f', last === undefined ? at : last + 1),
      nextBackwardToken: tokenAt('b', first ?? at)
    }
  }

  /** LOGS.md 1.1: the identifier is a group name or its ARN (a monitoring account's view is not modelled). */
  private groupOfIdentifier(identifier: string): string {
    if (!identifier.startsWith('arn:')) return identifier
    const prefix = `arn:${partitionOf(this.env.region)}:logs:${this.env.region}:${this.env.accountId}:log-group:`
    if (!identifier.startsWith(prefix)) {
      throw new AwsError('NotModelledByFake', 'A log group of another account or Region is not modelled.')
    }
    return identifier.slice(prefix.length)
  }

  /** LOGS.md 1.3: a token this stream did not hand out is invalid. */
  private position(stream: Stream, token: string, visible: number): { direction: string; at: number } {
    const [, direction = '', base, digits] = TOKEN.exec(token) ?? []
    const at = Number(digits)
    if (base !== stream.tokenBase || !(at <= visible)) throw invalid('The specified nextToken is invalid.')
    return { direction, at }
  }
}

export function createLogs(env: ServiceEnv): { definition: ServiceDefinition; state: LogsState } {
  const state = new LogsState(env)
  const definition: ServiceDefinition = {
    // LOGS.md 1.1, 1.3: JSON 1.1, Logs_20140328, ServiceUnavailableException for a server error.
    service: 'logs',
    protocol: 'awsJson1_1',
    targetPrefix: 'Logs_20140328',
    serverErrorCode: 'ServiceUnavailableException',
    // LOGS.md 1.3 (FakeAws.deny names no stream: LogsState.deny() does).
    accessDenied: { code: 'AccessDeniedException', status: 400 },
    writeOperations: [],
    operations: { GetLogEvents: (i) => state.getLogEvents(i) }
  }
  return { definition, state }
}

/** What Batch and ECS need to launch a container: its secrets' values and where it logs. */
export type ContainerHooks = SecretReads & { logs: LogsState }
