// npm run bench: the bundled action under Node 24 against the local AWS-protocol server with
// per-request latency and per-operation quotas; writes BENCHMARKS.md. Not part of the tests.
// Options: --latency-ms 30 --repeats 3 --sizes 10,100,500 --states cold,warm,rotated --get-rate 40
//          --put-rate 10 --batch-rate 10 --cli-n 60 --no-cli --long-ms 20000 --out BENCHMARKS.md
//          --quota-sizes 60,100 (the cold runs under write quotas the action is not told about)
//          --quota-only (only those, and the sequential writer: prints the section, or writes --out)
//          --bundle PATH (another build to measure, e.g. a prototype's dist/index.js)
//          --startup-only (only section 4's start-up and size, of each --bundle given, runs interleaved;
//          --repeats runs of each)
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { format, resolveConfig } from 'prettier'
import { assertRuntimesPresent, BUNDLE, ROOT, RUNTIMES } from '../__tests__/e2e/harness.js'
import type { Quota } from '../__tests__/fake-aws/types.js'
import { AWS_CLI, measureCli } from './bench/cli.js'
import { describeRun, median, medianRun, ms, ratio, seconds, table } from './bench/format.js'
import {
  checked,
  criticalPathMs,
  minimumRequests,
  OPERATIONS,
  PREFLIGHT_OTHER,
  type Scenario,
  type State
} from './bench/model.js'
import { quotaSection } from './bench/quotas.js'
import { measure, type BenchConfig, type Measurement } from './bench/scenarios.js'
import { GNU_TIME } from './bench/spawn.js'
import { describeStartup, sizeOf, snapshotOf, startupRuns } from './bench/startup.js'

const { values: args } = parseArgs({
  options: {
    'latency-ms': { type: 'string', default: '30' },
    repeats: { type: 'string', default: '3' },
    sizes: { type: 'string', default: '10,100,500' },
    states: { type: 'string', default: 'cold,warm,rotated' },
    bundle: { type: 'string', multiple: true },
    'get-rate': { type: 'string', default: '40' },
    'put-rate': { type: 'string', default: '10' },
    'batch-rate': { type: 'string', default: '10' },
    'cli-n': { type: 'string', default: '60' },
    'quota-sizes': { type: 'string', default: '60,100' },
    'quota-only': { type: 'boolean', default: false },
    'startup-only': { type: 'boolean', default: false },
    'no-cli': { type: 'boolean', default: false },
    'long-ms': { type: 'string', default: '20000' },
    out: { type: 'string' }
  }
})

function positive(name: string, text: string | undefined): number {
  const value = Number(text)
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`--${name} must be a number > 0, got '${text}'`)
  return value
}

const latencyMs = positive('latency-ms', args['latency-ms'])
const repeats = Math.round(positive('repeats', args.repeats))
const sizes = (args.sizes ?? '').split(',').map((size) => Math.round(positive('sizes', size)))
const quotaSizes = (args['quota-sizes'] ?? '').split(',').map((size) => Math.round(positive('quota-sizes', size)))
const longMs = positive('long-ms', args['long-ms'])
const cliN = Math.round(positive('cli-n', args['cli-n']))
const bucket = (rate: number): Quota => ({ rate, burst: rate })
const getRate = positive('get-rate', args['get-rate'])
const putRate = positive('put-rate', args['put-rate'])
const batchRate = positive('batch-rate', args['batch-rate'])
const quotas: Record<string, Quota> = {
  GetParameters: bucket(getRate),
  PutParameter: bucket(putRate),
  AddTagsToResource: bucket(putRate),
  DescribeJobDefinitions: bucket(batchRate),
  RegisterJobDefinition: bucket(batchRate),
  SubmitJob: bucket(batchRate)
}

