// Section 4's start-up and size figures. Start-up runs of several builds are interleaved (one run of
// each in turn), so that other work on the machine weighs on them alike and their difference holds.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { cp, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { median, ms } from './format.js'
import { measure, type BenchConfig, type Measurement } from './scenarios.js'

/** A copy of the build's directory, so that a rebuild while the benchmark runs changes nothing. */
export async function snapshotOf(entry: string): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'ssm-secrets-bench-dist-'))
  await cp(dirname(entry), directory, { recursive: true })
  return join(directory, basename(entry))
}

/** Spawn → first AWS request of the bench's start-up case (N=10 warm, no Batch), `runs` per build, interleaved. */
export async function startupRuns(configs: BenchConfig[], runs: number): Promise<Measurement[][]> {
  const measured: Measurement[][] = configs.map(() => [])
  for (let i = 0; i < runs; i++) {
    for (const [index, config] of configs.entries()) {
      measured[index]?.push(await measure({ n: 10, state: 'warm', batch: false }, config, false))
    }
  }
  return measured
}

export function describeStartup(runs: Measurement[]): string {
  const times = runs.map((run) => run.startupMs)
  const t0Error = Math.max(...runs.map((run) => run.t0Error))
  return `${ms(median(times))} ms (range ${ms(Math.min(...times))}–${ms(Math.max(...times))}, clock offset ±${t0Error.toFixed(1)} ms)`
}

/** Every .js file of the build (the entry, and the chunks it loads on demand): count and bytes. */
export function sizeOf(entry: string): { files: number; bytes: number; gzipBytes: number; entryBytes: number } {
  const directory = dirname(entry)
  const files = readdirSync(directory).filter((file) => file.endsWith('.js'))
  return {
    files: files.length,
    bytes: files.reduce((sum, file) => sum + statSync(join(directory, file)).size, 0),
    gzipBytes: files.reduce((sum, file) => sum + gzipSync(readFileSync(join(directory, file))).length, 0),
    entryBytes: statSync(entry).size
  }
}
