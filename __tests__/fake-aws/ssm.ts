import { randomBytes } from 'node:crypto'
import { callerArn } from './identity.js'
import { AwsError } from './protocols.js'
import { compileFilters, type FilterableParameter } from './ssm-filters.js'
import {
  DATA_TYPES,
  DEFAULT_KEY_ID,
  PARAMETER_TYPES,
  TIERS,
  mergeTags,
  parameterArn,
  readTags,
  resolveTier,
  validateName,
  validatePath,
  validateTagKey,
  validateValue,
  type ParameterType,
  type StoredTier,
  type Tier
} from './ssm-rules.js'
import { optBool, optEnum, optInt, optList, optString, reqString, stringList, validationError } from './validate.js'
import type { Input, ServiceDefinition, ServiceEnv } from './types.js'

/** AWS keeps the latest 100 versions of a parameter and deletes the oldest beyond that. */
const MAX_VERSIONS = 100

interface StoredVersion {
  version: number
  value: string
  /** what a read without WithDecryption returns for a SecureString */
  ciphertext: string
  type: ParameterType
  keyId?: string
  tier: StoredTier
  dataType: string
  description?: string
  lastModifiedDate: Date
}

interface StoredParameter {
  name: string
  versions: StoredVersion[]
  tags: Map<string, string>
}

export interface SsmParameter {
  name: string
  value: string
  type: ParameterType
  version: number
  tier: StoredTier
  keyId?: string
  dataType: string
  description?: string
  tags: Record<string, string>
  arn: string
  lastModifiedDate: Date
  history: Array<{ version: number; value: string }>
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

const latest = (p: StoredParameter) => p.versions[p.versions.length - 1]!

function pageToken(after: string): string {
  return Buffer.from(JSON.stringify({ after })).toString('base64url')
}

/** Sorted by name; the token names the last item returned, so pages stay stable while state changes. */
function paginate<T extends { name: string }>(items: T[], max: number, token: string | undefined) {
  let after = ''
  if (token !== undefined) {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
      after = String((parsed as { after: unknown }).after)
    } catch {
      throw new AwsError('InvalidNextToken', 'The specified token is not valid.')
    }
  }
  const rest = items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).filter((p) => p.name > after)
  const page = rest.slice(0, max)
  const last = page[page.length - 1]
  return { page, nextToken: rest.length > max && last ? pageToken(last.name) : undefined }
}

export class SsmState {
  private readonly params = new Map<string, StoredParameter>()

  constructor(private readonly env: ServiceEnv) {}

  /** Seeds a parameter by the rules of PutParameter: creates it, or overwrites it and adds the tags. */
  put(seed: SsmSeed): { version: number; tier: StoredTier } {
    const exists = this.params.has(seed.name)
    const tags = Object.entries(seed.tags ?? {}).map(([Key, Value]) => ({ Key, Value }))
    const out = this.putParameter({
      Name: seed.name,
      Value: seed.value,
      Type: seed.type ?? (exists ? undefined : 'String'),
      Tier: seed.tier,
      KeyId: seed.keyId,
      Overwrite: exists,
      Tags: exists || tags.length === 0 ? undefined : tags
    })
    if (exists && tags.length > 0)
      this.addTagsToResource({ ResourceType: 'Parameter', ResourceId: seed.name, Tags: tags })
    return { version: out.Version, tier: out.Tier }
  }

  get(name: string): SsmParameter | undefined {
    const p = this.params.get(name)
    if (!p) return undefined
    const v = latest(p)
    return {
      name,
      value: v.value,
      type: v.type,
      version: v.version,
      tier: v.tier,
      ...(v.keyId !== undefined && { keyId: v.keyId }),
      dataType: v.dataType,
      ...(v.description !== undefined && { description: v.description }),
      tags: Object.fromEntries(p.tags),
      arn: parameterArn(this.env, name),
      lastModifiedDate: v.lastModifiedDate,
      history: p.versions.map((h) => ({ version: h.version, value: h.value }))
    }
  }

  names(): string[] {
    return [...this.params.keys()].sort()
  }

  delete(name: string): boolean {
    return this.params.delete(name)
  }

