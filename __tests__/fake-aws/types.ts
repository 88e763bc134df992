export interface FakeAwsOptions {
  region?: string
  accountId?: string
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
  'latency' | 'throttle' | 'too-many-requests' | 'server-error' | 'drop' | 'drop-after' | 'reshape'

/**
 * Every request to a matching operation uses up one `skip` of each pending fault; the first fault
 * with no skip left fires and uses up one of its `times`.
 */
export interface Fault {
  /** operation name, e.g. 'PutParameter'; '*' matches every operation */
  operation: string
  kind: FaultKind
  /** how many matching requests get it, default 1 */
  times?: number
  /** let this many matching requests through first, default 0 */
  skip?: number
  /** for latency */
  delayMs?: number
  /** for server-error, default 500 */
  status?: 500 | 502 | 503
  /**
   * for reshape: the request takes effect and is answered 200, with this function's version of the
   * output (an answer in a shape the client may not expect)
   */
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

export type ProtocolName = 'awsJson1_0' | 'awsJson1_1' | 'awsQuery' | 'restJson1'

export interface ServiceContext {
  region: string
  accountId: string
  requestId: string
}

export type Input = Record<string, unknown>
export type OperationHandler = (input: Input, ctx: ServiceContext) => unknown

/**
 * One AWS service. Adding a service (Batch, ECS, ...) means writing one of these and listing its
 * factory in server.ts.
 */
export interface ServiceDefinition {
  /** SigV4 signing name from the credential scope, e.g. 'ssm' */
  service: string
  protocol: ProtocolName
  /** awsJson: X-Amz-Target prefix, e.g. 'AmazonSSM' */
  targetPrefix?: string
  /** awsQuery */
  xmlNamespace?: string
  /** restJson1: 'POST /v1/describejobdefinitions' → 'DescribeJobDefinitions' */
  routes?: Record<string, string>
  /**
   * the service's own error for an internal failure (HTTP 500), e.g. Batch's 'ServerException';
   * default 'InternalServerError'
   */
  serverErrorCode?: string
  /** operations that change state; FakeAws.writes() returns requests to these */
  writeOperations: readonly string[]
  /** per operation, top-level input members whose values must never be recorded */
  sensitiveInput?: Record<string, readonly string[]>
  operations: Record<string, OperationHandler>
}

export interface ServiceEnv {
  region: string
  accountId: string
}