assertRuntimesPresent()
const node24 = RUNTIMES[RUNTIMES.length - 1]!
const builds = (args.bundle ?? [BUNDLE]).map((path) => resolve(path))
const built = builds[0] as string
if (builds.length > 1 && !args['startup-only']) throw new Error('more than one --bundle needs --startup-only')
// Measure the bundle as built now, even if dist/ is rebuilt while the benchmark runs.
const bundle = await snapshotOf(built)
const snapshot = dirname(bundle)
const config: BenchConfig = { node: node24.node, bundle, latencyMs, quotas }
const loadBefore = loadavg()
const memory = existsSync(GNU_TIME)
const started = performance.now()

// ---------------------------------------------------------------------------------------------
// helpers

const mb = (bytes: number) => (bytes / 1_000_000).toFixed(2)

function label(scenario: Scenario): string {
  return `N=${scenario.n} ${scenario.state}${scenario.batch ? ' +Batch' : ''}`
}

function command(file: string, argv: string[]): string {
  const result = spawnSync(file, argv, { encoding: 'utf8' })
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n')[0] ?? ''
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
      .version
  } catch {
    return '?'
  }
}

function progress(text: string): void {
  console.log(`[${seconds(performance.now() - started).padStart(6)} s] ${text}`)
}

// ---------------------------------------------------------------------------------------------
// --quota-only: the quota section alone, to iterate on

if (args['quota-only']) {
  const section = await quotaSection(config, { sizes: quotaSizes, repeats, longMs, progress })
  await rm(snapshot, { recursive: true, force: true })
  if (args.out) {
    const out = resolve(ROOT, args.out)
    await writeFile(out, await format(section, { ...((await resolveConfig(out)) ?? {}), filepath: out }))
    progress(`wrote ${out}`)
  } else {
    console.log(`\n${section}`)
  }
  process.exit(0)
}

// ---------------------------------------------------------------------------------------------
// --startup-only: section 4's start-up and size of each build, to compare builds

if (args['startup-only']) {
  const configs = [
    config,
    ...(await Promise.all(builds.slice(1).map(snapshotOf))).map((b) => ({ ...config, bundle: b }))
  ]
  const runs = await startupRuns(configs, repeats)
  for (const [index, path] of builds.entries()) {
    const size = sizeOf(configs[index]?.bundle as string)
    console.log(
      `${path}: start-up ${describeStartup(runs[index] ?? [])}, median of ${repeats}; ${size.files} .js files, ${mb(size.bytes)} MB (entry ${mb(size.entryBytes)} MB)`
    )
    await rm(dirname(configs[index]?.bundle as string), { recursive: true, force: true })
  }
  process.exit(0)
}

// ---------------------------------------------------------------------------------------------
// tables 1 and 2: the action in every scenario

const STATES = (args.states ?? '').split(',').map((state) => {
  if (state !== 'cold' && state !== 'warm' && state !== 'rotated') {
    throw new Error(`--states takes cold, warm and rotated, got '${state}'`)
  }
  return state as State
})
const grid: { scenario: Scenario; runs: Measurement[]; bound: number }[] = []
for (const n of sizes) {
  for (const state of STATES) {
    for (const batch of [false, true]) {
      const scenario: Scenario = { n, state, batch }
      const bound = criticalPathMs(scenario, latencyMs, quotas)
      // Quota-bound runs vary little and cost most of the time: run them once.
      const times = bound > longMs ? 1 : repeats
      const runs: Measurement[] = []
      for (let i = 0; i < times; i++) {
        const run = await measure(scenario, config, memory)
        runs.push(run)
        progress(`${label(scenario)} #${i + 1}: ${describeRun(run)}`)
        // A setup that cannot be done will not work the next time either.
        if (!run.ok && Number.isNaN(run.wallMs)) break
      }
      grid.push({ scenario, runs, bound })
    }
  }
}

function countCell(actual: number, minimum: number): string {
  return actual === minimum ? String(actual) : `**${actual}** / ${minimum}`
}

