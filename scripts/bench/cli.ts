// The AWS CLI v2 baseline: cli-sync.sh (what users write today) against the same local server.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { ROOT } from '../../__tests__/e2e/harness.js'
import type { FakeAws } from '../../__tests__/fake-aws/index.js'
import { startBenchFake } from './fake.js'
import {
  baseDefinition,
  JOB_DEFINITION,
  JOB_QUEUE,
  PARAMETER_PATH,
  refillMs,
  measurementOf,
  secretValues,
  type BenchConfig,
  type Measurement
} from './scenarios.js'

/** Debian's AWS CLI v2; the pyenv or pip `aws` earlier on PATH may be v1. */
export const AWS_CLI = '/usr/bin/aws'
const SCRIPT = join(ROOT, 'scripts', 'bench', 'cli-sync.sh')

async function runScript(
  fake: FakeAws,
  n: number
): Promise<{ exitCode: number; stderr: string; spawnAt: number; exitAt: number }> {
  const home = await mkdtemp(join(tmpdir(), 'ssm-secrets-bench-cli-'))
  const values = secretValues(n)
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-key',
    AWS_REGION: 'us-east-1',
    AWS_PAGER: '',
    AWS_CONFIG_FILE: join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CLI,
    ENDPOINT: fake.url,
    PARAMETER_PATH,
    SECRET_NAMES: Object.keys(values).join(' '),
    JOB_DEFINITION,
    JOB_QUEUE,
    JOB_NAME: `${JOB_DEFINITION}-1234-1`,
    ...values
  }
  const spawnAt = performance.now()
  const child = spawn('bash', [SCRIPT], { env, cwd: home, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const result = await new Promise<{ exitCode: number; exitAt: number }>((done, fail) => {
    child.on('error', fail)
    child.on('exit', (code) => done({ exitCode: code ?? -1, exitAt: performance.now() }))
  })
  await rm(home, { recursive: true, force: true })
  return { ...result, stderr, spawnAt }
}

/** One measured run of the script, cold (nothing exists) or warm (after a first run). */
export async function measureCli(n: number, state: 'cold' | 'warm', config: BenchConfig): Promise<Measurement> {
  const scenario = { n, state, batch: true }
  const bench = await startBenchFake({ latencyMs: config.latencyMs, quotas: config.quotas })
  const { fake } = bench
  try {
    fake.batch.addQueue(JOB_QUEUE)
    fake.batch.seedDefinition(baseDefinition())
    if (state === 'warm') {
      const setup = await runScript(fake, n)
      if (setup.exitCode !== 0) throw new Error(`setup run failed: ${setup.stderr.slice(0, 300)}`)
      await sleep(refillMs(config.quotas) + 200)
      fake.clearRequests()
    }
    const jobsBefore = fake.batch.jobs().length
    const run = await runScript(fake, n)
    const written = fake.ssm.names().filter((name) => name.startsWith(PARAMETER_PATH)).length
    const problem =
      run.exitCode !== 0
        ? `exit ${run.exitCode}: ${run.stderr.trim().slice(0, 300)}`
        : written !== n || fake.batch.jobs().length !== jobsBefore + 1
          ? `${written} parameters, ${fake.batch.jobs().length - jobsBefore} jobs`
          : undefined
    return measurementOf(scenario, run, problem, bench)
  } finally {
    await fake.close()
  }
}
