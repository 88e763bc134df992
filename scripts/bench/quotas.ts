// Quotas the action is not told about: cold syncs with PutParameter (and AddTagsToResource) under
// token buckets of several shapes, and with no quota at all, against the critical-path bound; the
// no-quota runs also against a writer that sends one request at a time, in the same benchmark run.
import { join } from 'node:path'
import { ROOT } from '../../__tests__/e2e/harness.js'
import type { Quota } from '../../__tests__/fake-aws/types.js'
import { startBenchFake } from './fake.js'
import { describeRun, median, medianRun, ms, ratio, seconds, table } from './format.js'
import { criticalPathMs, type Scenario } from './model.js'
import {
  actionInputs,
  measure,
  measurementOf,
  PARAMETER_PATH,
  type BenchConfig,
  type Measurement
} from './scenarios.js'
import { spawnAction } from './spawn.js'

export const WRITER = join(ROOT, 'scripts', 'bench', 'sequential-writer.mjs')

export interface QuotaProfile {
  name: string
  /** PutParameter's and AddTagsToResource's bucket; none: no quota on any operation */
  write?: Quota
}

export const QUOTA_PROFILES: QuotaProfile[] = [
  { name: 'none at all' },
  { name: '10/s, burst 40', write: { rate: 10, burst: 40 } },
  { name: '10/s, burst 10', write: { rate: 10, burst: 10 } },
  { name: '3/s, burst 3', write: { rate: 3, burst: 3 } }
]

/** The quotas of a profile: none at all, or the base quotas with the writes' bucket replaced. */
export function profileQuotas(base: Record<string, Quota>, profile: QuotaProfile): Record<string, Quota> {
  if (!profile.write) return {}
  return { ...base, PutParameter: profile.write, AddTagsToResource: profile.write }
}

/** One run of sequential-writer.mjs, spawned as the action is, on a fresh server of the same set-up. */
export async function measureWriter(n: number, config: BenchConfig): Promise<Measurement> {
  const scenario: Scenario = { n, state: 'cold', batch: false }
  const bench = await startBenchFake({ latencyMs: config.latencyMs, quotas: config.quotas })
  try {
    const run = await spawnAction({
      node: config.node,
      bundle: WRITER,
      endpoint: bench.fake.url,
      inputs: actionInputs(scenario)
    })
    const written = bench.fake.ssm.names().filter((name) => name.startsWith(PARAMETER_PATH)).length
    const problem =
      run.exitCode !== 0
        ? `exit ${run.exitCode}: ${run.stderr.trim().slice(0, 300)}`
        : written !== n
          ? `${written} of ${n} written`
          : undefined
    return measurementOf(scenario, run, problem, bench)
  } finally {
    await bench.fake.close()
  }
}

export interface QuotaOptions {
  sizes: number[]
  repeats: number
  /** runs whose bound exceeds this run once */
  longMs: number
  progress: (text: string) => void
}

interface Row {
  profile: QuotaProfile
  n: number
  bound: number
  runs: Measurement[]
  writer: Measurement[]
}

const WALL_TARGET = 1.1
const THROTTLE_TARGET = 0.1
const WRITER_TARGET = 0.5

const yes = (ok: boolean) => (ok ? 'yes' : '**no**')
const okRuns = (runs: Measurement[]) => runs.filter((run) => run.ok)