const table1 = table(
  ['scenario', ...OPERATIONS, 'other', 'total', 'throttled'],
  grid.map(({ scenario, runs }) => {
    const run = medianRun(runs)
    const minimum = minimumRequests(scenario)
    const minOther = checked(scenario) ? PREFLIGHT_OTHER : 0
    const minTotal = Object.values(minimum).reduce((a, b) => a + b, 0) + minOther
    if (Number.isNaN(run.wallMs)) {
      return [label(scenario), ...OPERATIONS.map(() => '–'), '–', `– / ${minTotal}`, '–']
    }
    return [
      label(scenario),
      ...OPERATIONS.map((operation) => countCell(run.counts[operation] ?? 0, minimum[operation])),
      countCell(run.counts.other ?? 0, minOther),
      countCell(run.total, minTotal),
      String(run.throttled)
    ]
  })
)

const failures: string[] = []
function result(run: Measurement): string {
  if (run.ok) return 'ok'
  failures.push(`${label(run.scenario)}: ${run.problem ?? ''}`)
  // The action refuses a definition over the service's size limit before any write, as intended.
  const refused = /would be \d+ bytes; AWS accepts at most \d+/.test(run.problem ?? '')
  return `${refused ? 'refused, as intended' : 'failed'} (${failures.length})`
}

const table2 = table(
  [
    'scenario',
    'runs',
    'wall ms',
    'start-up ms',
    'AWS span ms',
    'bound ms',
    'wall / bound',
    'span / bound',
    'peak RSS MB',
    'result'
  ],
  grid.map(({ scenario, runs, bound }) => {
    const run = medianRun(runs)
    const ok = runs.filter((r) => r.ok)
    const wall = median(ok.map((r) => r.wallMs))
    const span = median(ok.map((r) => r.awsSpanMs))
    return [
      label(scenario),
      String(runs.length),
      ms(wall),
      ms(median(ok.map((r) => r.startupMs))),
      ms(span),
      ms(bound),
      ratio(wall, bound),
      ratio(span, bound),
      run.peakRssKb !== undefined ? (run.peakRssKb / 1024).toFixed(0) : '–',
      result(run)
    ]
  })
)
const failureNotes = failures.map((failure, i) => `${i + 1}. ${failure}`).join('\n')

// ---------------------------------------------------------------------------------------------
// sections 2b and 2c: write quotas the action is not told about, and a writer one request at a time

const quotaMarkdown = await quotaSection(config, { sizes: quotaSizes, repeats, longMs, progress })

// ---------------------------------------------------------------------------------------------
// table 3: against the AWS CLI script, N = cliN, with a Batch definition and a job

let table3 = `Not run (${args['no-cli'] ? '--no-cli' : `${AWS_CLI} missing: apt-get install awscli`}).`
let table3Detail = ''
if (!args['no-cli'] && existsSync(AWS_CLI)) {
  const rows: string[][] = []
  const detail: string[] = []
  const ops = (run: Measurement) =>
    Object.entries(run.counts)
      .map(([operation, count]) => `${count} ${operation}`)
      .join(', ')
  for (const state of ['cold', 'warm'] as const) {
    const scenario: Scenario = { n: cliN, state, batch: true }
    const cli = await measureCli(cliN, state, config)
    progress(`AWS CLI script N=${cliN} ${state}: ${describeRun(cli)}`)
    const actionRuns: Measurement[] = []
    for (let i = 0; i < repeats; i++) {
      const run = await measure(scenario, config, false)
      actionRuns.push(run)
      progress(`action N=${cliN} ${state} +Batch #${i + 1}: ${describeRun(run)}`)
    }
    const action = medianRun(actionRuns)
    const actionWall = median(actionRuns.filter((r) => r.ok).map((r) => r.wallMs))
    const bound = criticalPathMs(scenario, latencyMs, quotas)
    rows.push([
      state,
      seconds(cli.wallMs),
      String(cli.total),
      seconds(actionWall),
      String(action.total),
      `**${ratio(cli.wallMs, actionWall)}**`,
      seconds(bound),
      ratio(cli.wallMs, bound),
      [cli.ok ? '' : `CLI failed: ${cli.problem ?? ''}`, action.ok ? '' : `action failed: ${action.problem ?? ''}`]
        .filter(Boolean)
        .join('; ') || 'ok'
    ])
    detail.push(`- ${state}, AWS CLI script: ${ops(cli)}`, `- ${state}, action (median run): ${ops(action)}`)
  }
  table3 = table(
    [
      'state',
      'CLI wall s',
      'CLI requests',
      `action wall s (median of ${repeats})`,
      'action requests',
      'CLI / action',
      'action bound s',
      'CLI / bound',
      'result'
    ],
    rows
  )
  table3Detail = `Requests per operation:\n\n${detail.join('\n')}`
}

