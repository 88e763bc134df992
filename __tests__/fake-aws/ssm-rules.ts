// SSM Parameter Store rules as AWS documents them (PutParameter and AddTagsToResource API reference,
// "Requirements and constraints for parameter names", "Managing parameter tiers").
import { partitionOf } from './identity.js'
import { AwsError } from './protocols.js'
import { asRecord, validationError } from './validate.js'
import type { ServiceEnv } from './types.js'

export const PARAMETER_TYPES = ['String', 'StringList', 'SecureString'] as const
export type ParameterType = (typeof PARAMETER_TYPES)[number]
export const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const
export type Tier = (typeof TIERS)[number]
export type StoredTier = 'Standard' | 'Advanced'
export const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'] as const

export const DEFAULT_KEY_ID = 'alias/aws/ssm'
const STANDARD_MAX = 4096
const ADVANCED_MAX = 8192
const MAX_LEVELS = 15
/** AWS: the 1011-character name limit includes the ARN text that precedes the name. */
const MAX_NAME_WITH_ARN = 1011
export const MAX_TAGS = 50

export function parameterArn(env: ServiceEnv, name: string): string {
  return `arn:${partitionOf(env.region)}:ssm:${env.region}:${env.accountId}:parameter/${name.replace(/^\//, '')}`
}

const INVALID_NAME =
  'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of ' +
  'sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_'

export function validateName(name: string, env: ServiceEnv): void {
  if (name.length === 0) throw validationError('name', '', 'Member must have length greater than or equal to 1')
  if (name.includes('/') && !name.startsWith('/')) {
    throw new AwsError('ValidationException', 'Parameter name must be a fully qualified name.')
  }
  const bare = name.replace(/^\//, '')
  const isPath = bare.includes('/')
  if (/^(aws|ssm)/i.test(bare)) {
    // /aws/... is the namespace of AWS's public parameters: writing there is an authorisation failure.
    if (isPath && /^aws/i.test(bare)) {
      throw new AwsError('AccessDeniedException', `No access to reserved parameter name: ${name}.`)
    }
    throw new AwsError(
      'ValidationException',
      isPath ? INVALID_NAME : 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).'
    )
  }
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name) || bare.split('/').includes('')) {
    throw new AwsError('ValidationException', INVALID_NAME)
  }
  if (bare.split('/').length > MAX_LEVELS) {
    throw new AwsError(
      'HierarchyLevelLimitExceededException',
      `Parameter name can have a maximum of ${MAX_LEVELS} levels (hierarchy depth).`
    )
  }
  if (parameterArn(env, name).length > MAX_NAME_WITH_ARN) {
    throw new AwsError(
      'ValidationException',
      `Parameter name: the name, including the ARN prefix ${parameterArn(env, '')}, can't be longer than ${MAX_NAME_WITH_ARN} characters.`
    )
  }
}

/** A path for GetParametersByPath / the Path filter: like a name, but reading under /aws is allowed. */
export function validatePath(path: string): string {
  if (!/^\/[a-zA-Z0-9_.\-/]*$/.test(path) || path.includes('//')) {
    throw new AwsError(
      'ValidationException',
      'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/". ' +
        'It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following ' +
        'symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, ' +
        'must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.'
    )
  }
  return path.length > 1 ? path.replace(/\/$/, '') : path
}

/** Values are limited in characters, not bytes. */
export const valueLength = (value: string) => [...value].length

export function validateValue(value: string): void {
  if (value.length === 0)
    throw validationError('value', undefined, 'Member must have length greater than or equal to 1')
}

/** The tier a put ends up with, or the error AWS gives for it. */
export function resolveTier(requested: Tier | undefined, value: string, existing: StoredTier | undefined): StoredTier {
  const length = valueLength(value)
  const tier: StoredTier =
    requested === 'Intelligent-Tiering'
      ? existing === 'Advanced' || length > STANDARD_MAX
        ? 'Advanced'
        : 'Standard'
      : (requested ?? 'Standard')
  if (tier === 'Standard' && existing === 'Advanced') {
    throw new AwsError(
      'ValidationException',
      "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier " +
        'to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.'
    )
  }
  if (tier === 'Standard' && length > STANDARD_MAX) {
    throw new AwsError(
      'ValidationException',
      `Standard tier parameters support a maximum parameter value of ${STANDARD_MAX} characters. To create a larger parameter ` +
        'value, upgrade the parameter to use the advanced-parameter tier. For more information, see ' +
        'https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html'
    )
  }
  if (length > ADVANCED_MAX) {
    throw new AwsError(
      'ValidationException',
      `Advanced tier parameters support a maximum parameter value of ${ADVANCED_MAX} characters.`
    )
  }
  return tier
}

// Tag constraints from the SSM API reference (Tag data type).
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u
const KEY_PATTERN = '^(?!^(?i)aws:)(?=^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$).*$'
const VALUE_PATTERN = '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$'

export function validateTagKey(key: string, member: string): void {
  if (key.length < 1) throw validationError(member, key, 'Member must have length greater than or equal to 1')
  if (key.length > 128) throw validationError(member, key, 'Member must have length less than or equal to 128')
  if (/^aws:/i.test(key) || !TAG_CHARS.test(key)) {
    throw validationError(member, key, `Member must satisfy regular expression pattern: ${KEY_PATTERN}`)
  }
}

export function readTags(list: unknown[], member = 'tags'): Array<{ Key: string; Value: string }> {
  return list.map((item, i) => {
    const tag = asRecord(item, 'Tags')
    const at = `${member}.${i + 1}.member`
    if (typeof tag.Key !== 'string') throw validationError(`${at}.key`, null, 'Member must not be null')
    if (typeof tag.Value !== 'string') throw validationError(`${at}.value`, null, 'Member must not be null')
    validateTagKey(tag.Key, `${at}.key`)
    if (tag.Value.length > 256)
      throw validationError(`${at}.value`, tag.Value, 'Member must have length less than or equal to 256')
    if (!TAG_CHARS.test(tag.Value)) {
      throw validationError(
        `${at}.value`,
        tag.Value,
        `Member must satisfy regular expression pattern: ${VALUE_PATTERN}`
      )
    }
    return { Key: tag.Key, Value: tag.Value }
  })
}

/** Merges tags into a parameter's tags; existing keys are overwritten. */
export function mergeTags(
  current: Map<string, string>,
  tags: Array<{ Key: string; Value: string }>
): Map<string, string> {
  const next = new Map(current)
  for (const t of tags) next.set(t.Key, t.Value)
  if (next.size > MAX_TAGS) {
    throw new AwsError(
      'TooManyTagsError',
      'The Targets parameter includes too many tags. Remove one or more tags and try the command again.'
    )
  }
  return next
}
