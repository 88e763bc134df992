// The case runners: each starts its own fake AWS, seeds it, runs the bundle, and says what went wrong.
import type { Runtime } from '../e2e/harness.js'
import { startFakeAws, type FakeAws } from '../fake-aws/index.js'
import { seedBadInputWorld, type BadInputCase } from './bad-inputs.js'
import { SLOW_TIMEOUT_MS } from './cases.js'
import type { ConcurrencyCase, FaultCase, PartialFailureCase, PruneCase } from './cases.js'
import { errorAnnotations, findLeaks, unclean, unmasked } from './checks.js'
import {
  addQueue,
  seedAccount,
  batchDefinition,
  latestActive,
  MANAGED,
  parameterArn,
  parameterProblems,
  PATH,
  PROTECTED,
  QUEUE,
  seedProtected,
  watch
} from './fixtures.js'
import { flowNamed, launchCounter, runEnv, VALUES_A, VALUES_B, type Flow, type FlowValues } from './flows.js'
import { LEAK_VALUES, type LeakScenario } from './leaks.js'
import { runBundle, type BundleRun, type BundleRunOptions } from './process.js'
import { result, type CaseResult, type Section } from './report.js'

export type { Runtime } from '../e2e/harness.js'

type Found = Parameters<typeof result>[3]

/** Runs one case against a fake AWS of its own, and times it. */
async function inFake(
  [section, name, runtime]: [Section, string, Runtime],
  body: (fake: FakeAws) => Promise<Found>
): Promise<CaseResult> {
  const started = Date.now()
  const fake = await startFakeAws()
  seedAccount(fake)
  try {
    return result(section, name, runtime.label, { ...(await body(fake)), ms: Date.now() - started })
  } finally {
    await fake.close()
  }
}

