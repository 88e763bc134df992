import type { Caller } from './identity.js'
export interface FakeAwsOptions {
  region?: string | undefined
  accountId?: string | undefined
  /** added to every request */
  latencyMs?: number
  /**
   * Token-bucket request quota per operation, e.g. { GetParameters: { rate: 40 } }: a request
   * beyond it is answered 400 ThrottlingException, as AWS throttles an account.
   */
  quotas?: Record<string, Quota>
  /** default 0: an ephemeral port */
  port?: number
}

export interface Quota {
  /** tokens refilled per second */
  rate: number
  /** bucket size, full at start; default `rate` (at least 1) */
  burst?: number
}

export type FaultKind =
  'latency' | 'throttle' | 'too-many-requests' | 'server-error' | 'drop' | 'drop-after' | 'reshape' | 'denied'

/**
 * Every request to a matching operation ('*' matches all) uses up one `skip` of each pending fault;
 * the first fault with no skip left fires and uses up one of its `times` (default 1).
 */
export interface Fault {
  operation: string
  kind: FaultKind
  times?: number
  skip?: number
  /** for latency */
  delayMs?: number
  /** for server-error, default 500 */
  status?: 500 | 502 | 503
  /** for reshape: the request takes effect and is answered 200 with this function's version of the output */
  reshape?: (output: Input) => Input
}

export interface RecordedRequest {
  service: string
  operation: string
  /** the region of the request's SigV4 credential scope ('' when unsigned) */
  region: string
  /** ms, performance.now() relative to server start */
  start: number
  end: number
  /** 0 while the request is still being handled */
  status: number | 'dropped'
  fault?: FaultKind
  /** parsed request body, with sensitive members replaced by { length, sha256 } */
  input: unknown
}

export type ProtocolName = 'awsJson1_1' | 'awsQuery' | 'ec2Query' | 'restJson1'

export interface ServiceEnv {
  region: string
  accountId: string
  /** who the requests are made as (identity.ts); IAM user `fake` when unset */
  caller?: Caller
}

export interface ServiceContext extends ServiceEnv {
  requestId: string
}

export type Input = Record<string, unknown>

export interface AccessDeniedShape {
  code: string
  status: number
  /** the resource the message names; default '*' */
  resource?: (operation: string, input: Input, env: ServiceEnv) => string
  /** the service's own fixed message, where it names neither caller nor resource (EC2) */
  message?: string
  anyone?: readonly string[]
}

/** One AWS service; server.ts lists one per SigV4 signing name (`service`). */
export interface ServiceDefinition {
  service: string
  protocol: ProtocolName
  /** awsJson: X-Amz-Target prefix, e.g. 'AmazonSSM' */
  targetPrefix?: string
  /** awsQuery, ec2Query */
  xmlNamespace?: string
  /** restJson1: 'POST /v1/describejobdefinitions' → 'DescribeJobDefinitions' */
  routes?: Record<string, string>
  /** the service's error for an internal failure (HTTP 500), e.g. 'ServerException'; default 'InternalServerError' */
  serverErrorCode?: string
  /** the service's answer to an operation FakeAws.deny() denies; `anyone`: operations that need no permission */
  accessDenied?: AccessDeniedShape
  /** operations that change state; FakeAws.writes() returns requests to these */
  writeOperations: readonly string[]
  /** per operation, top-level input members whose values must never be recorded */
  sensitiveInput?: Record<string, readonly string[]>
  operations: Record<string, (input: Input, ctx: ServiceContext) => unknown>
}
