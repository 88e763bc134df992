import type { AwsClients } from './clients.js'
import type { LogStream } from '../plan/logs.js'

export interface LogPage {
  messages: string[]
  /** The token to read on from; the one sent when the stream has nothing newer (LOGS.md 1.2). */
  nextToken: string | undefined
}

export type ReadLogPage = (stream: LogStream, token: string | undefined) => Promise<LogPage>

/** One GetLogEvents of a stream, its SDK loaded on first use. */
async function getLogEvents(
  clients: AwsClients,
  stream: LogStream,
  page: { startFromHead: boolean; nextToken?: string; limit?: number }
) {
  const [client, { GetLogEventsCommand }] = await Promise.all([clients.logs(stream.region), import('./sdk/logs.js')])
  return client.send(new GetLogEventsCommand({ logGroupName: stream.group, logStreamName: stream.stream, ...page }))
}

const messagesOf = (page: { events?: { message?: string | undefined }[] | undefined }): string[] =>
  (page.events ?? []).map((event) => event.message ?? '')

/**
 * Reads a stream forward: the first page from its first event, then from each nextForwardToken.
 * Without startFromHead, GetLogEvents returns the latest page first, and a forward token must be
 * sent with startFromHead true (LOGS.md 1.1, 1.2).
 */
export function logPageReader(clients: AwsClients): ReadLogPage {
  return async (stream, token) => {
    const page = await getLogEvents(clients, stream, {
      startFromHead: true,
      ...(token === undefined ? {} : { nextToken: token })
    })
    // "The returned tokens are never null"; were one missing, reading on from the same token repeats nothing.
    return { messages: messagesOf(page), nextToken: page.nextForwardToken ?? token }
  }
}

/** The latest `limit` messages of a stream, oldest first: without startFromHead the latest page comes first (LOGS.md 1.1). */
export async function lastMessages(clients: AwsClients, stream: LogStream, limit: number): Promise<string[]> {
  return messagesOf(await getLogEvents(clients, stream, { startFromHead: false, limit }))
}

/** The group or stream does not exist (yet: a stream appears when its container starts). */
export function isMissingStream(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceNotFoundException'
}

/** Worth asking again: throttled beyond the pacer's re-sends, a 5xx, or a lost answer. */
export function isTransient(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
  return status === undefined || status >= 500 || (error instanceof Error && error.name === 'ThrottlingException')
}
