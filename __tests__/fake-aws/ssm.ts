// SSM Parameter Store, limited to the requests the action sends (GetParameters, PutParameter,
// AddTagsToResource, DescribeParameters, DeleteParameters). Rules as AWS documents them: the API
// reference of each operation and of the Tag and ParameterStringFilter types, "Requirements and
// constraints for parameter names" and "Managing parameter tiers" (Systems Manager user guide).
import { randomBytes } from 'node:crypto'
import { partitionOf } from './identity.js'
import { AwsError } from './protocols.js'
import { asRecord, optBool, optInt, optList, optString, reqString, stringList, validationError } from './validate.js'
import type { Input, ServiceDefinition, ServiceEnv } from './types.js'

export type ParameterType = 'String' | 'StringList' | 'SecureString'
export type Tier = 'Standard' | 'Advanced' | 'Intelligent-Tiering'
type StoredTier = 'Standard' | 'Advanced'

/** PutParameter: a SecureString without KeyId is encrypted with the account's AWS managed key. */
const DEFAULT_KEY_ID = 'alias/aws/ssm'
/** Value limits per tier, in characters (not bytes). */
const STANDARD_MAX = 4096
const ADVANCED_MAX = 8192
const MAX_LEVELS = 15
/** The 1011-character name limit includes the ARN text that precedes the name. */
const MAX_NAME_WITH_ARN = 1011
const MAX_TAGS = 50

interface Stored {
  name: string
  value: string
  /** what a read without WithDecryption returns for a SecureString */
  ciphertext: string
  type: ParameterType
  keyId?: string
  tier: StoredTier
  version: number
  lastModifiedDate: Date
  tags: Map<string, string>
}

export type SsmParameter = Pick<Stored, 'name' | 'value' | 'type' | 'version' | 'tier' | 'keyId'> & {
  tags: Record<string, string>
}

export interface SsmSeed {
  name: string
  value: string
  /** default on create: String; on overwrite: the current type */
  type?: ParameterType
  tier?: Tier
  keyId?: string
  tags?: Record<string, string>
}

const parameterArn = (env: ServiceEnv, name: string) =>
  `arn:${partitionOf(env.region)}:ssm:${env.region}:${env.accountId}:parameter/${name.replace(/^\//, '')}`

const invalid = (message: string) => new AwsError('ValidationException', message)
// AWS's messages, verbatim.
// prettier-ignore
const MESSAGE = {
  name: 'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_',
  prefix: 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).',
  levels: `Parameter name can have a maximum of ${MAX_LEVELS} levels (hierarchy depth).`,
  downgrade: "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
  standard: `Standard tier parameters support a maximum parameter value of ${STANDARD_MAX} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html`,
  advanced: `Advanced tier parameters support a maximum parameter value of ${ADVANCED_MAX} characters.`,
  tagsWithOverwrite: "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
  exists: 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
  tooManyTags: 'The Targets parameter includes too many tags. Remove one or more tags and try the command again.',
  resourceId: "The resource ID isn't valid. Verify that you entered the correct ID and try again."
}

function validateName(name: string, env: ServiceEnv): void {
  if (name.includes('/') && !name.startsWith('/')) throw invalid('Parameter name must be a fully qualified name.')
  const bare = name.replace(/^\//, '')
  const isPath = bare.includes('/')
  if (/^(aws|ssm)/i.test(bare)) {
    // /aws/... is the namespace of AWS's public parameters: writing there is an authorisation failure.
    if (isPath && /^aws/i.test(bare)) {
      throw new AwsError('AccessDeniedException', `No access to reserved parameter name: ${name}.`)
    }
    throw invalid(isPath ? MESSAGE.name : MESSAGE.prefix)
  }
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name) || bare.split('/').includes('')) throw invalid(MESSAGE.name)
  if (bare.split('/').length > MAX_LEVELS) throw new AwsError('HierarchyLevelLimitExceededException', MESSAGE.levels)
  if (parameterArn(env, name).length > MAX_NAME_WITH_ARN) {
    throw invalid(
      `Parameter name: the name, including the ARN prefix ${parameterArn(env, '')}, can't be longer than ${MAX_NAME_WITH_ARN} characters.`
    )
  }
}

/** The tier a put ends up with, or the error AWS gives for it. */
function resolveTier(requested: Tier | undefined, value: string, existing: StoredTier | undefined): StoredTier {
  const length = [...value].length
  // Intelligent-Tiering: Standard when the value fits, Advanced otherwise; Advanced never goes back.
  const intelligent = existing === 'Advanced' || length > STANDARD_MAX ? 'Advanced' : 'Standard'
  const tier = requested === 'Intelligent-Tiering' ? intelligent : (requested ?? 'Standard')
  if (tier === 'Standard' && existing === 'Advanced') throw invalid(MESSAGE.downgrade)
  if (tier === 'Standard' && length > STANDARD_MAX) throw invalid(MESSAGE.standard)
  if (length > ADVANCED_MAX) throw invalid(MESSAGE.advanced)
  return tier
}

