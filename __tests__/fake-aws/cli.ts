// Usage: tsx __tests__/fake-aws/cli.ts [--port N] [--region R] [--account-id A]
import { parseArgs } from 'node:util'
import { startFakeAws } from './server.js'

const { values } = parseArgs({
  options: { port: { type: 'string' }, region: { type: 'string' }, 'account-id': { type: 'string' } }
})
const port = Number(values.port ?? 0)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid --port '${values.port}'. Expected an integer 0-65535.`)
  process.exit(2)
}
const fake = await startFakeAws({ port, region: values.region, accountId: values['account-id'] })
console.log(fake.url)
const stop = () =>
  void fake.close().then(
    () => process.exit(0),
    () => process.exit(1)
  )
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
