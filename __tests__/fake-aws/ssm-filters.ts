// ParameterStringFilter rules from the SSM API reference (DescribeParameters, GetParametersByPath).
import { AwsError } from './protocols.js'
import { PARAMETER_TYPES, TIERS, validatePath } from './ssm-rules.js'
import { asRecord, validationError } from './validate.js'

export interface FilterableParameter {
  name: string
  type: string
  keyId?: string | undefined
  tier: string
  dataType: string
  tags: ReadonlyMap<string, string>
}

export type ParameterFilter = (p: FilterableParameter) => boolean
type Operation = 'DescribeParameters' | 'GetParametersByPath'

const KEY_PATTERN = 'tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType'
const NOT_ALLOWED: Record<Operation, { keys: string[]; valid: string }> = {
  DescribeParameters: { keys: ['Label'], valid: '[Path, Name, Type, KeyId, Tier]' },
  GetParametersByPath: { keys: ['Name', 'Path', 'Tier'], valid: '[Type, KeyId]' }
}

function allowedOptions(key: string, operation: Operation): string[] {
  if (key === 'Path') return ['OneLevel', 'Recursive']
  if (key === 'Label') return ['Equals']
  if (key === 'Name' && operation === 'DescribeParameters') return ['Equals', 'BeginsWith', 'Contains']
  return ['Equals', 'BeginsWith']
}

const withSlash = (name: string) => '/' + name.replace(/^\//, '')

function parentPath(name: string): string {
  const full = withSlash(name)
  return full.slice(0, full.lastIndexOf('/')) || '/'
}

function compare(field: string | undefined, values: string[], option: string): boolean {
  if (field === undefined) return false
  if (option === 'BeginsWith') return values.some((v) => field.startsWith(v))
  if (option === 'Contains') return values.some((v) => field.includes(v))
  return values.includes(field)
}

export function compileFilters(list: unknown[] | undefined, operation: Operation): ParameterFilter[] {
  const seen = new Set<string>()
  return (list ?? []).map((item, i) => {
    const f = asRecord(item, 'ParameterFilters')
    const at = `parameterFilters.${i + 1}.member`
    const key = f.Key
    if (typeof key !== 'string') throw validationError(`${at}.key`, null, 'Member must not be null')
    if (!new RegExp(`^(${KEY_PATTERN})$`).test(key) || key.length > 132) {
      throw validationError(`${at}.key`, key, `Member must satisfy regular expression pattern: ${KEY_PATTERN}`)
    }
    if (NOT_ALLOWED[operation].keys.includes(key)) {
      throw new AwsError(
        'InvalidFilterKey',
        `The following filter key is not valid: ${key}. Valid filter keys include: ${NOT_ALLOWED[operation].valid}.`
      )
    }
    if (seen.has(key)) {
      throw new AwsError(
        'InvalidFilterKey',
        `The following filter is duplicated in the request: ${key}. A request can contain only one occurrence of a specific filter.`
      )
    }
    seen.add(key)

    const options = allowedOptions(key, operation)
    const option = typeof f.Option === 'string' ? f.Option : options[0]!
    if (!options.includes(option)) {
      throw new AwsError(
        'InvalidFilterOption',
        `The following filter option is not valid: ${option}. Valid options include: [${options.join(', ')}].`
      )
    }

    const values = Array.isArray(f.Values) ? f.Values.filter((v): v is string => typeof v === 'string') : []
    if (values.length > 50)
      throw validationError(
        `${at}.values`,
        `[${values.join(', ')}]`,
        'Member must have length less than or equal to 50'
      )
    const isTag = key.startsWith('tag:')
    if (values.length === 0 && !isTag) {
      throw new AwsError('InvalidFilterValue', `The following filter values are missing : null for filter key ${key}.`)
    }
    const enumValues = key === 'Type' ? PARAMETER_TYPES : key === 'Tier' ? TIERS : undefined
    const bad = enumValues && values.find((v) => !(enumValues as readonly string[]).includes(v))
    if (bad !== undefined && enumValues) {
      throw new AwsError(
        'InvalidFilterValue',
        `The following filter value is not valid: ${bad}. Valid values include: [${enumValues.join(', ')}].`
      )
    }

    if (isTag) {
      const tagKey = key.slice(4)
      return (p) => p.tags.has(tagKey) && (values.length === 0 || compare(p.tags.get(tagKey), values, option))
    }
    switch (key) {
      case 'Name': {
        const wanted = option === 'Contains' ? values : values.map(withSlash)
        return (p) => compare(option === 'Contains' ? p.name : withSlash(p.name), wanted, option)
      }
      case 'Path': {
        const paths = values.map(validatePath)
        return option === 'Recursive'
          ? (p) => paths.some((v) => v === '/' || withSlash(p.name).startsWith(v + '/'))
          : (p) => paths.includes(parentPath(p.name))
      }
      case 'Type':
        return (p) => compare(p.type, values, option)
      case 'KeyId':
        return (p) => compare(p.keyId, values, option)
      case 'Tier':
        return (p) => compare(p.tier, values, option)
      case 'DataType':
        return (p) => compare(p.dataType, values, option)
      default:
        // Label: this fake has no parameter labels, so nothing carries one.
        return () => false
    }
  })
}
