// The case runners: each starts its own fake AWS, seeds it, runs the bundle, and says what went wrong.
import { startFakeAws, type FakeAws, type Fault } from '../fake-aws/index.js'
import type { BadInputCase } from './bad-inputs.js'
import { seedBadInputWorld } from './bad-inputs.js'
import { errorAnnotations, findLeaks, unclean, unmasked } from './checks.js'
import { SLOW_TIMEOUT_MS, type FaultCase } from './faults.js'
import {
  batchDefinition,
  latestActiveJobDefinition,
  MANAGED,
  parameterArn,
  parameterProblems,
  PATH,
  PROTECTED,
  QUEUE,
  seedProtected,
  settle,
  snapshot,
  touchedProtected,
  writtenNames
} from './fixtures.js'
import { flowNamed, launchesBy, memory, runEnv, VALUES_A, VALUES_B, type Flow, type FlowValues } from './flows.js'
import { LEAK_VALUES, type LeakScenario } from './leaks.js'
import { runBundle, type BundleRun } from './process.js'
import { result, type CaseResult } from './results.js'

export interface Runtime {
  label: string
  node: string
}

export async function withFake<T>(task: (fake: FakeAws) => Promise<T>): Promise<T> {
  const fake = await startFakeAws()
  try {
    return await task(fake)
  } finally {
    await fake.close()
  }
}

function describeRun(run: BundleRun): string {
  const errors = errorAnnotations(run)
  if (run.timedOut) return 'killed at the time limit'
  return run.exitCode === 0 ? 'succeeded' : `exit ${run.exitCode}: ${errors.join(' | ') || run.stderr.slice(0, 500)}`
}

export async function runBadInput(testCase: BadInputCase, runtime: Runtime): Promise<CaseResult> {
  const started = Date.now()
  return withFake(async (fake) => {
    seedBadInputWorld(fake)
    fake.clearRequests()
    const run = await runBundle({
      node: runtime.node,
      endpoint: fake.url,
      inputs: testCase.inputs,
      ...(testCase.files ? { workspaceFiles: testCase.files } : {}),
      ...(testCase.env ? { env: testCase.env } : {})
    })
    await settle(fake)
    const problems = unclean(run)
    const [error = ''] = errorAnnotations(run)
    if (!error.includes(`Input '${testCase.input}'`)) problems.push(`the error does not name input '${testCase.input}'`)
    if (!error.includes(testCase.expect)) problems.push(`the error does not say: ${testCase.expect}`)
    const writes = fake.writes().map((request) => request.operation)
    if (writes.length > 0) problems.push(`write requests reached the server: ${writes.join(', ')}`)
    if (problems.length > 0) problems.push(`error was: ${error || '(none)'}`)
    return result('bad-input', testCase.name, runtime.label, {
      problems,
      outcome: run.exitCode === 1 ? 'rejected' : describeRun(run),
      ms: Date.now() - started
    })
  })
}

/** Every parameter name the `parameters` output must list after a successful run of a flow. */
function outputProblems(run: BundleRun, values: FlowValues): string[] {
  let listed: { name?: string; status?: string }[]
  try {
    listed = JSON.parse(run.outputs.parameters ?? '') as { name?: string; status?: string }[]
  } catch {
    return ['the parameters output is not JSON']
  }
  const names = new Set(listed.map((parameter) => parameter.name))
  const missing = [...Object.keys(values.secrets), ...Object.keys(values.variables)]
    .map((key) => `${PATH}${key}`)
    .filter((name) => !names.has(name))
  const bad = listed.filter(
    (parameter) => !['created', 'updated', 'unchanged', 'deleted'].includes(parameter.status ?? '')
  )
  return [
    ...(missing.length > 0 ? [`the parameters output lacks ${missing.join(', ')}`] : []),
    ...(bad.length > 0
      ? [`the parameters output has statuses ${bad.map((parameter) => parameter.status).join(', ')}`]
      : [])
  ]
}

