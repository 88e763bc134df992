export { startFakeAws, type FakeAws } from './server.js'
export { AwsError } from './protocols.js'
export {
  BatchState,
  type Job,
  type JobDefinition,
  type JobOutcome,
  type JobOutcomeOptions,
  type JobStatus
} from './batch.js'
export { SsmState, type SsmParameter, type SsmSeed } from './ssm.js'
export type {
  Fault,
  FaultKind,
  FakeAwsOptions,
  RecordedRequest,
  ServiceContext,
  ServiceDefinition,
  OperationHandler,
  ProtocolName
} from './types.js'
