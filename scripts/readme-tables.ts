// Writes the README's inputs and outputs tables from action.yml: `tsx scripts/readme-tables.ts`.
// With --check, exits 1 when the README is out of date (the tests run the same comparison).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

interface ActionYml {
  inputs: Record<string, { description: string; default?: string }>
  outputs: Record<string, { description: string }>
}

const ROOT = join(import.meta.dirname, '..')

function cell(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|')
}

export function renderTables(actionYml: string): { inputs: string; outputs: string } {
  const action = parse(actionYml) as ActionYml
  const inputs = [
    '| input | default | description |',
    '| --- | --- | --- |',
    ...Object.entries(action.inputs).map(
      ([name, input]) =>
        `| \`${name}\` | ${input.default === undefined ? '' : `\`${input.default}\``} | ${cell(input.description)} |`
    )
  ].join('\n')
  const outputs = [
    '| output | description |',
    '| --- | --- |',
    ...Object.entries(action.outputs).map(([name, output]) => `| \`${name}\` | ${cell(output.description)} |`)
  ].join('\n')
  return { inputs, outputs }
}

export function withTables(readme: string, tables: { inputs: string; outputs: string }): string {
  let result = readme
  for (const [section, table] of Object.entries(tables)) {
    const start = `<!-- ${section}:start (generated from action.yml by scripts/readme-tables.ts) -->`
    const end = `<!-- ${section}:end -->`
    const from = result.indexOf(start)
    const to = result.indexOf(end)
    if (from < 0 || to < from) throw new Error(`README.md has no ${start} ... ${end} block`)
    result = `${result.slice(0, from + start.length)}\n${table}\n${result.slice(to)}`
  }
  return result
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const readmePath = join(ROOT, 'README.md')
  const readme = readFileSync(readmePath, 'utf8')
  const updated = withTables(readme, renderTables(readFileSync(join(ROOT, 'action.yml'), 'utf8')))
  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      console.error('README.md inputs/outputs tables differ from action.yml: run npm run docs')
      process.exit(1)
    }
  } else {
    writeFileSync(readmePath, updated)
  }
}