/** Runs the flow once with `attempt`; returns the run and how many launches it made. */
async function runFlow(
  fake: FakeAws,
  flow: Flow,
  runtime: Runtime,
  attempt: number,
  env: Record<string, string> = {},
  values: FlowValues = VALUES_A
): Promise<{ run: BundleRun; launches: number; written: Set<string> }> {
  const before = memory(fake)
  fake.clearRequests()
  const run = await runBundle({
    node: runtime.node,
    endpoint: fake.url,
    inputs: flow.inputs(values),
    env: { ...runEnv(attempt), ...env }
  })
  await settle(fake)
  return {
    run,
    launches: flow.launch ? launchesBy(fake, flow.launch, attempt, before) : 0,
    written: writtenNames(fake)
  }
}

/**
 * One cell of the fault matrix: the faulted run succeeds with the right state or fails cleanly; then
 * a plain re-run (the next attempt, no faults) converges; no run launches twice.
 */
export async function runFaultCase(testCase: FaultCase, runtime: Runtime): Promise<CaseResult> {
  const started = Date.now()
  const flow = flowNamed(testCase.flow)
  return withFake(async (fake) => {
    flow.seed(fake)
    const protectedBefore = snapshot(
      fake,
      PROTECTED.map((parameter) => parameter.name)
    )
    for (const fault of testCase.faults) fake.inject(fault)
    const problems: string[] = []
    const notes: string[] = []
    const first = await runFlow(fake, flow, runtime, 1, testCase.env)
    const fired = fake.requests.some((request) => request.operation === testCase.operation && request.fault)
    if (!fired) problems.push(`set-up: the fault never fired (no ${testCase.operation} request was made)`)
    const slow = fake.requests.find((request) => request.fault === 'latency')
    // The client gave up on the slow answer if it sent anything else (a retry, a look-up) meanwhile.
    if (
      slow &&
      !fake.requests.some(
        (request) => request !== slow && request.start > slow.start + SLOW_TIMEOUT_MS - 100 && request.start < slow.end
      )
    ) {
      problems.push('set-up: the client waited for the slow answer instead of timing out')
    }
    let outcome: string
    if (first.run.exitCode === 0) {
      outcome = 'succeeded'
      problems.push(...flow.verify(fake, VALUES_A).map((problem) => `after the faulted run: ${problem}`))
      problems.push(...outputProblems(first.run, VALUES_A))
      if (flow.launch && first.launches !== 1) problems.push(`the faulted run launched ${first.launches} times`)
      const unsettled = (flow.settled?.(fake) ?? []).map((problem) => `after the faulted run: ${problem}`)
      // Only a request answered after the client gave up can still take effect once the run is over.
      if (testCase.kind === 'slow')
        notes.push(...unsettled.map((note) => `${note} (the slow request took effect late)`))
      else problems.push(...unsettled)
    } else {
      outcome = 'failed cleanly'
      const dirty = unclean(first.run)
      if (dirty.length > 0) {
        outcome = 'failed uncleanly'
        problems.push(...dirty.map((problem) => `faulted run: ${problem}`))
      }
      if (first.launches > 1) problems.push(`the faulted run launched ${first.launches} times`)
    }
    fake.clearFaults()
    const second = await runFlow(fake, flow, runtime, 2)
    if (second.run.exitCode !== 0) problems.push(`the re-run did not succeed: ${describeRun(second.run)}`)
    problems.push(
      ...[...flow.verify(fake, VALUES_A), ...(flow.settled?.(fake) ?? [])].map(
        (problem) => `after the re-run: ${problem}`
      )
    )
    if (flow.launch && second.launches !== 1) problems.push(`the re-run launched ${second.launches} times`)
    if (problems.length > 0 && first.run.exitCode !== 0) problems.push(`faulted run: ${describeRun(first.run)}`)
    const touched = touchedProtected(fake, protectedBefore, new Set([...first.written, ...second.written]))
    if (touched.length > 0) problems.push(`touched parameters it does not manage: ${touched.join(', ')}`)
    return result('fault', testCase.id, runtime.label, {
      problems,
      notes,
      outcome,
      duplicates: Math.max(0, first.launches - 1) + Math.max(0, second.launches - 1),
      unmanagedTouched: touched.length,
      ms: Date.now() - started
    })
  })
}

