// The fake's seed files (fake-aws/seed.ts): the world a seed describes is there, through the real SDK
// clients; a field that does not fit the schema is refused with its name; the CLI takes --seed.
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BatchClient, DescribeJobQueuesCommand } from '@aws-sdk/client-batch'
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs'
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam'
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm'
import { startFakeAws, type FakeAws } from './fake-aws/index.js'
import { applySeed, EXAMPLE_SEED, readSeedFile, SeedError } from './fake-aws/seed.js'

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }
const clients = (url: string) => {
  const options = { endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 }
  return { batch: new BatchClient(options), ecs: new ECSClient(options), ssm: new SSMClient(options) }
}
const ROLE = 'arn:aws:iam::123456789012:role/exec'
const taskDefinition = {
  family: 'web',
  executionRoleArn: ROLE,
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'app', image: 'web:1' }]
}
const world = {
  computeEnvironments: [{ name: 'fargate', type: 'FARGATE', maxvCpus: 4 }],
  jobQueues: [{ name: 'jobs', computeEnvironments: ['fargate'] }],
  clusters: [{ name: 'main' }],
  taskDefinitions: [taskDefinition],
  services: [{ cluster: 'main', serviceName: 'web', taskDefinition: 'web' }],
  parameters: [{ name: '/app/A', value: 'a', tags: { team: 'app' } }]
}

let fake: FakeAws
beforeEach(async () => {
  fake = await startFakeAws()
})
afterEach(async () => {
  await fake.close()
})

/** What the SDK sees of the queue 'jobs', the service 'web' and the parameter '/app/A'. */
async function seen(url: string, queue = 'jobs', cluster = 'main', service = 'web', parameter = '/app/A') {
  const { batch, ecs, ssm } = clients(url)
  const [queues, services, parameters] = await Promise.all([
    batch.send(new DescribeJobQueuesCommand({ jobQueues: [queue] })),
    ecs.send(new DescribeServicesCommand({ cluster, services: [service] })),
    ssm.send(new GetParametersCommand({ Names: [parameter] }))
  ])
  for (const client of [batch, ecs, ssm]) client.destroy()
  const [q] = queues.jobQueues ?? []
  const [s] = services.services ?? []
  return {
    queue: q && [q.state, q.status, q.computeEnvironmentOrder?.map((ce) => ce.computeEnvironment)],
    service: s && [s.status, s.taskDefinition],
    parameter: parameters.Parameters?.map((p) => [p.Name, p.Type, p.Version])
  }
}

