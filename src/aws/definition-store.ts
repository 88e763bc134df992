import type { DefinitionDocument } from '../plan/definitions.js'

/** One revision of a Batch job definition or ECS task definition, as AWS describes it. */
export interface DescribedDefinition {
  arn: string
  name: string
  revision: number
  status: string
  /** The describe shape, tags included. */
  document: DefinitionDocument
}

/** Where definitions are registered: Batch or ECS, behind one interface. */
export interface DefinitionStore {
  /** The latest ACTIVE revision, or undefined when there is none. */
  latest(name: string): Promise<DescribedDefinition | undefined>
  /** One revision by `name:revision` or ARN, or undefined when AWS does not know it. */
  revision(reference: string): Promise<DescribedDefinition | undefined>
  register(document: DefinitionDocument): Promise<{ arn: string; revision: number }>
  /** ARNs of every ACTIVE revision, newest first. */
  activeRevisions(name: string): Promise<{ arn: string; revision: number }[]>
  deregister(arn: string): Promise<void>
}