/** Waits until the server has answered (or dropped) every request it received, e.g. a slow one. */
async function settle(fake: FakeAws, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs
  while (fake.requests.some((request) => request.status === 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  await new Promise((resolve) => setTimeout(resolve, 30))
}

type RunOptions = Omit<BundleRunOptions, 'node' | 'endpoint'>

async function run(fake: FakeAws, runtime: Runtime, options: RunOptions): Promise<BundleRun> {
  const done = await runBundle({ node: runtime.node, endpoint: fake.url, ...options })
  await settle(fake)
  return done
}

function describeRun(run: BundleRun): string {
  if (run.timedOut) return 'killed at the time limit'
  return run.exitCode === 0
    ? 'succeeded'
    : `exit ${run.exitCode}: ${errorAnnotations(run).join(' | ') || run.stderr.slice(0, 500)}`
}

const beyondOne = (launches: number) => Math.max(0, launches - 1)

export const runBadInput = (testCase: BadInputCase, runtime: Runtime) =>
  inFake(['bad-input', testCase.name, runtime], async (fake) => {
    seedBadInputWorld(fake)
    const done = await run(fake, runtime, testCase)
    const problems = unclean(done)
    const [error = ''] = errorAnnotations(done)
    if (!error.includes(`Input '${testCase.input}'`)) problems.push(`the error does not name input '${testCase.input}'`)
    if (!error.includes(testCase.expect)) problems.push(`the error does not say: ${testCase.expect}`)
    const writes = fake.writes().map((request) => request.operation)
    if (writes.length > 0) problems.push(`write requests reached the server: ${writes.join(', ')}`)
    if (problems.length > 0) problems.push(`error was: ${error || '(none)'}`)
    return { problems, outcome: done.exitCode === 1 ? 'rejected' : describeRun(done) }
  })

/** One leak scenario under RUNNER_DEBUG=1: every value × every channel. */
export const runLeakScenario = (scenario: LeakScenario, runtime: Runtime) =>
  inFake(['leak', scenario.name, runtime], async (fake) => {
    scenario.seed?.(fake)
    for (const fault of scenario.faults ?? []) fake.inject(fault)
    const done = await run(fake, runtime, { ...scenario, debug: true })
    const values = { ...LEAK_VALUES, ...scenario.hidden }
    const { leaks, channels } = findLeaks(done, values)
    const problems = leaks.map((leak) => `LEAK: ${leak.label} (${leak.form}) in ${leak.channel}`)
    const missing = scenario.unparsed ? [] : unmasked(done.stdout, LEAK_VALUES)
    if (missing.length > 0) problems.push(`never registered as masks: ${missing.join(', ')}`)
    const exit = scenario.error === undefined ? 0 : 1
    if (!scenario.name.startsWith('bad input') && !done.stdout.includes('::debug::')) {
      problems.push('set-up: no debug output, so RUNNER_DEBUG was not honoured')
    }
    if (done.exitCode !== exit) problems.push(`set-up: ${describeRun(done)}, expected exit ${exit}`)
    if (exit === 1) {
      problems.push(...unclean(done))
      const [error = ''] = errorAnnotations(done)
      if (!error.includes(scenario.error ?? '')) {
        problems.push(`set-up: failed elsewhere than intended (expected '${scenario.error}'): ${error}`)
      }
    }
    return {
      problems,
      outcome: done.exitCode === 0 ? 'succeeded' : 'failed',
      leakChecks: { values: Object.keys(values).length, channels, leaks: leaks.length }
    }
  })

/** Runs a flow with `attempt` and VALUES_A; returns the run and how many launches it made. */
async function runFlow(fake: FakeAws, flow: Flow, runtime: Runtime, attempt: number, env: Record<string, string> = {}) {
  const launches = launchCounter(fake, flow.launch)
  const done = await run(fake, runtime, { inputs: flow.inputs(VALUES_A), env: { ...runEnv(attempt), ...env } })
  return { run: done, launches: launches(attempt) }
}

/** A plain re-run (the next attempt, no faults) must succeed, leave the right state and launch once. */
async function reRun(fake: FakeAws, flow: Flow, runtime: Runtime, problems: string[]): Promise<number> {
  fake.clearFaults()
  const second = await runFlow(fake, flow, runtime, 2)
  if (second.run.exitCode !== 0) problems.push(`the re-run did not succeed: ${describeRun(second.run)}`)
  problems.push(...[...flow.verify(fake, VALUES_A), ...flow.settled(fake)].map((p) => `after the re-run: ${p}`))
  if (flow.launch && second.launches !== 1) problems.push(`the re-run launched ${second.launches} times`)
  return second.launches
}

/** The `parameters` output, or undefined when it is not JSON. */
function parametersOutput(run: BundleRun): { name?: string; status?: string }[] | undefined {
  try {
    return JSON.parse(run.outputs.parameters ?? '') as { name?: string; status?: string }[]
  } catch {
    return undefined
  }
}

/** Why the `parameters` output does not list every parameter of a successful run with a known status. */
function outputProblems(run: BundleRun): string[] {
  const listed = parametersOutput(run)
  if (!listed) return ['the parameters output is not JSON']
  const names = listed.map((parameter) => parameter.name)
  const missing = Object.keys({ ...VALUES_A.secrets, ...VALUES_A.variables }).filter(
    (key) => !names.includes(PATH + key)
  )
  const bad = listed.filter(({ status = '' }) => !['created', 'updated', 'unchanged', 'deleted'].includes(status))
  return [
    ...(missing.length > 0 ? [`the parameters output lacks ${missing.map((key) => PATH + key).join(', ')}`] : []),
    ...(bad.length > 0 ? [`the parameters output has statuses ${bad.map(({ status }) => status).join(', ')}`] : [])
  ]
}

/**
 * One cell of the fault matrix: the faulted run succeeds with the right state or fails cleanly; then
 * a plain re-run converges; no run launches twice.
 */
export const runFaultCase = (testCase: FaultCase, runtime: Runtime) =>
  inFake(['fault', testCase.name, runtime], async (fake) => {
    const flow = flowNamed(testCase.flow)
    flow.seed(fake)
    const touched = watch(fake)
    for (const fault of testCase.faults) fake.inject(fault)
    const problems: string[] = []
    const notes: string[] = []
    const first = await runFlow(fake, flow, runtime, 1, testCase.env)
    if (!fake.requests.some((request) => request.operation === testCase.operation && request.fault)) {
      problems.push(`set-up: the fault never fired (no ${testCase.operation} request was made)`)
    }
    const slow = fake.requests.find((request) => request.fault === 'latency')
    // The client gave up on the slow answer if it sent anything else (a retry, a look-up) meanwhile.
    const sentMeanwhile = (other: (typeof fake.requests)[number]) =>
      slow && other !== slow && other.start > slow.start + SLOW_TIMEOUT_MS - 100 && other.start < slow.end
    if (slow && !fake.requests.some(sentMeanwhile)) {
      problems.push('set-up: the client waited for the slow answer instead of timing out')
    }
    let outcome = 'succeeded'
    if (first.run.exitCode === 0) {
      problems.push(...flow.verify(fake, VALUES_A).map((problem) => `after the faulted run: ${problem}`))
      problems.push(...outputProblems(first.run))
      if (flow.launch && first.launches !== 1) problems.push(`the faulted run launched ${first.launches} times`)
      const unsettled = flow.settled(fake).map((problem) => `after the faulted run: ${problem}`)
      // Only a request answered after the client gave up can still take effect once the run is over.
      if (testCase.kind === 'slow')
        notes.push(...unsettled.map((note) => `${note} (the slow request took effect late)`))
      else problems.push(...unsettled)
    } else {
      const dirty = unclean(first.run)
      outcome = dirty.length > 0 ? 'failed uncleanly' : 'failed cleanly'
      problems.push(...dirty.map((problem) => `faulted run: ${problem}`))
      if (first.launches > 1) problems.push(`the faulted run launched ${first.launches} times`)
    }
    const second = await reRun(fake, flow, runtime, problems)
    if (problems.length > 0 && first.run.exitCode !== 0) problems.push(`faulted run: ${describeRun(first.run)}`)
    return { problems, notes, outcome, duplicates: beyondOne(first.launches) + beyondOne(second), touched: touched() }
  })

/** The names a sentence of the error lists, e.g. 'Written: /a, /b.' → ['/a', '/b']. */
function listed(text: string, label: string): string[] | undefined {
  const match = new RegExp(`(?:^|\\s)${label}: (.*?)\\.(?:\\s|$)`).exec(text)
  if (!match) return undefined
  return match[1] === 'none' ? [] : (match[1] ?? '').split(', ')
}

/**
 * A write that fails after retries: the error and the job summary say which parameters were written
 * and which were not, and that nothing was registered or launched; the parameters output agrees;
 * the server agrees; a re-run repairs it.
 */
export const runPartialFailure = (testCase: PartialFailureCase, runtime: Runtime) =>
  inFake(['partial-failure', testCase.name, runtime], async (fake) => {
    const flow = flowNamed(testCase.flow)
    flow.seed(fake)
    const touched = watch(fake)
    const desired: Record<string, string> = { ...VALUES_A.secrets, ...VALUES_A.variables }
    const holdsNew = (name: string) => fake.ssm.get(name)?.value === desired[name.slice(PATH.length)]
    const planned = Object.keys(desired)
      .map((key) => `${PATH}${key}`)
      .filter((name) => !holdsNew(name))
    for (const fault of testCase.faults) fake.inject(fault)
    const { run: first } = await runFlow(fake, flow, runtime, 1, { AWS_MAX_ATTEMPTS: '2' })
    const problems = unclean(first).map((problem) => `faulted run: ${problem}`)
    const [error = ''] = errorAnnotations(first)
    const says = (where: string, sentence: string) => {
      const text = where === 'error' ? error : (first.files.GITHUB_STEP_SUMMARY as string)
      if (!text.includes(sentence)) problems.push(`the ${where} does not say: ${sentence}`)
    }
    const [written, notWritten] = [listed(error, 'Written'), listed(error, 'Not written')]
    if (!written || !notWritten) problems.push('the error does not list what was and was not written')
    else {
      for (const name of planned) {
        const saysWritten = written.includes(name)
        if (saysWritten === notWritten.includes(name)) problems.push(`the error lists ${name} in neither or both lists`)
        if (saysWritten !== holdsNew(name)) {
          problems.push(`the error says ${name} was ${saysWritten ? '' : 'not '}written, but the server says otherwise`)
        }
      }
      if (written.length === 0 && notWritten.length === 0) problems.push('set-up: nothing was to be written')
      says('job summary', `Written: ${written.join(', ') || 'none'}.`)
      says('job summary', `Not written: ${notWritten.join(', ') || 'none'}.`)
    }
    const outputs = parametersOutput(first)
    if (!outputs) problems.push('the parameters output is missing or not JSON')
    const statusOf = (name: string) => outputs?.find((parameter) => parameter.name === name)?.status
    if (flow.inputs(VALUES_A).prune === 'true') {
      const stale = `${PATH}STALE`
      const gone = fake.ssm.get(stale) === undefined
      const [deleted, notDeleted] = [listed(error, 'Deleted'), listed(error, 'Not deleted')]
      if (!deleted || !notDeleted) problems.push('the error does not list what was and was not deleted')
      else if (deleted.includes(stale) !== gone || notDeleted.includes(stale) === gone) {
        problems.push(`the error says ${stale} was ${gone ? 'not ' : ''}deleted, but the server says otherwise`)
      }
      const status = statusOf(stale)
      if (status !== (gone ? 'deleted' : 'skipped') && !(status === 'failed' && !gone)) {
        problems.push(`the parameters output says ${stale} is ${status ?? 'absent'}`)
      }
    }
    if (flow.launch) {
      says('error', 'No definition was registered and nothing was launched.')
      says('job summary', 'No definition was registered and nothing was launched.')
      const acted = ['RegisterJobDefinition', 'RegisterTaskDefinition', 'SubmitJob', 'UpdateService', 'RunTask']
      const made = acted.filter((operation) => fake.count(operation) > 0)
      if (made.length > 0) problems.push(`requests after the failed write: ${made.join(', ')}`)
    }
    for (const name of planned) {
      const status = statusOf(name)
      const expected = holdsNew(name) ? ['created', 'updated'] : ['failed', 'skipped']
      if (!status || !expected.includes(status)) {
        problems.push(`the parameters output says ${name} is ${status ?? 'absent'}, expected ${expected.join(' or ')}`)
      }
    }
    const second = await reRun(fake, flow, runtime, problems)
    if (problems.length > 0) problems.push(`error was: ${error}`)
    return {
      problems,
      outcome: `written ${written?.length ?? '?'}, not written ${notWritten?.length ?? '?'}`,
      duplicates: beyondOne(second),
      touched: touched()
    }
  })

/** Two runs at once, on the same path and definition, with different values (two child processes, one server). */
export const runConcurrency = (testCase: ConcurrencyCase, runtime: Runtime) =>
  inFake(['concurrency', testCase.name, runtime], async (fake) => {
    const flow = flowNamed(testCase.flow)
    flow.seed(fake)
    const touched = watch(fake)
    if (testCase.latencyMs)
      fake.inject({ operation: '*', kind: 'latency', delayMs: testCase.latencyMs, times: 100_000 })
    const count = launchCounter(fake, flow.launch)
    const start = (values: FlowValues, attempt: number) =>
      runBundle({ node: runtime.node, endpoint: fake.url, inputs: flow.inputs(values), env: runEnv(attempt) })
    const runs = await Promise.all([
      start(VALUES_A, 1),
      new Promise((resolve) => setTimeout(resolve, testCase.offsetMs)).then(() => start(VALUES_B, 2))
    ])
    await settle(fake)
    const problems: string[] = []
    const outcomes: string[] = []
    // Jobs and tasks carry their run's attempt; deployments do not, so for a service only the total counts.
    const perRun = flow.launch !== 'ecs-service'
    const launches = [1, 2].map((attempt) => (perRun ? count(attempt) : 0))
    const total = perRun ? launches.reduce((sum, each) => sum + each) : count(0)
    runs.forEach((done, index) => {
      const [label, launched] = [index === 0 ? 'A' : 'B', launches[index] ?? 0]
      if (done.exitCode === 0) {
        outcomes.push(`${label} succeeded`)
        if (flow.launch && perRun && launched !== 1)
          problems.push(`run ${label} succeeded and launched ${launched} times`)
        return
      }
      const dirty = unclean(done)
      const [error = ''] = errorAnnotations(done)
      outcomes.push(`${label} failed ${dirty.length === 0 ? 'cleanly' : 'uncleanly'}: ${error.split('\n')[0]}`)
      problems.push(...dirty.map((problem) => `run ${label}: ${problem}`))
      if (launched > 1) problems.push(`run ${label} launched ${launched} times`)
    })
    const succeeded = runs.filter((done) => done.exitCode === 0).length
    if (flow.launch && (total > 2 || total < succeeded)) problems.push(`the two runs launched ${total} times`)
    // Every parameter holds one of the two inputs' values (not necessarily all from the same run).
    for (const kind of ['secrets', 'variables'] as const) {
      for (const key of Object.keys(VALUES_A[kind])) {
        const value = fake.ssm.get(`${PATH}${key}`)?.value
        if (value !== VALUES_A[kind][key] && value !== VALUES_B[kind][key]) {
          problems.push(`${PATH}${key} holds neither run's value`)
        }
      }
    }
    problems.push(...flow.verify(fake, VALUES_A).filter((problem) => !problem.includes('does not hold the input')))
    // The latest revision is one of the two the runs registered or used.
    const arns = runs.flatMap((done) =>
      [done.outputs['job-definition-arn'], done.outputs['task-definition-arn']].filter((arn) => arn !== undefined)
    )
    if (flow.launch && arns.length > 0) {
      const latest =
        flow.launch === 'batch-job'
          ? latestActive(fake.batch.definitions())?.jobDefinitionArn
          : latestActive(fake.ecs.taskDefinitions())?.taskDefinitionArn
      if (!latest || !arns.includes(latest)) {
        problems.push(`the latest revision ${latest} is neither run's (${arns.join(', ')})`)
      }
    }
    return {
      problems,
      outcome: outcomes.join('; '),
      duplicates: perRun ? launches.map(beyondOne).reduce((sum, each) => sum + each) : Math.max(0, total - 2),
      touched: touched()
    }
  })

/**
 * Nothing lost: prune deletes the stale managed parameters directly under the path and nothing
 * else: not untagged ones, another tool's, deeper levels, other paths or look-alike prefixes.
 */
export const runPrune = (testCase: PruneCase, runtime: Runtime) =>
  inFake(['nothing-lost', testCase.name, runtime], async (fake) => {
    seedProtected(fake)
    const names = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, index) => `${PATH}${prefix}${index}`)
    const managedStale = names('MANAGED_STALE_', testCase.managed)
    const unmanagedStale = names('UNMANAGED_', testCase.unmanaged)
    for (const name of managedStale) fake.ssm.put({ name, value: `v-${name}`, type: 'SecureString', tags: MANAGED })
    for (const name of unmanagedStale) fake.ssm.put({ name, value: `v-${name}`, type: 'SecureString' })
    const kept = [...PROTECTED.map((parameter) => parameter.name), ...unmanagedStale]
    const touched = watch(fake, kept)
    const secrets = { KEEP_ONE: 'keep-1', KEEP_TWO: 'keep-2' }
    const referenced = ['UNMANAGED_STALE', 'OTHER_TOOL']
    if (testCase.definition) {
      addQueue(fake, QUEUE)
      // GONE_EARLIER was pruned by an earlier run whose definition was never registered.
      const references = [...referenced, ...(managedStale[0] ? ['MANAGED_STALE_0'] : []), 'GONE_EARLIER']
      const secretList = references.map((name) => ({ name, valueFrom: parameterArn(`${PATH}${name}`) }))
      fake.batch.seedDefinition(batchDefinition('pruned', secretList))
    }
    for (const fault of testCase.faults ?? []) fake.inject(fault)
    const inputs = {
      secrets: JSON.stringify(secrets),
      path: testCase.path ?? PATH,
      prune: 'true',
      ...(testCase.dryRun ? { 'dry-run': 'true' } : {}),
      ...(testCase.definition ? { 'job-definition': 'pruned' } : {})
    }
    const problems: string[] = []
    let [attempt, last] = [0, undefined as BundleRun | undefined]
    while (attempt < 2 && last?.exitCode !== 0) {
      last = await run(fake, runtime, { inputs, env: runEnv(++attempt) })
      fake.clearFaults()
      if (last.exitCode !== 0) problems.push(...unclean(last).map((problem) => `run ${attempt}: ${problem}`))
    }
    if (last?.exitCode !== 0) {
      problems.push(`the ${attempt === 1 ? 'run' : 're-run'} failed: ${describeRun(last as BundleRun)}`)
    }
    const left = managedStale.filter((name) => fake.ssm.get(name) !== undefined)
    if (testCase.dryRun) {
      if (left.length !== managedStale.length) problems.push('the dry run deleted parameters')
    } else {
      if (left.length > 0) problems.push(`${left.length} stale managed parameters were not pruned`)
      problems.push(...parameterProblems(fake, { secrets }))
    }
    if (testCase.definition && !testCase.dryRun) {
      const latest = latestActive(fake.batch.definitions('pruned'))
      const { secrets: list = [] } = latest?.containerProperties as { secrets?: { name: string }[] }
      const present = list.map((secret) => secret.name)
      for (const name of referenced.filter((name) => !present.includes(name))) {
        problems.push(`the definition lost its secret ${name}, whose parameter was kept`)
      }
      for (const gone of ['MANAGED_STALE_0', 'GONE_EARLIER'].filter((name) => present.includes(name))) {
        problems.push(`the definition still references ${gone}, which no longer exists`)
      }
    }
    const untouched = kept.length - touched().length
    return {
      problems,
      outcome: `${managedStale.length - left.length} of ${managedStale.length} stale managed parameters deleted, ${untouched} of ${kept.length} others untouched`,
      touched: touched()
    }
  })
