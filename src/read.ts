// Reads everything the plan needs, before it: the parameters, the definition, the account, and
// which parameters a definition references exist. Nothing here writes.
import type { AwsClients } from './aws/clients.js'
import type { DefinitionStore } from './aws/definition-store.js'
import { listManagedParameters, readParameters } from './aws/ssm.js'
import { getIdentity, identityFromArn, type Identity } from './aws/sts.js'
import { describeAwsError, InputError, type Logger } from './errors.js'
import type { ActionRequest, DefinitionRequest } from './inputs/index.js'
import type { DefinitionDocument, DefinitionModel, DefinitionState } from './plan/definitions.js'
import { parameterName, type CurrentParameter, type ManagedParameter } from './plan/parameters.js'
import { unsyncedReferences } from './plan/secrets.js'

/** What AWS holds now, as far as this run is concerned. */
export interface State {
  sync: SyncState
  definition: DefinitionState | undefined
  /** Account and partition for ARNs; undefined when nothing needs them (or, without a definition, STS failed). */
  identity: Identity | undefined
  /** Of the parameters under the path that the definition references and the run does not sync, those that exist. */
  existingReferences: ReadonlySet<string>
}

/** The definition's shape and where it is registered, Batch or ECS. */
export interface DefinitionTarget {
  model: DefinitionModel
  store: DefinitionStore
}

function nothingWritten(what: string) {
  return (error: unknown): never => {
    if (error instanceof InputError) throw error
    throw new Error(`Reading ${what} failed, nothing was written: ${describeAwsError(error)}`, { cause: error })
  }
}

export async function readState(
  clients: AwsClients,
  request: ActionRequest,
  target: DefinitionTarget | undefined,
  log: Logger
): Promise<State> {
  const [sync, definition] = await Promise.all([
    readSyncState(clients, request).catch(nothingWritten('the current parameters')),
    target && request.definition
      ? readDefinitionState(target.store, target.model, request.definition).catch(
          nothingWritten(`the ${target.model.noun}`)
        )
      : undefined
  ])
  log.info(`${sync.current.size} of ${request.entries.length} parameters exist under ${request.path || '(no path)'}`)
  if (sync.managed) log.info(`${sync.managed.length} managed parameters found for pruning checks`)
  if (definition) {
    const { noun } = definition.model
    log.info(
      definition.current
        ? `${noun} ${definition.name}: revision ${definition.current.revision} (${definition.current.status})`
        : `${noun} ${definition.name}: not registered yet`
    )
  }
  const identity = await readIdentity(clients, request, sync, definition, log)
  const referenced = definition && identity ? unsyncedReferences(request, identity, definition.source) : []
  // Managed parameters were just listed; only the others need a read. Existence only: no need to
  // decrypt (or to be allowed to decrypt) someone else's values.
  const listed = new Set((sync.managed ?? []).map((parameter) => parameter.name))
  const unlisted = referenced.filter((name) => !listed.has(name))
  const existing =
    unlisted.length > 0
      ? await readParameters(clients.ssm, unlisted, { decrypt: false }).catch(nothingWritten('the current parameters'))
      : new Map()
  const existingReferences = new Set([...referenced.filter((name) => listed.has(name)), ...existing.keys()])
  return { sync, definition, identity, existingReferences }
}

/**
 * Account and partition for parameter ARNs, from an ARN already read where there is one (STS only
 * when nothing exists yet). A definition cannot do without them; outputs can.
 */
async function readIdentity(
  clients: AwsClients,
  request: ActionRequest,
  sync: SyncState,
  definition: DefinitionState | undefined,
  log: Logger
): Promise<Identity | undefined> {
  if (!definition && request.entries.length === 0 && (sync.managed ?? []).length === 0) return undefined
  const knownArns = [...arnsOf(sync), ...(definition?.current ? [definition.current.arn] : [])]
  for (const arn of knownArns) {
    const identity = identityFromArn(arn)
    if (identity) {
      log.debug(`Account ${identity.account} taken from an ARN already read`)
      return identity
    }
  }
  log.debug('No ARN read yet: asking STS GetCallerIdentity for the account')
  try {
    return await getIdentity(clients.sts())
  } catch (error) {
    const message = `Could not read the account id (STS GetCallerIdentity): ${describeAwsError(error)}`
    if (definition) throw new Error(message, { cause: error })
    log.warning(`${message}; parameter ARNs are left empty`)
    return undefined
  }
}

const CHECK_NAME = 'Check the name and the region, or give the path of a definition file'

/** Reads the definition the input names; a missing one fails here, before any write. */
async function readDefinitionState(
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
        // Said of the file: 'defs/app.json' has no family.
        if (error instanceof InputError) throw new InputError(error.input, `'${source.path}' ${error.problem}`)
        throw error
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

interface SyncState {
  current: Map<string, CurrentParameter>
  /** Managed parameters under the path; only read when pruning. */
  managed: ManagedParameter[] | undefined
}

/** Reads what exists now, concurrently: the desired names, and the prune candidates. */
async function readSyncState(clients: AwsClients, request: ActionRequest): Promise<SyncState> {
  const names = request.entries.map((entry) => parameterName(request.path, entry.key))
  const [current, managed] = await Promise.all([
    names.length > 0 ? readParameters(clients.ssm, names) : new Map<string, CurrentParameter>(),
    request.prune ? listManagedParameters(clients.ssm, request.path) : undefined
  ])
  return { current, managed }
}

function arnsOf(state: SyncState): string[] {
  return [...state.current.values(), ...(state.managed ?? [])].map((parameter) => parameter.arn)
}
