// Runs dist/index.js as the runner does, in a directory of its own, and collects every channel the
// action can write to: stdout, stderr, the runner's command files, and any other file it leaves in
// the workspace, HOME, RUNNER_TEMP or TMPDIR.
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { BUNDLE, inputVariables, parseOutputFile, runnerEnv } from '../e2e/harness.js'

export const COMMAND_FILES = ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STEP_SUMMARY', 'GITHUB_STATE', 'GITHUB_PATH']

export interface BundleRun {
  exitCode: number
  /** killed at the time limit */
  timedOut: boolean
  stdout: string
  stderr: string
  /** the runner's command files, raw, by variable name */
  files: Record<string, string>
  outputs: Record<string, string>
  /** any other file the action left behind, by path relative to the run's directory */
  otherFiles: Record<string, string>
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
  files?: Record<string, string>
}

const TIMEOUT_MS = 120_000

export async function runBundle(options: BundleRunOptions): Promise<BundleRun> {
  const root = await mkdtemp(join(tmpdir(), 'ssm-reliability-'))
  const dir = (name: string) => join(root, name)
  await Promise.all(['workspace', 'home', 'runner-temp', 'tmp', 'commands'].map((name) => mkdir(dir(name))))
  const commandFiles = Object.fromEntries(COMMAND_FILES.map((name) => [name, join(dir('commands'), name)]))
  await Promise.all(Object.values(commandFiles).map((file) => writeFile(file, '')))
  const given = new Map<string, string>()
  for (const [path, text] of Object.entries(options.files ?? {})) {
    const file = join(dir('workspace'), path)
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, text)
    given.set(file, text)
  }

  const env: Record<string, string | undefined> = {
    ...runnerEnv(dir('home'), options.endpoint),
    TMPDIR: dir('tmp'),
    // The fake's log lines arrive at once: no need to read on for 10 s after a job ends.
    SSM_SECRETS_ACTION_LOG_GRACE_MS: '0',
    RUNNER_TEMP: dir('runner-temp'),
    GITHUB_WORKSPACE: dir('workspace'),
    ...commandFiles,
    ...(options.debug ? { RUNNER_DEBUG: '1' } : {}),
    ...inputVariables(options.inputs),
    ...options.env
  }
  const child = spawn(options.node, [BUNDLE], {
    env: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    cwd: dir('workspace'),
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
  }, TIMEOUT_MS)
  const exitCode = await new Promise<number>((done, fail) => {
    child.on('error', fail)
    child.on('close', (code) => done(code ?? -1))
  }).finally(() => clearTimeout(timer))

  const files: Record<string, string> = Object.fromEntries(COMMAND_FILES.map((name) => [name, '']))
  const otherFiles: Record<string, string> = {}
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    const file = join(entry.parentPath, entry.name)
    const text = await readFile(file, 'utf8')
    const command = COMMAND_FILES.find((name) => commandFiles[name] === file)
    if (command) files[command] = text
    // A definition file the case put there counts only if the action changed it.
    else if (given.get(file) !== text) otherFiles[relative(root, file)] = text
  }
  await rm(root, { recursive: true, force: true })
  const outputs = parseOutputFile(files.GITHUB_OUTPUT as string)
  return { exitCode, timedOut, stdout, stderr, files, outputs, otherFiles }
}
