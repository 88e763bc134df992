import { BatchClient } from '@aws-sdk/client-batch'
import { ECSClient } from '@aws-sdk/client-ecs'
import { SSMClient } from '@aws-sdk/client-ssm'
import { STSClient } from '@aws-sdk/client-sts'
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import type { EC2Client } from '@aws-sdk/client-ec2'
import type { IAMClient } from '@aws-sdk/client-iam'
import type { KMSClient } from '@aws-sdk/client-kms'
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import type {
  RetryStrategyV2,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeMiddleware,
  MetadataBearer,
  Pluggable
} from '@smithy/types'
import { Pacer, retriesWithoutThrottling, wasThrottled } from './pacing.js'

export const USER_AGENT: [string, string] = ['ssm-secrets-action', '1']

/** Created on first call, once: a run builds only the clients it uses. */
export type Lazy<T> = () => T

function lazy<T>(create: () => T): Lazy<T> {
  let created: T | undefined
  return () => (created ??= create())
}

export interface AwsClients {
  ssm: SSMClient
  sts: Lazy<STSClient>
  batch: Lazy<BatchClient>
  /**
   * For SubmitJob and RegisterJobDefinition: no automatic retries, since a request resent after a
   * lost answer would start a second job or register a second revision. The caller looks the effect
   * up (apply/send.ts sendOnce) before sending again.
   */
  batchSubmit: Lazy<BatchClient>
  ecs: Lazy<ECSClient>
  /** For UpdateService and RegisterTaskDefinition, for the same reason (a resent forceNewDeployment starts another deployment). */
  ecsDeploy: Lazy<ECSClient>
  /** CloudWatch Logs in a region, its SDK loaded on first use: only runs that follow logs load it. */
  logs: (region: string) => Promise<CloudWatchLogsClient>
  /** For the preflight checks, each SDK loaded on first use. */
  iam: Lazy<Promise<IAMClient>>
  kms: Lazy<Promise<KMSClient>>
  secretsManager: Lazy<Promise<SecretsManagerClient>>
  ec2: Lazy<Promise<EC2Client>>
}

const DEFAULT_MAX_ATTEMPTS = 8

function maxAttemptsFromEnv(): number {
  const value = Number(process.env.AWS_MAX_ATTEMPTS)
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_MAX_ATTEMPTS
}

// Adaptive retries rate-limit the client after throttling; the SDK still honours AWS_RETRY_MODE
// and AWS_MAX_ATTEMPTS when set, because it only reads them when no value is passed here.
function retrySettings(): { retryMode?: string; maxAttempts?: number } {
  return {
    ...(process.env.AWS_RETRY_MODE ? {} : { retryMode: 'adaptive' }),
    ...(process.env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: DEFAULT_MAX_ATTEMPTS })
  }
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

/** A whole number of milliseconds from the environment (for the test suites), or `fallback`. */
export function millisecondsFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const text = env[name]
  const value = text === undefined || text === '' ? NaN : Number(text)
  return Number.isInteger(value) && value >= 0 ? value : fallback
}

/**
 * How long one request may go unanswered before it counts as lost (and is retried, or looked up).
 * SSM_SECRETS_ACTION_REQUEST_TIMEOUT_MS overrides it: the reliability suite uses a short one.
 */
export function requestTimeout(env: NodeJS.ProcessEnv = process.env): number {
  return (
    millisecondsFromEnv('SSM_SECRETS_ACTION_REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, env) ||
    DEFAULT_REQUEST_TIMEOUT_MS
  )
}

/**
 * Client middleware that sends each command through its operation's pacer (by command name, e.g.
 * `PutParameterCommand`): AWS keeps one quota per operation, so each pacer learns its own.
 */
export function pacingPlugin(): Pluggable<object, MetadataBearer> {
  const pacers = new Map<string, Pacer>()
  const middleware: InitializeMiddleware<object, MetadataBearer> =
    (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
    (args: InitializeHandlerArguments<object>) => {
      const command = context.commandName ?? ''
      let pacer = pacers.get(command)
      if (!pacer) pacers.set(command, (pacer = new Pacer()))
      return pacer.send(() => next(args), wasThrottled)
    }
  return {
    applyToStack: (stack) => stack.add(middleware, { step: 'initialize', name: 'pacingMiddleware', priority: 'low' })
  }
}

/**
 * A client whose operations each get a pacer that sends at full speed until AWS throttles, then at
 * the rate AWS showed it accepts (AWS publishes none for most of Parameter Store, and CloudWatch
 * Logs' GetLogEvents quota is shared with the whole account), and re-sends throttled requests
 * itself; the SDK retries only transient failures. AWS_RETRY_MODE does not apply to it.
 */
function paced<T extends { middlewareStack: { use(plugin: Pluggable<object, MetadataBearer>): void } }>(
  create: (config: { maxAttempts: number; retryStrategy: RetryStrategyV2 }) => T
): T {
  const maxAttempts = maxAttemptsFromEnv()
  const client = create({ maxAttempts, retryStrategy: retriesWithoutThrottling(maxAttempts) })
  client.middlewareStack.use(pacingPlugin())
  return client
}

/** Builds every AWS client the run uses, in one place. */
export function createClients(options: { region: string }): AwsClients {
  const base = {
    region: options.region,
    customUserAgent: [USER_AGENT],
    // Without throwOnRequestTimeout the handler only logs a warning and keeps waiting, forever if
    // the answer never comes, instead of failing the attempt so that it is retried or looked up.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: requestTimeout(), throwOnRequestTimeout: true }
  }
  const config = { ...base, ...retrySettings() }
  // SSM carries the bulk of the requests (hundreds of writes).
  const ssm = paced((retries) => new SSMClient({ ...base, ...retries }))
  // It redacts every input and output for a logger, which this action never sets, and then drops
  // them: about a millisecond per response of ten decrypted parameters, for nothing.
  ssm.middlewareStack.remove('loggerMiddleware')
  const logs = new Map<string, Promise<CloudWatchLogsClient>>()
  return {
    ssm,
    sts: lazy(() => new STSClient(config)),
    batch: lazy(() => new BatchClient(config)),
    batchSubmit: lazy(() => new BatchClient({ ...config, maxAttempts: 1 })),
    ecs: lazy(() => new ECSClient(config)),
    ecsDeploy: lazy(() => new ECSClient({ ...config, maxAttempts: 1 })),
    logs: (region) => {
      let client = logs.get(region)
      if (!client) {
        client = import('./sdk/logs.js').then(({ CloudWatchLogsClient }) =>
          paced((retries) => new CloudWatchLogsClient({ ...base, region, ...retries }))
        )
        logs.set(region, client)
      }
      return client
    },
    iam: lazy(async () => new (await import('./sdk/iam.js')).IAMClient(config)),
    kms: lazy(async () => new (await import('./sdk/kms.js')).KMSClient(config)),
    secretsManager: lazy(async () => new (await import('./sdk/secrets-manager.js')).SecretsManagerClient(config)),
    ec2: lazy(async () => new (await import('./sdk/ec2.js')).EC2Client(config))
  }
}
