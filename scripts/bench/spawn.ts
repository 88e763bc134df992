// Runs the bundle as the runner does (the e2e harness's INPUT_* variables and command files), timing
// the process itself: spawn and exit on the benchmark's clock, and optionally its peak memory.
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { inputVariables, parseOutputFile, ROOT } from '../../__tests__/e2e/harness.js'

export const GNU_TIME = '/usr/bin/time'

export interface TimedRun {
  exitCode: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  /** performance.now() just before spawn and at exit */
  spawnAt: number
  exitAt: number
  /** peak resident set size of the node process, from GNU time, when asked for */
  peakRssKb?: number
}

export interface SpawnOptions {
  node: string
  /** the bundle to run (a snapshot of dist/index.js) */
  bundle: string
  endpoint: string
  inputs: Record<string, string>
  /** wrap the process in GNU time -f %M (adds an exec of about a millisecond) */
  memory?: boolean
}

export async function spawnAction(options: SpawnOptions): Promise<TimedRun> {
  const dir = await mkdtemp(join(tmpdir(), 'ssm-secrets-bench-'))
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_PATH: join(dir, 'path')
  }
  await Promise.all(Object.values(files).map((file) => writeFile(file, '')))
  const timeFile = join(dir, 'time')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-key',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: options.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(dir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-credentials'),
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_RUN_ID: '1234',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    ...files,
    ...inputVariables(options.inputs)
  }
  const [command, args] = options.memory
    ? [GNU_TIME, ['-f', '%M', '-o', timeFile, options.node, options.bundle]]
    : [options.node, [options.bundle]]
  const spawnAt = performance.now()
  const child = spawn(command, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const { exitCode, exitAt } = await new Promise<{ exitCode: number; exitAt: number }>((done, fail) => {
    child.on('error', fail)
    child.on('exit', (code) => done({ exitCode: code ?? -1, exitAt: performance.now() }))
  })
  await new Promise((resolve) => (child.stdout.readableEnded ? resolve(undefined) : child.stdout.on('end', resolve)))
  const outputs = parseOutputFile(await readFile(files.GITHUB_OUTPUT, 'utf8'))
  const run: TimedRun = { exitCode, stdout, stderr, outputs, spawnAt, exitAt }
  if (options.memory) {
    const kb = Number((await readFile(timeFile, 'utf8')).trim().split('\n').pop())
    if (Number.isFinite(kb)) run.peakRssKb = kb
  }
  await rm(dir, { recursive: true, force: true })
  return run
}
