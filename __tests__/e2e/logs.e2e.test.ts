// The shipped bundle follows the containers' CloudWatch Logs while it waits: every line in order,
// no secret value anywhere, no workflow command from a container, failures with their last lines.
import { readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeAws, type FakeAws } from '../fake-aws/index.js'
import { addQueue, CLUSTER, EXEC_ROLE, QUEUE, seedAccount } from '../reliability/fixtures.js'
import {
  ACTION_RUNTIME,
  assertRuntimesPresent,
  errorAnnotations,
  ROOT,
  runAction,
  withoutMaskCommands
} from './harness.js'

const SECRETS = { DB_PASSWORD: 'hunter2-db-pass', TLS_KEY: '-----BEGIN KEY-----\nQmFzZTY0U2VjcmV0\n-----END KEY-----' }
const VALUES = ['hunter2-db-pass', 'QmFzZTY0U2VjcmV0']
const LINES = Array.from({ length: 40 }, (_, i) => `line ${String(i).padStart(3, '0')}`)
const INJECTED = ['::error::injected by the container', 'text ##[warning]injected too']
// How long the action reads on after the end (10 s in real runs): short, since here lines arrive at once…
const env = { SSM_SECRETS_ACTION_LOG_GRACE_MS: '200' }
// …except in the first case, where they all arrive after the action has seen the job stop (3 s in).
const LATE = { lagMs: 4_000, graceMs: '5000' }

