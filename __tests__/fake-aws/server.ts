import { createHash, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { createBatch, type BatchState } from './batch.js'
import { createEc2, type Ec2State } from './ec2.js'
import { createEcs, type EcsState } from './ecs.js'
import { createIam, type IamState } from './iam.js'
import { callerArn, callerOf } from './identity.js'
import { createKms, type KmsState } from './kms.js'
import { createLogs, type ContainerHooks, type LogsState } from './logs.js'
import { AwsError, guessProtocol, protocols, type RawRequest, type WireResponse } from './protocols.js'
import { createSecretsManager, type SecretsManagerState } from './secretsmanager.js'
import { createSsm, type SsmState } from './ssm.js'
import { createSts } from './sts.js'
import type { Fault, FakeAwsOptions, Input, Quota, RecordedRequest, ServiceDefinition, ServiceEnv } from './types.js'

export interface FakeAws {
  /** 'http://127.0.0.1:<port>' */
  url: string
  region: string
  accountId: string
  /** every request, in arrival order */
  requests: RecordedRequest[]
  /** requests received for an operation, faulted ones included */
  count(operation: string): number
  /** requests to operations that change state, faulted and dropped ones included */
  writes(): RecordedRequest[]
  inject(fault: Fault): void
  clearFaults(): void
  clearRequests(): void
  ssm: SsmState
  batch: BatchState
  ecs: EcsState
  logs: LogsState
  iam: IamState
  /** Requests are made as this IAM user or assumed role (arn:aws:sts::<acct>:assumed-role/<Name>/<session>). */
  setCaller(arn: string): void
  /** The operation ('GetParameters', or 'ssm:GetParameters' for one service) is denied to the caller. */
  deny(operation: string, denied?: boolean): void
  kms: KmsState
  secretsmanager: SecretsManagerState
  ec2: Ec2State
  /** Containers (Batch and ECS) started with this execution role fail to start: ssm:GetParameters is denied. */
  denySecretReads(roleArn: string, denied?: boolean): void
  close(): Promise<void>
}

const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=[^/\s]+\/\d{8}\/([^/\s]+)\/([^/\s]+)\/aws4_request,\s*SignedHeaders=[^,\s]+,\s*Signature=[0-9a-f]+$/

/** Sensitive members are recorded as { length, sha256 } so a failing assertion never prints them. */
function redact(svc: ServiceDefinition, operation: string, input: Input): Input {
  const hidden = svc.sensitiveInput?.[operation] ?? []
  const hide = (v: string) => ({ length: [...v].length, sha256: createHash('sha256').update(v).digest('hex') })
  return Object.fromEntries(
    Object.entries(input).map(([k, v]) => [k, hidden.includes(k) && typeof v === 'string' ? hide(v) : v])
  )
}

function faultError(fault: Fault, svc: ServiceDefinition): AwsError | undefined {
  if (fault.kind === 'throttle') return new AwsError('ThrottlingException', 'Rate exceeded')
  if (fault.kind === 'too-many-requests') return new AwsError('TooManyRequestsException', 'Too Many Requests', 429)
  if (fault.kind !== 'server-error') return undefined
  const status = fault.status ?? 500
  if (status === 500) return new AwsError(svc.serverErrorCode ?? 'InternalServerError', 'Internal server error', 500)
  return new AwsError(status === 503 ? 'ServiceUnavailable' : 'BadGateway', 'Service unavailable', status)
}

/** IAM.md 3: the service's access-denied answer to the caller, or undefined when the operation needs no permission. */
function accessDenied(svc: ServiceDefinition, operation: string, input: Input, env: ServiceEnv): AwsError | undefined {
  const shape = svc.accessDenied
  if (!shape) return new AwsError('NotModelledByFake', `How ${svc.service} denies ${operation} is not modelled.`)
  if (shape.anyone?.includes(operation)) return undefined
  const action = `${svc.service}:${operation}`
  const resource = shape.resource?.(operation, input, env) ?? '*'
  const message =
    shape.message ??
    `User: ${callerArn(env)} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`
  return new AwsError(shape.code, message, shape.status)
}

/** Token buckets, one per operation with a quota: full at start, refilled continuously. */
function quotaKeeper(quotas: Record<string, Quota>, now: () => number): (operation: string) => boolean {
  const buckets = new Map<string, { rate: number; burst: number; tokens: number; at: number }>()
  for (const [operation, { rate, burst = Math.max(1, rate) }] of Object.entries(quotas)) {
    if (!(Number.isFinite(rate) && rate > 0) || !(Number.isFinite(burst) && burst >= 1)) {
      throw new Error(`Invalid quota for ${operation}: rate must be > 0 and burst >= 1`)
    }
    buckets.set(operation, { rate, burst, tokens: burst, at: now() })
  }
  return (operation) => {
    const bucket = buckets.get(operation)
    if (!bucket) return true
    const t = now()
    bucket.tokens = Math.min(bucket.burst, bucket.tokens + ((t - bucket.at) / 1000) * bucket.rate)
    bucket.at = t
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }
}

export async function startFakeAws(options: FakeAwsOptions = {}): Promise<FakeAws> {
  const env: ServiceEnv = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '123456789012' }
  const ssm = createSsm(env)
  const logs = createLogs(env)
  const deniedRoles = new Set<string>()
  // A container fetches its secrets from SSM when it starts, then logs.
  const hooks: ContainerHooks = {
    ssmParameterValue: (name) => ssm.state.get(name)?.value,
    secretReadsDenied: (roleArn) => deniedRoles.has(roleArn),
    logs: logs.state
  }
  const batch = createBatch(env, hooks)
  const ecs = createEcs(env, hooks)
  const iam = createIam(env)
  const [kms, secretsmanager, ec2] = [createKms(env), createSecretsManager(env), createEc2(env)]
  const definitions = [ssm, batch, ecs, logs, iam, createSts(env), kms, secretsmanager, ec2].map((s) => s.definition)
  const deniedOperations = new Set<string>()
  const services = new Map<string, ServiceDefinition>(definitions.map((d) => [d.service, d]))
  const requests: RecordedRequest[] = []
  let faults: Array<{ fault: Fault; remaining: number; skip: number }> = []
  const t0 = performance.now()
  const now = () => performance.now() - t0
  const withinQuota = quotaKeeper(options.quotas ?? {}, now)

  function takeFault(operation: string): Fault | undefined {
    let fired: Fault | undefined
    for (const f of faults) {
      if (f.remaining <= 0 || (f.fault.operation !== operation && f.fault.operation !== '*')) continue
      if (f.skip > 0) f.skip--
      else if (!fired) {
        fired = f.fault
        f.remaining--
      }
    }
    return fired
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record: RecordedRequest = {
      service: '',
      operation: '',
      region: '',
      start: now(),
      end: 0,
      status: 0,
      input: undefined
    }
    requests.push(record)
    const requestId = randomUUID()
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw: RawRequest = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'http://127.0.0.1').pathname,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8')
    }
    if (options.latencyMs) await sleep(options.latencyMs)

    const send = (w: WireResponse) => {
      record.status = w.status
      record.end = now()
      res.writeHead(w.status, {
        ...w.headers,
        'x-amzn-RequestId': requestId,
        'content-length': Buffer.byteLength(w.body)
      })
      res.end(w.body)
    }
    const drop = () => {
      record.status = 'dropped'
      record.end = now()
      req.socket.destroy()
    }

    const authorization = req.headers.authorization
    const scope = authorization === undefined ? undefined : SIGV4.exec(authorization)
    const svc = services.get(scope?.[2] ?? '')
    if (!scope || !svc) {
      const guessed = guessProtocol(raw)
      const suffix = guessed === protocols.awsQuery ? '' : 'Exception'
      const err =
        authorization === undefined
          ? new AwsError(`MissingAuthenticationToken${suffix}`, 'Missing Authentication Token', 403)
          : !scope
            ? new AwsError(`IncompleteSignature${suffix}`, 'The request signature does not conform to AWS standards.')
            : new AwsError('UnknownOperationException', `No service ${scope[2]} here`)
      return send(guessed.error(undefined, err, requestId))
    }
    record.region = scope[1] ?? ''
    record.service = svc.service
    const protocol = protocols[svc.protocol]
    const fail = (e: unknown) =>
      protocol.error(
        svc,
        e instanceof AwsError
          ? e
          : new AwsError(svc.serverErrorCode ?? 'InternalServerError', `fake-aws bug: ${e}`, 500),
        requestId
      )
    let call: { operation: string; input: Input }
    try {
      call = protocol.parse(raw, svc)
    } catch (e) {
      return send(fail(e))
    }
    record.operation = call.operation
    record.input = redact(svc, call.operation, call.input)

    // Over its quota, a request is refused before the service sees it (and before any fault).
    if (!withinQuota(call.operation)) {
      record.fault = 'throttle'
      return send(fail(new AwsError('ThrottlingException', 'Rate exceeded')))
    }
    const fault = takeFault(call.operation)
    if (fault) record.fault = fault.kind
    if (fault?.kind === 'drop') return drop()
    const injected = fault && faultError(fault, svc)
    if (injected) return send(fail(injected))
    if (fault?.kind === 'latency') await sleep(fault.delayMs ?? 0)
    const denial =
      (deniedOperations.has(call.operation) || deniedOperations.has(`${svc.service}:${call.operation}`)) &&
      accessDenied(svc, call.operation, call.input, env)
    if (denial) {
      record.fault = 'denied'
      return send(fail(denial))
    }

    let response: WireResponse
    try {
      if (!Object.hasOwn(svc.operations, call.operation)) throw protocol.unknownOperation(call.operation)
      const output = svc.operations[call.operation]!(call.input, { ...env, requestId })
      const answered =
        fault?.kind === 'reshape' && fault.reshape ? fault.reshape(structuredClone(output) as Input) : output
      response = protocol.success(svc, call.operation, answered, requestId)
    } catch (e) {
      response = fail(e)
    }
    // drop-after: the state change happened, the answer is lost.
    if (fault?.kind === 'drop-after') return drop()
    send(response)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    ...env,
    requests,
    count: (operation) => requests.filter((r) => r.operation === operation).length,
    writes: () => requests.filter((r) => services.get(r.service)?.writeOperations.includes(r.operation) ?? false),
    inject: (fault) => void faults.push({ fault, remaining: fault.times ?? 1, skip: fault.skip ?? 0 }),
    clearFaults: () => void (faults = []),
    clearRequests: () => void requests.splice(0),
    ssm: ssm.state,
    batch: batch.state,
    ecs: ecs.state,
    logs: logs.state,
    iam: iam.state,
    setCaller: (arn) => void (env.caller = callerOf(env, arn)),
    deny: (operation, on = true) => void (on ? deniedOperations.add(operation) : deniedOperations.delete(operation)),
    kms: kms.state,
    secretsmanager: secretsmanager.state,
    ec2: ec2.state,
    denySecretReads: (roleArn, denied = true) => void (denied ? deniedRoles.add(roleArn) : deniedRoles.delete(roleArn)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      })
  }
}
