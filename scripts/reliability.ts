// npm run reliability: the reliability suite of issue 5 against the built bundle. Runs the bad-input
// and leak corpora, the fault matrix, partial failures, concurrent runs and the prune cases (cases
// are data in __tests__/reliability/), prints progress, writes RELIABILITY.md, and exits 1 when
// anything that must hold does not.
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { arch, cpus, release, totalmem, type } from 'node:os'
import { join } from 'node:path'
import { format, resolveConfig } from 'prettier'
import { assertRuntimesPresent, BUNDLE, ROOT, RUNTIMES } from '../__tests__/e2e/harness.js'
import { BAD_INPUTS } from '../__tests__/reliability/bad-inputs.js'
import { CONCURRENCY_CASES, PARTIAL_FAILURES, PRUNE_CASES } from '../__tests__/reliability/cases.js'
import { FAULT_CASES } from '../__tests__/reliability/faults.js'
import { LEAK_SCENARIOS } from '../__tests__/reliability/leaks.js'
import { passed, renderReport, totals } from '../__tests__/reliability/report.js'
import { pool, result, type CaseResult, type Section } from '../__tests__/reliability/results.js'
import {
  runBadInput,
  runConcurrency,
  runFaultCase,
  runLeakScenario,
  runPartialFailure,
  runPrune,
  type Runtime
} from '../__tests__/reliability/runners.js'

const argv = process.argv.slice(2)
const args = new Set(argv)
const withNode24 = !args.has('--no-node24')
// --out FILE writes the report there instead of RELIABILITY.md: CI checks, and leaves the tree as it was.
const outIndex = argv.indexOf('--out')
const outFile = outIndex >= 0 ? argv[outIndex + 1] : undefined
// Fault cases spend most of their time in retry back-offs and timeouts, not on the CPU.
const PARALLEL = { cpu: 4, faults: 8, pairs: 2 }

assertRuntimesPresent()
const [machine, node24] = RUNTIMES as [Runtime, Runtime]
const started = Date.now()
const results: CaseResult[] = []

interface Stage<T> {
  section: Section
  items: readonly T[]
  name: (item: T) => string
  run: (item: T, runtime: Runtime) => Promise<CaseResult>
  parallel: number
}

async function runStage<T>(stage: Stage<T>, runtime: Runtime): Promise<void> {
  const label = `${stage.section} (${runtime.label})`
  console.log(`\n▶ ${label}: ${stage.items.length} cases, ${stage.parallel} at a time`)
  const stageStart = Date.now()
  const guarded = async (item: T): Promise<CaseResult> => {
    try {
      return await stage.run(item, runtime)
    } catch (error) {
      return result(stage.section, stage.name(item), runtime.label, {
        problems: [
          `the case itself crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
        ]
      })
    }
  }
  const done = await pool(stage.items, stage.parallel, guarded, (item, count) => {
    const seconds = (item.ms / 1000).toFixed(1)
    console.log(
      `  [${String(count).padStart(3)}/${stage.items.length}] ${item.ok ? 'ok  ' : 'FAIL'} ${item.name} — ${item.outcome ?? ''} (${seconds} s)`
    )
    for (const problem of item.problems) console.log(`        ${problem.split('\n')[0]?.slice(0, 300)}`)
  })
  results.push(...done)
  const failed = done.filter((item) => !item.ok).length
  console.log(
    `  ${label}: ${done.length - failed} of ${done.length} ok in ${((Date.now() - stageStart) / 1000).toFixed(0)} s`
  )
}

const stages = {
  badInputs: {
    section: 'bad-input',
    items: BAD_INPUTS,
    name: (item) => item.name,
    run: runBadInput,
    parallel: PARALLEL.cpu
  } satisfies Stage<(typeof BAD_INPUTS)[number]>,
  leaks: {
    section: 'leak',
    items: LEAK_SCENARIOS,
    name: (item) => item.name,
    run: runLeakScenario,
    parallel: PARALLEL.cpu
  } satisfies Stage<(typeof LEAK_SCENARIOS)[number]>,
  partial: {
    section: 'partial-failure',
    items: PARTIAL_FAILURES,
    name: (item) => item.name,
    run: runPartialFailure,
    parallel: PARALLEL.cpu
  } satisfies Stage<(typeof PARTIAL_FAILURES)[number]>,
  concurrency: {
    section: 'concurrency',
    items: CONCURRENCY_CASES,
    name: (item) => item.name,
    run: runConcurrency,
    parallel: PARALLEL.pairs
  } satisfies Stage<(typeof CONCURRENCY_CASES)[number]>,
  prune: {
    section: 'nothing-lost',
    items: PRUNE_CASES,
    name: (item) => item.name,
    run: runPrune,
    parallel: PARALLEL.cpu
  } satisfies Stage<(typeof PRUNE_CASES)[number]>,
  faults: {
    section: 'fault',
    items: FAULT_CASES,
    name: (item) => item.id,
    run: runFaultCase,
    parallel: PARALLEL.faults
  } satisfies Stage<(typeof FAULT_CASES)[number]>
}

// Under Node 24 (action.yml's runtime) the fault matrix runs the kinds that depend most on the
// runtime's sockets and timers; the whole matrix would take the suite past its time budget.
const NODE24_FAULT_KINDS = new Set(['drop', 'slow'])

console.log(`Reliability suite: ${BUNDLE}`)
await runStage(stages.badInputs, machine)
await runStage(stages.leaks, machine)
await runStage(stages.partial, machine)
await runStage(stages.concurrency, machine)
await runStage(stages.prune, machine)
await runStage(stages.faults, machine)
if (withNode24) {
  await runStage(stages.badInputs, node24)
  await runStage(stages.leaks, node24)
  await runStage(stages.partial, node24)
  await runStage(stages.concurrency, node24)
  await runStage(stages.prune, node24)
  await runStage({ ...stages.faults, items: FAULT_CASES.filter((item) => NODE24_FAULT_KINDS.has(item.kind)) }, node24)
}

const durationMs = Date.now() - started
const cpu = cpus()
const node24Scope = `bad inputs, leaks, partial failure, concurrency, nothing lost, and the fault matrix's ${[...NODE24_FAULT_KINDS].join(', ')} columns`
const report = renderReport(results, {
  date: new Date().toISOString(),
  machine: `${type()} ${release()} ${arch()}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
  runtimes: [
    { label: machine.label, scope: 'every case' },
    ...(withNode24 ? [{ label: node24.label, scope: node24Scope }] : [])
  ],
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
Bad inputs rejected cleanly:   ${t.badInputs.clean}/${t.badInputs.tried}
Leak checks (cases × channels): ${t.leaks.checks} in ${t.leaks.scenarios} runs; leaks found: ${t.leaks.found}
Fault cases converged:         ${t.faults.converged}/${t.faults.tried}
Duplicate launches:            ${t.duplicates}
Unmanaged parameters touched:  ${t.unmanagedTouched}
Partial failure:               ${t.partial.ok}/${t.partial.tried}
Concurrency:                   ${t.concurrency.ok}/${t.concurrency.tried}
Nothing lost:                  ${t.nothingLost.ok}/${t.nothingLost.tried}
${passed(t) ? 'PASS' : `FAIL: ${t.failed.length} cases failed`} in ${(durationMs / 1000).toFixed(0)} s; wrote ${reportFile}`)
process.exitCode = passed(t) ? 0 : 1
