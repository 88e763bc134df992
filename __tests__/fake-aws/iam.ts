// IAM as far as the action reads it: SimulatePrincipalPolicy over the identity-based policies seeded on
// roles and users. Evidence: __tests__/fixtures/preflight-evidence/IAM.md (cited by section below).
// Not modelled (NotModelledByFake): groups, managed-policy attachments, permissions boundaries, SCPs,
// resource policies, PolicyInputList/CallerArn/ResourceOwner/ResourceHandlingOption, policy variables,
// ForAnyValue/ForAllValues and condition operators other than the String ones.
import { createHash } from 'node:crypto'
import { partitionOf } from './identity.js'
import { AwsError } from './protocols.js'
import type { Input, ServiceDefinition, ServiceEnv } from './types.js'

type OneOrMany = string | string[]
export interface PolicyStatement {
  Sid?: string
  Effect: 'Allow' | 'Deny'
  Action?: OneOrMany
  NotAction?: OneOrMany
  Resource?: OneOrMany
  NotResource?: OneOrMany
  /** operator → context key → value(s) */
  Condition?: Record<string, Record<string, OneOrMany>>
}
export interface PolicyDocument {
  Version?: string
  Statement: PolicyStatement | PolicyStatement[]
}
export type EvalDecision = 'allowed' | 'explicitDeny' | 'implicitDeny'

interface Principal {
  type: 'role' | 'user'
  policies: Array<{ name: string; statements: PolicyStatement[] }>
}

/** IAM.md 2.3: the String operators; IfExists and the Not forms follow the documented missing-key rule. */
const OPERATORS = /^(String(?:Not)?(?:Equals|EqualsIgnoreCase|Like))(IfExists)?$/
const CONTEXT_TYPES = ['string', 'stringList']
const DEFAULT_MAX_ITEMS = 100 // IAM.md 1.1
const PRINCIPAL_ARN = /^arn:([\w-]+):iam::(\d{12}):(role|user|group)\/(?:[^/]+\/)*([^/]+)$/

const list = (v: OneOrMany | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v])
const invalid = (message: string) => new AwsError('InvalidInput', message)
const notModelled = (what: string) => new AwsError('NotModelledByFake', `${what} is not modelled by the fake.`)

/**
 * IAM.md 2.2: `*` any run of characters, `?` one character. In an ARN (`arn: true`) both stay within a
 * colon-separated segment, except a `*` that ends its segment, which may match across colons.
 */
function glob(pattern: string, value: string, options: { ignoreCase?: boolean; arn?: boolean } = {}): boolean {
  const body = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c, at: number) => {
    const segmentEnd = pattern[at + 1] === undefined || pattern[at + 1] === ':'
    if (c === '*') return options.arn && !segmentEnd ? '[^:]*' : '.*'
    if (c === '?') return options.arn ? '[^:]' : '.'
    return `\\${c}`
  })
  return new RegExp(`^${body}$`, options.ignoreCase ? 'is' : 's').test(value)
}

/** Seeding checks: a document this fake cannot evaluate is refused at once instead of evaluated wrongly. */
function statementsOf(document: PolicyDocument): PolicyStatement[] {
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement]
  for (const s of statements) {
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
      throw new Error(`Effect must be Allow or Deny: ${JSON.stringify(s)}`)
    if (
      (s.Action === undefined) === (s.NotAction === undefined) ||
      (s.Resource === undefined) === (s.NotResource === undefined)
    ) {
      throw new Error(`A statement needs one of Action/NotAction and one of Resource/NotResource: ${JSON.stringify(s)}`)
    }
    for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
      if (!OPERATORS.test(operator)) throw new Error(`Condition operator ${operator} is not modelled by the fake`)
      if (Object.values(keys).some((v) => list(v).some((x) => x.includes('${')))) {
        throw new Error('Policy variables in conditions are not modelled by the fake')
      }
    }
  }
  return statements
}

/** One request member list of the awsQuery form: `Key.member.1`, `Key.member.2`, … */
function members(input: Input, key: string): string[] {
  const found = Object.keys(input).flatMap((k) => {
    const m = new RegExp(`^${key}\\.member\\.(\\d+)$`).exec(k)
    return m ? [[Number(m[1]), String(input[k])] as const] : []
  })
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v)
}

/** ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M, ContextKeyType} → key (lower case) → values. */
function contextOf(input: Input): Map<string, string[]> {
  const context = new Map<string, string[]>()
  for (let n = 1; Object.keys(input).some((k) => k.startsWith(`ContextEntries.member.${n}.`)); n++) {
    const prefix = `ContextEntries.member.${n}.`
    const name = input[`${prefix}ContextKeyName`]
    const type = input[`${prefix}ContextKeyType`]
    if (typeof name !== 'string') throw notModelled('A context entry without ContextKeyName')
    if (typeof type !== 'string' || !CONTEXT_TYPES.includes(type)) throw notModelled(`ContextKeyType ${String(type)}`)
    // IAM.md 2.3: condition key names are not case-sensitive.
    context.set(name.toLowerCase(), members(input, `${prefix}ContextKeyValues`))
  }
  return context
}

/** IAM.md 2.3: every operator of a block and every key of an operator must hold; values of one key are ORed. */
function conditionHolds(s: PolicyStatement, context: Map<string, string[]>, missing: Set<string>): boolean {
  return Object.entries(s.Condition ?? {}).every(([operator, keys]) => {
    const [, base = '', ifExists] = OPERATORS.exec(operator) ?? []
    const negated = base.includes('Not')
    const ignoreCase = base.endsWith('IgnoreCase')
    const like = base.endsWith('Like')
    return Object.entries(keys).every(([key, wanted]) => {
      const given = context.get(key.toLowerCase())
      if (given === undefined) {
        missing.add(key)
        // IAM.md 2.3: an absent key makes a condition false, a negated one true; IfExists true.
        return negated || ifExists !== undefined
      }
      const match = given.some((g) =>
        list(wanted).some((w) => (like ? glob(w, g) : ignoreCase ? w.toLowerCase() === g.toLowerCase() : w === g))
      )
      return negated ? !match : match
    })
  })
}

export class IamState {
  private readonly principals = new Map<string, Principal>()

  constructor(private readonly env: ServiceEnv) {}

  /** A role and its inline policies: an array is named policy-1, policy-2, … (replaces an earlier seed). */
  putRole(arn: string, policies: PolicyDocument[] | Record<string, PolicyDocument> = []): void {
    this.put('role', arn, policies)
  }

  putUser(arn: string, policies: PolicyDocument[] | Record<string, PolicyDocument> = []): void {
    this.put('user', arn, policies)
  }

  deleteRole(arn: string): void {
    this.principals.delete(arn)
  }

  private put(type: Principal['type'], arn: string, policies: PolicyDocument[] | Record<string, PolicyDocument>) {
    const m = PRINCIPAL_ARN.exec(arn)
    if (!m || m[3] !== type || m[2] !== this.env.accountId) throw new Error(`Not a ${type} ARN of this account: ${arn}`)
    const named = Array.isArray(policies)
      ? policies.map((d, i) => [`policy-${i + 1}`, d] as const)
      : Object.entries(policies)
    this.principals.set(arn, {
      type,
      policies: named.map(([name, document]) => ({ name, statements: statementsOf(structuredClone(document)) }))
    })
  }

  /** IAM.md 2.1: an explicit Deny wins; else any Allow; else implicitDeny. */
  evaluate(principal: Principal, action: string, resource: string, context: Map<string, string[]>) {
    const missing = new Set<string>()
    const applying = principal.policies.flatMap((p) =>
      p.statements.flatMap((s) => {
        // IAM.md 2.2: action names are not case-sensitive, resource ARNs are.
        const actionIn = list(s.Action ?? s.NotAction).some((a) => glob(a, action, { ignoreCase: true }))
        const resourceIn = list(s.Resource ?? s.NotResource).some((r) => glob(r, resource, { arn: true }))
        if (actionIn === (s.NotAction !== undefined) || resourceIn === (s.NotResource !== undefined)) return []
        return conditionHolds(s, context, missing) ? [{ s, source: p.name }] : []
      })
    )
    const denies = applying.filter((a) => a.s.Effect === 'Deny')
    const decision: EvalDecision = denies.length ? 'explicitDeny' : applying.length ? 'allowed' : 'implicitDeny'
    // IAM.md 1.2: with an explicit deny, only the deny statements are listed.
    const matched = (denies.length ? denies : applying).map((a) => ({
      SourcePolicyId: a.source,
      SourcePolicyType: principal.type
    }))
    return { decision, matched, missing: [...missing] }
  }

