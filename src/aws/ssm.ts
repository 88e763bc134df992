import {
  AddTagsToResourceCommand,
  DeleteParametersCommand,
  GetParametersCommand,
  PutParameterCommand,
  paginateDescribeParameters,
  type SSMClient
} from '@aws-sdk/client-ssm'
import type { CurrentParameter, ManagedParameter } from '../plan/parameters.js'
import { MANAGED_BY_KEY, MANAGED_BY_VALUE, type Tag } from '../plan/rules.js'
import { chunk, mapWithConcurrency } from '../concurrency.js'

// GetParameters and DeleteParameters take at most 10 names per request.
const NAMES_PER_REQUEST = 10
const READ_CONCURRENCY = 40

/** Reads the current values of `names` (decrypted unless told not to), 10 names a request. */
export async function readParameters(
  ssm: SSMClient,
  names: readonly string[],
  options: { decrypt: boolean } = { decrypt: true }
): Promise<Map<string, CurrentParameter>> {
  const batches = await mapWithConcurrency(chunk(names, NAMES_PER_REQUEST), READ_CONCURRENCY, async (batch) => {
    const response = await ssm.send(new GetParametersCommand({ Names: batch, WithDecryption: options.decrypt }))
    return response.Parameters ?? []
  })
  const current = new Map<string, CurrentParameter>()
  for (const parameter of batches.flat()) {
    if (!parameter.Name) continue
    current.set(parameter.Name, {
      name: parameter.Name,
      value: parameter.Value ?? '',
      type: parameter.Type ?? 'String',
      version: parameter.Version ?? 0,
      arn: parameter.ARN ?? ''
    })
  }
  return current
}

/** Parameters directly under `path` that carry the managed-by tag. */
export async function listManagedParameters(ssm: SSMClient, path: string): Promise<ManagedParameter[]> {
  const managed: ManagedParameter[] = []
  const pages = paginateDescribeParameters(
    { client: ssm },
    {
      ParameterFilters: [
        { Key: 'Path', Option: 'OneLevel', Values: [path.replace(/\/$/, '') || '/'] },
        { Key: `tag:${MANAGED_BY_KEY}`, Values: [MANAGED_BY_VALUE] }
      ]
    }
  )
  for await (const page of pages) {
    for (const parameter of page.Parameters ?? []) {
      if (!parameter.Name) continue
      managed.push({
        name: parameter.Name,
        type: parameter.Type ?? 'String',
        version: parameter.Version ?? 0,
        arn: parameter.ARN ?? ''
      })
    }
  }
  return managed
}

export interface WriteRequest {
  name: string
  value: string
  type: string
  tier: string
  kmsKeyId: string | undefined
  /** User tags plus the managed-by tag. */
  tags: readonly Tag[]
  exists: boolean
}

export interface WriteResult {
  version: number
  tier: string
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof Error && error.name === 'ParameterAlreadyExists'
}

/**
 * Creates or overwrites one parameter and tags it. Parameter Store refuses Tags together with
 * Overwrite, so an existing parameter is tagged with AddTagsToResource, then overwritten.
 */
export async function writeParameter(ssm: SSMClient, request: WriteRequest): Promise<WriteResult> {
  const base = {
    Name: request.name,
    Value: request.value,
    Type: request.type as 'SecureString' | 'String',
    Tier: request.tier as 'Standard' | 'Advanced' | 'Intelligent-Tiering',
    ...(request.type === 'SecureString' && request.kmsKeyId ? { KeyId: request.kmsKeyId } : {})
  }
  const tags = request.tags.map((tag) => ({ Key: tag.key, Value: tag.value }))
  if (!request.exists) {
    try {
      const created = await ssm.send(new PutParameterCommand({ ...base, Overwrite: false, Tags: tags }))
      return { version: created.Version ?? 1, tier: created.Tier ?? request.tier }
    } catch (error) {
      // Created by someone else since we read it: overwrite instead, as the plan intends.
      if (!isAlreadyExists(error)) throw error
    }
  }
  // Tags first: when tagging fails the value is not written either, so a re-run (which compares
  // values only) writes and tags it; the other order leaves a new, untagged value no re-run repairs.
  await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: request.name, Tags: tags }))
  const updated = await ssm.send(new PutParameterCommand({ ...base, Overwrite: true }))
  return { version: updated.Version ?? 0, tier: updated.Tier ?? request.tier }
}

export interface DeleteResult {
  deleted: string[]
  missing: string[]
}

export async function deleteParameters(ssm: SSMClient, names: readonly string[]): Promise<DeleteResult> {
  const results = await mapWithConcurrency(chunk(names, NAMES_PER_REQUEST), 1, async (batch) =>
    ssm.send(new DeleteParametersCommand({ Names: batch }))
  )
  return {
    deleted: results.flatMap((result) => result.DeletedParameters ?? []),
    missing: results.flatMap((result) => result.InvalidParameters ?? [])
  }
}
