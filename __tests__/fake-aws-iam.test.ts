// The fake's IAM SimulatePrincipalPolicy, its caller and its deny knob (fixtures/preflight-evidence/IAM.md),
// one row per rule, through the real clients.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import * as I from '@aws-sdk/client-iam'
import { BatchClient, SubmitJobCommand } from '@aws-sdk/client-batch'
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs'
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { startFakeAws, type FakeAws } from './fake-aws/index.js'

let fake: FakeAws
let iam: I.IAMClient
const options = (f: FakeAws) => ({
  endpoint: f.url,
  region: f.region,
  credentials: { accessKeyId: 'a', secretAccessKey: 's' },
  maxAttempts: 1
})
const ACCT = '123456789012'
const ROLE = `arn:aws:iam::${ACCT}:role/exec`
const EMPTY = `arn:aws:iam::${ACCT}:role/service-role/empty`
const USER = `arn:aws:iam::${ACCT}:user/ci`
const P = `arn:aws:ssm:us-east-1:${ACCT}:parameter`
const KEY = `arn:aws:kms:us-east-1:${ACCT}:key/k1`
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCT}:secret:app`
const VIA = 'ssm.us-east-1.amazonaws.com'

beforeAll(async () => {
  fake = await startFakeAws()
  iam = new I.IAMClient(options(fake))
  fake.iam.putRole(ROLE, {
    read: { Statement: [{ Effect: 'Allow', Action: ['ssm:GetParameters'], Resource: `${P}/app/*` }] },
    'deny-admin': { Statement: { Effect: 'Deny', Action: 'ssm:GetParameters', Resource: `${P}/app/admin` } },
    kms: {
      Statement: [
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: `arn:aws:kms:*:${ACCT}:key/*`,
          Condition: { StringEquals: { 'kms:ViaService': VIA } }
        }
      ]
    },
    secrets: { Statement: [{ Effect: 'Allow', Action: 'secretsmanager:Get*', Resource: `${SECRET}/?ne-*` }] },
    pass: {
      Statement: [
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: '*',
          Condition: { StringLike: { 'iam:PassedToService': 'ecs-tasks.*' } }
        }
      ]
    },
    s3: { Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::b/*' }] },
    logs: { Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: `arn:aws:logs:*:${ACCT}:log-group:app*-prod` }] }
  })
  fake.iam.putRole(EMPTY)
  fake.iam.putUser(USER, [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }])
})
afterEach(() => fake.clearFaults())
afterAll(async () => {
  iam.destroy()
  await fake.close()
})

type Sim = Partial<I.SimulatePrincipalPolicyCommandInput>
const simulate = (input: Sim) =>
  iam.send(new I.SimulatePrincipalPolicyCommand({ PolicySourceArn: ROLE, ActionNames: [], ...input }))
const via = (value: string, name = 'kms:ViaService') => [
  { ContextKeyName: name, ContextKeyValues: [value], ContextKeyType: 'string' as const }
]
/** an answer in one line: 'ok', or '<status> <code>: <message>' */
async function outcome(p: Promise<unknown>): Promise<string> {
  const e = (await p.then(() => undefined).catch((error: unknown) => error)) as
    (Error & { $metadata: { httpStatusCode?: number } }) | undefined
  return e ? `${e.$metadata.httpStatusCode} ${e.name}: ${e.message}` : 'ok'
}

