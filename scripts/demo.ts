// npm run demo: the action's main job on this machine, with no AWS account. Starts the local
// AWS-protocol server, runs the bundled action twice on sample secrets, prints what a user sees.
import { startFakeAws } from '../__tests__/fake-aws/index.js'
import {
  assertRuntimesPresent,
  BUNDLE,
  runAction,
  RUNTIMES,
  withoutMaskCommands,
  type ActionRun
} from '../__tests__/e2e/harness.js'

const SAMPLE_SECRETS = {
  DB_PASSWORD: 'correct-horse-battery-staple',
  API_KEY: 'sk_live_51Hdemo0000000000',
  TLS_KEY: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----',
  WEBHOOK_SECRET: 'whsec_demo_0123456789',
  github_token: 'ghs_never_synced_unless_included'
}
const SAMPLE_VARIABLES = { LOG_LEVEL: 'info', FEATURE_FLAGS: 'search,billing-v2' }

function section(title: string, body: string): void {
  console.log(`\n\x1b[1m━━ ${title} ${'━'.repeat(Math.max(0, 70 - title.length))}\x1b[0m\n${body.trimEnd()}`)
}

function show(label: string, run: ActionRun, requests: string[]): void {
  // On GitHub the runner takes these lines in and hides the values everywhere; printed here they
  // would show every sample secret.
  const masks = run.stdout.split('\n').filter((line) => line.startsWith('::add-mask::')).length
  const log = withoutMaskCommands(run.stdout) + run.stderr
  section(
    `${label}: action log (exit code ${run.exitCode})`,
    `(${masks} ::add-mask:: commands not shown: the runner hides those values in every log line)\n${log}`
  )
  section(`${label}: job summary (GITHUB_STEP_SUMMARY)`, run.summary)
  section(`${label}: outputs (GITHUB_OUTPUT)`, JSON.stringify(run.outputs, null, 2))
  const counts = new Map<string, number>()
  for (const operation of requests) counts.set(operation, (counts.get(operation) ?? 0) + 1)
  section(
    `${label}: AWS requests received by the local server`,
    [...counts].map(([operation, count]) => `${String(count).padStart(3)} × ${operation}`).join('\n') || '(none)'
  )
}

assertRuntimesPresent()
const runtime = RUNTIMES[RUNTIMES.length - 1]!
const fake = await startFakeAws()
console.log(`Local AWS-protocol server at ${fake.url}; running ${BUNDLE} under ${runtime.label}.`)
const inputs = {
  secrets: JSON.stringify(SAMPLE_SECRETS),
  variables: JSON.stringify(SAMPLE_VARIABLES),
  path: '/demo/billing/',
  tags: 'team=billing\nenvironment=demo'
}
try {
  const first = await runAction({ endpoint: fake.url, node: runtime.node, inputs })
  const firstRequests = fake.requests.map((request) => request.operation)
  show('Run 1 (first sync: creates)', first, firstRequests)
  fake.clearRequests()
  const second = await runAction({ endpoint: fake.url, node: runtime.node, inputs })
  const secondRequests = fake.requests.map((request) => request.operation)
  show('Run 2 (same input: unchanged)', second, secondRequests)

  const writes = fake.writes().length
  const ok =
    first.exitCode === 0 &&
    first.outputs.changed === '6' &&
    second.exitCode === 0 &&
    second.outputs.changed === '0' &&
    writes === 0
  section(
    'Result',
    ok
      ? `Run 1 created 6 parameters; run 2 found all 6 unchanged and sent ${writes} write requests.`
      : `Unexpected result: run 1 changed=${first.outputs.changed}, run 2 changed=${second.outputs.changed}, run 2 writes=${writes}`
  )
  process.exitCode = ok ? 0 : 1
} finally {
  await fake.close()
}
