// A world for the local AWS-protocol server, from a small JSON file: `cli.ts --seed FILE` and
// `npm run demo` (which runs on seed.example.json) start from one. Every field is optional; each is
// applied with the fake's own seeding functions, so the fake's rules (names, definitions) hold.
// The fields are listed in CONTRIBUTING.md ("Seeding it from a JSON file").
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { ComputeType } from './batch-rules.js'
import type { ContainerOutput } from './logs.js'
import type { FakeAws } from './server.js'

/** The seed the demo runs on, and the example CONTRIBUTING.md shows. */
export const EXAMPLE_SEED = fileURLToPath(new URL('./seed.example.json', import.meta.url))

/** A seed file that does not match the schema; the message starts with the field's path. */
export class SeedError extends Error {
  override name = 'SeedError'
}

type Obj = Record<string, unknown>
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The fields of an object (all optional unless `required`); unknown ones are an error. */
function fields(value: unknown, path: string, allowed: string[], required: string[] = []): Obj {
  if (!isObject(value)) throw new SeedError(`${path || 'the seed'}: expected an object, got ${describe(value)}`)
  const unknown = Object.keys(value).find((key) => !allowed.includes(key) && !required.includes(key))
  if (unknown !== undefined) {
    throw new SeedError(`${at(path, unknown)}: unknown field; expected one of ${[...required, ...allowed].join(', ')}`)
  }
  const missing = required.find((key) => value[key] === undefined)
  if (missing !== undefined) throw new SeedError(`${at(path, missing)}: required`)
  return value
}

const at = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key
const describe = (value: unknown) => (Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value)

function list(value: unknown, path: string): unknown[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw new SeedError(`${path}: expected an array, got ${describe(value)}`)
  return value
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') throw new SeedError(`${path}: expected a non-empty string`)
  return value
}
const optText = (value: unknown, path: string) => (value === undefined ? undefined : text(value, path))

function count(value: unknown, path: string): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isInteger(value) || (value as number) < 0) throw new SeedError(`${path}: expected an integer >= 0`)
  return value as number
}

function oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): T {
  if (!options.includes(value as T)) throw new SeedError(`${path}: expected one of ${options.join(', ')}`)
  return value as T
}

function strings(value: unknown, path: string): string[] {
  return list(value, path).map((item, index) => text(item, at(path, index)))
}

function stringMap(value: unknown, path: string): Record<string, string> {
  const map = fields(value ?? {}, path, Object.keys(value ?? {}))
  for (const [key, item] of Object.entries(map)) if (typeof item !== 'string') text(item, at(path, key))
  return map as Record<string, string>
}

function output(value: unknown, path: string): ContainerOutput | undefined {
  if (value === undefined) return undefined
  const o = fields(value, path, ['lines', 'everyMs', 'printEnvironment'])
  if (o.printEnvironment !== undefined && typeof o.printEnvironment !== 'boolean') {
    throw new SeedError(`${at(path, 'printEnvironment')}: expected true or false`)
  }
  const lines = list(o.lines, at(path, 'lines')).map((line, index) => {
    if (typeof line !== 'string') throw new SeedError(`${at(at(path, 'lines'), index)}: expected a string`)
    return line
  })
  const everyMs = count(o.everyMs, at(path, 'everyMs'))
  return {
    lines,
    ...(everyMs !== undefined && { everyMs }),
    ...(o.printEnvironment === true && { printEnvironment: true })
  }
}

/** Runs a seeding call, and names the field when the fake refuses it. */
function apply<T>(path: string, seed: () => T): T {
  try {
    return seed()
  } catch (error) {
    const why =
      error instanceof Error ? (error.name === 'Error' ? '' : `${error.name}: `) + error.message : String(error)
    throw new SeedError(`${path}: ${why}`)
  }
}

const TOP = [
  '$comment',
  'region',
  'accountId',
  'roles',
  'kmsKeys',
  'secrets',
  'parameters',
  'subnets',
  'securityGroups',
  'computeEnvironments',
  'jobQueues',
  'jobDefinitions',
  'jobOutcome',
  'clusters',
  'taskDefinitions',
  'services',
  'deploymentOutcome',
  'taskOutcome'
]
const COMPUTE_TYPES: readonly ComputeType[] = ['FARGATE', 'FARGATE_SPOT', 'EC2', 'SPOT', 'UNMANAGED']

/** What a seed put in the world, by kind, for a one-line account of it. */
export type SeedCounts = Record<string, number>

/**
 * Checks `seed` (parsed JSON) against the schema above and builds its world in `fake`, in dependency
 * order: roles and keys, parameters, compute environments before queues, definitions before services.
 * A field that does not fit throws a SeedError naming it (`jobQueues[0].computeEnvironments[0]: …`).
 */