/** One leak scenario under RUNNER_DEBUG=1: every value × every channel. */
export async function runLeakScenario(scenario: LeakScenario, runtime: Runtime): Promise<CaseResult> {
  const started = Date.now()
  return withFake(async (fake) => {
    scenario.seed?.(fake)
    for (const fault of scenario.faults ?? []) fake.inject(fault)
    const run = await runBundle({
      node: runtime.node,
      endpoint: fake.url,
      inputs: scenario.inputs,
      debug: true,
      ...(scenario.env ? { env: scenario.env } : {}),
      ...(scenario.files ? { workspaceFiles: scenario.files } : {})
    })
    await settle(fake)
    const problems: string[] = []
    const values = { ...LEAK_VALUES, ...scenario.hidden }
    const { leaks, channels } = findLeaks(run, values)
    for (const leak of leaks) problems.push(`LEAK: ${leak.label} (${leak.form}) in ${leak.channel}`)
    if (scenario.masks) {
      const missing = unmasked(run.stdout, LEAK_VALUES)
      if (missing.length > 0) problems.push(`never registered as masks: ${missing.join(', ')}`)
    }
    if (!scenario.stopsAtInputs && !run.stdout.includes('::debug::'))
      problems.push('set-up: no debug output, so RUNNER_DEBUG was not honoured')
    if (run.exitCode !== scenario.exit) problems.push(`set-up: ${describeRun(run)}, expected exit ${scenario.exit}`)
    if (scenario.exit === 1) {
      problems.push(...unclean(run))
      const [error = ''] = errorAnnotations(run)
      if (scenario.error && !error.includes(scenario.error)) {
        problems.push(`set-up: failed elsewhere than intended (expected '${scenario.error}'): ${error}`)
      }
    }
    return result('leak', scenario.name, runtime.label, {
      problems,
      outcome: run.exitCode === 0 ? 'succeeded' : 'failed',
      leakChecks: { values: Object.keys(values).length, channels, leaks: leaks.length },
      ms: Date.now() - started
    })
  })
}

