// Preflight: read-only checks that the launch can work, made before anything is written. What does
// not depend on the definition is read alongside the state; the rest (can the execution role read
// these secrets, do the references exist) once the plan is known, in one round of parallel requests.
import type { AwsClients } from './aws/clients.js'
import { describeQueue } from './aws/batch.js'
import { clusterStatus, describeKey, describeNetwork, describeSecret, serviceFacts, simulate } from './aws/preflight.js'
import { readParameters } from './aws/ssm.js'
import { callerArn } from './aws/sts.js'
import { describeAwsError, type Logger } from './errors.js'
import type { ActionRequest } from './inputs/index.js'
import type { Plan } from './plan/index.js'
import {
  findingLine,
  keyFinding,
  preflightFailure,
  passRoleFinding,
  referenceFinding,
  roleFindings,
  type Finding,
  type PreflightMode,
  type Read,
  type TargetFacts
} from './plan/preflight.js'
import { PARTIAL_SECRET_WILDCARD, secretArn, secretResource } from './plan/policy.js'
import { targetFindings } from './plan/preflight-target.js'
import { parameterArn } from './plan/rules.js'
import type { State } from './read.js'

function attempt<T>(read: () => Promise<T>): Promise<Read<T>> {
  return read().then(
    (value) => ({ value }),
    (error: unknown) => ({ error: describeAwsError(error) })
  )
}

export interface EarlyFacts extends TargetFacts {
  caller?: Read<string> | undefined
}

/** What the checks read that the definition does not decide; never rejects. */
export async function readEarlyFacts(clients: AwsClients, request: ActionRequest): Promise<EarlyFacts> {
  const target = request.launch?.target
  // The simulation goes out once the plan is known: its SDK loads meanwhile, off the critical path.
  if (request.definition) void clients.iam().catch(() => undefined)
  const [key, queue, cluster, service, network, caller] = await Promise.all([
    request.kmsKeyId ? attempt(() => describeKey(clients, request.kmsKeyId ?? '')) : undefined,
    target?.kind === 'batch-job' ? attempt(() => describeQueue(clients.batch(), target.jobQueue)) : undefined,
    target && target.kind !== 'batch-job'
      ? attempt(() => clusterStatus(clients.ecs(), target.cluster ?? 'default'))
      : undefined,
    target?.kind === 'ecs-service'
      ? attempt(() => serviceFacts(clients.ecs(), target.cluster, target.service))
      : undefined,
    target?.kind === 'ecs-task' && target.subnets.length > 0
      ? attempt(() => describeNetwork(clients, target.subnets, target.securityGroups))
      : undefined,
    request.definition ? attempt(() => callerArn(clients.sts())) : undefined
  ])
  return { key, queue, cluster, service, network, caller }
}

/** Every string a definition holds under a member whose name matches `key`, at any depth. */
function membersOf(document: unknown, key: RegExp): string[] {
  if (Array.isArray(document)) return document.flatMap((item) => membersOf(item, key))
  if (document === null || typeof document !== 'object') return []
  return Object.entries(document).flatMap(([name, inner]) =>
    key.test(name) && typeof inner === 'string' ? [inner] : membersOf(inner, key)
  )
}

/** The definition's references that this run does not write: do they exist, and not being deleted? */
async function checkReferences(clients: AwsClients, request: ActionRequest, state: State, planned: Plan) {
  const identity = state.identity
  if (!identity || !planned.definition) return undefined
  const arnOf = (name: string) => parameterArn({ ...identity, region: request.region, name })
  const written = new Set(planned.changes.map((change) => arnOf(change.name)))
  const own = arnOf('/').slice(0, -1)
  // Secrets and log secretOptions.
  const references = [...new Set(membersOf(planned.definition.definition, /^valueFrom$/))].filter(
    (ref) => !written.has(ref)
  )
  const secrets = references.filter((ref) => ref.includes(':secretsmanager:'))
  // Parameters of this account and Region, by name; another account's are not checked.
  const parameters = references
    .filter((ref) => !ref.includes(':secretsmanager:') && (ref.startsWith(own) || !ref.startsWith('arn:')))
    .map((ref) => (ref.startsWith(own) ? ref.slice(own.length) : ref))
  // Each kind on its own: a Secrets Manager the role may not read leaves the parameters checked.
  const [found, described] = await Promise.all([
    attempt(async () =>
      parameters.length > 0 ? readParameters(clients.ssm, parameters, { decrypt: false }) : new Map()
    ),
    attempt(() => Promise.all(secrets.map((id) => describeSecret(clients, secretArn(id)))))
  ])
  const errors = [found, described].flatMap((read) => ('error' in read ? [read.error] : []))
  // Each secret's policy resource (a partial ARN's has a `-??????` wildcard) → the ARN it has.
  const arns = new Map(
    'value' in described
      ? secrets.flatMap((id, index) => {
          const arn = described.value[index]?.arn
          return arn ? [[secretResource(id), arn] as const] : []
        })
      : []
  )
  return {
    arns,
    missing: [
      ...('value' in found ? parameters.filter((name) => !found.value.has(name)) : []),
      ...('value' in described ? secrets.filter((_, index) => described.value[index] === undefined) : [])
    ],
    deleted: 'value' in described ? secrets.filter((_, index) => described.value[index]?.deleted) : [],
    checked: parameters.length + secrets.length,
    ...(errors.length > 0 ? { error: errors.join('; ') } : {})
  }
}

