// Usage: tsx __tests__/fake-aws/cli.ts [--port N] [--region R] [--account-id A] [--seed FILE.json]
// Prints the server's URL on stdout (one line), what the seed built on stderr. Seed schema: seed.ts.
import { parseArgs } from 'node:util'
import { applySeed, readSeedFile, SeedError, seedCountsLine } from './seed.js'
import { startFakeAws } from './server.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    region: { type: 'string' },
    'account-id': { type: 'string' },
    seed: { type: 'string' }
  }
})
const port = Number(values.port ?? 0)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid --port '${values.port}'. Expected an integer 0-65535.`)
  process.exit(2)
}

let seed: unknown
try {
  seed = values.seed === undefined ? undefined : await readSeedFile(values.seed)
} catch (error) {
  console.error(`Invalid --seed: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(2)
}
// The seed's ARNs name its region and account, so the server runs with them unless told otherwise
// (applySeed then refuses a seed for another region or account).
const world = typeof seed === 'object' && seed !== null ? (seed as { region?: unknown; accountId?: unknown }) : {}
const fake = await startFakeAws({
  port,
  region: values.region ?? (typeof world.region === 'string' ? world.region : undefined),
  accountId: values['account-id'] ?? (typeof world.accountId === 'string' ? world.accountId : undefined)
})
if (seed !== undefined) {
  try {
    const counts = applySeed(fake, seed)
    console.error(`Seeded from ${values.seed}: ${seedCountsLine(counts)}`)
  } catch (error) {
    if (!(error instanceof SeedError)) throw error
    console.error(`Invalid seed ${values.seed}: ${error.message}`)
    await fake.close()
    process.exit(2)
  }
}
console.log(fake.url)
const stop = () =>
  void fake.close().then(
    () => process.exit(0),
    () => process.exit(1)
  )
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