// Tag: key 1-128 and value 0-256 characters of letters, spaces, numbers and _.:/=+-@; no aws: keys.
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u
const KEY_PATTERN = '^(?!^(?i)aws:)(?=^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$).*$'
const VALUE_PATTERN = '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$'
const MATCH = 'Member must satisfy regular expression pattern: '

function readTags(list: unknown[]): Array<[string, string]> {
  return list.map((item, i) => {
    const tag = asRecord(item, 'Tags')
    const [Key, Value] = [String(tag.Key), String(tag.Value)]
    const at = `tags.${i + 1}.member`
    const broken = (
      [
        [Key.length < 1, 'key', 'Member must have length greater than or equal to 1'],
        [Key.length > 128, 'key', 'Member must have length less than or equal to 128'],
        [/^aws:/i.test(Key) || !TAG_CHARS.test(Key), 'key', MATCH + KEY_PATTERN],
        [Value.length > 256, 'value', 'Member must have length less than or equal to 256'],
        [!TAG_CHARS.test(Value), 'value', MATCH + VALUE_PATTERN]
      ] as const
    ).find(([bad]) => bad)
    if (broken) throw validationError(`${at}.${broken[1]}`, broken[1] === 'key' ? Key : Value, broken[2])
    return [Key, Value]
  })
}

/** Existing keys are overwritten; more than 50 tags on a parameter is refused. */
function mergeTags(current: Map<string, string>, tags: Array<[string, string]>): Map<string, string> {
  const next = new Map([...current, ...tags])
  if (next.size > MAX_TAGS) throw new AwsError('TooManyTagsError', MESSAGE.tooManyTags)
  return next
}

