import { BatchClient } from '@aws-sdk/client-batch'
import { ECSClient } from '@aws-sdk/client-ecs'
import { SSMClient } from '@aws-sdk/client-ssm'
import { STSClient } from '@aws-sdk/client-sts'

export const USER_AGENT: [string, string] = ['ssm-secrets-action', '1']

export interface AwsClients {
  ssm: SSMClient
  sts: STSClient
  batch: BatchClient
  /**
   * For SubmitJob only: no automatic retries, since a resent request after a lost answer would
   * start a second job. The launch code retries after looking the job up by name.
   */
  batchSubmit: BatchClient
  ecs: ECSClient
  /** For UpdateService only, for the same reason: a resent forceNewDeployment starts another deployment. */
  ecsDeploy: ECSClient
}

// Adaptive retries rate-limit the client after throttling; the SDK still honours AWS_RETRY_MODE
// and AWS_MAX_ATTEMPTS when set, because it only reads them when no value is passed here.
function retrySettings(): { retryMode?: string; maxAttempts?: number } {
  return {
    ...(process.env.AWS_RETRY_MODE ? {} : { retryMode: 'adaptive' }),
    ...(process.env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: 8 })
  }
}

/** Builds every AWS client the run uses, in one place. */
export function createClients(options: { region: string }): AwsClients {
  const config = {
    region: options.region,
    customUserAgent: [USER_AGENT],
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    ...retrySettings()
  }
  return {
    ssm: new SSMClient(config),
    sts: new STSClient(config),
    batch: new BatchClient(config),
    batchSubmit: new BatchClient({ ...config, maxAttempts: 1 }),
    ecs: new ECSClient(config),
    ecsDeploy: new ECSClient({ ...config, maxAttempts: 1 })
  }
}
