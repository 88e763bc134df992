// AWS naming and size rules that can be checked locally, before any request.

export interface Tag {
  key: string
  value: string
}

export const MANAGED_BY_KEY = 'managed-by'
export const MANAGED_BY_VALUE = 'ssm-secrets-action'

/** Parameter Store value limits, in characters, per tier. */
export const STANDARD_VALUE_LIMIT = 4096
export const ADVANCED_VALUE_LIMIT = 8192

// AWS counts the ARN prefix (arn:PARTITION:ssm:REGION:ACCOUNT:parameter/) in the 1011-character name limit.
const PARAMETER_NAME_LIMIT = 1011
const ACCOUNT_ID_LENGTH = 12
const HIERARCHY_LEVEL_LIMIT = 15
const TAG_LIMIT = 50

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const PARAMETER_NAME_CHARS = /^[A-Za-z0-9_.\-/]+$/
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name)
}

export function isRegion(region: string): boolean {
  return REGION.test(region)
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  if (region.startsWith('us-iso-')) return 'aws-iso'
  if (region.startsWith('us-isob-')) return 'aws-iso-b'
  if (region.startsWith('eusc-')) return 'aws-eusc'
  return 'aws'
}

export function parameterArn(options: { partition: string; region: string; account: string; name: string }): string {
  const { partition, region, account, name } = options
  return `arn:${partition}:ssm:${region}:${account}:parameter/${name.replace(/^\//, '')}`
}

/** Returns why `path` is not a usable parameter prefix, or undefined when it is. */
export function pathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return `must start with '/', e.g. '/prod/billing/'`
  if (!PARAMETER_NAME_CHARS.test(path)) {
    return `may only contain letters, digits and the characters _ . - /`
  }
  if (path.includes('//')) return `must not contain empty levels ('//')`
  return reservedPrefixProblem(path)
}

function reservedPrefixProblem(name: string): string | undefined {
  const firstLevel = name.replace(/^\//, '').toLowerCase()
  if (firstLevel.startsWith('aws') || firstLevel.startsWith('ssm')) {
    return `must not begin with 'aws' or 'ssm' (reserved by AWS, case-insensitive)`
  }
  return undefined
}

/** Returns why `name` is not a valid Parameter Store name in `region`, or undefined. */
export function parameterNameProblem(name: string, region: string): string | undefined {
  if (!PARAMETER_NAME_CHARS.test(name)) {
    return `may only contain letters, digits and the characters _ . - /`
  }
  const reserved = reservedPrefixProblem(name)
  if (reserved) return reserved
  const levels = name.replace(/^\//, '').split('/').length
  if (levels > HIERARCHY_LEVEL_LIMIT) {
    return `has ${levels} levels; Parameter Store allows at most ${HIERARCHY_LEVEL_LIMIT}`
  }
  const arnPrefix = parameterArn({
    partition: partitionOf(region),
    region,
    account: '0'.repeat(ACCOUNT_ID_LENGTH),
    name: ''
  })
  const limit = PARAMETER_NAME_LIMIT - arnPrefix.length
  const length = name.replace(/^\//, '').length
  if (length > limit) {
    return `is ${length} characters long; in ${region} Parameter Store allows at most ${limit}`
  }
  return undefined
}

const KMS_KEY_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/
const KMS_ALIAS = /^alias\/[A-Za-z0-9/_-]{1,250}$/
const KMS_ARN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})|alias\/[A-Za-z0-9/_-]{1,250})$/

/** Returns why `keyId` is not a KMS key id, key ARN, alias name or alias ARN, or undefined. */
export function kmsKeyProblem(keyId: string): string | undefined {
  if (KMS_KEY_ID.test(keyId) || KMS_ALIAS.test(keyId) || KMS_ARN.test(keyId)) return undefined
  if (/^[A-Za-z0-9/_-]+$/.test(keyId) && !keyId.startsWith('arn:')) {
    return `'${keyId}' is not a key id, key ARN, alias or alias ARN. Did you mean 'alias/${keyId}'?`
  }
  return `'${keyId}' is not a key id (1234abcd-12ab-34cd-56ef-1234567890ab), key ARN, alias (alias/NAME) or alias ARN`
}

/** Returns why a tag is not accepted by Parameter Store, or undefined. */
export function tagProblem(key: string, value: string): string | undefined {
  if (key.length < 1 || key.length > 128) return `tag key '${key}' must be 1 to 128 characters`
  if (value.length > 256) return `tag '${key}' has a value longer than 256 characters`
  if (!TAG_CHARS.test(key) || !TAG_CHARS.test(value)) {
    return `tag '${key}' may only contain letters, digits, spaces and _ . : / = + - @`
  }
  if (key.toLowerCase().startsWith('aws:')) return `tag key '${key}' uses the reserved prefix 'aws:'`
  if (key === MANAGED_BY_KEY) return `tag key '${MANAGED_BY_KEY}' is set by the action itself`
  return undefined
}

/** The most tags a user may give: Parameter Store allows 50 per parameter, one is the managed-by tag. */
export const USER_TAG_LIMIT = TAG_LIMIT - 1