  simulatePrincipalPolicy(input: Input) {
    for (const k of [
      'PolicyInputList',
      'PermissionsBoundaryPolicyInputList',
      'ResourcePolicy',
      'ResourceOwner',
      'CallerArn',
      'ResourceHandlingOption'
    ]) {
      if (Object.keys(input).some((key) => key === k || key.startsWith(`${k}.`))) throw notModelled(`The ${k} member`)
    }
    const source = typeof input.PolicySourceArn === 'string' ? input.PolicySourceArn : undefined
    const actions = members(input, 'ActionNames')
    if (source === undefined) throw validation('policySourceArn')
    if (actions.length === 0) throw validation('actionNames')
    const principal = this.principal(source)
    const resources = members(input, 'ResourceArns')
    // IAM.md 1.3: a resource that is not an ARN (or '*') is refused.
    const bad = resources.find((r) => r !== '*' && !r.startsWith('arn:'))
    if (bad !== undefined) throw invalid(`ResourceNames are not in a valid ARN format: ${bad}.`)
    const context = contextOf(input)
    const maxItems = input.MaxItems === undefined ? DEFAULT_MAX_ITEMS : Number(input.MaxItems)
    if (!(Number.isInteger(maxItems) && maxItems >= 1 && maxItems <= 1000)) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${String(input.MaxItems)}' at 'maxItems' failed to satisfy constraint: Member must have value ${maxItems < 1 ? 'greater than or equal to 1' : 'less than or equal to 1000'}`
      )
    }
    // IAM.md 1.2: each action is evaluated for each resource; no ResourceArns means '*'.
    const results = actions.flatMap((action) =>
      (resources.length ? resources : ['*']).map((resource) => {
        const { decision, matched, missing } = this.evaluate(principal, action, resource, context)
        return {
          EvalActionName: action,
          EvalResourceName: resource,
          EvalDecision: decision,
          MatchedStatements: matched,
          MissingContextValues: missing
        }
      })
    )
    const start = input.Marker === undefined ? 0 : this.markerOffset(String(input.Marker), input)
    const page = results.slice(start, start + maxItems)
    const more = start + maxItems < results.length
    return {
      EvaluationResults: page,
      IsTruncated: more,
      Marker: more ? this.marker(start + maxItems, input) : undefined
    }
  }

  /** IAM.md 1.3: what PolicySourceArn may name, and the errors for what it may not. */
  private principal(arn: string): Principal {
    const m = PRINCIPAL_ARN.exec(arn)
    if (!m || m[1] !== partitionOf(this.env.region)) {
      throw invalid(`Invalid Entity Arn: ${arn} does not clearly define entity type and name.`)
    }
    const [, , account, type, name] = m
    if (account !== this.env.accountId) {
      throw invalid(
        `Invalid Policy Source Arn: caller's account ${this.env.accountId} does not have access to policies in account ${account}`
      )
    }
    if (type === 'group') throw notModelled('A group as PolicySourceArn')
    const found = this.principals.get(arn)
    if (!found) throw new AwsError('NoSuchEntity', `The ${type} with name ${name} cannot be found.`, 404)
    return found
  }

  /** Markers are opaque; this one names the offset and the request it belongs to. */
  private marker(offset: number, input: Input): string {
    const { Marker: _, MaxItems: __, ...request } = input
    const digest = createHash('sha256').update(JSON.stringify(request)).digest('base64url').slice(0, 16)
    return Buffer.from(`${offset}:${digest}`).toString('base64url')
  }

  private markerOffset(marker: string, input: Input): number {
    const offset = Number(Buffer.from(marker, 'base64url').toString().split(':')[0])
    if (!Number.isInteger(offset) || this.marker(offset, input) !== marker)
      throw notModelled('A Marker this request did not hand out')
    return offset
  }
}

/** IAM.md 1.3: a missing required member (the model's ValidationError, in the Smithy wording). */
const validation = (member: string) =>
  new AwsError(
    'ValidationError',
    `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`
  )

export function createIam(env: ServiceEnv): { definition: ServiceDefinition; state: IamState } {
  const state = new IamState(env)
  const definition: ServiceDefinition = {
    // IAM.md 1.1: awsQuery, version 2010-05-08, ServiceFailure for a server error.
    service: 'iam',
    protocol: 'awsQuery',
    xmlNamespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
    serverErrorCode: 'ServiceFailure',
    // IAM.md 3.2: IAM answers a denied request 403 AccessDenied.
    accessDenied: {
      code: 'AccessDenied',
      status: 403,
      resource: (op, input) => (op === 'SimulatePrincipalPolicy' ? String(input.PolicySourceArn) : '*')
    },
    writeOperations: [],
    operations: { SimulatePrincipalPolicy: (i) => state.simulatePrincipalPolicy(i) }
  }
  return { definition, state }
}
