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
export {
  EcsState,
  type DeploymentOutcome,
  type DeploymentOutcomeOptions,
  type EcsClusterOptions,
  type EcsDeployment,
  type EcsService,
  type EcsServiceEvent,
  type EcsServiceSeed,
  type EcsTag,
  type EcsTask,
  type EcsTaskDefinition,
  type StopCode,
  type TaskOutcome,
  type TaskOutcomeOptions
} from './ecs.js'
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
