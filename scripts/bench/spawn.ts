// Runs the bundle as the runner does (the e2e harness's INPUT_* variables and command files), timing
// the process itself: spawn and exit on the benchmark's clock, and optionally its peak memory.
import { spawn } from 'node:child_process'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseOutputFile, prepareRunner, ROOT } from '../../__tests__/e2e/harness.js'

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
  const { dir, files, env } = await prepareRunner({
    endpoint: options.endpoint,
    inputs: options.inputs,
    prefix: 'ssm-secrets-bench-'
  })
  const timeFile = join(dir, 'time')
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