// ---------------------------------------------------------------------------------------------
// table 4: start-up, size, memory

const STARTUP_RUNS = 7
const [startup = []] = await startupRuns([config], STARTUP_RUNS)
progress(`start-up runs: ${startup.map((run) => ms(run.startupMs)).join(', ')} ms`)

async function bareNode(): Promise<number> {
  const at = performance.now()
  const child = spawn(node24.node, ['-e', '0'], { stdio: 'ignore' })
  await new Promise((resolve) => child.on('exit', resolve))
  return performance.now() - at
}
const bare: number[] = []
for (let i = 0; i < STARTUP_RUNS; i++) bare.push(await bareNode())

// ---------------------------------------------------------------------------------------------
// table 5: what preflight costs, N=10 warm +Batch with and without it, runs interleaved, at two
// latencies: the extra span's growth with the latency counts the round trips preflight adds, and
// what is left at zero latency is local work.

const slowLatencyMs = latencyMs * 4
const preflightRuns = new Map<string, Measurement[]>()
const preflightKey = (side: 'on' | 'off', latency: number) => `${side}@${latency}`
for (let i = 0; i < Math.max(repeats, 5); i++) {
  for (const latency of [latencyMs, slowLatencyMs]) {
    for (const side of ['on', 'off'] as const) {
      const scenario = { n: 10, state: 'warm' as const, batch: true, noPreflight: side === 'off' }
      const run = await measure(scenario, { ...config, latencyMs: latency }, false)
      const key = preflightKey(side, latency)
      preflightRuns.set(key, [...(preflightRuns.get(key) ?? []), run])
      progress(`preflight ${side} at ${latency} ms #${i + 1}: ${describeRun(run)}`)
    }
  }
}
const preflightRow = (side: 'on' | 'off', latency: number) => {
  const all = preflightRuns.get(preflightKey(side, latency)) ?? []
  const runs = all.filter((run) => run.ok)
  const wall = median(runs.map((run) => run.wallMs))
  const span = median(runs.map((run) => run.awsSpanMs))
  const requests = median(runs.map((run) => run.total))
  return { side, latency, wall, span, requests, failed: all.length - runs.length }
}
const preflightRows = [latencyMs, slowLatencyMs].flatMap((latency) => [
  preflightRow('on', latency),
  preflightRow('off', latency)
])
const table5 = table(
  ['N=10 warm +Batch', 'latency', 'requests', 'AWS span', 'wall', 'failed runs'],
  preflightRows.map((row) => [
    `preflight: ${row.side === 'on' ? 'true' : 'false'}`,
    `${row.latency} ms`,
    String(row.requests),
    `${ms(row.span)} ms`,
    `${ms(row.wall)} ms`,
    String(row.failed)
  ])
)
const extra = (latency: number, field: 'span' | 'wall') =>
  preflightRow('on', latency)[field] - preflightRow('off', latency)[field]
// extra span = round trips × latency + local work, solved from the two latencies
const roundTrips = (extra(slowLatencyMs, 'span') - extra(latencyMs, 'span')) / (slowLatencyMs - latencyMs)
const localMs = extra(latencyMs, 'span') - roundTrips * latencyMs
const moreRequests = preflightRow('on', latencyMs).requests - preflightRow('off', latencyMs).requests
const preflightCost = [
  `With preflight the run sends ${moreRequests} more requests. Its AWS span grows by ${ms(extra(latencyMs, 'span'))} ms at ${latencyMs} ms per request and by ${ms(extra(slowLatencyMs, 'span'))} ms at ${slowLatencyMs} ms;`,
  `wall time by ${ms(extra(latencyMs, 'wall'))} and ${ms(extra(slowLatencyMs, 'wall'))} ms.`,
  `So preflight adds **${roundTrips.toFixed(2)} round trips** (the target: at most one) and ${ms(localMs)} ms of local work`,
  `(answers parsed and the IAM client's first request, in a process that has run none before).`
].join(' ')