const withSlash = (name: string) => '/' + name.replace(/^\//, '')
const parentPath = (name: string) => withSlash(name).slice(0, withSlash(name).lastIndexOf('/')) || '/'

/** ParameterStringFilter: only what the action sends, Path (OneLevel) and tag:KEY (Equals), is modelled. */
function compileFilter(item: unknown): (p: Stored) => boolean {
  const { Key, Option, Values } = asRecord(item, 'ParameterFilters')
  const values = Array.isArray(Values) ? Values.map(String) : []
  if (Key === 'Path' && (Option ?? 'OneLevel') === 'OneLevel') return (p) => values.includes(parentPath(p.name))
  if (typeof Key === 'string' && Key.startsWith('tag:') && (Option ?? 'Equals') === 'Equals') {
    const tag = Key.slice(4)
    // A tag filter without values matches every parameter that has the key.
    return (p) => p.tags.has(tag) && (values.length === 0 || values.includes(p.tags.get(tag) ?? ''))
  }
  throw new AwsError('NotModelledByFake', `fake-aws does not model the filter ${String(Key)} ${String(Option)}.`)
}

/** Sorted by name; the token names the last item returned, so pages stay stable while state changes. */
function paginate(items: Stored[], max: number, token: string | undefined) {
  const after = token === undefined ? '' : Buffer.from(token, 'base64url').toString('utf8')
  const rest = items.sort((a, b) => (a.name < b.name ? -1 : 1)).filter((p) => p.name > after)
  const page = rest.slice(0, max)
  const last = page.at(-1)
  return { page, nextToken: rest.length > max && last ? Buffer.from(last.name).toString('base64url') : undefined }
}

export class SsmState {
  private readonly params = new Map<string, Stored>()

  constructor(private readonly env: ServiceEnv) {}

  /** Seeds a parameter by the rules of PutParameter: creates it, or adds the tags and overwrites it. */
  put(seed: SsmSeed): void {
    const exists = this.params.has(seed.name)
    const tags = Object.entries(seed.tags ?? {}).map(([Key, Value]) => ({ Key, Value }))
    if (exists && tags.length > 0) this.addTags({ ResourceType: 'Parameter', ResourceId: seed.name, Tags: tags })
    this.putParameter({
      Name: seed.name,
      Value: seed.value,
      Type: seed.type ?? (exists ? undefined : 'String'),
      Tier: seed.tier,
      KeyId: seed.keyId,
      Overwrite: exists,
      Tags: exists || tags.length === 0 ? undefined : tags
    })
  }

  get(name: string): SsmParameter | undefined {
    const p = this.params.get(name)
    if (!p) return undefined
    const { value, type, version, tier, keyId } = p
    return { name, value, type, version, tier, ...(keyId !== undefined && { keyId }), tags: Object.fromEntries(p.tags) }
  }

  names(): string[] {
    return [...this.params.keys()].sort()
  }

  putParameter(input: Input): { Version: number; Tier: StoredTier } {
    const name = reqString(input, 'Name')
    const value = reqString(input, 'Value')
    const type = optString(input, 'Type') as ParameterType | undefined
    const tier = optString(input, 'Tier') as Tier | undefined
    const keyId = optString(input, 'KeyId')
    const overwrite = optBool(input, 'Overwrite') ?? false
    const tagList = optList(input, 'Tags')
    validateName(name, this.env)
    if (value.length === 0) {
      throw validationError('value', undefined, 'Member must have length greater than or equal to 1')
    }
    if (tagList !== undefined && tagList.length > 0 && overwrite) throw invalid(MESSAGE.tagsWithOverwrite)
    const tags = readTags(tagList ?? [])
    const existing = this.params.get(name)
    if (existing && !overwrite) throw new AwsError('ParameterAlreadyExists', MESSAGE.exists)
    const newType = type ?? existing?.type
    if (newType === undefined) throw invalid('A parameter type is required when you create a parameter.')
    const stored: Stored = {
      name,
      value,
      ciphertext: 'AQICAH' + randomBytes(48 + Buffer.byteLength(value)).toString('base64'),
      type: newType,
      ...(newType === 'SecureString' && { keyId: keyId ?? DEFAULT_KEY_ID }),
      tier: resolveTier(tier, value, existing?.tier),
      version: (existing?.version ?? 0) + 1,
      lastModifiedDate: new Date(),
      tags: mergeTags(existing?.tags ?? new Map(), tags)
    }
    this.params.set(name, stored)
    // PutParameter's answer: "Tier: The tier assigned to the parameter" (API_PutParameter), so
    // Standard or Advanced, never Intelligent-Tiering.
    return { Version: stored.version, Tier: stored.tier }
  }

  private metadata(p: Stored) {
    const { name: Name, type: Type, version: Version, lastModifiedDate: LastModifiedDate } = p
    return { Name, Type, Version, LastModifiedDate, ARN: parameterArn(this.env, p.name), DataType: 'text' }
  }

  getParameters(input: Input) {
    const names = [...new Set(stringList(input, 'Names', 1, 10))]
    const decrypt = optBool(input, 'WithDecryption') ?? false
    return {
      Parameters: names
        .map((name) => this.params.get(name))
        .filter((p) => p !== undefined)
        .map((p) => ({ ...this.metadata(p), Value: p.type === 'SecureString' && !decrypt ? p.ciphertext : p.value })),
      InvalidParameters: names.filter((name) => !this.params.has(name))
    }
  }

  describeParameters(input: Input) {
    const max = optInt(input, 'MaxResults', 1, 50) ?? 50
    const filters = (optList(input, 'ParameterFilters') ?? []).map(compileFilter)
    const matches = [...this.params.values()].filter((p) => filters.every((f) => f(p)))
    const { page, nextToken } = paginate(matches, max, optString(input, 'NextToken'))
    return {
      Parameters: page.map((p) => ({ ...this.metadata(p), KeyId: p.keyId, Tier: p.tier })),
      NextToken: nextToken
    }
  }

  deleteParameters(input: Input) {
    const names = [...new Set(stringList(input, 'Names', 1, 10))]
    const deleted = names.filter((name) => this.params.delete(name))
    return { DeletedParameters: deleted, InvalidParameters: names.filter((name) => !deleted.includes(name)) }
  }

  addTags(input: Input) {
    const type = reqString(input, 'ResourceType')
    const id = reqString(input, 'ResourceId')
    if (type !== 'Parameter') throw new AwsError('InvalidResourceType', "The resource type isn't valid.")
    const p = this.params.get(id)
    if (!p) throw new AwsError('InvalidResourceId', MESSAGE.resourceId)
    p.tags = mergeTags(p.tags, readTags(optList(input, 'Tags') ?? []))
    return {}
  }
}

export function createSsm(env: ServiceEnv): { definition: ServiceDefinition; state: SsmState } {
  const state = new SsmState(env)
  return {
    state,
    definition: {
      service: 'ssm',
      protocol: 'awsJson1_1',
      targetPrefix: 'AmazonSSM',
      // IAM.md 3.3: 400 AccessDeniedException naming the parameter's ARN (the account's `*` without a name).
      accessDenied: {
        code: 'AccessDeniedException',
        status: 400,
        resource: (_op, i) => {
          const name = [i.Name, i.ResourceId, ...(Array.isArray(i.Names) ? i.Names : [])].find(
            (n) => typeof n === 'string'
          )
          return typeof name === 'string' ? parameterArn(env, name) : parameterArn(env, '').replace(/parameter\/$/, '*')
        }
      },
      writeOperations: ['PutParameter', 'DeleteParameters', 'AddTagsToResource'],
      sensitiveInput: { PutParameter: ['Value'] },
      operations: {
        PutParameter: (i) => state.putParameter(i),
        GetParameters: (i) => state.getParameters(i),
        DescribeParameters: (i) => state.describeParameters(i),
        DeleteParameters: (i) => state.deleteParameters(i),
        AddTagsToResource: (i) => state.addTags(i)
      }
    }
  }
}
