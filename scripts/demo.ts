// npm run demo: the action's whole loop on this machine, with no AWS account. Starts the local
// AWS-protocol server with the world of __tests__/fake-aws/seed.example.json, runs the bundled action
// three times (a Batch job, a rotation, an ECS service), prints what a person wants to see, and exits
// non-zero when a step's outcome does not hold or a secret value appears in anything it printed.
import { relative } from 'node:path'
import { ACTION_RUNTIME, assertRuntimesPresent, ROOT, withoutMaskCommands } from '../__tests__/e2e/harness.js'
import { startFakeAws } from '../__tests__/fake-aws/index.js'
import { applySeed, EXAMPLE_SEED, readSeedFile } from '../__tests__/fake-aws/seed.js'
import { Printer } from './demo/print.js'
import { renderSummary } from './demo/render.js'
import { runSteps, type StepResult } from './demo/steps.js'
import { demoWorld, ROTATED, SECRETS, secretValues, VARIABLES } from './demo/world.js'

/** The action stops reading a job's log when it ended, instead of 10 s later: the fake's lines arrive at once. */
const LOG_GRACE = { SSM_SECRETS_ACTION_LOG_GRACE_MS: '0' }

/** Which secret a value is, for a leak report that names it without printing it. */
function nameOf(value: string): string {
  const secrets: [string, string][] = [...Object.entries(SECRETS), [`${ROTATED.name} (rotated)`, ROTATED.value]]
  for (const [name, secret] of secrets) {
    if (secret === value) return name
    const line = secret.split('\n').indexOf(value)
    if (line >= 0) return `${name}, line ${line + 1}`
  }
  return 'a sample secret'
}

/** Whether any secret value appears in what was printed, or anywhere in the runs' output files. */
function leakCheck(out: Printer, steps: StepResult[]): boolean {
  const values = secretValues()
  const printed = out.lines.join('\n')
  const runs = steps
    .flatMap(({ run }) => [withoutMaskCommands(run.stdout), run.stderr, ...Object.values(run.files)])
    .join('\n')
  const inPrinted = values.filter((value) => printed.includes(value))
  const inRuns = values.filter((value) => runs.includes(value))
  const multiLine = Object.keys(SECRETS).filter((name) => SECRETS[name]?.includes('\n'))
  const what =
    `${values.length} secret values (the ${Object.keys(SECRETS).length} sample secrets, the rotated one, ` +
    `and each line of ${multiLine.join(', ')})`
  if (inPrinted.length === 0 && inRuns.length === 0) {
    out.say(
      `${out.good('✔')} Leak check: none of the ${what}\n  appears in the ${out.lines.length} lines printed above, ` +
        `nor in the ${steps.length} runs' step logs (::add-mask:: commands aside), job summaries and outputs.`
    )
    return true
  }
  out.say(
    `${out.bad('✖')} Leak check FAILED: of the ${what}, ${inPrinted.map(nameOf).join(', ') || 'none'} ` +
      `appear in the printed lines, ${inRuns.map(nameOf).join(', ') || 'none'} in the runs' logs, summaries or outputs.`
  )
  return false
}

assertRuntimesPresent()
const out = new Printer()
const fake = await startFakeAws()
try {
  const seed = await readSeedFile(EXAMPLE_SEED)
  applySeed(fake, seed)
  const world = demoWorld(seed)
  const multiLine = (name: string) =>
    (SECRETS[name] ?? '').includes('\n') ? ` (${SECRETS[name]?.split('\n').length} lines)` : ''
  out.say(out.bold('npm run demo: the action’s whole loop against a local AWS-protocol server, no AWS account.'))
  out.say(`Server ${fake.url}, seeded from ${relative(ROOT, EXAMPLE_SEED)} (the example in CONTRIBUTING.md):`)
  out.say(world.description.map((line) => `  ${line}`).join('\n'))
  out.say(
    `Action: dist/index.js under ${ACTION_RUNTIME.label}, run as the runner runs it (INPUT_* variables, ` +
      `GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files).`
  )
  out.say(
    `Sample secrets: ${Object.keys(SECRETS)
      .map((name) => `${name}${multiLine(name)}`)
      .join(', ')}; ` +
      `variable: ${Object.keys(VARIABLES).join(', ')}. No value is printed, and the demo checks that at the end.`
  )
  out.say(
    out.dim(
      `One shortcut: SSM_SECRETS_ACTION_LOG_GRACE_MS=0, so the action stops reading a job's log once the job ended; ` +
        `a real run reads on for up to 10 s more, for lines CloudWatch Logs receives late.`
    )
  )

  const steps = await runSteps({ fake, out, world, node: ACTION_RUNTIME.node, env: LOG_GRACE })

  out.heading('Job summary of step 1 (GITHUB_STEP_SUMMARY), as text')
  out.say(renderSummary(steps[0]?.run.summary ?? '').join('\n'))
  out.say(out.dim('\n(Steps 2 and 3 wrote summaries of the same form; their first lines are above.)'))

  out.heading('Result')
  const checks = steps.flatMap((step, index) => step.checks.map((c) => ({ ...c, step: index + 1 })))
  const failed = checks.filter((c) => !c.ok)
  if (failed.length === 0) out.say(`${out.good('✔')} All ${checks.length} checks of the ${steps.length} steps held.`)
  for (const c of failed) out.say(`${out.bad('✖')} Step ${c.step}: ${c.text}`)
  const clean = leakCheck(out, steps)
  process.exitCode = failed.length === 0 && clean ? 0 : 1
} finally {
  await fake.close()
}
