// What the action uses of the STS SDK, loaded with import() on first use (see sdk-batch.ts).
export { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
