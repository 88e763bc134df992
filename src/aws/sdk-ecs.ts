// What the action uses of the ECS SDK, loaded with import() on first use (see sdk-batch.ts).
export {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  paginateListTaskDefinitions
} from '@aws-sdk/client-ecs'
