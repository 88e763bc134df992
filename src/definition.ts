import type { DefinitionStore, DescribedDefinition } from './aws/definition-store.js'
import type { Identity } from './aws/sts.js'
import { mapWithConcurrency, type Sleep } from './concurrency.js'
import { InputError } from './errors.js'
import type { ActionRequest, DefinitionRequest } from './inputs/index.js'
import { compareText, DefinitionError, type SecretRef } from './plan/containers.js'
import { sendOnce } from './launch/send.js'
import {
  planDefinitionRewrite,
  sameRevision,
  type DefinitionDocument,
  type DefinitionModel,
  type DefinitionPlan
} from './plan/definitions.js'
import { parameterName } from './plan/parameters.js'
import { executionRolePolicy, referenceArn, type PolicyDocument } from './plan/policy.js'
import { parameterArn } from './plan/rules.js'
import type { Logger } from './sync.js'

const DEREGISTER_CONCURRENCY = 4

export interface DefinitionState {
  model: DefinitionModel
  name: string
  /** The definition to start from: the file's, or the current one. */
  source: DefinitionDocument
  /** The revision in AWS that the rewrite is compared with, when there is one. */
  current: DescribedDefinition | undefined
}

const CHECK_NAME = 'Check the name and the region, or give the path of a definition file'

/** Reads the definition the input names; a missing one fails here, before any write. */
export async function readDefinitionState(
  store: DefinitionStore,
  model: DefinitionModel,
  request: DefinitionRequest
): Promise<DefinitionState> {
  const source = request.source
  switch (source.kind) {
    case 'file': {
      let document: DefinitionDocument
      try {
        document = model.fromFile(source.document)
      } catch (error) {
        throw new InputError(model.input, `'${source.path}' ${(error as Error).message}`)
      }
      const name = model.nameOf(document)
      return { model, name, source: document, current: await store.latest(name) }
    }
    case 'name': {
      const latest = await store.latest(source.name)
      if (!latest) {
        throw new InputError(
          model.input,
          `no ACTIVE revision of ${model.noun} '${source.name}' in this account and region. ${CHECK_NAME}`
        )
      }
      return { model, name: source.name, source: latest.document, current: latest }
    }
    case 'revision':
    case 'arn': {
      const reference = source.kind === 'arn' ? source.arn : `${source.name}:${source.revision}`
      const found = await store.revision(reference)
      if (!found) {
        throw new InputError(
          model.input,
          `${model.noun} '${reference}' not found in this account and region. ${CHECK_NAME}`
        )
      }
      return { model, name: found.name, source: found.document, current: found }
    }
  }
}

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
    throw new DefinitionError(
      `Input '${state.model.input}': container ${withoutRole.join(', ')} of '${state.name}' has no executionRoleArn; ${state.model.kind === 'batch' ? 'Batch' : 'ECS'} needs an execution role to read secrets. Give it a role with this policy:\n${JSON.stringify(secrets.policy, null, 2)}`
    )
  }
  return plan
}

export interface RegisterResult {
  arn: string
  revision: number
  registered: boolean
  deregistered: string[]
}

/**
 * Registers the rewritten definition. A lost answer is looked up (a newer revision equal to this
 * one is it) before registering again; an answer, whatever its shape, is never followed by another
 * register: without an ARN in it, the revision is looked up.
 */
async function registerOnce(options: {
  store: DefinitionStore
  state: DefinitionState
  plan: DefinitionPlan
  log: Logger
  sleep?: Sleep
}): Promise<{ arn: string; revision: number }> {
  const { store, state, plan, log } = options
  const what = `Register ${state.model.kind === 'batch' ? 'job' : 'task'} definition ${state.name}`
  const lookup = async () => {
    const latest = await store.latest(state.name)
    const isNew = latest && latest.revision > (state.current?.revision ?? 0)
    return isNew && sameRevision(state.model, latest.document, plan.definition)
      ? { arn: latest.arn, revision: latest.revision }
      : undefined
  }
  const answer = await sendOnce({ ...options, what, send: () => store.register(plan.definition), lookup })
  if (answer?.arn) return answer
  if (answer)
    log.warning(`${what} was answered without the new revision's ARN; it is not registered again, it is looked up`)
  const found = answer ? await lookup() : undefined
  if (found) return found
  throw new Error(
    `${what} was answered, so a revision was registered, but its ARN could not be read nor the revision found; it was not registered again. A re-run finds it`
  )
}

/** Registers the rewritten definition when it changed, then deregisters revisions beyond keep-revisions. */
export async function applyDefinition(options: {
  store: DefinitionStore
  state: DefinitionState
  plan: DefinitionPlan
  keepRevisions: number | undefined
  log: Logger
  sleep?: Sleep
}): Promise<RegisterResult> {
  const { store, state, plan, log } = options
  let result: RegisterResult
  if (plan.changed) {
    const registered = await registerOnce(options)
    log.info(`Registered ${state.name} revision ${registered.revision}`)
    result = { ...registered, registered: true, deregistered: [] }
  } else {
    const current = state.current as DescribedDefinition
    log.info(`${state.name} revision ${current.revision} already references every secret; nothing to register`)
    result = { arn: current.arn, revision: current.revision, registered: false, deregistered: [] }
  }
  if (options.keepRevisions !== undefined) {
    const revisions = await store.activeRevisions(state.name)
    const surplus = revisions.slice(options.keepRevisions).filter((revision) => revision.arn !== result.arn)
    // A few at a time: a family with hundreds of old revisions would otherwise take minutes.
    await mapWithConcurrency(surplus, DEREGISTER_CONCURRENCY, async (revision) => {
      await store.deregister(revision.arn)
      log.info(`Deregistered ${state.name} revision ${revision.revision} (keep-revisions: ${options.keepRevisions})`)
      result.deregistered.push(revision.arn)
    })
  }
  return result
}
