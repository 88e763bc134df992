// Pure: the whole plan of a run, from the request and the state read before it. Dry-run prints
// this value; apply executes it.
import type { ActionRequest } from '../inputs/index.js'
import type { State } from '../read.js'
import type { DefinitionPlan } from './definitions.js'
import { checkLaunch } from './launch.js'
import { planParameters, type ParameterChange } from './parameters.js'
import { planDefinition, planSecrets, unsyncedReferences, type SecretsPlan } from './secrets.js'

export interface Plan {
  /** Every selected parameter (created, updated or unchanged) and every one pruned. */
  changes: ParameterChange[]
  /** The references and the execution role's policy; undefined when the account is unknown. */
  secrets: SecretsPlan | undefined
  /** The rewritten definition, when the run has one. */
  definition: DefinitionPlan | undefined
}

export function plan(request: ActionRequest, state: State): Plan {
  const changes = planParameters({
    entries: request.entries,
    path: request.path,
    tier: request.tier,
    current: state.sync.current,
    ...(state.sync.managed ? { managed: state.sync.managed } : {})
  })
  const { identity } = state
  if (!identity) return { changes, secrets: undefined, definition: undefined }
  if (!state.definition || !request.definition)
    return { changes, secrets: planSecrets(request, identity), definition: undefined }

  // A reference is stale when its parameter is deleted by this run or is gone already.
  const deleted = new Set(changes.filter((change) => change.status === 'deleted').map((change) => change.name))
  const stale = unsyncedReferences(request, identity, state.definition.source).filter(
    (name) => deleted.has(name) || !state.existingReferences.has(name)
  )
  const secrets = planSecrets(request, identity, new Set(stale))
  const definition = planDefinition(state.definition, request.definition, secrets)
  // A launch the inputs make impossible (too many job tags, no subnets for awsvpc) fails here.
  if (request.launch) {
    checkLaunch(request.launch.target, {
      definition: definition.definition,
      definitionName: state.definition.name,
      request
    })
  }
  return { changes, secrets, definition }
}
