import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { INPUT } from '../src/inputs/index.js'
import { OUTPUT } from '../src/report.js'
import { ROOT } from './e2e/harness.js'
import { renderTables, withTables } from '../scripts/readme-tables.js'

interface ActionYml {
  runs: { using: string; main: string }
  inputs: Record<string, { description: string; default?: string }>
  outputs: Record<string, { description: string }>
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'), { uniqueKeys: true }) as ActionYml
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')

describe('action.yml', () => {
  it('runs the committed bundle on Node 24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })
  it('declares exactly the inputs and outputs the code reads and sets', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(INPUT).sort())
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(OUTPUT).sort())
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