  putParameter(input: Input): { Version: number; Tier: StoredTier } {
    const name = reqString(input, 'Name')
    const value = reqString(input, 'Value')
    const type = optEnum(input, 'Type', PARAMETER_TYPES)
    const tier = optEnum(input, 'Tier', TIERS)
    const dataType = optEnum(input, 'DataType', DATA_TYPES)
    const keyId = optString(input, 'KeyId')
    const description = optString(input, 'Description')
    const overwrite = optBool(input, 'Overwrite') ?? false
    const tagList = optList(input, 'Tags')
    optString(input, 'AllowedPattern')
    optString(input, 'Policies')

    validateName(name, this.env)
    validateValue(value)
    if (description !== undefined && description.length > 1024) {
      throw validationError('description', description, 'Member must have length less than or equal to 1024')
    }
    if (tagList !== undefined && tagList.length > 0 && overwrite) {
      throw new AwsError(
        'ValidationException',
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove " +
          'overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.'
      )
    }
    const tags = tagList === undefined ? [] : readTags(tagList)
    const existing = this.params.get(name)
    if (existing && !overwrite) {
      throw new AwsError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.'
      )
    }
    const previous = existing && latest(existing)
    const newType = type ?? previous?.type
    if (newType === undefined) {
      throw new AwsError('ValidationException', 'A parameter type is required when you create a parameter.')
    }
    const newTier = resolveTier(tier, value, previous?.tier)
    const newTags = mergeTags(existing?.tags ?? new Map(), tags)
    const newDescription = description ?? previous?.description

