// Follows the CloudWatch Logs streams of a job's or task's containers while the action waits, and
// reads each to its end once the job or task has stopped, so that no line written before the end
// is lost. Every line is redacted of every secret value before it is printed or kept.
import { describeAwsError } from '../errors.js'
import type { Sleep } from '../concurrency.js'
import { isMissingStream, isTransient, type ReadLogPage } from '../aws/logs.js'
import { eventLines, type ContainerLogs, type LogStream } from '../plan/logs.js'

export interface FollowOptions {
  read: ReadLogPage
  /** Prints a batch of container lines (the caller keeps the runner from reading commands in them). */
  print: (lines: string[]) => void
  info: (message: string) => void
  warning: (message: string) => void
  redact: (text: string) => string
  /** How many of the last lines to keep, for the failure message and the summary. */
  keepLines: number
  sleep: Sleep
  /** Epoch ms, the clock AWS's startedAt/stoppedAt use. */
  now?: () => number
  /** How long after the end (AWS's stoppedAt) a stream may still receive lines; see END_GRACE_MS. */
  graceMs?: number
}

// One request a second per stream at most, a stream with nothing new read less and less often:
// GetLogEvents' quota is per account and Region, shared with everything else (LOGS.md 1.4).
const MIN_POLL_MS = 1_000
const MAX_IDLE_POLL_MS = 8_000
/**
 * Lines a container wrote just before it stopped reach GetLogEvents after the job or task is seen
 * stopped: Airflow's fetcher lost them until it read again after the end (apache/airflow#21573,
 * #73210), and users of it found a 10 s wait needed (apache/airflow#43717). So each stream is read
 * until it has nothing new at a read sent at least this long after AWS's stoppedAt.
 */
export const END_GRACE_MS = 10_000

export class LogFollower {
  private readonly readers = new Map<string, Promise<void>>()
  private readonly announced = new Set<string>()
  private readonly warned = new Set<string>()
  private readonly kept: string[] = []
  private readonly known: ContainerLogs[] = []
  private endedAt: number | undefined
  private manyContainers = false
  private readonly now: () => number
  private readonly graceMs: number

  constructor(private readonly options: FollowOptions) {
    this.now = options.now ?? Date.now
    this.graceMs = options.graceMs ?? END_GRACE_MS
  }

  /** Starts a reader for each container's stream not followed yet; says once where other logs go. */
  follow(containers: readonly ContainerLogs[]): void {
    this.manyContainers ||= containers.length > 1
    for (const container of containers) {
      if (container.elsewhere && !this.announced.has(container.container)) {
        this.announced.add(container.container)
        this.known.push(container)
        this.options.info(this.options.redact(`Logs: ${container.elsewhere}.`))
      }
      const { stream } = container
      if (!stream || this.readers.has(container.container)) continue
      this.known.push(container)
      this.readers.set(container.container, this.readStream(container.container, stream))
    }
  }

  /**
   * Reads every stream to its end, the job or task having stopped at `stoppedAt` (epoch ms); without
   * it (the wait timed out), reads what the streams hold now.
   */
  async finish(stoppedAt: number | undefined): Promise<void> {
    this.endedAt = stoppedAt ?? this.now() - this.graceMs
    await Promise.all(this.readers.values())
  }

  /** The containers and where their logs are, in the order they were found. */
  get containers(): readonly ContainerLogs[] {
    return this.known
  }

  /** The last lines read (redacted, prefixed like the printed ones), oldest first. */
  get lastLines(): readonly string[] {
    return this.kept
  }

  private ended(at: number): boolean {
    return this.endedAt !== undefined && at >= this.endedAt + this.graceMs
  }

  /** Sleeps `ms` in steps of MIN_POLL_MS, waking early when the end is seen. */
  private async pause(ms: number): Promise<void> {
    const seenEnd = this.endedAt !== undefined
    for (let slept = 0; slept < ms && (seenEnd || this.endedAt === undefined); slept += MIN_POLL_MS) {
      await this.options.sleep(Math.min(MIN_POLL_MS, ms - slept))
    }
  }

  private emit(container: string, messages: readonly string[]): void {
    const lines = messages.flatMap((message) =>
      eventLines(this.options.redact(message), this.manyContainers ? container : undefined)
    )
    if (lines.length === 0) return
    this.options.print(lines)
    this.kept.push(...lines)
    this.kept.splice(0, Math.max(0, this.kept.length - this.options.keepLines))
  }

  private async readStream(container: string, stream: LogStream): Promise<void> {
    const where = `${stream.group} ${stream.stream}`
    let token: string | undefined
    let idle = MIN_POLL_MS
    for (;;) {
      const askedAt = this.now()
      try {
        const page = await this.options.read(stream, token)
        this.emit(container, page.messages)
        const caughtUp = token !== undefined && page.nextToken === token
        token = page.nextToken
        if (caughtUp && this.ended(askedAt)) return
        idle = caughtUp && this.endedAt === undefined ? Math.min(idle * 2, MAX_IDLE_POLL_MS) : MIN_POLL_MS
      } catch (error) {
        const retry = isMissingStream(error) || isTransient(error)
        if (!retry || this.ended(askedAt)) {
          const why = isMissingStream(error)
            ? `${(error as Error).message} The container may never have started`
            : `${describeAwsError(error)}; reading it needs logs:GetLogEvents on its stream`
          // A denial usually covers every stream: one warning says it.
          const kind = isMissingStream(error) ? container : (error as Error).name
          if (!this.warned.has(kind))
            this.options.warning(`Logs of container '${container}' (${where}) could not be read: ${why}.`)
          this.warned.add(kind)
          return
        }
        idle = this.endedAt === undefined ? Math.min(idle * 2, MAX_IDLE_POLL_MS) : MIN_POLL_MS
      }
      await this.pause(idle)
    }
  }
}

/**
 * The last `limit` lines of a stopped task's containers, prefixed like followed lines; a stream that
 * cannot be read (the container never started) gives none.
 */
export async function lastLines(
  readLast: (stream: LogStream, limit: number) => Promise<string[]>,
  containers: readonly ContainerLogs[],
  limit: number
): Promise<string[]> {
  const many = containers.length > 1
  const read = await Promise.all(
    containers.map(async ({ container, stream }) => {
      const messages = stream ? await readLast(stream, limit).catch(() => []) : []
      return messages.flatMap((message) => eventLines(message, many ? container : undefined)).slice(-limit)
    })
  )
  return read.flat()
}