// prettier-ignore
const decisions: Array<[string, Sim, string, string[]?, string[]?]> = [
  ['an Allow whose action and resource match', { ActionNames: ['ssm:GetParameters'], ResourceArns: [`${P}/app/db`] }, 'allowed', ['read']],
  ['nothing allows: implicit deny', { ActionNames: ['ssm:GetParameters'], ResourceArns: [`${P}/other/db`] }, 'implicitDeny', []],
  ['an explicit Deny overrides the Allow, and is the only statement listed', { ActionNames: ['ssm:GetParameters'], ResourceArns: [`${P}/app/admin`] }, 'explicitDeny', ['deny-admin']],
  ['action wildcard, action names not case-sensitive', { ActionNames: ['SecretsManager:GetSecretValue'], ResourceArns: [`${SECRET}/one-AbC`] }, 'allowed', ['secrets']],
  ['resource wildcard ? is one character', { ActionNames: ['secretsmanager:GetSecretValue'], ResourceArns: [`${SECRET}/none-AbC`] }, 'implicitDeny', []],
  ['resource wildcards are case-sensitive', { ActionNames: ['ssm:GetParameters'], ResourceArns: [`${P}/APP/db`] }, 'implicitDeny', []],
  ['StringEquals on kms:ViaService, met', { ActionNames: ['kms:Decrypt'], ResourceArns: [KEY], ContextEntries: via(VIA) }, 'allowed', ['kms']],
  ['StringEquals on kms:ViaService, not met', { ActionNames: ['kms:Decrypt'], ResourceArns: [KEY], ContextEntries: via('secretsmanager.us-east-1.amazonaws.com') }, 'implicitDeny', []],
  ['a condition key the request does not give: no match, listed missing', { ActionNames: ['kms:Decrypt'], ResourceArns: [KEY] }, 'implicitDeny', [], ['kms:ViaService']],
  ['context key names are not case-sensitive', { ActionNames: ['kms:Decrypt'], ResourceArns: [KEY], ContextEntries: via(VIA, 'KMS:viaservice') }, 'allowed', ['kms']],
  ['StringLike', { ActionNames: ['iam:PassRole'], ResourceArns: [EMPTY], ContextEntries: via('ecs-tasks.amazonaws.com', 'iam:PassedToService') }, 'allowed', ['pass']],
  ['NotAction: every other action', { ActionNames: ['s3:GetObject'], ResourceArns: ['arn:aws:s3:::b/k'] }, 'allowed', ['s3']],
  ['NotAction: not the listed one', { ActionNames: ['iam:GetRole'], ResourceArns: ['arn:aws:s3:::b/k'] }, 'implicitDeny', []],
  ['a * inside an ARN segment', { ActionNames: ['logs:GetLogEvents'], ResourceArns: [`arn:aws:logs:us-east-1:${ACCT}:log-group:app-web-prod`] }, 'allowed', ['logs']],
  ['a * inside an ARN segment does not cross a colon', { ActionNames: ['logs:GetLogEvents'], ResourceArns: [`arn:aws:logs:us-east-1:${ACCT}:log-group:app:x-prod`] }, 'implicitDeny', []],
  ['a role without policies', { PolicySourceArn: EMPTY, ActionNames: ['ssm:GetParameters'], ResourceArns: ['*'] }, 'implicitDeny', []],
  ['a user as PolicySourceArn', { PolicySourceArn: USER, ActionNames: ['ssm:GetParameters'] }, 'allowed', ['policy-1']]
]

it.each(decisions)('SimulatePrincipalPolicy: %s', async (_, input, decision, matched, missing = []) => {
  const out = await simulate(input)
  expect(out.EvaluationResults).toEqual([
    {
      EvalActionName: input.ActionNames?.[0],
      EvalResourceName: input.ResourceArns?.[0] ?? '*',
      EvalDecision: decision,
      MatchedStatements: matched?.map((id) => ({
        SourcePolicyId: id,
        SourcePolicyType: input.PolicySourceArn === USER ? 'user' : 'role'
      })),
      MissingContextValues: missing
    }
  ])
  expect(out.IsTruncated).toBe(false)
})

