// Runs dist/index.js as the runner does, in a workspace of its own, and collects every channel the
// action can write to: stdout, stderr, the runner's command files, and any other file it leaves in
// the workspace, HOME, RUNNER_TEMP or TMPDIR.
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { BUNDLE, inputVariables, parseOutputFile } from '../e2e/harness.js'

export const COMMAND_FILES = [
  'GITHUB_OUTPUT',
  'GITHUB_ENV',
  'GITHUB_STEP_SUMMARY',
  'GITHUB_STATE',
  'GITHUB_PATH'
] as const
export type CommandFile = (typeof COMMAND_FILES)[number]

export interface BundleRun {
  exitCode: number
  /** true when the run was killed for taking longer than `timeoutMs` */
  timedOut: boolean
  stdout: string
  stderr: string
  /** the runner's command files, raw */
  files: Record<CommandFile, string>
  outputs: Record<string, string>
  summary: string
  /** any other file the action left behind, by path relative to the run's directory */
  otherFiles: Record<string, string>
  ms: number
}

export interface BundleRunOptions {
  node: string
  endpoint: string
  inputs: Record<string, string>
  /** sets RUNNER_DEBUG=1, as a re-run with debug logging does */
  debug?: boolean
  /** extra variables; a value of undefined removes a variable the runner would set */
  env?: Record<string, string | undefined>
  /** files to put in the workspace first (definition files), by relative path */
  workspaceFiles?: Record<string, string>
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 120_000

async function walk(dir: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await walk(path)))
    else if (entry.isFile()) found.push(path)
  }
  return found
}

export async function runBundle(options: BundleRunOptions): Promise<BundleRun> {
  const root = await mkdtemp(join(tmpdir(), 'ssm-reliability-'))
  const dirs = {
    workspace: join(root, 'workspace'),
    home: join(root, 'home'),
    temp: join(root, 'runner-temp'),
    tmp: join(root, 'tmp'),
    commands: join(root, 'commands')
  }
  await Promise.all(Object.values(dirs).map((dir) => mkdir(dir, { recursive: true })))
  const commandFiles = Object.fromEntries(COMMAND_FILES.map((name) => [name, join(dirs.commands, name)])) as Record<
    CommandFile,
    string
  >
  await Promise.all(Object.values(commandFiles).map((file) => writeFile(file, '')))
  const given = new Map<string, string>()
  for (const [path, text] of Object.entries(options.workspaceFiles ?? {})) {
    const file = join(dirs.workspace, path)
    await mkdir(join(file, '..'), { recursive: true })
    await writeFile(file, text)
    given.set(file, text)
  }

  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dirs.home,
    TMPDIR: dirs.tmp,
    RUNNER_TEMP: dirs.temp,
    GITHUB_WORKSPACE: dirs.workspace,
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret-key',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: options.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(dirs.home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dirs.home, 'aws-credentials'),
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_RUN_ID: '1234',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    ...commandFiles,
    ...(options.debug ? { RUNNER_DEBUG: '1' } : {}),
    ...inputVariables(options.inputs),
    ...options.env
  }
  const childEnv = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)
  )

  const started = Date.now()
  const child = spawn(options.node, [BUNDLE], {
    env: childEnv,
    cwd: dirs.workspace,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  const exitCode = await new Promise<number>((done, fail) => {
    child.on('error', fail)
    child.on('close', (code) => done(code ?? -1))
  }).finally(() => clearTimeout(timer))
  const ms = Date.now() - started

  const files = {} as Record<CommandFile, string>
  for (const name of COMMAND_FILES) files[name] = await readFile(commandFiles[name], 'utf8')
  const otherFiles: Record<string, string> = {}
  for (const dir of [dirs.workspace, dirs.home, dirs.temp, dirs.tmp, dirs.commands]) {
    for (const file of await walk(dir)) {
      if (Object.values(commandFiles).includes(file)) continue
      const text = await readFile(file, 'utf8')
      // A definition file the case put there counts only if the action changed it.
      if (given.get(file) === text) continue
      otherFiles[relative(root, file)] = text
    }
  }
  await rm(root, { recursive: true, force: true })
  return {
    exitCode,
    timedOut,
    stdout,
    stderr,
    files,
    outputs: parseOutputFile(files.GITHUB_OUTPUT),
    summary: files.GITHUB_STEP_SUMMARY,
    otherFiles,
    ms
  }
}
