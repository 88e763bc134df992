// Apply: registers the planned definition once (a lost answer is looked up first), then
// deregisters revisions beyond keep-revisions.
import type { DefinitionStore, DescribedDefinition } from '../aws/definition-store.js'
import { mapWithConcurrency, type Sleep } from '../concurrency.js'
import { sendOnce } from './send.js'
import { sameRevision, type DefinitionPlan, type DefinitionState } from '../plan/definitions.js'
import type { Logger } from '../errors.js'

const DEREGISTER_CONCURRENCY = 4

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
  const { store, state, plan } = options
  const what = `Register ${state.model.kind === 'batch' ? 'job' : 'task'} definition ${state.name}`
  const lookup = async () => {
    const latest = await store.latest(state.name)
    const isNew = latest && latest.revision > (state.current?.revision ?? 0)
    return isNew && sameRevision(state.model, latest.document, plan.definition)
      ? { arn: latest.arn, revision: latest.revision }
      : undefined
  }
  const registered = await sendOnce({
    ...options,
    what,
    send: () => store.register(plan.definition),
    lookup,
    incomplete: (answer) =>
      answer.arn
        ? undefined
        : `${what} was answered without the new revision's ARN; it is not registered again, it is looked up`
  })
  if (registered) return registered
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
