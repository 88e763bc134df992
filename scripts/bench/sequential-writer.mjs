// The simplest peer of the action for the benchmark: one PutParameter at a time, in the order
// given, with the AWS SDK's defaults. Started like the action (node, INPUT_SECRETS and INPUT_PATH,
// the AWS_* variables of the runner), so that both pay the same process start-up.
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm'

const secrets = JSON.parse(process.env.INPUT_SECRETS ?? '{}')
const path = process.env.INPUT_PATH ?? '/'
const ssm = new SSMClient({})
for (const [name, value] of Object.entries(secrets)) {
  await ssm.send(
    new PutParameterCommand({ Name: `${path}${name}`, Value: value, Type: 'SecureString', Overwrite: true })
  )
}