const size = sizeOf(bundle)
const loadAfter = loadavg()
await rm(snapshot, { recursive: true, force: true })
const rss = (scenario: Partial<Scenario>) => {
  const entry = grid.find(
    (g) => g.scenario.n === scenario.n && g.scenario.state === scenario.state && g.scenario.batch === scenario.batch
  )
  const kb = entry ? medianRun(entry.runs).peakRssKb : undefined
  return kb === undefined ? '–' : `${(kb / 1024).toFixed(0)} MB`
}
const largest = Math.max(...sizes)
const table4 = table(
  ['measure (Node 24)', 'value', 'target'],
  [
    [
      `bundle size (${size.files === 1 ? basename(bundle) : `${size.files} .js files`})`,
      `${mb(size.bytes)} MB (${mb(size.gzipBytes)} MB gzipped)${size.files > 1 ? `; entry ${mb(size.entryBytes)} MB` : ''}`,
      '< 1.5 MB'
    ],
    [
      `start-up: spawn → first AWS request (median of ${STARTUP_RUNS}, N=10 warm)`,
      describeStartup(startup),
      '< 150 ms'
    ],
    [`bare Node 24: spawn → exit of \`node -e 0\` (median of ${STARTUP_RUNS})`, `${ms(median(bare))} ms`, ''],
    ['peak RSS, N=10 warm', rss({ n: 10, state: 'warm', batch: false }), ''],
    [`peak RSS, N=${largest} cold`, rss({ n: largest, state: 'cold', batch: false }), ''],
    [`peak RSS, N=${largest} cold +Batch`, rss({ n: largest, state: 'cold', batch: true }), '']
  ]
)

// ---------------------------------------------------------------------------------------------
// BENCHMARKS.md

const osName = existsSync('/etc/os-release')
  ? (/^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '')
  : ''
const commit = command('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'])
const dirty = command('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src', 'dist'])
  ? ' (src/ or dist/ modified)'
  : ''
const quotaText = Object.entries(quotas)
  .map(([operation, quota]) => `${operation} ${quota.rate}/s (burst ${quota.burst})`)
  .join(', ')

const markdown = `# Benchmarks

Written by \`npm run bench\` (scripts/bench.ts) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC,
in ${seconds(performance.now() - started)} s. Do not edit by hand; run it again.

## Machine and versions

${table(
  ['', ''],
  [
    ['CPU', `${cpus()[0]?.model ?? '?'}, ${availableParallelism()} cores (nproc)`],
    ['memory', `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
    [
      'load average',
      `${loadBefore.map((l) => l.toFixed(1)).join(' ')} at start, ${loadAfter.map((l) => l.toFixed(1)).join(' ')} at end (other work on the machine inflates the times)`
    ],
    ['OS', `${osName}, Linux ${release()}`],
    [
      'action',
      args.bundle
        ? `${built} (--bundle)`
        : `${commit}${dirty}; dist/index.js built by \`npm run bundle\` (esbuild ${packageVersion('esbuild')})`
    ],
    ['runtime', `${node24.label} (action.yml's node24); benchmark driver ${process.version}`],
    ['AWS SDK', `@aws-sdk/client-ssm ${packageVersion('@aws-sdk/client-ssm')}`],
    ['AWS CLI', `${command(AWS_CLI, ['--version'])}; ${command('jq', ['--version'])}`]
  ]
)}

