export { startFakeAws, type FakeAws } from './server.js'
export type { SsmParameter, SsmSeed } from './ssm.js'
export type { Fault, FaultKind, FakeAwsOptions, Quota, RecordedRequest } from './types.js'
