// The action's raw output made readable: workflow commands as the runner would show them, the job
// summary's HTML as Markdown text, the server's request log as counts.
import type { RecordedRequest } from '../../__tests__/fake-aws/index.js'
import { wrap } from './print.js'

export interface RenderedLog {
  lines: string[]
  /** ::add-mask:: commands taken out: the runner hides those values and prints nothing */
  masks: number
  /** ::debug:: lines taken out: GitHub shows them only with debug logging on */
  debug: number
}

/** Decodes a workflow command's message (toolkit escaping: %25, %0D, %0A). */
const unescapeCommand = (text: string): string => text.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%')

/**
 * The step log as a person reads it on the run's page: groups opened (`▾ title`, lines indented),
 * or folded to their title when listed in `fold`; lines a container printed, relayed by the action
 * between ::stop-commands:: markers, behind `│`; annotations as `⚠`/`✖` lines.
 */
export function renderLog(stdout: string, stderr: string, fold: readonly string[] = []): RenderedLog {
  const lines: string[] = []
  let masks = 0
  let debug = 0
  let indent = ''
  let folded: { title: string; count: number } | undefined
  let relayEnd: string | undefined
  const push = (line: string) => {
    if (folded) folded.count++
    else lines.push(`${indent}${line}`)
  }
  for (const line of stdout.replace(/\n$/, '').split('\n')) {
    if (relayEnd !== undefined) {
      if (line === relayEnd) relayEnd = undefined
      else push(`│ ${line}`)
      continue
    }
    const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line)
    const [name, message = ''] = command ? [command[1], command[2]] : []
    if (name === 'add-mask') masks++
    else if (name === 'debug') debug++
    else if (name === 'stop-commands') relayEnd = `::${message}::`
    else if (name === 'group') {
      if (fold.some((title) => message.startsWith(title))) folded = { title: message, count: 0 }
      else lines.push(`▾ ${message}`)
      indent = '  '
    } else if (name === 'endgroup') {
      if (folded) lines.push(`▸ ${folded.title} (${folded.count} lines, folded)`)
      folded = undefined
      indent = ''
    } else if (name === 'warning' || name === 'error' || name === 'notice') {
      const mark = name === 'error' ? '✖' : name === 'warning' ? '⚠' : 'ℹ'
      unescapeCommand(message)
        .split('\n')
        .forEach((text, index) => push(index === 0 ? `${mark} ${name}: ${text}` : `  ${text}`))
    } else push(line)
  }
  for (const line of stderr.split('\n').filter(Boolean)) lines.push(`stderr: ${line}`)
  return { lines, masks, debug }
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" }
const unescapeHtml = (text: string): string => text.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e)
/** A cell's HTML as inline Markdown. */
const inline = (html: string): string =>
  unescapeHtml(
    html
      .replace(/<code>(.*?)<\/code>/g, '`$1`')
      .replace(/<br\s*\/?>/g, ' ')
      .replace(/<[^>]+>/g, '')
  )

/** An HTML table (as core.summary.addTable writes it) as an aligned Markdown table. */
function markdownTable(html: string): string {
  const rows = [...html.matchAll(/<tr>(.*?)<\/tr>/gs)].map((row) =>
    [...(row[1] ?? '').matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((cell) => inline(cell[1] ?? ''))
  )
  const widths = (rows[0] ?? []).map((_, column) => Math.max(3, ...rows.map((row) => [...(row[column] ?? '')].length)))
  const line = (cells: string[]) =>
    `| ${widths.map((width, column) => (cells[column] ?? '').padEnd(width)).join(' | ')} |`
  const [head = [], ...body] = rows
  return [line(head), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...body.map(line)].join('\n')
}

/**
 * The job summary as Markdown text: headings and tables converted, `<details>` shown as `▸ summary`
 * with its contents (GitHub folds them), `<pre>` as a fenced block, entities decoded.
 */
export function renderSummary(summary: string): string[] {
  const text = summary
    .replace(
      /<h([1-6])>(.*?)<\/h\1>/g,
      (_, level: string, title: string) => `${'#'.repeat(Number(level))} ${inline(title)}`
    )
    .replace(/<table>.*?<\/table>/gs, (table) => markdownTable(table))
    .replace(/<details><summary>(.*?)<\/summary>/g, (_, title: string) => `▸ ${inline(title)} — folded on GitHub`)
    .replace(/<\/details>/g, '')
    .replace(/<pre>(.*?)<\/pre>/gs, (_, body: string) => `\`\`\`\n${unescapeHtml(body)}\n\`\`\``)
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line, index, all) => line !== '' || (index > 0 && all[index - 1] !== ''))
    .join('\n')
    .trim()
    .split('\n')
}

/** The summary's one-line account of the run: the first paragraph after its heading. */
export function summaryStatus(summary: string): string {
  return renderSummary(summary).find((line) => line !== '' && !line.startsWith('#')) ?? '(no job summary)'
}

/** How many requests of each operation, in the order they first came. */
function counts(requests: readonly RecordedRequest[]): string[] {
  const byOperation = new Map<string, number>()
  for (const { operation } of requests) byOperation.set(operation, (byOperation.get(operation) ?? 0) + 1)
  return [...byOperation].map(([operation, count]) => `${count} ${operation}`)
}

/** The requests the server received in a step, writes (requests that change state) first. */
export function requestLines(requests: readonly RecordedRequest[], writes: readonly RecordedRequest[]): string[] {
  const reads = requests.filter((request) => !writes.includes(request))
  return [
    `AWS requests received by the local server: ${requests.length} (${writes.length} change state)`,
    ...wrap('  writes: ', counts(writes)),
    ...wrap('  reads:  ', counts(reads))
  ]
}
