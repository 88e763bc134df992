import type { IncomingHttpHeaders } from 'node:http'
import type { Input, ProtocolName, ServiceDefinition } from './types.js'

/**
 * An AWS error response. Operation handlers throw it; the protocol turns it into its wire shape.
 * `fields` are the error shape's own members besides the message (e.g. ECS ConflictException's
 * resourceIds); the JSON protocols send them next to `message`.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly fields: Record<string, unknown> = {}
  ) {
    super(message)
    this.name = code
  }
}

export interface RawRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

export interface WireResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export interface Protocol {
  /** The operation the request names and its input; throws when it cannot name one at all. */
  parse(req: RawRequest, svc: ServiceDefinition): { operation: string; input: Input }
  unknownOperation(operation: string): AwsError
  success(svc: ServiceDefinition, operation: string, output: unknown, requestId: string): WireResponse
  error(svc: ServiceDefinition | undefined, err: AwsError, requestId: string): WireResponse
}

function header(req: RawRequest, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)
}

function parseJsonBody(body: string): Input {
  try {
    const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body)
    if (isRecord(parsed)) return parsed
  } catch {
    // not JSON: the same error as a non-object
  }
  throw new AwsError('SerializationException', 'Start of structure or map found where not expected.')
}

/** JSON protocols send timestamps as epoch seconds. */
function toJsonWire(v: unknown): unknown {
  if (v instanceof Date) return v.getTime() / 1000
  if (Array.isArray(v)) return v.map(toJsonWire)
  if (!isRecord(v)) return v
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => [k, toJsonWire(x)])
  )
}

const json = (status: number, contentType: string, body: unknown, errorType?: string) => ({
  status,
  headers: { 'content-type': contentType, ...(errorType && { 'x-amzn-errortype': errorType }) },
  body: JSON.stringify(toJsonWire(body))
})
const AMZ_JSON = 'application/x-amz-json-1.1'
const unknown = (operation: string, status?: number) =>
  new AwsError('UnknownOperationException', `Unknown operation ${operation}`, status)

const awsJson1_1: Protocol = {
  parse(req, svc) {
    const target = header(req, 'x-amz-target') ?? ''
    const prefix = `${svc.targetPrefix ?? ''}.`
    if (req.method !== 'POST' || !target.startsWith(prefix)) throw unknown(target)
    return { operation: target.slice(prefix.length), input: parseJsonBody(req.body) }
  },
  unknownOperation: (operation) => unknown(operation),
  success: (_svc, _op, output) => json(200, AMZ_JSON, output ?? {}),
  error: (_svc, err) => json(err.status, AMZ_JSON, { ...err.fields, __type: err.code, message: err.message }, err.code)
}

const restJson1: Protocol = {
  parse(req, svc) {
    const operation = svc.routes?.[`${req.method} ${req.path}`]
    if (operation === undefined) throw unknown(`${req.method} ${req.path}`, 404)
    return { operation, input: parseJsonBody(req.body) }
  },
  unknownOperation: (operation) => unknown(operation, 404),
  success: (_svc, _op, output) => json(200, 'application/json', output ?? {}),
  error: (_svc, err) => json(err.status, 'application/json', { ...err.fields, message: err.message }, err.code)
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)

/** awsQuery responses: structures nest, lists use <member>, timestamps are ISO 8601. */
function toXml(v: unknown): string {
  if (v instanceof Date) return v.toISOString()
  if (Array.isArray(v)) return v.map((x) => `<member>${toXml(x)}</member>`).join('')
  if (!isRecord(v)) return escapeXml(String(v))
  return Object.entries(v)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => `<${k}>${toXml(x)}</${k}>`)
    .join('')
}

const awsQuery: Protocol = {
  parse(req) {
    const params = new URLSearchParams(req.body)
    const input: Input = {}
    for (const [k, v] of params) if (k !== 'Action' && k !== 'Version') input[k] = v
    return { operation: params.get('Action') ?? '', input }
  },
  unknownOperation: (operation) => new AwsError('InvalidAction', `Could not find operation ${operation}`),
  success: (svc, operation, output, requestId) => ({
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body:
      `<${operation}Response xmlns="${svc.xmlNamespace ?? ''}">` +
      `<${operation}Result>${toXml(output ?? {})}</${operation}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`
  }),
  error: (svc, err, requestId) => ({
    status: err.status,
    headers: { 'content-type': 'text/xml' },
    body:
      `<ErrorResponse${svc?.xmlNamespace ? ` xmlns="${svc.xmlNamespace}"` : ''}><Error>` +
      `<Type>${err.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${escapeXml(err.code)}</Code>` +
      `<Message>${escapeXml(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  })
}

export const protocols: Record<ProtocolName, Protocol> = { awsJson1_1, awsQuery, restJson1 }

/** For errors raised before the service is known (unsigned request, unknown signing name). */
export function guessProtocol(req: RawRequest): Protocol {
  if (header(req, 'x-amz-target') !== undefined) return awsJson1_1
  if ((header(req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded')) return awsQuery
  return restJson1
}