export interface PartialFailureCase {
  name: string
  flow: string
  faults: Fault[]
}

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
export async function runPartialFailure(testCase: PartialFailureCase, runtime: Runtime): Promise<CaseResult> {
  const started = Date.now()
  const flow = flowNamed(testCase.flow)
  return withFake(async (fake) => {
    flow.seed(fake)
    const protectedBefore = snapshot(
      fake,
      PROTECTED.map((parameter) => parameter.name)
    )
    const desired = { ...VALUES_A.secrets, ...VALUES_A.variables }
    const planned = Object.keys(desired)
      .map((key) => `${PATH}${key}`)
      .filter((name) => fake.ssm.get(name)?.value !== desired[name.slice(PATH.length)])
    for (const fault of testCase.faults) fake.inject(fault)
    const first = await runFlow(fake, flow, runtime, 1, { AWS_MAX_ATTEMPTS: '2' })
    const problems = unclean(first.run).map((problem) => `faulted run: ${problem}`)
    const [error = ''] = errorAnnotations(first.run)
    const holdsNew = (name: string) => fake.ssm.get(name)?.value === desired[name.slice(PATH.length)]
    const written = listed(error, 'Written')
    const notWritten = listed(error, 'Not written')
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
      for (const sentence of [
        `Written: ${written.join(', ') || 'none'}.`,
        `Not written: ${notWritten.join(', ') || 'none'}.`
      ]) {
        if (!first.run.summary.includes(sentence)) problems.push(`the job summary does not say: ${sentence}`)
      }
    }
    let outputs: { name: string; status: string }[] = []
    try {
      outputs = JSON.parse(first.run.outputs.parameters ?? '') as { name: string; status: string }[]
    } catch {
      problems.push('the parameters output is missing or not JSON')
    }
    if (flow.inputs(VALUES_A).prune === 'true') {
      const stale = `${PATH}STALE`
      const gone = fake.ssm.get(stale) === undefined
      const deleted = listed(error, 'Deleted')
      const notDeleted = listed(error, 'Not deleted')
      if (!deleted || !notDeleted) problems.push('the error does not list what was and was not deleted')
      else if (deleted.includes(stale) !== gone || notDeleted.includes(stale) === gone) {
        problems.push(`the error says ${stale} was ${gone ? 'not ' : ''}deleted, but the server says otherwise`)
      }
      const status = outputs.find((parameter) => parameter.name === stale)?.status
      if (status !== (gone ? 'deleted' : 'skipped') && !(status === 'failed' && !gone)) {
        problems.push(`the parameters output says ${stale} is ${status ?? 'absent'}`)
      }
    }
    if (flow.launch) {
      const stopped = 'No definition was registered and nothing was launched.'
      if (!error.includes(stopped)) problems.push(`the error does not say: ${stopped}`)
      if (!first.run.summary.includes(stopped)) problems.push(`the job summary does not say: ${stopped}`)
      const acted = ['RegisterJobDefinition', 'RegisterTaskDefinition', 'SubmitJob', 'UpdateService', 'RunTask']
        .map((operation) => [operation, fake.count(operation)] as const)
        .filter(([, count]) => count > 0)
      if (acted.length > 0)
        problems.push(`requests after the failed write: ${acted.map(([operation]) => operation).join(', ')}`)
    }
    for (const name of planned) {
      const status = outputs.find((parameter) => parameter.name === name)?.status
      const expected = holdsNew(name) ? ['created', 'updated'] : ['failed', 'skipped']
      if (!status || !expected.includes(status)) {
        problems.push(`the parameters output says ${name} is ${status ?? 'absent'}, expected ${expected.join(' or ')}`)
      }
    }
    fake.clearFaults()
    const second = await runFlow(fake, flow, runtime, 2)
    if (second.run.exitCode !== 0) problems.push(`the re-run did not succeed: ${describeRun(second.run)}`)
    problems.push(
      ...[...flow.verify(fake, VALUES_A), ...(flow.settled?.(fake) ?? [])].map(
        (problem) => `after the re-run: ${problem}`
      )
    )
    if (problems.length > 0) problems.push(`error was: ${error}`)
    const touched = touchedProtected(fake, protectedBefore, new Set([...first.written, ...second.written]))
    return result('partial-failure', testCase.name, runtime.label, {
      problems,
      outcome: `written ${written?.length ?? '?'}, not written ${notWritten?.length ?? '?'}`,
      duplicates: Math.max(0, second.launches - 1),
      unmanagedTouched: touched.length,
      ms: Date.now() - started
    })
  })
}

export interface ConcurrencyCase {
  name: string
  flow: string
  /** how long the second run starts after the first */
  offsetMs: number
  /** latency added to every request, to widen the windows in which the runs interleave */
  latencyMs?: number
}

