// run() in-process, driven by real INPUT_* variables and the runner's files, against the local
// AWS-protocol server.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest'
import { run } from '../src/main.js'
import { startFakeAws, type FakeAws } from './fake-aws/index.js'
import { seedAccount } from './reliability/fixtures.js'
import { errorAnnotations, inputVariables, parseOutputFile } from './e2e/harness.js'

export interface InProcessResult {
  failed: boolean
  stdout: string
  outputs: Record<string, string>
  summary: string
  errors: string[]
  warnings: string[]
}

/** Starts one fake per test file and returns a runner; state is cleared of faults and requests per test. */
export function useInProcessRun(): { fake: () => FakeAws; runWith: typeof runWith } {
  let fake: FakeAws | undefined
  let dir = ''
  const savedEnv = { ...process.env }

  beforeAll(async () => {
    fake = await startFakeAws()
    seedAccount(fake)
    dir = await mkdtemp(join(tmpdir(), 'run-test-'))
  })
  afterAll(async () => {
    await fake?.close()
    await rm(dir, { recursive: true, force: true })
  })
  beforeEach(() => {
    fake?.clearRequests()
    fake?.clearFaults()
  })
  afterEach(() => {
    process.env = { ...savedEnv }
    process.exitCode = undefined
    vi.restoreAllMocks()
  })

  async function runWith(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<InProcessResult> {
    const outputFile = join(dir, 'output')
    const summaryFile = join(dir, 'summary')
    await writeFile(outputFile, '')
    await writeFile(summaryFile, '')
    for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) delete process.env[name]
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: fake?.url,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '3',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_RUN_ID: '42',
      GITHUB_RUN_ATTEMPT: '1',
      // The fake's log lines arrive at once, and sleeps here return at once: no reading on after the end.
      SSM_SECRETS_ACTION_LOG_GRACE_MS: '0',
      ...env
    })
    Object.assign(process.env, inputVariables(inputs))
    let stdout = ''
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += chunk.toString()
      return true
    })
    process.exitCode = undefined
    await run({ sleep: async () => undefined })
    vi.restoreAllMocks()
    return {
      failed: process.exitCode === 1,
      stdout,
      outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
      summary: await readFile(summaryFile, 'utf8'),
      errors: errorAnnotations({ stdout }),
      warnings: [...stdout.matchAll(/^::warning::(.*)$/gm)].map((match) => match[1] ?? '')
    }
  }

  return { fake: () => fake as FakeAws, runWith }
}
