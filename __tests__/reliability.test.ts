// A representative slice of the reliability suite (npm run reliability runs all of it), so that
// npm test exercises its machinery: the checks themselves, then a few cases of each kind against the bundle.
import { beforeAll, describe, expect, it } from 'vitest'
import { ACTION_RUNTIME, assertRuntimesPresent } from './e2e/harness.js'
import { BAD_INPUTS } from './reliability/bad-inputs.js'
import { FAULT_CASES, PRUNE_CASES } from './reliability/cases.js'
import { findLeaks, unclean, unmasked } from './reliability/checks.js'
import { LEAK_SCENARIOS, LEAK_VALUES } from './reliability/leaks.js'
import { COMMAND_FILES, type BundleRun } from './reliability/process.js'
import { runBadInput, runFaultCase, runLeakScenario, runPrune, type Runtime } from './reliability/runners.js'
import type { CaseResult } from './reliability/report.js'

type Runner<T> = (item: T, runtime: Runtime) => Promise<CaseResult>

const fakeRun = (parts: Partial<BundleRun>): BundleRun => ({
  exitCode: 1,
  timedOut: false,
  stdout: '',
  stderr: '',
  files: Object.fromEntries(COMMAND_FILES.map((name) => [name, ''])),
  outputs: {},
  otherFiles: {},
  ...parts
})

describe('the reliability checks catch what they look for', () => {
  const multiLine = LEAK_VALUES.LEAK_MULTI_LINE ?? ''
  const secondLine = multiLine.split('\n')[1] ?? ''

  it('finds a value, a line of one, or an escaped form in any channel, but not in ::add-mask:: lines', () => {
    const masked = fakeRun({
      stdout: `::add-mask::${multiLine.replace(/\n/g, '%0A')}\n::add-mask::${secondLine}\nok\n`
    })
    expect(findLeaks(masked, { LEAK_MULTI_LINE: multiLine }).leaks).toEqual([])
    expect(unmasked(masked.stdout, { LEAK_MULTI_LINE: multiLine })).toEqual([
      'LEAK_MULTI_LINE line 1',
      'LEAK_MULTI_LINE line 3',
      'LEAK_MULTI_LINE line 4'
    ])

    const leaked = fakeRun({
      stdout: `::error::failed near ${secondLine}\n`,
      files: {
        ...fakeRun({}).files,
        GITHUB_STEP_SUMMARY: `<td>${JSON.stringify(LEAK_VALUES.LEAK_QUOTES).slice(1, -1)}</td>`
      },
      otherFiles: { 'tmp/debug.log': `${LEAK_VALUES.LEAK_PADDED?.trim()}` }
    })
    const { leaks, channels } = findLeaks(leaked, LEAK_VALUES)
    expect(channels).toBe(8)
    expect(leaks).toEqual([
      { channel: 'stdout', label: 'LEAK_MULTI_LINE', form: 'line 2' },
      { channel: 'GITHUB_STEP_SUMMARY', label: 'LEAK_QUOTES', form: 'JSON-escaped value' },
      { channel: 'file tmp/debug.log', label: 'LEAK_PADDED', form: 'trimmed value' }
    ])
  })

  it.each<[Partial<BundleRun>, string[]]>([
    [{ stdout: "::error::Input 'path': must start with '/', e.g. '/prod/billing/'\n" }, []],
    [{ exitCode: 0 }, ['exit code 0, expected 1', '0 error annotations, expected 1: []']],
    [
      { stdout: '::error::Rate exceeded, slow down please\n' },
      ['the error does not say what failed: "Rate exceeded, slow down please"']
    ],
    [
      { stdout: '::error::Writing /a failed: x\n::error::Writing /b failed: y\n' },
      ['2 error annotations, expected 1: ["Writing /a failed: x","Writing /b failed: y"]']
    ],
    [
      { stdout: '::error::Writing /a failed: boom\n', stderr: 'Error: boom\n    at run (/x/index.js:1:2)\n' },
      ['a stack trace was printed']
    ]
  ])('tells a clean failure from an unclean one: %j', (run, problems) => {
    expect(unclean(fakeRun(run))).toEqual(problems)
  })
})

/** The named cases, each with a function that runs it under Node 24. */
const slice = <T extends { name: string }>(items: readonly T[], run: Runner<T>, ...names: string[]) =>
  names.map((name) => {
    const item = items.find((candidate) => candidate.name === name)
    if (!item) throw new Error(`no case '${name}'`)
    return [name, () => run(item, ACTION_RUNTIME)] as const
  })

describe(`a slice of the reliability suite under ${ACTION_RUNTIME.label}`, () => {
  beforeAll(assertRuntimesPresent)

  it.concurrent.each([
    ...slice(BAD_INPUTS, runBadInput, 'secrets: duplicate YAML key', 'path: too deep', 'tags: a line without ='),
    ...slice(BAD_INPUTS, runBadInput, 'job-definition: no such definition', 'job-tags: too many with the run tags'),
    ...slice(LEAK_SCENARIOS, runLeakScenario, 'Batch: the container prints its environment, every value, and fails'),
    ...slice(
      FAULT_CASES,
      runFaultCase,
      'batch-rotation / SubmitJob / drop',
      'sync / AddTagsToResource / persistent-500'
    ),
    ...slice(FAULT_CASES, runFaultCase, 'ecs-service-rotation / UpdateService / 500'),
    ...slice(PRUNE_CASES, runPrune, 'prune keeps definition secrets whose parameters it keeps')
  ])('%s', async (_, run) => {
    const outcome = await run()
    expect(outcome).toMatchObject({ problems: [], duplicates: 0, unmanagedTouched: 0 })
    // A leak run checks every value in stdout, stderr and the five command files.
    const leakChecks = { values: Object.keys(LEAK_VALUES).length, channels: 7, leaks: 0 }
    expect(outcome.leakChecks).toEqual(outcome.section === 'leak' ? leakChecks : undefined)
  })
})