/** Two runs at once, on the same path and definition, with different values (two child processes, one server). */
export async function runConcurrency(testCase: ConcurrencyCase, runtime: Runtime): Promise<CaseResult> {
  const started = Date.now()
  const flow = flowNamed(testCase.flow)
  return withFake(async (fake) => {
    flow.seed(fake)
    const protectedBefore = snapshot(
      fake,
      PROTECTED.map((parameter) => parameter.name)
    )
    if (testCase.latencyMs)
      fake.inject({ operation: '*', kind: 'latency', delayMs: testCase.latencyMs, times: 100_000 })
    const before = memory(fake)
    const start = (values: FlowValues, attempt: number) =>
      runBundle({ node: runtime.node, endpoint: fake.url, inputs: flow.inputs(values), env: runEnv(attempt) })
    const [a, b] = await Promise.all([
      start(VALUES_A, 1),
      new Promise((resolve) => setTimeout(resolve, testCase.offsetMs)).then(() => start(VALUES_B, 2))
    ])
    await settle(fake)
    const problems: string[] = []
    const outcomes: string[] = []
    // Jobs and tasks carry their run's attempt; deployments do not, so for a service only the total counts.
    const perRun = flow.launch !== 'ecs-service'
    const launches = [1, 2].map((attempt) =>
      flow.launch && perRun ? launchesBy(fake, flow.launch, attempt, before) : 0
    )
    const total = flow.launch
      ? perRun
        ? (launches[0] ?? 0) + (launches[1] ?? 0)
        : launchesBy(fake, flow.launch, 0, before)
      : 0
    for (const [label, run, count] of [
      ['A', a, launches[0] ?? 0],
      ['B', b, launches[1] ?? 0]
    ] as const) {
      if (run.exitCode === 0) {
        outcomes.push(`${label} succeeded`)
        if (flow.launch && perRun && count !== 1) problems.push(`run ${label} succeeded and launched ${count} times`)
      } else {
        const dirty = unclean(run)
        const [error = ''] = errorAnnotations(run)
        outcomes.push(`${label} failed ${dirty.length === 0 ? 'cleanly' : 'uncleanly'}: ${error.split('\n')[0]}`)
        problems.push(...dirty.map((problem) => `run ${label}: ${problem}`))
        if (count > 1) problems.push(`run ${label} launched ${count} times`)
      }
    }
    const succeeded = [a, b].filter((run) => run.exitCode === 0).length
    if (flow.launch && (total > 2 || total < succeeded)) problems.push(`the two runs launched ${total} times`)
    // Every parameter holds one of the two inputs' values (not necessarily all from the same run).
    for (const kind of ['secrets', 'variables'] as const) {
      for (const key of Object.keys(VALUES_A[kind])) {
        const name = `${PATH}${key}`
        const value = fake.ssm.get(name)?.value
        if (value !== VALUES_A[kind][key] && value !== VALUES_B[kind][key]) {
          problems.push(`${name} holds neither run's value`)
        }
      }
    }
    const stateProblems = flow.verify(fake, VALUES_A).filter((problem) => !problem.includes('does not hold the input'))
    problems.push(...stateProblems)
    // The latest revision is one of the two the runs registered or used.
    const arns = [a, b].flatMap((run) =>
      [run.outputs['job-definition-arn'], run.outputs['task-definition-arn']].filter((arn) => arn !== undefined)
    )
    if (flow.launch && arns.length > 0) {
      const latest =
        flow.launch === 'batch-job'
          ? fake.batch
              .definitions()
              .filter((definition) => definition.status === 'ACTIVE')
              .sort((x, y) => Number(y.revision) - Number(x.revision))[0]?.jobDefinitionArn
          : fake.ecs
              .taskDefinitions()
              .filter((definition) => definition.status === 'ACTIVE')
              .sort((x, y) => Number(y.revision) - Number(x.revision))[0]?.taskDefinitionArn
      if (!latest || !arns.includes(latest))
        problems.push(`the latest revision ${latest} is neither run's (${arns.join(', ')})`)
    }
    const touched = touchedProtected(fake, protectedBefore)
    return result('concurrency', testCase.name, runtime.label, {
      problems,
      outcome: outcomes.join('; '),
      duplicates: perRun ? launches.reduce((sum, count) => sum + Math.max(0, count - 1), 0) : Math.max(0, total - 2),
      unmanagedTouched: touched.length,
      ms: Date.now() - started
    })
  })
}

export interface PruneCase {
  name: string
  /** the path input as given (with or without the trailing slash) */
  path: string
  /** stale parameters with the managed-by tag (deleted) and without it (kept), next to PROTECTED */
  managedStale: number
  unmanagedStale: number
  dryRun?: boolean
  faults?: Fault[]
  /** a Batch definition whose container references kept and pruned parameters */
  definition?: boolean
}

/**
 * Nothing lost: prune deletes the stale managed parameters directly under the path and nothing
 * else: not untagged ones, another tool's, deeper levels, other paths or look-alike prefixes.
 */