Set-up: the local AWS-protocol server (\`__tests__/fake-aws\`) on 127.0.0.1 adds **${latencyMs} ms** to every
request and enforces a token bucket per operation (full at start, 400 \`ThrottlingException\` beyond it):
${quotaText}; GetCallerIdentity has none. GetParameters' 40/s is Parameter Store's documented default
throughput. AWS does not publish PutParameter's; AWS Support has quoted 3/s for standard and 10/s for
higher throughput, so 10/s here (\`--put-rate 3\` for the standard setting; the cold runs then take
over 3× longer). The Batch rates are assumptions; each run makes at most 3 such calls.

The action does not know the quotas: it sends its Parameter Store requests (three writes at a time)
without any pacing until one is throttled, then at the rate it measures from what the service
accepts, per operation (sections 2b and 2c: other bucket shapes, no quota at all).

Each measured run starts a fresh server (fresh buckets), seeds it (warm: the parameters exist with the
same values; rotated: 10 % of the values differ; +Batch: a job definition and queue, and for warm and
rotated a first run of the action has already put the secrets in the definition), then spawns
\`dist/index.js\` as the runner does (\`INPUT_*\` variables, command files) and waits for it to exit.
Figures are from the run with the median wall time of ${repeats} (1 for runs whose bound exceeds ${seconds(longMs)} s).

## 1. Requests against the minimum

Counts per operation of the median run, throttled requests included; **bold** where it differs from
the minimum (after the slash). The minimum: ceil(N/10) GetParameters, one PutParameter per changed
value, one DescribeJobDefinitions, RegisterJobDefinition only when the definition changes (cold),
one SubmitJob, and GetCallerIdentity only when no ARN is read (cold without a definition).

AddTagsToResource is not in the issue's minimum, but the action's contract puts \`tags\` (and the
managed-by tag) on every parameter it writes, and Parameter Store refuses \`Tags\` together with
\`Overwrite\`: each updated parameter costs one. Checking first which parameters already carry the
tags would take a DescribeParameters, whose filters AWS applies page by page over the whole account
(an account with thousands of parameters answers with many near-empty pages), so it is not done.
N=500 with a Batch definition cannot exist: 500 secret references make a 52 KB definition, over
Batch's 24 KiB limit; the action refuses it before any write.

${table1}

## 2. Wall time against the critical-path bound

Wall: spawn to exit. Start-up: spawn to the first request's arrival. AWS span: first request's arrival
to the last answer. Bound: the GetParameters reads (limited by their quota), the definition read and
the identity call in parallel, then the writes as fast as the PutParameter quota allows, then
register, then submit, each request ${latencyMs} ms; process start-up is not part of it. Peak RSS from
GNU time (\`%M\`).

${table2}

${failureNotes}

${quotaMarkdown}

## 3. Against the AWS CLI

The same sync + register + submit with a Batch definition, N=${cliN}, by \`scripts/bench/cli-sync.sh\`: the
step users write today (AWS CLI v2 and jq; every value written with \`put-parameter --overwrite\`, the
definition read, rewritten and registered, a job submitted), against the same server, latency and
quotas. Cold: nothing exists; warm: after one run with the same values. The CLI script runs once per
state (about a second per \`aws\` call, whatever the state); CLI / bound is the most any tool could
gain over it under these quotas. Measured in the same \`npm run bench\`.

${table3}

${table3Detail}

## 4. Start-up, size and memory

${table4}

## 5. What preflight costs

The same run (N=10 warm, a Batch definition and a job; every check passes) with \`preflight: true\`
(the default: GetCallerIdentity, DescribeJobQueues and DescribeComputeEnvironments alongside the
state reads, SimulatePrincipalPolicy once the plan is known) and \`preflight: false\`, at ${latencyMs} and
${slowLatencyMs} ms per request, ${Math.max(repeats, 5)} runs each, interleaved; medians. The extra span grows with the
latency by the number of round trips preflight adds; what is left is local work. The local server
speaks plain HTTP: against AWS, the first request to IAM's endpoint also opens a TLS connection,
which this cannot show.

${table5}

${preflightCost}
`

const out = resolve(ROOT, args.out ?? 'BENCHMARKS.md')
const prettierConfig = (await resolveConfig(out)) ?? {}
await writeFile(out, await format(markdown, { ...prettierConfig, filepath: out }))
progress(`wrote ${out}`)
