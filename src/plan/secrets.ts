// Pure: the secret references a definition gets, the stale ones it loses, and the policy its
// execution role needs.
import type { Identity } from '../aws/sts.js'
import type { ActionRequest, DefinitionRequest } from '../inputs/index.js'
import { InputError } from '../errors.js'
import { compareText, type SecretRef } from './containers.js'
import { planDefinitionRewrite, type DefinitionPlan, type DefinitionState } from './definitions.js'
import { parameterName } from './parameters.js'
import { executionRolePolicy, referenceArn, type PolicyDocument } from './policy.js'
import { parameterArn } from './rules.js'

export interface SecretsPlan {
  secrets: SecretRef[]
  logSecretOptions: SecretRef[]
  isStale: (valueFrom: string) => boolean
  policy: PolicyDocument
}

/** The parameter name a `valueFrom` points at in this account and region, or undefined. */
function referencedName(valueFrom: string, request: ActionRequest, identity: Identity): string | undefined {
  const arnPrefix = parameterArn({ ...identity, region: request.region, name: '' })
  if (valueFrom.startsWith(arnPrefix)) return `/${valueFrom.slice(arnPrefix.length)}`
  return valueFrom.startsWith('/') ? valueFrom : undefined
}

/**
 * With prune: the parameters directly under the path that a secret of the definition references
 * and the run does not sync. Only those that are deleted or gone are stale (see planSecrets).
 */
export function unsyncedReferences(request: ActionRequest, identity: Identity, document: unknown): string[] {
  if (!request.prune || !request.path) return []
  const synced = new Set(request.entries.map((entry) => parameterName(request.path, entry.key)))
  const names = new Set<string>()
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit)
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        const name = key === 'valueFrom' && typeof inner === 'string' && referencedName(inner, request, identity)
        if (!name) visit(inner)
        else if (name.startsWith(request.path) && !name.slice(request.path.length).includes('/') && !synced.has(name))
          names.add(name)
      }
    }
  }
  visit(document)
  return [...names]
}

/**
 * The secret references to inject and the policy the execution role needs for them. `stale` names
 * the parameters whose references are dropped: those this run deletes, and those already gone.
 */
export function planSecrets(
  request: ActionRequest,
  identity: Identity,
  stale: ReadonlySet<string> = new Set()
): SecretsPlan {
  const arnOf = (name: string): string =>
    parameterArn({ partition: identity.partition, region: request.region, account: identity.account, name })
  const secrets: SecretRef[] = [
    ...request.entries.map((entry) => ({ name: entry.key, valueFrom: arnOf(parameterName(request.path, entry.key)) })),
    ...request.references.map((reference) => ({ name: reference.name, valueFrom: referenceArn(reference, arnOf) }))
  ].sort((a, b) => compareText(a.name, b.name))
  const valueFromOf = new Map(secrets.map((secret) => [secret.name, secret.valueFrom]))
  const logSecretOptions = (request.definition?.logSecretOptions ?? []).map(({ option, name }) => ({
    name: option,
    valueFrom: valueFromOf.get(name) ?? ''
  }))
  const isStale = (valueFrom: string): boolean => stale.has(referencedName(valueFrom, request, identity) ?? '')
  const ssmArns = secrets.filter((secret) => secret.valueFrom.includes(':ssm:')).map((secret) => secret.valueFrom)
  const secretArns = secrets
    .filter((secret) => secret.valueFrom.includes(':secretsmanager:'))
    .map((secret) => secret.valueFrom)
  const policy = executionRolePolicy({
    parameterArns: ssmArns,
    secretArns,
    kmsKeyId: request.kmsKeyId,
    partition: identity.partition,
    region: request.region,
    account: identity.account
  })
  return { secrets, logSecretOptions, isStale, policy }
}

/** Rewrites the definition; a container without an execution role is an error that shows the policy. */
export function planDefinition(
  state: DefinitionState,
  request: DefinitionRequest,
  secrets: SecretsPlan
): DefinitionPlan {
  const plan = planDefinitionRewrite({
    model: state.model,
    source: state.source,
    current: state.current?.document,
    containers: request.containers,
    secrets: secrets.secrets,
    logSecretOptions: secrets.logSecretOptions,
    isStale: secrets.isStale
  })
  const withoutRole = plan.containers.filter((slot) => !slot.executionRoleArn).map((slot) => `'${slot.id}'`)
  if (secrets.secrets.length > 0 && withoutRole.length > 0) {
    throw new InputError(
      state.model.input,
      `container ${withoutRole.join(', ')} of '${state.name}' has no executionRoleArn; ${state.model.kind === 'batch' ? 'Batch' : 'ECS'} needs an execution role to read secrets. Give it a role with this policy:\n${JSON.stringify(secrets.policy, null, 2)}`
    )
  }
  return plan
}
