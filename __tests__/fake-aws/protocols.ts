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
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: string
}

export interface WireResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export interface Protocol {
  /**
   * The operation the request names (possibly one the service lacks) and its input; throws an
   * AwsError when the request cannot name one of this service's operations at all.
   */
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
  if (body.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.')
  }
  if (!isRecord(parsed))
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.')
  return parsed
}

/** JSON protocols send timestamps as epoch seconds. */
function toJsonWire(v: unknown): unknown {
  if (v instanceof Date) return v.getTime() / 1000
  if (Array.isArray(v)) return v.map(toJsonWire)
  if (isRecord(v)) {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJsonWire(x)
    return out
  }
  return v
}

function jsonResponse(
  status: number,
  contentType: string,
  body: unknown,
  extra: Record<string, string> = {}
): WireResponse {
  return { status, headers: { 'content-type': contentType, ...extra }, body: JSON.stringify(toJsonWire(body)) }
}

function awsJson(version: '1.0' | '1.1'): Protocol {
  const contentType = `application/x-amz-json-${version}`
  return {
    parse(req, svc) {
      const target = header(req, 'x-amz-target') ?? ''
      const prefix = `${svc.targetPrefix ?? ''}.`
      if (req.method !== 'POST' || !target.startsWith(prefix)) {
        throw new AwsError('UnknownOperationException', `Unknown operation ${target}`)
      }
      return { operation: target.slice(prefix.length), input: parseJsonBody(req.body) }
    },
    unknownOperation: (operation) => new AwsError('UnknownOperationException', `Unknown operation ${operation}`),
    success: (_svc, _op, output) => jsonResponse(200, contentType, output ?? {}),
    error: (_svc, err) =>
      jsonResponse(
        err.status,
        contentType,
        { ...err.fields, __type: err.code, message: err.message },
        { 'x-amzn-errortype': err.code }
      )
  }
}

const restJson1: Protocol = {
  parse(req, svc) {
    const operation = svc.routes?.[`${req.method} ${req.path}`]
    if (operation === undefined) throw restJson1.unknownOperation(`${req.method} ${req.path}`)
    return { operation, input: parseJsonBody(req.body) }
  },
  unknownOperation: (operation) => new AwsError('UnknownOperationException', `Unknown operation ${operation}`, 404),
  success: (_svc, _op, output) => jsonResponse(200, 'application/json', output ?? {}),
  error: (_svc, err) =>
    jsonResponse(
      err.status,
      'application/json',
      { ...err.fields, message: err.message },
      { 'x-amzn-errortype': err.code }
    )
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** awsQuery responses: structures nest, lists use <member>, timestamps are ISO 8601. */
function toXml(v: unknown): string {
  if (v instanceof Date) return v.toISOString()
  if (Array.isArray(v)) return v.map((x) => `<member>${toXml(x)}</member>`).join('')
  if (isRecord(v)) {
    return Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `<${k}>${toXml(x)}</${k}>`)
      .join('')
  }
  return escapeXml(String(v))
}

const awsQuery: Protocol = {
  parse(req) {
    const params = new URLSearchParams(req.method === 'GET' ? req.query : req.body)
    const input: Input = {}
    for (const [k, v] of params) if (k !== 'Action' && k !== 'Version') input[k] = v
    return { operation: params.get('Action') ?? '', input }
  },
  unknownOperation: (operation) => new AwsError('InvalidAction', `Could not find operation ${operation}`),
  success(svc, operation, output, requestId) {
    const body =
      `<${operation}Response xmlns="${svc.xmlNamespace ?? ''}">` +
      `<${operation}Result>${toXml(output ?? {})}</${operation}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
      `</${operation}Response>`
    return { status: 200, headers: { 'content-type': 'text/xml' }, body }
  },
  error(svc, err, requestId) {
    const ns = svc?.xmlNamespace ? ` xmlns="${svc.xmlNamespace}"` : ''
    const type = err.status >= 500 ? 'Receiver' : 'Sender'
    const body =
      `<ErrorResponse${ns}><Error><Type>${type}</Type><Code>${escapeXml(err.code)}</Code>` +
      `<Message>${escapeXml(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
    return { status: err.status, headers: { 'content-type': 'text/xml' }, body }
  }
}

export const protocols: Record<ProtocolName, Protocol> = {
  awsJson1_0: awsJson('1.0'),
  awsJson1_1: awsJson('1.1'),
  awsQuery,
  restJson1
}

/** For errors raised before the service is known (unsigned request, unknown signing name). */
export function guessProtocol(req: RawRequest): Protocol {
  if (header(req, 'x-amz-target') !== undefined) return protocols.awsJson1_1
  if ((header(req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded')) return protocols.awsQuery
  return protocols.restJson1
}