it('each action is evaluated for each resource; MaxItems pages with IsTruncated and Marker', async () => {
  const input = { ActionNames: ['ssm:GetParameters', 'kms:Decrypt'], ResourceArns: [`${P}/app/a`, `${P}/app/admin`] }
  const first = await simulate({ ...input, MaxItems: 3 })
  const rest = await simulate({ ...input, MaxItems: 3, Marker: first.Marker })
  const all = [...(first.EvaluationResults ?? []), ...(rest.EvaluationResults ?? [])]
  expect(all.map((r) => `${r.EvalActionName} ${r.EvalResourceName?.split('/').pop()} ${r.EvalDecision}`)).toEqual([
    'ssm:GetParameters a allowed',
    'ssm:GetParameters admin explicitDeny',
    'kms:Decrypt a implicitDeny',
    'kms:Decrypt admin implicitDeny'
  ])
  expect([first.IsTruncated, typeof first.Marker, rest.IsTruncated, rest.Marker]).toEqual([
    true,
    'string',
    false,
    undefined
  ])
  const pages = I.paginateSimulatePrincipalPolicy({ client: iam, pageSize: 1 }, { PolicySourceArn: ROLE, ...input })
  let n = 0
  for await (const page of pages) n += page.EvaluationResults?.length ?? 0
  expect(n).toBe(4)
})

// prettier-ignore
const refusals: Array<[string, Sim, string]> = [
  ['an unknown role', { PolicySourceArn: `arn:aws:iam::${ACCT}:role/path/nope`, ActionNames: ['s3:GetObject'] }, '404 NoSuchEntityException: The role with name nope cannot be found.'],
  ['an unknown user', { PolicySourceArn: `arn:aws:iam::${ACCT}:user/nobody`, ActionNames: ['s3:GetObject'] }, '404 NoSuchEntityException: The user with name nobody cannot be found.'],
  ['an assumed-role ARN', { PolicySourceArn: `arn:aws:sts::${ACCT}:assumed-role/exec/s`, ActionNames: ['s3:GetObject'] }, `400 InvalidInputException: Invalid Entity Arn: arn:aws:sts::${ACCT}:assumed-role/exec/s does not clearly define entity type and name.`],
  ['a role of another account', { PolicySourceArn: 'arn:aws:iam::210987654321:role/exec', ActionNames: ['s3:GetObject'] }, `400 InvalidInputException: Invalid Policy Source Arn: caller's account ${ACCT} does not have access to policies in account 210987654321`],
  ['a resource that is not an ARN', { ActionNames: ['kms:Decrypt'], ResourceArns: ['14a050d4-021e'] }, '400 InvalidInputException: ResourceNames are not in a valid ARN format: 14a050d4-021e.'],
  ['no ActionNames', {}, "400 ValidationError: 1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null"],
  ['MaxItems 1001', { ActionNames: ['s3:GetObject'], MaxItems: 1001 }, "400 ValidationError: 1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000"],
  ['a member outside the model', { ActionNames: ['s3:GetObject'], PolicyInputList: ['{}'] }, '400 NotModelledByFake'],
  ['a context type outside the model', { ActionNames: ['s3:GetObject'], ContextEntries: [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['1'], ContextKeyType: 'date' }] }, '400 NotModelledByFake']
]

it.each(refusals)('SimulatePrincipalPolicy refuses %s', async (_, input, expected) => {
  expect(await outcome(simulate(input))).toContain(expected)
})

it('a policy the fake cannot evaluate is refused when seeded', () => {
  const seed = (Condition: Record<string, Record<string, string>>) =>
    fake.iam.putRole(EMPTY, [{ Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition } }])
  expect(() => seed({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } })).toThrow(/not modelled/)
  expect(() => seed({ StringEquals: { 'aws:PrincipalTag/team': '${aws:username}' } })).toThrow(/not modelled/)
  fake.iam.putRole(EMPTY)
})

