// Usage: tsx __tests__/fake-aws/cli.ts [--port N] [--region R] [--account-id A]
import { parseArgs } from 'node:util'
import { startFakeAws } from './server.js'

const { values } = parseArgs({
  options: { port: { type: 'string' }, region: { type: 'string' }, 'account-id': { type: 'string' } }
})
const port = values.port === undefined ? 0 : Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid --port '${values.port}'. Expected an integer 0-65535.`)
  process.exit(2)
}
const fake = await startFakeAws({
  port,
  ...(values.region !== undefined && { region: values.region }),
  ...(values['account-id'] !== undefined && { accountId: values['account-id'] })
})
console.log(fake.url)
const stop = () => {
  fake.close().then(
    () => process.exit(0),
    () => process.exit(1)
  )
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
