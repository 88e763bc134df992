// What each case reports, and bounded parallelism for running many of them.

export type Section = 'bad-input' | 'leak' | 'fault' | 'partial-failure' | 'concurrency' | 'nothing-lost'

export interface CaseResult {
  section: Section
  name: string
  /** the runtime it ran under */
  runtime: string
  ok: boolean
  /** why it is not ok (empty when ok) */
  problems: string[]
  /** how the (first) run ended: 'succeeded', 'failed cleanly', ... */
  outcome?: string
  /** jobs, deployments or tasks started beyond one per run */
  duplicates: number
  /** protected parameters written, deleted or changed */
  unmanagedTouched: number
  /** things worth knowing that are not failures */
  notes?: string[]
  /** leak cases: values × channels checked, and the leaks found */
  leakChecks?: { values: number; channels: number; leaks: number }
  ms: number
}

export function result(
  section: Section,
  name: string,
  runtime: string,
  fields: Partial<Omit<CaseResult, 'section' | 'name' | 'runtime' | 'ok'>> & { problems: string[] }
): CaseResult {
  return {
    section,
    name,
    runtime,
    duplicates: 0,
    unmanagedTouched: 0,
    ms: 0,
    ...fields,
    ok: fields.problems.length === 0 && (fields.duplicates ?? 0) === 0 && (fields.unmanagedTouched ?? 0) === 0
  }
}

/** Runs `task` over `items`, at most `limit` at a time, reporting each result as it comes. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
  onResult: (result: R, done: number) => void = () => {}
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let done = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index] as T)
      onResult(results[index] as R, ++done)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