/** Runs every profile at every size and returns the section's markdown. */
export async function quotaSection(config: BenchConfig, options: QuotaOptions): Promise<string> {
  const rows: Row[] = []
  for (const profile of QUOTA_PROFILES) {
    const quotas = profileQuotas(config.quotas, profile)
    for (const n of options.sizes) {
      const scenario: Scenario = { n, state: 'cold', batch: false }
      const bound = criticalPathMs(scenario, config.latencyMs, quotas)
      const row: Row = { profile, n, bound, runs: [], writer: [] }
      const times = bound > options.longMs ? 1 : options.repeats
      for (let i = 0; i < times; i++) {
        const run = await measure(scenario, { ...config, quotas }, false)
        row.runs.push(run)
        options.progress(`quota ${profile.name}, N=${n} cold #${i + 1}: ${describeRun(run)}`)
        // Alternating with the action's runs, so that both see the machine in the same state.
        if (!profile.write) {
          const writer = await measureWriter(n, { ...config, quotas })
          row.writer.push(writer)
          options.progress(`sequential writer, N=${n} #${i + 1}: ${describeRun(writer)}`)
        }
      }
      rows.push(row)
    }
  }

  const quotaTable = table(
    [
      'PutParameter quota',
      'N',
      'runs',
      'wall ms',
      'start-up ms',
      'AWS span ms',
      'bound ms',
      'wall / bound',
      'span / bound',
      'throttled / writes',
      `wall ≤ ${WALL_TARGET}× bound`,
      `throttled ≤ ${THROTTLE_TARGET * 100} %`,
      'result'
    ],
    rows.map(({ profile, n, bound, runs }) => {
      const ok = okRuns(runs)
      const wall = median(ok.map((run) => run.wallMs))
      const span = median(ok.map((run) => run.awsSpanMs))
      const throttled = Math.max(0, ...runs.map((run) => run.throttled))
      const failed = runs.filter((run) => !run.ok)
      return [
        profile.name,
        String(n),
        String(runs.length),
        ms(wall),
        ms(median(ok.map((run) => run.startupMs))),
        ms(span),
        ms(bound),
        ratio(wall, bound),
        ratio(span, bound),
        `${throttled} / ${n} (${((throttled / n) * 100).toFixed(0)} %)`,
        profile.write ? yes(ok.length > 0 && wall <= WALL_TARGET * bound) : '(2c)',
        profile.write ? yes(throttled <= THROTTLE_TARGET * n) : '–',
        failed.length === 0 ? 'ok' : `**${failed.length} failed**: ${failed[0]?.problem ?? ''}`
      ]
    })
  )

  const writerRows = rows.filter((row) => !row.profile.write)
  const writerTable = table(
    [
      'N',
      'runs',
      'action wall ms',
      'writer wall ms',
      'action / writer',
      `≤ ${WRITER_TARGET}`,
      'writer start-up ms',
      'writer AWS span ms',
      'result'
    ],
    writerRows.map(({ n, runs, writer }) => {
      const action = median(okRuns(runs).map((run) => run.wallMs))
      const sequential = median(okRuns(writer).map((run) => run.wallMs))
      const failed = [...runs, ...writer].filter((run) => !run.ok)
      return [
        String(n),
        String(runs.length),
        ms(action),
        ms(sequential),
        ratio(action, sequential),
        yes(action <= WRITER_TARGET * sequential),
        ms(median(okRuns(writer).map((run) => run.startupMs))),
        ms(median(okRuns(writer).map((run) => run.awsSpanMs))),
        failed.length === 0 ? 'ok' : `**${failed.length} failed**: ${failed[0]?.problem ?? ''}`
      ]
    })
  )
  const detail = rows
    .map(({ profile, n, runs }) => {
      const run = medianRun(runs)
      const counts = Object.entries(run.counts)
        .map(([operation, count]) => `${count} ${operation}`)
        .join(', ')
      const all = runs.map((r) => `${seconds(r.wallMs)} s/${r.throttled}`).join(', ')
      return `- ${profile.name}, N=${n}: ${counts}, ${run.throttled} throttled (median run); every run (wall/throttled): ${all}`
    })
    .join('\n')

  return `### 2b. Quotas the action is not told about

Cold syncs (every value new, no definition) with PutParameter and AddTagsToResource under a token
bucket the action is not told about, one fresh server a run: no quota on any operation at all; 10/s
with a burst of 40 (a bucket that lets 40 through at once, then refills 10 a second); 10/s with a
burst of 10; 3/s with a burst of 3 (what AWS Support quotes for the standard throughput). The other
operations keep the quotas above. The bound counts the burst: the reads, then N ≤ B writes in one
round trip, else (N − B) / rate s and one more round trip. With no quota at all it is two round
trips (every write at once), which no client with a bounded number of connections reaches; the
target there is section 2c. The bound leaves out process start-up (its own column), which the wall
time includes and the AWS span does not: where the wall time misses its target, the span shows what
the pacing costs. Targets: wall time at most ${WALL_TARGET}× the bound; throttled answers (each re-sent
by the action) at most ${THROTTLE_TARGET * 100} % of the writes, counting the most of any run; no failed run.
Runs as in section 2: ${options.repeats} each, 1 when the bound exceeds ${seconds(options.longMs)} s.

${quotaTable}

${detail}

### 2c. Against a writer that sends one request at a time

With no quota at all, the same cold syncs against \`scripts/bench/sequential-writer.mjs\`: a Node
script that sends the same values with \`@aws-sdk/client-ssm\`, one \`PutParameter\` at a time and
nothing else (no read, no identity call, no tags), spawned the same way (Node 24, the runner's
variables, the same \`secrets\` and \`path\`), on a fresh server of the same set-up, alternating with
the action's runs in this benchmark run. The action's runs are those of section 2b (they also read
the current values and make the identity call). Medians of the runs. Target: the action at most
${WRITER_TARGET}× the writer's wall time at N=60.

${writerTable}`
}
