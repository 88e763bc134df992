// Real ECS task definitions and Batch job definitions from public repositories (sources and what each
// exercises: __tests__/fixtures/real-definitions/sources.ts), run as users run them: a definition
// file is rewritten and registered, the local server describes it with the defaults AWS fills in,
// and a second run with the same file and the same secrets registers nothing and, with
// `launch: on-change`, launches nothing.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { REAL_DEFINITIONS, REAL_DESCRIBED } from './fixtures/real-definitions/sources.js'
import { useInProcessRun } from './in-process.js'
import { addQueue } from './reliability/fixtures.js'

const { fake, runWith } = useInProcessRun()
const FIXTURES = join(import.meta.dirname, 'fixtures', 'real-definitions')
const ROLE = 'arn:aws:iam::123456789012:role/real-exec'
let dir = ''

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'real-definitions-'))
  addQueue(fake(), 'real-queue')
  fake().ecs.addCluster('real-cluster', { containerInstances: 1 })
})

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
const objects = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : [])

/**
 * The two changes the test makes to a public definition: a name of its own (several share one) and
 * an execution role where a container has none (secrets need one; many public files have none).
 */
function prepare(kind: 'ecs' | 'batch', definition: Json, name: string): Json {
  const copy = structuredClone(definition)
  if (kind === 'ecs') {
    copy.family = name
    copy.executionRoleArn ??= ROLE
    return copy
  }
  copy.jobDefinitionName = name
  const containers = [
    copy.containerProperties,
    ...objects((copy.nodeProperties as Json | undefined)?.nodeRangeProperties).map((range) => range.container)
  ].filter(isObject)
  for (const container of containers) container.executionRoleArn ??= ROLE
  for (const task of objects((copy.ecsProperties as Json | undefined)?.taskProperties)) task.executionRoleArn ??= ROLE
  return copy
}

interface Case {
  label: string
  kind: 'ecs' | 'batch'
  definition: Json
}

async function cases(): Promise<Case[]> {
  const read = async (file: string) => JSON.parse(await readFile(join(FIXTURES, file), 'utf8')) as Json
  const files = await Promise.all(
    REAL_DEFINITIONS.map(async ({ file, kind }) => ({ label: file, kind, definition: await read(file) }))
  )
  // A DescribeJobDefinitions answer of 21 revisions made by the console, the CLI and CloudFormation:
  // each is a file a user may pass (the action takes the describe shape).
  const answers = await Promise.all(
    REAL_DESCRIBED.map(async ({ file, kind }) => ({ file, kind, data: await read(file) }))
  )
  const described = answers.flatMap(({ file, kind, data }) =>
    Array.isArray(data.jobDefinitions)
      ? objects(data.jobDefinitions).map((definition) => ({
          label: `${file} ${String(definition.jobDefinitionName)}:${String(definition.revision)}`,
          kind,
          definition
        }))
      : [{ label: file, kind, definition: isObject(data.taskDefinition) ? data.taskDefinition : data }]
  )
  return [...files, ...described]
}

const all = await cases()

describe('real definitions: a second run with the same file registers and launches nothing', () => {
  it('covers at least 10 public definitions of each service', () => {
    expect(all.filter((each) => each.kind === 'ecs').length).toBeGreaterThanOrEqual(10)
    expect(all.filter((each) => each.kind === 'batch').length).toBeGreaterThanOrEqual(10)
  })

  it.each(all.map((each, index) => [each.label, each, index] as const))('%s', async (_, each, index) => {
    const name = `real-${index}`
    const file = join(dir, `${name}.json`)
    await writeFile(file, JSON.stringify(prepare(each.kind, each.definition, name)))
    const inputs = {
      secrets: JSON.stringify({ DB_PASSWORD: `db-password-${index}`, API_KEY: `api-key-${index}` }),
      path: `/real/${index}/`,
      containers: '*',
      // These definitions reference parameters and secrets of their authors' accounts, which
      // preflight rightly reports missing here; what is tested is the comparison.
      preflight: 'false',
      ...(each.kind === 'ecs' ? { 'task-definition': file } : { 'job-definition': file })
    }
    const register = each.kind === 'ecs' ? 'RegisterTaskDefinition' : 'RegisterJobDefinition'

    const first = await runWith(inputs)
    expect(first.errors).toEqual([])
    expect(first.outputs.registered).toBe('true')

    fake().clearRequests()
    const launch =
      each.kind === 'ecs'
        ? { cluster: 'real-cluster', 'run-task': 'true', subnets: 'subnet-0123456789abcdef0' }
        : { 'job-queue': 'real-queue' }
    const second = await runWith({ ...inputs, ...launch, launch: 'on-change' })
    expect(second.errors).toEqual([])
    expect(second.outputs.registered).toBe('false')
    expect(second.outputs.changed).toBe('0')
    expect(fake().count(register)).toBe(0)
    expect(fake().count('SubmitJob') + fake().count('RunTask')).toBe(0)
    // The diff is against the registered revision: nothing to show.
    expect(second.stdout).not.toMatch(/container '[^']*': [+~-] /)
    expect(second.stdout).not.toMatch(/^[+~-] \w/m)
    expect(second.summary).toContain('unchanged')
  })
})
