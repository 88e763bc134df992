// A representative slice of the reliability suite (npm run reliability runs all of it), so that
// npm test exercises its machinery: the checks themselves, then a few cases of each kind against the bundle.
import { beforeAll, describe, expect, it } from 'vitest'
import { ACTION_RUNTIME, assertRuntimesPresent } from './e2e/harness.js'
import { BAD_INPUTS } from './reliability/bad-inputs.js'
import { PRUNE_CASES } from './reliability/cases.js'
import { findLeaks, unclean, unmasked } from './reliability/checks.js'
import { FAULT_CASES } from './reliability/faults.js'
import { LEAK_SCENARIOS, LEAK_VALUES } from './reliability/leaks.js'
import type { BundleRun } from './reliability/process.js'
import { runBadInput, runFaultCase, runLeakScenario, runPrune, type Runtime } from './reliability/runners.js'

function fakeRun(parts: Partial<BundleRun>): BundleRun {
  return {
    exitCode: 1,
    timedOut: false,
    stdout: '',
    stderr: '',
    files: { GITHUB_OUTPUT: '', GITHUB_ENV: '', GITHUB_STEP_SUMMARY: '', GITHUB_STATE: '', GITHUB_PATH: '' },
    outputs: {},
    summary: '',
    otherFiles: {},
    ms: 0,
    ...parts
  }
}

function pick<T extends { name?: string; id?: string }>(items: readonly T[], names: readonly string[]): T[] {
  return names.map((name) => {
    const item = items.find((candidate) => (candidate.name ?? candidate.id) === name)
    if (!item) throw new Error(`no case '${name}'`)
    return item
  })
}

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
        GITHUB_OUTPUT: '',
        GITHUB_ENV: '',
        GITHUB_STEP_SUMMARY: `<td>${JSON.stringify(LEAK_VALUES.LEAK_QUOTES).slice(1, -1)}</td>`,
        GITHUB_STATE: '',
        GITHUB_PATH: ''
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

  it('tells a clean failure from an unclean one', () => {
    expect(unclean(fakeRun({ stdout: "::error::Input 'path': must start with '/', e.g. '/prod/billing/'\n" }))).toEqual(
      []
    )
    expect(unclean(fakeRun({ exitCode: 0 }))).toContain('exit code 0, expected 1')
    expect(unclean(fakeRun({ stdout: '::error::Rate exceeded, slow down please\n' }))).toEqual([
      'the error does not say what failed: "Rate exceeded, slow down please"'
    ])
    expect(unclean(fakeRun({ stdout: '::error::Writing /a failed: x\n::error::Writing /b failed: y\n' }))[0]).toMatch(
      /^2 error annotations, expected 1/
    )
    expect(
      unclean(
        fakeRun({ stdout: '::error::Writing /a failed: boom\n', stderr: 'Error: boom\n    at run (/x/index.js:1:2)\n' })
      )
    ).toEqual(['a stack trace was printed'])
  })
})

describe.each([ACTION_RUNTIME])('a slice of the reliability suite under $label', (runtime: Runtime) => {
  beforeAll(assertRuntimesPresent)

  it.concurrent.each(
    pick(BAD_INPUTS, [
      'secrets: duplicate YAML key',
      'path: too deep',
      'tags: a line without =',
      'job-definition: no such definition',
      'job-tags: too many with the run tags'
    ])
  )('bad input is rejected cleanly: $name', async (testCase) => {
    const outcome = await runBadInput(testCase, runtime)
    expect(outcome.problems).toEqual([])
  })

  it.concurrent.each(pick(LEAK_SCENARIOS, ['Batch: the job FAILS']))('leaks nothing: $name', async (scenario) => {
    const outcome = await runLeakScenario(scenario, runtime)
    expect(outcome.problems).toEqual([])
    expect(outcome.leakChecks).toMatchObject({ values: Object.keys(LEAK_VALUES).length, channels: 7, leaks: 0 })
  })

  it.concurrent.each(
    pick(FAULT_CASES, [
      'batch-rotation / SubmitJob / drop',
      'ecs-service-rotation / UpdateService / 500',
      'sync / AddTagsToResource / persistent-500'
    ])
  )('fault case converges: $id', async (testCase) => {
    const outcome = await runFaultCase(testCase, runtime)
    expect(outcome.problems).toEqual([])
    expect(outcome.duplicates).toBe(0)
    expect(outcome.unmanagedTouched).toBe(0)
  })

  it.concurrent.each(pick(PRUNE_CASES, ['prune keeps definition secrets whose parameters it keeps']))(
    'prune loses nothing: $name',
    async (testCase) => {
      const outcome = await runPrune(testCase, runtime)
      expect(outcome.problems).toEqual([])
      expect(outcome.unmanagedTouched).toBe(0)
    }
  )
})
