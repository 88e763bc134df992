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

/** Query responses: structures nest, lists use <member> (ec2Query: <item>), timestamps are ISO 8601. */
function toXml(v: unknown, item = 'member'): string {
  if (v instanceof Date) return v.toISOString()
  if (Array.isArray(v)) return v.map((x) => `<${item}>${toXml(x, item)}</${item}>`).join('')
  if (!isRecord(v)) return escapeXml(String(v))
  return Object.entries(v)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => `<${k}>${toXml(x, item)}</${k}>`)
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

/** `SubnetId.1=a&Filter.1.Value.1=b` → { SubnetId: ['a'], Filter: [{ Value: ['b'] }] } (numbers count from 1). */
function nestedQuery(body: string): { operation: string; input: Input } {
  const params = new URLSearchParams(body)
  const input: Input = {}
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue
    const path = key.split('.').map((seg) => (/^\d+$/.test(seg) ? String(Number(seg) - 1) : seg))
    if (path.some((seg) => seg === '__proto__' || seg === 'constructor' || seg === 'prototype')) continue
    let node: Record<string, unknown> = input
    path.forEach((seg, i) => {
      const next = path[i + 1]
      if (next === undefined) node[seg] = value
      else node = (node[seg] ??= /^\d+$/.test(next) ? [] : {}) as Record<string, unknown>
    })
  }
  return { operation: params.get('Action') ?? '', input }
}

/**
 * EC2's query protocol (the SDK's AwsEc2QueryProtocol): an awsQuery request whose lists are flattened
 * (`SubnetId.1`); the answer has no <XResult> wrapper, a <requestId>, lists of <item>; errors are
 * <Response><Errors><Error>, as EC2 answers them (DESCRIBE.md 5).
 */
const ec2Query: Protocol = {
  parse: (req) => nestedQuery(req.body),
  unknownOperation: (operation) =>
    new AwsError('InvalidAction', `The action ${operation} is not valid for this web service.`),
  success: (svc, operation, output, requestId) => ({
    status: 200,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${svc.xmlNamespace ?? ''}">` +
      `<requestId>${requestId}</requestId>${toXml(output ?? {}, 'item')}</${operation}Response>`
  }),
  error: (_svc, err, requestId) => ({
    status: err.status,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(err.code)}</Code>` +
      `<Message>${escapeXml(err.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
  })
}

export const protocols: Record<ProtocolName, Protocol> = { awsJson1_1, awsQuery, ec2Query, restJson1 }

/** For errors raised before the service is known (unsigned request, unknown signing name). */
export function guessProtocol(req: RawRequest): Protocol {
  if (header(req, 'x-amz-target') !== undefined) return awsJson1_1
  if ((header(req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded')) return awsQuery
  return restJson1
}