    const version: StoredVersion = {
      version: (previous?.version ?? 0) + 1,
      value,
      ciphertext: 'AQICAH' + randomBytes(48 + Buffer.byteLength(value)).toString('base64'),
      type: newType,
      ...(newType === 'SecureString' && { keyId: keyId ?? DEFAULT_KEY_ID }),
      tier: newTier,
      dataType: dataType ?? previous?.dataType ?? 'text',
      ...(newDescription !== undefined && { description: newDescription }),
      lastModifiedDate: new Date()
    }
    const stored = existing ?? { name, versions: [], tags: newTags }
    stored.tags = newTags
    stored.versions = [...stored.versions, version].slice(-MAX_VERSIONS)
    this.params.set(name, stored)
    return { Version: version.version, Tier: newTier }
  }

  /** Resolves `name` or a `name:version` selector; labels are not modelled, so `name:label` finds nothing. */
  private select(selector: string): { p: StoredParameter; v: StoredVersion; selector?: string } | undefined {
    const [name = '', sel, ...extra] = selector.split(':')
    const p = extra.length === 0 ? this.params.get(name) : undefined
    if (!p) return undefined
    if (sel === undefined) return { p, v: latest(p) }
    const v = /^\d+$/.test(sel) ? p.versions.find((x) => x.version === Number(sel)) : undefined
    return v && { p, v, selector: `:${sel}` }
  }

  private parameterOut(p: StoredParameter, v: StoredVersion, decrypt: boolean, selector?: string) {
    return {
      Name: p.name,
      Type: v.type,
      Value: v.type === 'SecureString' && !decrypt ? v.ciphertext : v.value,
      Version: v.version,
      ...(selector !== undefined && { Selector: selector }),
      LastModifiedDate: v.lastModifiedDate,
      ARN: parameterArn(this.env, p.name),
      DataType: v.dataType
    }
  }

  getParameters(input: Input) {
    const names = stringList(input, 'Names', 1, 10)
    const decrypt = optBool(input, 'WithDecryption') ?? false
    const Parameters = []
    const InvalidParameters = []
    for (const name of new Set(names)) {
      const found = this.select(name)
      if (found) Parameters.push(this.parameterOut(found.p, found.v, decrypt, found.selector))
      else InvalidParameters.push(name)
    }
    return { Parameters, InvalidParameters }
  }

  getParameter(input: Input) {
    const name = reqString(input, 'Name')
    const found = this.select(name)
    if (!found) throw new AwsError('ParameterNotFound', `Parameter ${name} not found.`)
    return { Parameter: this.parameterOut(found.p, found.v, optBool(input, 'WithDecryption') ?? false, found.selector) }
  }

  private filterable(): Array<FilterableParameter & { p: StoredParameter; v: StoredVersion }> {
    return [...this.params.values()].map((p) => {
      const v = latest(p)
      return { p, v, name: p.name, type: v.type, keyId: v.keyId, tier: v.tier, dataType: v.dataType, tags: p.tags }
    })
  }

  getParametersByPath(input: Input) {
    const path = validatePath(reqString(input, 'Path'))
    const recursive = optBool(input, 'Recursive') ?? false
    const decrypt = optBool(input, 'WithDecryption') ?? false
    const max = optInt(input, 'MaxResults', 1, 10) ?? 10
    const filters = compileFilters(optList(input, 'ParameterFilters'), 'GetParametersByPath')
    const prefix = path === '/' ? '/' : `${path}/`
    const matches = this.filterable().filter((x) => {
      const full = '/' + x.name.replace(/^\//, '')
      if (!full.startsWith(prefix)) return false
      if (!recursive && full.slice(prefix.length).includes('/')) return false
      return filters.every((f) => f(x))
    })
    const { page, nextToken } = paginate(matches, max, optString(input, 'NextToken'))
    return { Parameters: page.map((x) => this.parameterOut(x.p, x.v, decrypt)), NextToken: nextToken }
  }

  describeParameters(input: Input) {
    if (optList(input, 'Filters') !== undefined) {
      if (optList(input, 'ParameterFilters') !== undefined) {
        throw new AwsError('ValidationException', 'You can use either Filters or ParameterFilters in a single request.')
      }
      throw new AwsError('NotImplementedByFake', 'The deprecated Filters member is not modelled; use ParameterFilters.')
    }
    const max = optInt(input, 'MaxResults', 1, 50) ?? 50
    const filters = compileFilters(optList(input, 'ParameterFilters'), 'DescribeParameters')
    const matches = this.filterable().filter((x) => filters.every((f) => f(x)))
    const { page, nextToken } = paginate(matches, max, optString(input, 'NextToken'))
    return {
      Parameters: page.map(({ p, v }) => ({
        Name: p.name,
        ARN: parameterArn(this.env, p.name),
        Type: v.type,
        KeyId: v.keyId,
        LastModifiedDate: v.lastModifiedDate,
        LastModifiedUser: callerArn(this.env),
        Description: v.description,
        Version: v.version,
        Tier: v.tier,
        Policies: [],
        DataType: v.dataType
      })),
      NextToken: nextToken
    }
  }

  deleteParameter(input: Input) {
    const name = reqString(input, 'Name')
    if (!this.params.delete(name)) throw new AwsError('ParameterNotFound', `Parameter ${name} not found.`)
    return {}
  }

  deleteParameters(input: Input) {
    const names = stringList(input, 'Names', 1, 10)
    const DeletedParameters = []
    const InvalidParameters = []
    for (const name of new Set(names)) {
      if (this.params.delete(name)) DeletedParameters.push(name)
      else InvalidParameters.push(name)
    }
    return { DeletedParameters, InvalidParameters }
  }

  private taggedParameter(input: Input): StoredParameter {
    const type = reqString(input, 'ResourceType')
    const types = [
      'Document',
      'ManagedInstance',
      'MaintenanceWindow',
      'Parameter',
      'PatchBaseline',
      'OpsItem',
      'OpsMetadata',
      'Automation',
      'Association'
    ]
    if (!types.includes(type)) {
      throw validationError('resourceType', type, `Member must satisfy enum value set: [${types.join(', ')}]`)
    }
    const id = reqString(input, 'ResourceId')
    if (type !== 'Parameter') {
      throw new AwsError('InvalidResourceType', "The resource type isn't valid. This fake only tags parameters.")
    }
    const p = this.params.get(id)
    if (!p) {
      throw new AwsError(
        'InvalidResourceId',
        "The resource ID isn't valid. Verify that you entered the correct ID and try again."
      )
    }
    return p
  }

  addTagsToResource(input: Input) {
    const p = this.taggedParameter(input)
    const list = optList(input, 'Tags')
    if (list === undefined) throw validationError('tags', null, 'Member must not be null')
    p.tags = mergeTags(p.tags, readTags(list))
    return {}
  }

  removeTagsFromResource(input: Input) {
    const p = this.taggedParameter(input)
    const keys = stringList(input, 'TagKeys', 0, 1000)
    keys.forEach((k, i) => validateTagKey(k, `tagKeys.${i + 1}.member`))
    for (const k of keys) p.tags.delete(k)
    return {}
  }

  listTagsForResource(input: Input) {
    const p = this.taggedParameter(input)
    return { TagList: [...p.tags].map(([Key, Value]) => ({ Key, Value })) }
  }
}

export function createSsm(env: ServiceEnv): { definition: ServiceDefinition; state: SsmState } {
  const state = new SsmState(env)
  const definition: ServiceDefinition = {
    service: 'ssm',
    protocol: 'awsJson1_1',
    targetPrefix: 'AmazonSSM',
    writeOperations: [
      'PutParameter',
      'DeleteParameter',
      'DeleteParameters',
      'AddTagsToResource',
      'RemoveTagsFromResource'
    ],
    sensitiveInput: { PutParameter: ['Value'] },
    operations: {
      PutParameter: (i) => state.putParameter(i),
      GetParameter: (i) => state.getParameter(i),
      GetParameters: (i) => state.getParameters(i),
      GetParametersByPath: (i) => state.getParametersByPath(i),
      DescribeParameters: (i) => state.describeParameters(i),
      DeleteParameter: (i) => state.deleteParameter(i),
      DeleteParameters: (i) => state.deleteParameters(i),
      AddTagsToResource: (i) => state.addTagsToResource(i),
      RemoveTagsFromResource: (i) => state.removeTagsFromResource(i),
      ListTagsForResource: (i) => state.listTagsForResource(i)
    }
  }
  return { definition, state }
}
