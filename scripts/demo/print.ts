// Everything the demo prints goes through one Printer, which keeps it: the leak check at the end reads
// exactly what a person saw.

const ESC = '\u001b'
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`, 'g')

export class Printer {
  private readonly printed: string[] = []
  private readonly color: boolean

  constructor(color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined) {
    this.color = color
  }

  /** Prints each line of `text` (nothing is printed anywhere else). */
  say(text = ''): void {
    for (const line of text.split('\n')) {
      this.printed.push(line.replace(ANSI, ''))
      process.stdout.write(`${line}\n`)
    }
  }

  /** A step's heading, bold when the terminal shows colour. */
  heading(title: string): void {
    this.say(`\n${this.style('1', `━━ ${title} ${'━'.repeat(Math.max(3, 96 - title.length))}`)}`)
  }

  bold = (text: string): string => this.style('1', text)
  dim = (text: string): string => this.style('2', text)
  good = (text: string): string => this.style('32', text)
  bad = (text: string): string => this.style('31', text)

  /** Everything printed so far, without colour codes. */
  get lines(): readonly string[] {
    return this.printed
  }

  private style(code: string, text: string): string {
    return this.color ? `${ESC}[${code}m${text}${ESC}[0m` : text
  }
}

/** An expectation of a step, and whether it held. */
export interface Check {
  ok: boolean
  text: string
}

export const check = (ok: boolean, text: string, otherwise?: string): Check => ({
  ok,
  text: ok || otherwise === undefined ? text : `${text} — ${otherwise}`
})

/** `items` joined with ' · ' into lines of at most `width` characters, the first one after `label`. */
export function wrap(label: string, items: string[], width = 110): string[] {
  const lines: string[] = []
  let line = ''
  for (const item of items) {
    if (line !== '' && label.length + line.length + 3 + item.length > width) {
      lines.push(line)
      line = item
    } else line = line === '' ? item : `${line} · ${item}`
  }
  if (line !== '' || lines.length === 0) lines.push(line)
  return lines.map((text, index) => `${index === 0 ? label : ' '.repeat(label.length)}${text}`)
}

/** Prose broken into lines of at most `width` characters. */
export function paragraph(text: string, width = 110): string {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  return [...lines, line].join('\n')
}
