import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import type { InputOptions } from '@actions/core'
import { describe, expect, it, vi } from 'vitest'
import { ROOT } from './e2e/harness.js'
import { useInProcessRun } from './in-process.js'
import { addQueue, batchDefinition, CLUSTER, QUEUE, RUN_TASK, taskDefinition } from './reliability/fixtures.js'
import { renderTables, withTables } from '../scripts/readme-tables.js'

interface ActionYml {
  runs: { using: string; main: string }
  inputs: Record<string, { description: string; default?: string }>
  outputs: Record<string, { description: string }>
}

// Every input name the code asks the toolkit for, whichever wrapper asks.
const requested = vi.hoisted(() => new Set<string>())
vi.mock('@actions/core', async (importOriginal) => {
  const core = await importOriginal<typeof import('@actions/core')>()
  const recording =
    <T>(read: (name: string, options?: InputOptions) => T) =>
    (name: string, options?: InputOptions): T => {
      requested.add(name)
      return read(name, options)
    }
  const { getInput, getBooleanInput, getMultilineInput } = core
  return {
    ...core,
    getInput: recording(getInput),
    getBooleanInput: recording(getBooleanInput),
    getMultilineInput: recording(getMultilineInput)
  }
})

const { fake, runWith } = useInProcessRun()

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'), { uniqueKeys: true }) as ActionYml
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')

describe('action.yml', () => {
  it('runs the committed bundle on Node 24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })
  it('declares exactly the inputs a run reads and the outputs it sets', async () => {
    addQueue(fake(), QUEUE)
    fake().batch.seedDefinition(batchDefinition())
    fake().ecs.addCluster(CLUSTER)
    fake().ecs.seedTaskDefinition(taskDefinition('migrate'))
    // A Batch job and an ECS task: between them, every input is read and every output set.
    const sync = { secrets: '{"TOKEN": "token-value"}', path: '/contract/' }
    const runs = [
      await runWith({ ...sync, 'job-definition': 'billing-report', 'job-queue': QUEUE }),
      await runWith({ ...sync, ...RUN_TASK })
    ]
    for (const run of runs) expect(run.errors).toEqual([])
    const outputs = new Set(runs.flatMap((run) => Object.keys(run.outputs)))
    expect([...requested].sort()).toEqual(Object.keys(action.inputs).sort())
    expect([...outputs].sort()).toEqual(Object.keys(action.outputs).sort())
    for (const input of Object.values(action.inputs)) expect(input.description.length).toBeGreaterThan(10)
  })
  it('is documented in the README tables, regenerated from action.yml', () => {
    const actionYml = readFileSync(join(ROOT, 'action.yml'), 'utf8')
    expect(readme, 'run npm run docs').toBe(withTables(readme, renderTables(actionYml)))
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)]) {
      expect(readme).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'))
    }
  })

  it('the drift check notices an input added without docs', () => {
    const actionYml = readFileSync(join(ROOT, 'action.yml'), 'utf8')
    const added = actionYml.replace('inputs:\n', 'inputs:\n  new-input:\n    description: Something new.\n')
    expect(withTables(readme, renderTables(added))).not.toBe(readme)
  })
})
