/**
 * The run's context, from the variables the runner sets (the same ones @actions/github's
 * `context` reads; that package is not bundled for five variables, as it brings Octokit along).
 */
export interface RunContext {
  repository: string
  sha: string
  runId: string
  runAttempt: string
  serverUrl: string
}

export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  return {
    repository: env.GITHUB_REPOSITORY ?? '',
    sha: env.GITHUB_SHA ?? '',
    runId: env.GITHUB_RUN_ID ?? '0',
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com'
  }
}