it('setCaller: GetCallerIdentity reports the user or the assumed role (UserId AROA…:<session>)', async () => {
  const sts = new STSClient(options(fake))
  const who = async () => {
    const { Arn, UserId, Account } = await sts.send(new GetCallerIdentityCommand({}))
    return { Arn, UserId, Account }
  }
  expect(await who()).toEqual({ Arn: `arn:aws:iam::${ACCT}:user/fake`, UserId: 'AIDAFAKEAWSUSER00001', Account: ACCT })
  fake.setCaller(`arn:aws:sts::${ACCT}:assumed-role/deployer/gha-run-7`)
  const assumed = await who()
  fake.setCaller(USER)
  expect([assumed, await who()]).toEqual([
    {
      Arn: `arn:aws:sts::${ACCT}:assumed-role/deployer/gha-run-7`,
      UserId: expect.stringMatching(/^AROA[A-Z2-7]{17}:gha-run-7$/),
      Account: ACCT
    },
    { Arn: USER, UserId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/), Account: ACCT }
  ])
  expect(() => fake.setCaller('arn:aws:sts::210987654321:assumed-role/x/y')).toThrow()
  fake.setCaller(`arn:aws:iam::${ACCT}:user/fake`)
  sts.destroy()
})

const because = (action: string) => `because no identity-based policy allows the ${action} action`
const CALLER = `arn:aws:sts::${ACCT}:assumed-role/deployer/gha`
// prettier-ignore
const denials: Array<[string, (f: FakeAws) => Promise<unknown>, string]> = [
  ['IAM SimulatePrincipalPolicy: 403 AccessDenied on the PolicySourceArn', () => simulate({ ActionNames: ['s3:GetObject'] }), `403 AccessDenied: User: ${CALLER} is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${ROLE} ${because('iam:SimulatePrincipalPolicy')}`],
  ['SSM GetParameters: 400 AccessDeniedException on the parameter', (f) => new SSMClient(options(f)).send(new GetParametersCommand({ Names: ['/app/db'] })), `400 AccessDeniedException: User: ${CALLER} is not authorized to perform: ssm:GetParameters on resource: ${P}/app/db ${because('ssm:GetParameters')}`],
  ['ECS DescribeServices: 400 AccessDeniedException on the service', (f) => new ECSClient(options(f)).send(new DescribeServicesCommand({ cluster: 'c', services: ['web'] })), `400 AccessDeniedException: User: ${CALLER} is not authorized to perform: ecs:DescribeServices on resource: arn:aws:ecs:us-east-1:${ACCT}:service/c/web`],
  ['Batch SubmitJob: 403 AccessDeniedException on the job definition', (f) => new BatchClient(options(f)).send(new SubmitJobCommand({ jobName: 'j', jobQueue: 'q', jobDefinition: 'jd:1' })), `403 AccessDeniedException: User: ${CALLER} is not authorized to perform: batch:SubmitJob on resource: arn:aws:batch:us-east-1:${ACCT}:job-definition/jd:1`],
  ['STS GetCallerIdentity: never denied', (f) => new STSClient(options(f)).send(new GetCallerIdentityCommand({})), 'ok']
]

it.each(denials)('deny(): %s; recorded as fault denied, and undone', async (_, call, expected) => {
  fake.setCaller(CALLER)
  const operation = ['SimulatePrincipalPolicy', 'GetParameters', 'DescribeServices', 'SubmitJob', 'GetCallerIdentity']
  operation.forEach((op) => fake.deny(op))
  const denied = await outcome(call(fake))
  const recorded = fake.requests.at(-1)?.fault
  operation.forEach((op) => fake.deny(op, false))
  expect([denied, recorded]).toEqual([expect.stringContaining(expected), expected === 'ok' ? undefined : 'denied'])
  expect(await outcome(call(fake))).not.toContain('not authorized')
  fake.setCaller(`arn:aws:iam::${ACCT}:user/fake`)
})

it("deny('service:Operation') denies that service's operation only", async () => {
  fake.deny('sts:SimulatePrincipalPolicy')
  expect(await outcome(simulate({ ActionNames: ['s3:GetObject'] }))).toBe('ok')
  fake.deny('sts:SimulatePrincipalPolicy', false)
  fake.deny('iam:SimulatePrincipalPolicy')
  expect(await outcome(simulate({ ActionNames: ['s3:GetObject'] }))).toMatch(/^403 AccessDenied/)
  fake.deny('iam:SimulatePrincipalPolicy', false)
})