describe('applySeed', () => {
  it('builds the world a seed describes: queue and compute environment, cluster, service and its task definition', async () => {
    expect(applySeed(fake, world)).toEqual({
      computeEnvironments: 1,
      jobQueues: 1,
      clusters: 1,
      taskDefinitions: 1,
      services: 1,
      parameters: 1
    })
    expect(await seen(fake.url)).toEqual({
      queue: ['ENABLED', 'VALID', ['arn:aws:batch:us-east-1:123456789012:compute-environment/fargate']],
      service: ['ACTIVE', 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1'],
      parameter: [['/app/A', 'String', 1]]
    })
    expect(fake.ssm.get('/app/A')?.tags).toEqual({ team: 'app' })
  })

  it('loads the example seed file (the demo’s world), in which preflight’s checks can pass', async () => {
    const counts = applySeed(fake, await readSeedFile(EXAMPLE_SEED))
    expect(counts).toMatchObject({ roles: 1, jobQueues: 1, jobDefinitions: 1, clusters: 1, services: 1 })
    const found = await seen(fake.url, 'billing-jobs', 'main', 'billing-web', '/billing/LOG_LEVEL')
    expect(found.queue).toEqual(['ENABLED', 'VALID', [expect.stringMatching(/compute-environment\/fargate$/)]])
    expect(found.service).toEqual(['ACTIVE', expect.stringMatching(/task-definition\/billing-web:1$/)])
    expect(fake.batch.definitions('billing-report').map((d) => d.revision)).toEqual([1])
    // The execution role may read the parameters, as SimulatePrincipalPolicy answers preflight.
    const iam = new IAMClient({ endpoint: fake.url, region: 'us-east-1', credentials, maxAttempts: 1 })
    const simulated = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: 'arn:aws:iam::123456789012:role/billing-exec',
        ActionNames: ['ssm:GetParameters'],
        ResourceArns: ['arn:aws:ssm:us-east-1:123456789012:parameter/billing/DB_PASSWORD']
      })
    )
    iam.destroy()
    expect(simulated.EvaluationResults?.map((result) => result.EvalDecision)).toEqual(['allowed'])
  })

  it('is the example CONTRIBUTING.md shows, so the docs and the demo never differ', async () => {
    const doc = await readFile(join(import.meta.dirname, '..', 'CONTRIBUTING.md'), 'utf8')
    const [, shown] = /that this example is the file:\n\n```json\n([\s\S]*?)\n```/.exec(doc) ?? []
    expect(JSON.parse(shown ?? 'null')).toEqual(await readSeedFile(EXAMPLE_SEED))
  })

  it.each([
    [[], /^the seed: expected an object, got an array$/],
    [{ jobQueue: [] }, /^jobQueue: unknown field; expected one of \$comment, region, /],
    [{ region: 'eu-west-1' }, /^region: the seed is for 'eu-west-1', the server runs with 'us-east-1'$/],
    [
      { jobQueues: [{ name: 'q', computeEnvironments: ['gone'] }] },
      /^jobQueues\[0\]\.computeEnvironments\[0\]: no compute environment 'gone'/
    ],
    [
      { computeEnvironments: [{ name: 'ce', type: 'LAMBDA' }] },
      /^computeEnvironments\[0\]\.type: expected one of FARGATE, /
    ],
    [
      { computeEnvironments: [{ name: 'ce', type: 'FARGATE' }] },
      /^computeEnvironments\[0\]: A FARGATE compute environment needs maxvCpus/
    ],
    [
      { clusters: [{ name: 'main' }], services: [{ cluster: 'main', serviceName: 'web' }] },
      /^services\[0\]\.taskDefinition: required$/
    ],
    [{ services: [{ cluster: 'gone', serviceName: 'web', taskDefinition: 'web' }] }, /^services\[0\]: No cluster gone/],
    [{ jobDefinitions: [{ jobDefinitionName: 'x' }] }, /^jobDefinitions\[0\]: ClientException: /],
    [{ parameters: [{ name: '/a', value: 1 }] }, /^parameters\[0\]\.value: expected a string$/],
    [
      { parameters: [{ name: '/a', value: 'a', tags: { team: 1 } }] },
      /^parameters\[0\]\.tags\.team: expected a non-empty string$/
    ],
    [
      { roles: [{ arn: ROLE, policies: [{ Statement: [{ Effect: 'Maybe' }] }] }] },
      /^roles\[0\]: Effect must be Allow or Deny/
    ],
    [{ jobOutcome: { result: 'DONE' } }, /^jobOutcome\.result: expected one of SUCCEEDED, FAILED$/],
    [
      { jobOutcome: { result: 'SUCCEEDED', output: { everyMs: -1 } } },
      /^jobOutcome\.output\.everyMs: expected an integer >= 0$/
    ]
  ])('refuses %j, naming the field', (seed, message) => {
    expect(() => applySeed(fake, seed)).toThrow(SeedError)
    expect(() => applySeed(fake, seed)).toThrow(message)
  })

  it('names a seed file that is not JSON', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'seed-')), 'bad.json')
    await writeFile(file, '{ "jobQueues": [ }')
    await expect(readSeedFile(file)).rejects.toThrow(new RegExp(`^${file}: not JSON`))
  })
})

/** Starts cli.ts; resolves with its first stdout line (the URL) or its exit code and stderr. */
function startCli(args: string[]) {
  const child = spawn(join('node_modules', '.bin', 'tsx'), [join('__tests__', 'fake-aws', 'cli.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let [stdout, stderr] = ['', '']
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const started = new Promise<{ url?: string; code?: number | null; stderr: string }>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      if (stdout.includes('\n')) resolve({ url: stdout.split('\n')[0] ?? '', stderr })
    })
    child.on('exit', (code) => resolve({ code, stderr }))
  })
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.on('exit', () => resolve())
      child.kill('SIGTERM')
    })
  return { started, stop }
}

describe('cli.ts --seed', () => {
  it('serves the seeded world and says what it seeded', async () => {
    const cli = startCli(['--seed', EXAMPLE_SEED])
    try {
      const { url, stderr } = await cli.started
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(stderr).toMatch(/^Seeded from .*seed\.example\.json: 1 roles, /)
      const found = await seen(url ?? '', 'billing-jobs', 'main', 'billing-web', '/billing/LOG_LEVEL')
      expect(found.queue?.[0]).toBe('ENABLED')
      expect(found.service?.[0]).toBe('ACTIVE')
    } finally {
      await cli.stop()
    }
  })

  it('exits 2 on a bad seed, naming the field', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'seed-')), 'seed.json')
    await writeFile(file, JSON.stringify({ clusters: [{ name: 'main', size: 3 }] }))
    const cli = startCli(['--seed', file])
    const result = await cli.started
    await cli.stop()
    expect(result).toEqual({
      code: 2,
      stderr: `Invalid seed ${file}: clusters[0].size: unknown field; expected one of name, containerInstances\n`
    })
  })
})
