// What the action uses of the Batch SDK, loaded with import() on first use. Through this file the
// bundle keeps only these; import('@aws-sdk/client-batch') would keep every command of the package.
export {
  BatchClient,
  DeregisterJobDefinitionCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobsCommand,
  ListJobsCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  paginateDescribeJobDefinitions
} from '@aws-sdk/client-batch'
