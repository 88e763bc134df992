// npm run reliability: the reliability suite of issue 5 against the built bundle. Runs the bad-input
// and leak corpora, the fault matrix, partial failures, concurrent runs and the prune cases (cases
// are data in __tests__/reliability/), prints progress, writes RELIABILITY.md, and exits 1 when
// anything that must hold does not.
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { arch, cpus, release, totalmem, type } from 'node:os'
import { join } from 'node:path'
import { format, resolveConfig } from 'prettier'
import { ACTION_RUNTIME, assertRuntimesPresent, BUNDLE, ROOT } from '../__tests__/e2e/harness.js'
import { BAD_INPUTS } from '../__tests__/reliability/bad-inputs.js'
import { CONCURRENCY_CASES, FAULT_CASES, PARTIAL_FAILURES, PRUNE_CASES } from '../__tests__/reliability/cases.js'
import { LEAK_SCENARIOS } from '../__tests__/reliability/leaks.js'
import { renderReport, result, totals, type CaseResult, type Section } from '../__tests__/reliability/report.js'
import * as runners from '../__tests__/reliability/runners.js'

const argv = process.argv.slice(2)
// --out FILE writes the report there instead of RELIABILITY.md: CI checks, and leaves the tree as it was.
const outFile = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : undefined
// Fault cases spend most of their time in retry back-offs and timeouts, not on the CPU.
const PARALLEL = { cpu: 4, faults: 8, pairs: 2 }

assertRuntimesPresent()
const started = Date.now()
const results: CaseResult[] = []

/** Runs `task` over `items`, at most `limit` at a time, reporting each result as it comes. */
async function pool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
  onResult: (result: R, done: number) => void
) {
  const done: R[] = new Array<R>(items.length)
  let [next, count] = [0, 0]
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      done[index] = await task(items[index] as T)
      onResult(done[index] as R, ++count)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return done
}

type Runner<T> = (item: T, runtime: runners.Runtime) => Promise<CaseResult>

/**
 * Runs a stage of the suite, `parallel` cases at a time, under the runtime users get (action.yml's
 * node24), as the end-to-end tests do.
 */
async function runStage<T extends { name: string }>(
  section: Section,
  items: readonly T[],
  run: Runner<T>,
  parallel = PARALLEL.cpu
): Promise<void> {
  const runtime = ACTION_RUNTIME
  const label = `${section} (${runtime.label})`
  console.log(`\n▶ ${label}: ${items.length} cases, ${parallel} at a time`)
  const stageStart = Date.now()
  const guarded = (item: T): Promise<CaseResult> =>
    Promise.resolve(item)
      .then((value) => run(value, runtime))
      .catch((error: unknown) =>
        result(section, item.name, runtime.label, {
          problems: [
            `the case itself crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
          ]
        })
      )
  const done = await pool(items, parallel, guarded, (item, count) => {
    const seconds = (item.ms / 1000).toFixed(1)
    console.log(
      `  [${String(count).padStart(3)}/${items.length}] ${item.ok ? 'ok  ' : 'FAIL'} ${item.name} — ${item.outcome ?? ''} (${seconds} s)`
    )
    for (const problem of item.problems) console.log(`        ${problem.split('\n')[0]?.slice(0, 300)}`)
  })
  results.push(...done)
  const failed = done.filter((item) => !item.ok).length
  console.log(
    `  ${label}: ${done.length - failed} of ${done.length} ok in ${((Date.now() - stageStart) / 1000).toFixed(0)} s`
  )
}

console.log(`Reliability suite: ${BUNDLE}`)
await runStage('bad-input', BAD_INPUTS, runners.runBadInput)
await runStage('leak', LEAK_SCENARIOS, runners.runLeakScenario)
await runStage('partial-failure', PARTIAL_FAILURES, runners.runPartialFailure)
await runStage('concurrency', CONCURRENCY_CASES, runners.runConcurrency, PARALLEL.pairs)
await runStage('nothing-lost', PRUNE_CASES, runners.runPrune)
await runStage('fault', FAULT_CASES, runners.runFaultCase, PARALLEL.faults)

const durationMs = Date.now() - started
const cpu = cpus()
const report = renderReport(results, {
  date: new Date().toISOString(),
  machine: `${type()} ${release()} ${arch()}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
  runtimes: [{ label: ACTION_RUNTIME.label, scope: 'every case' }],
  bundle: `dist/index.js, sha256 ${createHash('sha256').update(readFileSync(BUNDLE)).digest('hex').slice(0, 16)}`,
  durationMs,
  command: 'npm run reliability'
})
const committedReport = join(ROOT, 'RELIABILITY.md')
const reportFile = outFile ?? committedReport
// Formatted as the repository's Prettier config says, so that format:check passes on it.
writeFileSync(
  reportFile,
  await format(report, { ...(await resolveConfig(committedReport)), filepath: committedReport })
)

const t = totals(results)
console.log(`
Bad inputs rejected cleanly:   ${t.badInputs.ok}/${t.badInputs.tried}
Leak checks (cases × channels): ${t.leaks.checks} in ${t.leaks.tried} runs; leaks found: ${t.leaks.found}
Fault cases converged:         ${t.faults.ok}/${t.faults.tried}
Duplicate launches:            ${t.duplicates}
Unmanaged parameters touched:  ${t.unmanagedTouched}
Partial failure:               ${t.partial.ok}/${t.partial.tried}
Concurrency:                   ${t.concurrency.ok}/${t.concurrency.tried}
Nothing lost:                  ${t.nothingLost.ok}/${t.nothingLost.tried}
${t.passed ? 'PASS' : `FAIL: ${t.failed.length} cases failed`} in ${(durationMs / 1000).toFixed(0)} s; wrote ${reportFile}`)
process.exitCode = t.passed ? 0 : 1