const batchDefinition = {
  jobDefinitionName: 'report',
  type: 'container',
  platformCapabilities: ['FARGATE'],
  containerProperties: {
    image: 'registry.example/report:1',
    executionRoleArn: EXEC_ROLE,
    resourceRequirements: [
      { type: 'VCPU', value: '1' },
      { type: 'MEMORY', value: '2048' }
    ],
    environment: [{ name: 'MODE', value: 'batch' }]
  }
}
const options = { 'awslogs-group': '/ecs/migrate', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true' }
const awslogs = { logDriver: 'awslogs', options }
const taskDefinition = {
  family: 'migrate',
  executionRoleArn: EXEC_ROLE,
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: ['app', 'sidecar'].map((name) => ({ name, image: `${name}:1`, logConfiguration: awslogs }))
}

let fake: FakeAws
const run = (inputs: Record<string, string>, extraEnv: Record<string, string> = {}) =>
  runAction({
    endpoint: fake.url,
    node: ACTION_RUNTIME.node,
    env: { ...env, ...extraEnv },
    inputs: { path: '/prod/app/', secrets: JSON.stringify(SECRETS), wait: 'true', ...inputs }
  })
const batch = { 'job-definition': 'report', 'job-queue': QUEUE }

/** The lines the action relayed from containers: those between a stop-commands marker and its token. */
function relayed(stdout: string): string[] {
  const lines: string[] = []
  let token: string | undefined
  for (const line of stdout.split('\n')) {
    if (token === undefined) token = /^::stop-commands::(.+)$/.exec(line)?.[1]
    else if (line === `::${token}::`) token = undefined
    else lines.push(line)
  }
  return lines
}

/** Lines the runner would take for a command: `::` at the start (after spaces), `##[` anywhere, outside stop-commands. */
function commands(stdout: string): string[] {
  const inside = new Set(relayed(stdout))
  return stdout
    .split('\n')
    .filter((line) => !inside.has(line) && (line.trimStart().startsWith('::') || line.includes('##[')))
}

function expectNoValue(result: Awaited<ReturnType<typeof run>>): void {
  const everything = [withoutMaskCommands(result.stdout), result.stderr, result.summary, ...Object.values(result.files)]
  for (const value of VALUES) {
    expect(everything.filter((text) => text.includes(value))).toEqual([])
    expect(JSON.stringify(result.outputs)).not.toContain(value)
  }
}

beforeAll(assertRuntimesPresent)
beforeEach(async () => {
  fake = await startFakeAws()
  seedAccount(fake)
  addQueue(fake, QUEUE)
  fake.batch.seedDefinition(batchDefinition)
})
afterEach(async () => {
  await fake.close()
})

describe(`live logs end to end under ${ACTION_RUNTIME.label}`, () => {
  it('Batch: every line written before the job ended reaches the log in order, redacted, without commands', async () => {
    const output = { printEnvironment: true, lines: [...LINES, ...INJECTED], everyMs: 20 }
    fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { stepMs: 50, output })
    fake.logs.ingestionDelay(LATE.lagMs)
    const result = await run(batch, { SSM_SECRETS_ACTION_LOG_GRACE_MS: LATE.graceMs })
    expect(result.exitCode, result.stdout).toBe(0)

    const [job] = fake.batch.jobs()
    const stream = fake.logs.streams('/aws/batch/job')[0] ?? ''
    const written = fake.logs.events('/aws/batch/job', stream)
    // The last lines were ingested after the job stopped: the action still read them.
    expect(written.at(-1)?.ingestionTime).toBeGreaterThan((job?.stoppedAt ?? Infinity) + 3_000)
    expect(written.map((event) => event.message)).toEqual(
      expect.arrayContaining([...LINES, 'DB_PASSWORD=hunter2-db-pass'])
    )
    // The multi-line value was printed as one event: the whole of it is one ***.
    expect(relayed(result.stdout)).toEqual(['MODE=batch', 'DB_PASSWORD=***', 'TLS_KEY=***', ...LINES, ...INJECTED])
    expect(commands(result.stdout).filter((line) => line.includes('injected'))).toEqual([])
    expectNoValue(result)
    expect(result.summary).toMatch(/: SUCCEEDED \(ran \d+ s, exit code 0\)/)
    expect(result.summary).toContain(
      `#logsV2:log-groups/log-group/$252Faws$252Fbatch$252Fjob/log-events/${stream.replace(/\//g, '$252F')})`
    )
  })

  it('Batch: a job that exits non-zero fails with its exit code and its last log-lines lines, also in the summary', async () => {
    const failed = { result: 'FAILED' as const, statusReason: 'Essential container in task exited', exitCode: 3 }
    fake.batch.setJobOutcome(failed, { stepMs: 20, output: { lines: [...LINES, 'password was hunter2-db-pass'] } })
    const result = await run({ ...batch, 'log-lines': '3' })
    expect(result.exitCode).toBe(1)
    const [error] = errorAnnotations(result)
    expect(error).toContain('Container exit code 3')
    expect(error).toMatch(/Last 3 log lines:\nline 038\nline 039\npassword was \*\*\*$/)
    expect(result.summary).toMatch(
      /<details><summary>Last 3 log lines<\/summary>\n\n<pre>line 038\nline 039\npassword was \*\*\*<\/pre>/
    )
    expect(result.summary).toContain('exit code 3')
    expectNoValue(result)
  })

  it('Batch: a container that never started explains the denied role; its missing stream is one warning', async () => {
    fake.denySecretReads(EXEC_ROLE)
    const result = await run(batch)
    expect(result.exitCode).toBe(1)
    const [error] = errorAnnotations(result)
    expect(error).toContain('Task failed to start')
    expect(error).toMatch(/role exec .*ssm:GetParameters/s)
    expect(error).toContain('"Action": "ssm:GetParameters"')
    const warnings = result.stdout.split('\n').filter((line) => line.startsWith('::warning::Logs of'))
    expect(warnings).toEqual([
      expect.stringContaining('The specified log stream does not exist. The container may never have started')
    ])
  })

  it('ECS run-task: two containers, each line prefixed with its container', async () => {
    fake.ecs.addCluster(CLUSTER)
    fake.ecs.seedTaskDefinition(taskDefinition)
    const output = { app: { printEnvironment: true, lines: ['migrated'] }, sidecar: { lines: ['ready'] } }
    fake.ecs.setTaskOutcome({ exitCodes: {} }, { stepMs: 20, output })
    const inputs = {
      'task-definition': 'migrate',
      containers: 'app',
      cluster: CLUSTER,
      'run-task': 'true',
      'launch-type': 'FARGATE',
      subnets: 'subnet-0123456789abcdef0'
    }
    const result = await run(inputs)
    expect(result.exitCode, result.stdout).toBe(0)
    const lines = ['[app] DB_PASSWORD=***', '[app] TLS_KEY=***', '[app] migrated', '[sidecar] ready']
    expect(relayed(result.stdout).sort()).toEqual(lines.sort())
    expectNoValue(result)
  })

  it('loads the CloudWatch Logs SDK only when it follows logs; a denied GetLogEvents is one warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'load-trace-'))
    const hook = join(dir, 'hook.mjs')
    await writeFile(
      hook,
      `import { registerHooks } from 'node:module'
registerHooks({ load(url, context, next) { if (url.includes('/dist/')) process.stderr.write('loaded ' + url + '\\n'); return next(url, context) } })\n`
    )
    const traced = { NODE_OPTIONS: `--import=${hook}` }
    const dist = join(ROOT, 'dist')
    const chunk = readdirSync(dist).find((file) => readFileSync(join(dist, file), 'utf8').includes('Logs_20140328'))
    const logsChunk = (stderr: string) => stderr.split('\n').filter((line) => line.endsWith(`/dist/${chunk}`))
    fake.batch.setJobOutcome({ result: 'SUCCEEDED' }, { stepMs: 10, output: { lines: ['hello'] } })

    const off = await run({ ...batch, logs: 'false' }, traced)
    fake.logs.deny()
    const denied = await run(batch, traced)
    expect([off.exitCode, denied.exitCode]).toEqual([0, 0])
    expect(fake.requests.filter((request) => request.operation === 'GetLogEvents')).toHaveLength(1)
    expect(off.stderr).toMatch(/^loaded .*dist\/index\.js$/m)
    expect(denied.stdout.split('\n').filter((line) => line.startsWith('::warning::Logs'))).toEqual([
      expect.stringContaining('logs:GetLogEvents')
    ])
    expect(relayed(denied.stdout)).toEqual([])
    expect({ off: logsChunk(off.stderr), denied: logsChunk(denied.stderr).length }).toEqual({ off: [], denied: 1 })
  })
})
