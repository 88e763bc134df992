import type { InputName } from './names.js'

/** A problem with one input or what it names (a definition, its containers). The message names the input and the fix. */
export class InputError extends Error {
  constructor(
    readonly input: InputName,
    /** The message without the input's name. */
    readonly problem: string
  ) {
    super(`Input '${input}': ${problem}`)
    this.name = 'InputError'
  }
}

/** Every bad input of a run, found in one pass: each is reported on its own. */
export class InputErrors extends Error {
  constructor(readonly errors: InputError[]) {
    super(errors.map((error) => error.message).join('\n'))
    this.name = 'InputErrors'
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  try {
    return `Unexpected error: ${JSON.stringify(error)}`
  } catch {
    return 'Unexpected error of unknown shape'
  }
}

// The SDK's error when the job has no AWS credentials at all: it says what, not how to fix it.
const NO_CREDENTIALS =
  'the job has no AWS credentials: add aws-actions/configure-aws-credentials before this step (with `permissions: id-token: write` on the job for OIDC)'

export function describeAwsError(error: unknown): string {
  if (error instanceof Error && error.name === 'CredentialsProviderError') {
    return `${error.name}: ${error.message}; ${NO_CREDENTIALS}`
  }
  if (error instanceof Error && error.name && error.name !== 'Error') return `${error.name}: ${error.message}`
  return errorMessage(error)
}

/** Where the stages log: the Actions toolkit in a run, an array in tests. */
export interface Logger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
  /** Prints lines a container wrote, so that the runner takes none of them for a workflow command. */
  relay(lines: string[]): void
}