export async function runPrune(testCase: PruneCase, runtime: Runtime): Promise<CaseResult> {
  const started = Date.now()
  return withFake(async (fake) => {
    seedProtected(fake)
    const managedStale = Array.from({ length: testCase.managedStale }, (_, index) => `${PATH}MANAGED_STALE_${index}`)
    const unmanagedStale = Array.from({ length: testCase.unmanagedStale }, (_, index) => `${PATH}UNMANAGED_${index}`)
    for (const name of managedStale) fake.ssm.put({ name, value: `v-${name}`, type: 'SecureString', tags: MANAGED })
    for (const name of unmanagedStale) fake.ssm.put({ name, value: `v-${name}`, type: 'SecureString' })
    const kept = [...PROTECTED.map((parameter) => parameter.name), ...unmanagedStale]
    const before = snapshot(fake, kept)
    const secrets = { KEEP_ONE: 'keep-1', KEEP_TWO: 'keep-2' }
    const referenced = [`${PATH}UNMANAGED_STALE`, `${PATH}OTHER_TOOL`]
    if (testCase.definition) {
      fake.batch.addQueue(QUEUE)
      fake.batch.seedDefinition(
        batchDefinition('pruned', [
          ...referenced.map((name) => ({ name: name.slice(PATH.length), valueFrom: parameterArn(name) })),
          ...(managedStale[0] ? [{ name: 'MANAGED_STALE_0', valueFrom: parameterArn(managedStale[0]) }] : []),
          // Pruned by an earlier run whose definition was never registered.
          { name: 'GONE_EARLIER', valueFrom: parameterArn(`${PATH}GONE_EARLIER`) }
        ])
      )
    }
    for (const fault of testCase.faults ?? []) fake.inject(fault)
    const inputs = {
      secrets: JSON.stringify(secrets),
      path: testCase.path,
      prune: 'true',
      ...(testCase.dryRun ? { 'dry-run': 'true' } : {}),
      ...(testCase.definition ? { 'job-definition': 'pruned' } : {})
    }
    const problems: string[] = []
    const runs: BundleRun[] = []
    const written = new Set<string>()
    for (const attempt of [1, 2]) {
      fake.clearRequests()
      const run = await runBundle({ node: runtime.node, endpoint: fake.url, inputs, env: runEnv(attempt) })
      await settle(fake)
      for (const name of writtenNames(fake)) written.add(name)
      runs.push(run)
      fake.clearFaults()
      if (run.exitCode === 0) break
      problems.push(...unclean(run).map((problem) => `run ${attempt}: ${problem}`))
    }
    const last = runs[runs.length - 1] as BundleRun
    if (last.exitCode !== 0) problems.push(`the ${runs.length === 1 ? 'run' : 're-run'} failed: ${describeRun(last)}`)
    const left = managedStale.filter((name) => fake.ssm.get(name) !== undefined)
    if (testCase.dryRun) {
      if (left.length !== managedStale.length) problems.push('the dry run deleted parameters')
    } else if (left.length > 0) problems.push(`${left.length} stale managed parameters were not pruned`)
    if (!testCase.dryRun) problems.push(...parameterProblems(fake, { secrets }))
    if (testCase.definition && !testCase.dryRun) {
      const latest = latestActiveJobDefinition(fake, 'pruned')
      const names = ((latest?.containerProperties as { secrets?: { name: string }[] }).secrets ?? []).map(
        (secret) => secret.name
      )
      for (const name of referenced.map((full) => full.slice(PATH.length))) {
        if (!names.includes(name)) problems.push(`the definition lost its secret ${name}, whose parameter was kept`)
      }
      for (const gone of ['MANAGED_STALE_0', 'GONE_EARLIER']) {
        if (names.includes(gone)) problems.push(`the definition still references ${gone}, which no longer exists`)
      }
    }
    const touched = touchedProtected(fake, before, written)
    if (touched.length > 0) problems.push(`touched parameters it does not manage: ${touched.join(', ')}`)
    return result('nothing-lost', testCase.name, runtime.label, {
      problems,
      outcome: `${managedStale.length - left.length} of ${managedStale.length} stale managed parameters deleted, ${kept.length - touched.length} of ${kept.length} others untouched`,
      unmanagedTouched: touched.length,
      ms: Date.now() - started
    })
  })
}
