// What the demo runs on: the example seed file (the same one CONTRIBUTING.md shows), the names the
// steps take from it, and the sample secrets, whose values must never be printed.

/** Sample secrets as `${{ toJSON(secrets) }}` would pass them: github_token included, never synced. */
export const SECRETS: Record<string, string> = {
  DB_PASSWORD: 'correct-horse-battery-staple',
  API_KEY: 'sk_live_51Hdemo0000000000',
  TLS_KEY: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----',
  github_token: 'ghs_never_synced_unless_included'
}
/** Step 2 rotates one value. */
export const ROTATED = { name: 'DB_PASSWORD', value: 'tr0ub4dor-and-3-rotated' }
/** A variable (String parameter); the seed holds an older value of it. */
export const VARIABLES = { LOG_LEVEL: 'info' }
/** The parameter path; the seed's /billing/LOG_LEVEL lives under it. */
export const PATH = '/billing/'

/** Every value the output must not contain: each secret (the rotated one too) and each line of a multi-line one. */
export function secretValues(): string[] {
  const values = [...Object.values(SECRETS), ROTATED.value]
  return [...new Set([...values, ...values.flatMap((value) => (value.includes('\n') ? value.split('\n') : []))])]
}

/** The names the demo's steps use, read from the seed, and a few lines describing it. */
export interface DemoWorld {
  queue: string
  jobDefinition: string
  cluster: string
  service: string
  taskDefinition: string
  kmsAlias: string | undefined
  /** what the job's container prints (the seed's jobOutcome.output.lines) */
  jobLines: string[]
  description: string[]
}

type Obj = Record<string, unknown>
const records = (value: unknown): Obj[] =>
  Array.isArray(value) ? value.filter((item): item is Obj => typeof item === 'object' && item !== null) : []
const field = (item: Obj | undefined, key: string): string => {
  const value = item?.[key]
  if (typeof value !== 'string') throw new Error(`The demo's seed needs ${key} (see __tests__/fake-aws/seed.ts)`)
  return value
}

/** The first queue, job definition and service of a seed that applySeed accepted. */
export function demoWorld(seed: unknown): DemoWorld {
  const world = seed as Obj
  const queue = records(world.jobQueues)[0]
  const definition = records(world.jobDefinitions)[0]
  const service = records(world.services)[0]
  const environments = new Map(records(world.computeEnvironments).map((ce) => [ce.name, ce.type]))
  const queueEnvironments = (Array.isArray(queue?.computeEnvironments) ? queue.computeEnvironments : []).map(
    (name) => `${String(name)} (${String(environments.get(name))})`
  )
  const jobOutcome = world.jobOutcome as { output?: { lines?: unknown } } | undefined
  const jobLines = Array.isArray(jobOutcome?.output?.lines) ? jobOutcome.output.lines.map(String) : []
  const aliases = records(world.kmsKeys).flatMap((key) => (Array.isArray(key.aliases) ? key.aliases.map(String) : []))
  const roles = records(world.roles).map((role) => field(role, 'arn').replace(/^.*:role\//, ''))
  const statements = records(world.roles).flatMap((role) =>
    records(role.policies).flatMap((policy) => [policy.Statement].flat() as Obj[])
  )
  const actions = [...new Set(statements.flatMap((statement) => [statement.Action].flat().map(String)))]
  const parameters = records(world.parameters).map((parameter) => field(parameter, 'name'))
  const names = {
    queue: field(queue, 'name'),
    jobDefinition: field(definition, 'jobDefinitionName'),
    cluster: field(service, 'cluster'),
    service: field(service, 'serviceName'),
    taskDefinition: field(service, 'taskDefinition')
  }
  return {
    ...names,
    kmsAlias: aliases[0],
    jobLines,
    description: [
      `Batch  job queue ${names.queue} on ${queueEnvironments.join(', ')}; job definition ${names.jobDefinition}, revision 1, no secrets yet`,
      `ECS    cluster ${names.cluster}, service ${names.service} running ${names.taskDefinition}, revision 1, no secrets yet`,
      `IAM    execution role ${roles.join(', ')}, allowed ${actions.join(', ')} (so preflight passes)`,
      `KMS    ${aliases.join(', ') || 'only the default alias/aws/ssm'}` +
        (parameters.length > 0 ? `;  SSM  ${parameters.join(', ')} (an older value)` : '')
    ]
  }
}
