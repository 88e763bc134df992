// Pure: what the read-only preflight checks found, from the facts src/preflight.ts read. Each check
// passes, fails (with the fix), or could not be made (the workflow role may not read it).
import type { QueueState } from './failures.js'
import type { PolicyDocument } from './policy.js'

export type PreflightMode = 'true' | 'strict' | 'false'

export interface Finding {
  check: string
  status: 'passed' | 'failed' | 'unchecked'
  detail: string
  /** A failure that only warns: what the workflow role may do cannot be proven without side effects. */
  warnOnly?: boolean
}

/** A fact read for a check, or why it could not be read. */
export type Read<T> = { value: T } | { error: string }

export interface KeyFacts {
  arn: string
  state: string | undefined
  spec: string | undefined
  usage: string | undefined
}

export interface ServiceFacts {
  status: string | undefined
  controller: string | undefined
  launchType: string | undefined
  capacityProviders: string[]
}

export interface NetworkFacts {
  /** The subnets and security groups found, with their VPC; a missing one is an error read. */
  subnets: { id: string; vpcId: string | undefined }[]
  securityGroups: { id: string; vpcId: string | undefined }[]
  /** EC2's message when an id does not exist (it fails the whole request). */
  notFound?: string
}

/** One denied (action, resource) of a simulation, with IAM's decision. */
export interface Denial {
  action: string
  resource: string
  decision: string
}

/** What each check read; a check that does not apply to the run read nothing. */
export interface TargetFacts {
  key?: Read<KeyFacts | undefined> | undefined
  queue?: Read<QueueState | undefined> | undefined
  cluster?: Read<{ status: string | undefined } | undefined> | undefined
  service?: Read<ServiceFacts | undefined> | undefined
  network?: Read<NetworkFacts> | undefined
}

export const passed = (check: string, detail: string): Finding => ({ check, status: 'passed', detail })
export const failed = (check: string, detail: string): Finding => ({ check, status: 'failed', detail })
export const unchecked = (check: string, error: string, permission: string): Finding => ({
  check,
  status: 'unchecked',
  detail: `could not be checked (${error}); it needs ${permission}`
})

/** A check over a fact: `unchecked` when the fact could not be read. */
export function over<T>(check: string, read: Read<T>, permission: string, evaluate: (value: T) => Finding): Finding {
  return 'error' in read ? unchecked(check, read.error, permission) : evaluate(read.value)
}

export function keyFinding(keyId: string, read: Read<KeyFacts | undefined>, region: string): Finding {
  const check = 'KMS key'
  return over(check, read, 'kms:DescribeKey', (key) => {
    if (!key) return failed(check, `kms-key-id '${keyId}' names no key in ${region}: create it or fix the input`)
    const region_ = key.arn.split(':')[3]
    const problems = [
      key.state === 'Enabled' ? '' : `its state is ${key.state ?? 'unknown'}, not Enabled: enable it`,
      key.spec === undefined || key.spec === 'SYMMETRIC_DEFAULT'
        ? ''
        : `it is ${key.spec}; Parameter Store needs a symmetric key`,
      key.usage === undefined || key.usage === 'ENCRYPT_DECRYPT'
        ? ''
        : `its usage is ${key.usage}; Parameter Store needs ENCRYPT_DECRYPT`,
      region_ === region ? '' : `it is in ${region_}; the parameters are in ${region}: use a key in ${region}`
    ].filter(Boolean)
    return problems.length > 0
      ? failed(check, `${key.arn}: ${problems.join('; ')}`)
      : passed(check, `${key.arn} is enabled and symmetric`)
  })
}

/** Each execution role can do every (action, resource) its containers need; a denial prints the policy to attach. */
export function roleFindings(
  simulations: { role: string; read: Read<Denial[]> }[],
  policy: PolicyDocument | undefined
): Finding[] {
  const check = 'Execution role'
  return simulations.map(({ role, read }) =>
    over(check, read, 'iam:SimulatePrincipalPolicy', (denials) => {
      if (denials.length === 0) return passed(check, `${role} may read these secrets`)
      const denied = denials.map((d) => `${d.action} on ${d.resource} (${d.decision})`).join(', ')
      const fix = policy ? ` Attach this policy to it:\n${JSON.stringify(policy, null, 2)}` : ''
      return failed(check, `${role} cannot ${denied}; its containers would not start.${fix}`)
    })
  )
}

/** The workflow role may pass the definition's roles; only a warning, as the simulation sees identity policies only. */
export function passRoleFinding(caller: string, read: Read<Denial[]>): Finding {
  const check = 'Workflow role'
  const finding = over(check, read, 'iam:SimulatePrincipalPolicy on itself', (denials) =>
    denials.length === 0
      ? passed(check, `${caller} may pass the definition's roles`)
      : failed(
          check,
          `${caller} may not ${denials.map((d) => `${d.action} on ${d.resource}`).join(', ')}: registering or launching will be refused; allow it`
        )
  )
  return { ...finding, warnOnly: true }
}

/** Every secret the definition will reference that the run does not write exists (and is not being deleted). */
export function referenceFinding(found: {
  missing: string[]
  deleted: string[]
  checked: number
  error?: string
}): Finding {
  const check = 'References'
  const { missing, deleted, checked, error } = found
  const problems = [
    missing.length > 0 ? `not found: ${missing.join(', ')}` : '',
    deleted.length > 0 ? `scheduled for deletion: ${deleted.join(', ')}` : ''
  ].filter(Boolean)
  if (problems.length > 0) {
    return failed(
      check,
      `${problems.join('; ')}; containers referencing them would not start: create or restore them, or remove the references`
    )
  }
  if (error) return unchecked(check, error, 'ssm:GetParameters and secretsmanager:DescribeSecret')
  if (checked === 0) return passed(check, 'the definition references no secret besides those this run syncs')
  return passed(check, `${checked} referenced secret${checked === 1 ? ' exists' : 's exist'}`)
}

/** The error that stops the run before any write, when a check failed (or, strict, could not be made). */
export function preflightFailure(findings: readonly Finding[], mode: PreflightMode): string | undefined {
  const stopping = findings.filter(
    (finding) =>
      (finding.status === 'failed' && !finding.warnOnly) || (mode === 'strict' && finding.status === 'unchecked')
  )
  if (stopping.length === 0) return undefined
  const lines = stopping.map((finding) => `- ${finding.check}: ${finding.detail}`)
  return `Preflight: ${stopping.length} check${stopping.length === 1 ? '' : 's'} failed; nothing was written.\n${lines.join('\n')}`
}

const SYMBOL: Record<Finding['status'], string> = { passed: '✅', failed: '❌', unchecked: '⚠️' }

/** One line per finding, for the log and the summary: the detail's first line (a policy follows in the error). */
export function findingLine(finding: Finding): string {
  const symbol = finding.status === 'failed' && finding.warnOnly ? '⚠️' : SYMBOL[finding.status]
  return `${symbol} ${finding.check}: ${finding.detail.split('\n')[0]}`
}