/** The (action, resources, context) each execution role needs: the policy the run computed, key resolved. */
function needs(planned: Plan, request: ActionRequest, keyArn: string | undefined) {
  return (planned.secrets?.policy.Statement ?? []).flatMap((statement) => {
    const actions = [statement.Action].flat()
    if (actions.includes('kms:Decrypt')) {
      // SSM decrypts SecureStrings for the container through KMS (FAILURES.md 1.5).
      const context = { 'kms:ViaService': `ssm.${request.region}.amazonaws.com` }
      return keyArn ? [{ actions, resources: [keyArn], context }] : []
    }
    return [{ actions, resources: [statement.Resource].flat(), context: {} }]
  })
}

/** `arn:aws:sts::1:assumed-role/Name/session` → `arn:aws:iam::1:role/Name` (a role path is not in the STS ARN). */
function roleOfSession(arn: string): string | undefined {
  const match = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn)
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : undefined
}

/** Every check's finding, once the plan is known. */
export async function preflight(
  clients: AwsClients,
  request: ActionRequest,
  state: State,
  planned: Plan,
  early: EarlyFacts
): Promise<Finding[]> {
  const definition = planned.definition
  const keyArn = early.key && 'value' in early.key ? early.key.value?.arn : undefined
  const roles = [...new Set((definition?.containers ?? []).flatMap((slot) => slot.executionRoleArn ?? []))]
  const needed = needs(planned, request, keyArn)
  const caller = early.caller && 'value' in early.caller ? roleOfSession(early.caller.value) : undefined
  // The roles registering and launching pass to Batch or ECS.
  const passing = definition
    ? [...new Set(membersOf(definition.definition, /^(executionRoleArn|jobRoleArn|taskRoleArn)$/))]
    : []
  const referencesRead = checkReferences(clients, request, state, planned)
  // IAM matches the policy against the resource it is given, literally: a secret named without its
  // 6-character suffix is simulated on the ARN DescribeSecret read (ministackorg/ministack#1737
  // measured AWS: a grant on `secret:<name>-??????` is allowed on `secret:<name>-0ac6da`, denied
  // on `secret:<name>`). That one waits for the describe; nothing else does.
  const resourcesOf = async (resources: string[]): Promise<string[]> => {
    if (!resources.some((resource) => resource.endsWith(PARTIAL_SECRET_WILDCARD))) return resources
    const arns = (await referencesRead)?.arns
    return resources.map((resource) => arns?.get(resource) ?? resource)
  }
  const [simulations, references, passRole] = await Promise.all([
    Promise.all(
      roles.map(async (role) => ({
        role,
        read: await attempt(async () =>
          (
            await Promise.all(
              needed.map(async (need) =>
                simulate(clients, role, need.actions, await resourcesOf(need.resources), need.context)
              )
            )
          ).flat()
        )
      }))
    ),
    referencesRead,
    caller && passing.length > 0 ? attempt(() => simulate(clients, caller, ['iam:PassRole'], passing)) : undefined
  ])
  const findings: Finding[] = []
  if (request.kmsKeyId && early.key) findings.push(keyFinding(request.kmsKeyId, early.key, request.region))
  if (needed.length > 0) findings.push(...roleFindings(simulations, planned.secrets?.policy))
  if (references) findings.push(referenceFinding(references))
  if (request.launch && definition)
    findings.push(...targetFindings(request.launch.target, early, definition.definition))
  if (caller && passRole) findings.push(passRoleFinding(caller, passRole))
  return findings
}

/** Prints the findings; warns of checks that could not be made or only warn; the error that stops the run, if any. */
export function reportFindings(findings: readonly Finding[], mode: PreflightMode, log: Logger): string | undefined {
  for (const finding of findings) {
    log.info(findingLine(finding))
    const warns =
      (finding.status === 'unchecked' && mode !== 'strict') || (finding.status === 'failed' && finding.warnOnly)
    if (warns) log.warning(`Preflight: ${finding.check} ${finding.detail}`)
  }
  return preflightFailure(findings, mode)
}