export function applySeed(fake: FakeAws, seed: unknown): SeedCounts {
  const world = fields(seed, '', TOP)
  const counts: SeedCounts = {}
  const each = (key: string, seedOne: (item: unknown, path: string) => void) => {
    const items = list(world[key], key)
    items.forEach((item, index) => seedOne(item, at(key, index)))
    if (items.length > 0) counts[key] = items.length
  }
  for (const key of ['region', 'accountId'] as const) {
    const expected = optText(world[key], key)
    if (expected !== undefined && expected !== fake[key]) {
      throw new SeedError(`${key}: the seed is for '${expected}', the server runs with '${fake[key]}'`)
    }
  }

  each('roles', (item, path) => {
    const role = fields(item, path, ['policies'], ['arn'])
    const policies = list(role.policies, at(path, 'policies')).map((policy, index) =>
      fields(policy, at(at(path, 'policies'), index), ['Version', 'Id'], ['Statement'])
    )
    apply(path, () => fake.iam.putRole(text(role.arn, at(path, 'arn')), policies as never))
  })
  each('kmsKeys', (item, path) => {
    const key = fields(item, path, ['id', 'description', 'aliases'])
    const id = optText(key.id, at(path, 'id'))
    const description = optText(key.description, at(path, 'description'))
    const { keyId } = apply(path, () =>
      fake.kms.addKey({ ...(id !== undefined && { id }), ...(description !== undefined && { description }) })
    )
    strings(key.aliases, at(path, 'aliases')).forEach((alias, index) =>
      apply(at(at(path, 'aliases'), index), () => fake.kms.addAlias(alias, keyId))
    )
  })
  each('secrets', (item, path) => {
    const secret = fields(item, path, ['suffix'], ['name'])
    const suffix = optText(secret.suffix, at(path, 'suffix'))
    const name = text(secret.name, at(path, 'name'))
    apply(path, () => fake.secretsmanager.addSecret({ name, ...(suffix !== undefined && { suffix }) }))
  })
  each('parameters', (item, path) => {
    const p = fields(item, path, ['type', 'tier', 'keyId', 'tags'], ['name', 'value'])
    if (typeof p.value !== 'string') throw new SeedError(`${at(path, 'value')}: expected a string`)
    const type =
      p.type === undefined ? 'String' : oneOf(p.type, at(path, 'type'), ['String', 'StringList', 'SecureString'])
    const tier = p.tier === undefined ? undefined : oneOf(p.tier, at(path, 'tier'), ['Standard', 'Advanced'])
    const keyId = optText(p.keyId, at(path, 'keyId'))
    const tags = stringMap(p.tags, at(path, 'tags'))
    const name = text(p.name, at(path, 'name'))
    apply(path, () =>
      fake.ssm.put({ name, value: p.value as string, type, tags, ...(tier && { tier }), ...(keyId && { keyId }) })
    )
  })
  each('subnets', (item, path) => {
    const subnet = fields(item, path, [], ['id', 'vpcId'])
    fake.ec2.addSubnet({ id: text(subnet.id, at(path, 'id')), vpcId: text(subnet.vpcId, at(path, 'vpcId')) })
  })
  each('securityGroups', (item, path) => {
    const group = fields(item, path, [], ['id', 'vpcId'])
    fake.ec2.addSecurityGroup({ id: text(group.id, at(path, 'id')), vpcId: text(group.vpcId, at(path, 'vpcId')) })
  })

  each('computeEnvironments', (item, path) => {
    const ce = fields(item, path, ['maxvCpus'], ['name', 'type'])
    const type = oneOf(ce.type, at(path, 'type'), COMPUTE_TYPES)
    const maxvCpus = count(ce.maxvCpus, at(path, 'maxvCpus'))
    const name = text(ce.name, at(path, 'name'))
    apply(path, () => fake.batch.addComputeEnvironment({ name, type, ...(maxvCpus !== undefined && { maxvCpus }) }))
  })
  const environments = list(world.computeEnvironments, 'computeEnvironments').map((ce) => (ce as Obj).name)
  each('jobQueues', (item, path) => {
    const queue = fields(item, path, [], ['name', 'computeEnvironments'])
    const names = strings(queue.computeEnvironments, at(path, 'computeEnvironments'))
    names.forEach((name, index) => {
      if (!environments.includes(name)) {
        throw new SeedError(
          `${at(at(path, 'computeEnvironments'), index)}: no compute environment '${name}' in computeEnvironments`
        )
      }
    })
    apply(path, () => fake.batch.addQueue(text(queue.name, at(path, 'name')), { computeEnvironments: names }))
  })
  each('jobDefinitions', (item, path) => {
    const definition = fields(item, path, Object.keys(isObject(item) ? item : {}))
    apply(path, () => fake.batch.seedDefinition(definition))
  })
  if (world.jobOutcome !== undefined) {
    const path = 'jobOutcome'
    const o = fields(world.jobOutcome, path, ['statusReason', 'exitCode', 'stepMs', 'output'], ['result'])
    const result = oneOf(o.result, at(path, 'result'), ['SUCCEEDED', 'FAILED'] as const)
    const stepMs = count(o.stepMs, at(path, 'stepMs'))
    const exitCode = count(o.exitCode, at(path, 'exitCode'))
    const printed = output(o.output, at(path, 'output'))
    const outcome =
      result === 'SUCCEEDED'
        ? { result }
        : {
            result,
            statusReason: optText(o.statusReason, at(path, 'statusReason')) ?? 'Essential container in task exited',
            ...(exitCode !== undefined && { exitCode })
          }
    fake.batch.setJobOutcome(outcome, { ...(stepMs !== undefined && { stepMs }), ...(printed && { output: printed }) })
  }

  each('clusters', (item, path) => {
    const cluster = fields(item, path, ['containerInstances'], ['name'])
    const containerInstances = count(cluster.containerInstances, at(path, 'containerInstances'))
    const name = text(cluster.name, at(path, 'name'))
    apply(path, () => fake.ecs.addCluster(name, containerInstances === undefined ? {} : { containerInstances }))
  })
  each('taskDefinitions', (item, path) => {
    const definition = fields(item, path, Object.keys(isObject(item) ? item : {}))
    apply(path, () => fake.ecs.seedTaskDefinition(definition))
  })
  each('services', (item, path) => {
    const s = fields(
      item,
      path,
      ['desiredCount', 'deploymentCircuitBreaker'],
      ['cluster', 'serviceName', 'taskDefinition']
    )
    const desiredCount = count(s.desiredCount, at(path, 'desiredCount'))
    let breaker: { enable: boolean; rollback: boolean } | undefined
    if (s.deploymentCircuitBreaker !== undefined) {
      const b = fields(s.deploymentCircuitBreaker, at(path, 'deploymentCircuitBreaker'), [], ['enable', 'rollback'])
      if (typeof b.enable !== 'boolean' || typeof b.rollback !== 'boolean') {
        throw new SeedError(`${at(path, 'deploymentCircuitBreaker')}: enable and rollback are true or false`)
      }
      breaker = { enable: b.enable, rollback: b.rollback }
    }
    const seed = {
      cluster: text(s.cluster, at(path, 'cluster')),
      serviceName: text(s.serviceName, at(path, 'serviceName')),
      taskDefinition: text(s.taskDefinition, at(path, 'taskDefinition')),
      ...(desiredCount !== undefined && { desiredCount }),
      ...(breaker && { deploymentCircuitBreaker: breaker })
    }
    apply(path, () => fake.ecs.addService(seed))
  })
  if (world.deploymentOutcome !== undefined) {
    const path = 'deploymentOutcome'
    const o = fields(world.deploymentOutcome, path, ['reason', 'stepMs'], ['result'])
    const result = oneOf(o.result, at(path, 'result'), ['COMPLETED', 'FAILED'] as const)
    const reason = optText(o.reason, at(path, 'reason'))
    const stepMs = count(o.stepMs, at(path, 'stepMs'))
    const outcome = result === 'COMPLETED' ? { result } : { result, ...(reason !== undefined && { reason }) }
    apply(path, () => fake.ecs.setDeploymentOutcome(outcome, stepMs === undefined ? {} : { stepMs }))
  }
  if (world.taskOutcome !== undefined) {
    const path = 'taskOutcome'
    const o = fields(world.taskOutcome, path, ['exitCodes', 'stepMs', 'output'])
    const codes = fields(o.exitCodes ?? {}, at(path, 'exitCodes'), Object.keys(o.exitCodes ?? {}))
    const exitCodes = Object.fromEntries(
      Object.entries(codes).map(([name, code]) => [name, count(code, at(at(path, 'exitCodes'), name)) ?? 0])
    )
    const outputs = fields(o.output ?? {}, at(path, 'output'), Object.keys(o.output ?? {}))
    const printed = Object.fromEntries(
      Object.entries(outputs).map(([name, value]) => [name, output(value, at(at(path, 'output'), name)) ?? {}])
    )
    const stepMs = count(o.stepMs, at(path, 'stepMs'))
    fake.ecs.setTaskOutcome({ exitCodes }, { output: printed, ...(stepMs !== undefined && { stepMs }) })
  }
  return counts
}

/** Reads and parses a seed file; a file that is not JSON is a SeedError naming it. */
export async function readSeedFile(file: string): Promise<unknown> {
  const textOf = await readFile(file, 'utf8')
  try {
    return JSON.parse(textOf) as unknown
  } catch (error) {
    throw new SeedError(`${file}: not JSON (${error instanceof Error ? error.message : String(error)})`)
  }
}

/** One line saying what a seed built: "2 roles, 1 jobQueues, …". */
export function seedCountsLine(counts: SeedCounts): string {
  const parts = Object.entries(counts).map(([kind, n]) => `${n} ${kind}`)
  return parts.length > 0 ? parts.join(', ') : 'nothing'
}
