// Pure: why a container never started because it could not read its secrets, and the fix. The
// message shapes are ECS's and the ECS agent's, collected with their sources in
// __tests__/fixtures/launch-evidence/FAILURES.md (section 1). Batch jobs run on ECS and carry the
// same text in statusReason or container.reason. Matching is on substrings, case-insensitively:
// Fargate and EC2 word the prefix differently, and pasted messages vary in case.
import { INPUT } from '../names.js'
import type { PolicyDocument } from './policy.js'

export type SecretFailure =
  | { kind: 'denied'; principal: string; action: string; resource: string }
  | { kind: 'kms' }
  | { kind: 'missing'; names: string[] }
  | { kind: 'network'; service: string }

// "unable to retrieve secrets from ssm" / "unable to retrieve secret from asm" (Fargate 1.4+),
// "Fetching secret data from SSM Parameter Store in <region>" (EC2, the ECS agent).
const SECRET_FETCH = /unable to retrieve secrets? from (ssm|asm)|fetching secret data from (ssm) parameter store/i
const DENIED = /User: (\S+) is not authorized to perform: (\S+) on resource: ([^\s;]+)/
// SSM passes on KMS's denial ("The ciphertext refers to a customer master key…"); Secrets Manager
// says "Access to KMS is not allowed".
const KMS = /ciphertext refers to a customer master key|access to kms is not allowed/i
// Fargate: "invalid ssm parameters: a"; the agent: "invalid parameters: a,b" (comma-joined; a space
// after the comma is tolerated, since no Fargate sample with two names was found).
const MISSING_PARAMETERS = /invalid (?:ssm )?parameters: ([^\s,;]+(?:, ?[^\s,;]+)*)/i
const MISSING_SECRET = /failed to fetch secret (\S+) from secrets manager: ResourceNotFoundException/i
const NETWORK = /context deadline exceeded|i\/o timeout|connection issue/i

export function classifySecretFailure(reason: string): SecretFailure | undefined {
  const fetch = SECRET_FETCH.exec(reason)
  if (!fetch) return undefined
  const service = (fetch[1] ?? fetch[2] ?? '').toLowerCase() === 'asm' ? 'Secrets Manager' : 'Systems Manager'
  const denied = DENIED.exec(reason)
  if (denied) {
    return {
      kind: 'denied',
      principal: denied[1] ?? '',
      action: denied[2] ?? '',
      resource: (denied[3] ?? '').replace(/\.$/, '')
    }
  }
  if (KMS.test(reason)) return { kind: 'kms' }
  const missing = MISSING_PARAMETERS.exec(reason) ?? MISSING_SECRET.exec(reason)
  if (missing) return { kind: 'missing', names: (missing[1] ?? '').replace(/\.$/, '').split(/, ?/) }
  if (NETWORK.test(reason)) return { kind: 'network', service }
  return undefined
}

/** `arn:aws:sts::1:assumed-role/Name/task-id` → `Name`: the role as IAM lists it (without its path). */
function roleName(principal: string): string {
  const match = /:assumed-role\/([^/]+)\//.exec(principal)
  return match?.[1] ?? principal
}

/**
 * The explanation to add to a failure whose text says a container could not read its secrets, or
 * undefined for any other failure. `policy` is what this run computed for the execution role.
 */
export function explainSecretFailure(failure: string, policy: PolicyDocument | undefined): string | undefined {
  const found = classifySecretFailure(failure)
  if (!found) return undefined
  const attach = policy
    ? ` Attach this policy to the execution role (it is also the execution-role-policy output):\n${JSON.stringify(policy, null, 2)}`
    : ''
  switch (found.kind) {
    case 'denied':
      return `The container could not start: its execution role ${roleName(found.principal)} may not call ${found.action} on ${found.resource}.${attach}`
    case 'kms':
      return `The container could not start: its execution role may not decrypt its secrets (kms:Decrypt on their KMS key; a customer managed key's key policy must allow the role too).${attach}`
    case 'missing':
      return `The container could not start: ${found.names.join(', ')} does not exist where the task runs (check the region). Sync it with '${INPUT.secrets}' or '${INPUT.variables}', or correct the reference.`
    case 'network':
      return `The container could not reach ${found.service} to read its secrets: this is the task's network, not a permission. Give its subnets a route to the service (a NAT gateway, a public IP in a public subnet, or VPC endpoints for ssm, secretsmanager and kms).`
  }
}

/** A job queue and its compute environments, as DescribeJobQueues and DescribeComputeEnvironments answer. */
export interface QueueState {
  name: string
  state?: string | undefined
  status?: string | undefined
  statusReason?: string | undefined
  computeEnvironments: {
    name: string
    state: string | undefined
    status: string | undefined
    statusReason: string | undefined
    maxvCpus: number | undefined
    /** computeResources.type: EC2, SPOT, FARGATE or FARGATE_SPOT (undefined for an unmanaged one) */
    type?: string | undefined
  }[]
}

/** The vCPUs a Batch container asks for: its VCPU resource requirement, or the older `vcpus`. */
export function containerVcpus(
  container:
    | {
        vcpus?: number | undefined
        resourceRequirements?: { type?: string | undefined; value?: string | undefined }[] | undefined
      }
    | undefined
): number | undefined {
  const vcpus = Number(container?.resourceRequirements?.find((r) => r.type === 'VCPU')?.value ?? container?.vcpus)
  return Number.isFinite(vcpus) && vcpus > 0 ? vcpus : undefined
}

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`)

/**
 * Why a Batch job may still be RUNNABLE. Batch writes its own diagnosis into statusReason (e.g.
 * `MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - …`), sometimes only after minutes; the queue's
 * compute environments show the rest (FAILURES.md, section 2).
 */
export function diagnoseRunnable(
  job: { statusReason: string | undefined; vcpus: number | undefined },
  queue: QueueState | undefined
): string[] {
  const found = job.statusReason ? [`Batch says: ${sentence(job.statusReason)}`] : []
  for (const ce of queue?.computeEnvironments ?? []) {
    if (ce.state === 'DISABLED') found.push(`Compute environment ${ce.name} is DISABLED: enable it.`)
    if (ce.status === 'INVALID')
      found.push(`Compute environment ${ce.name} is INVALID: ${sentence(ce.statusReason ?? 'no reason given')}`)
    if (job.vcpus !== undefined && ce.maxvCpus !== undefined && ce.maxvCpus < job.vcpus) {
      found.push(`The job asks for ${job.vcpus} vCPUs; compute environment ${ce.name} has maxvCpus ${ce.maxvCpus}.`)
    }
  }
  if (queue && queue.computeEnvironments.length === 0) found.push(`Job queue ${queue.name} has no compute environment.`)
  return found
}
