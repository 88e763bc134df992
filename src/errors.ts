/** A problem with one input, found before any AWS call. The message names the input and the fix. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    message: string
  ) {
    super(`Input '${input}': ${message}`)
    this.name = 'InputError'
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
