// The action's vocabulary: the input and output names action.yml declares. Code reads and writes
// them only through these, so a misspelt name fails to compile.

export const INPUT = {
  secrets: 'secrets',
  variables: 'variables',
  include: 'include',
  exclude: 'exclude',
  path: 'path',
  kmsKeyId: 'kms-key-id',
  tier: 'tier',
  tags: 'tags',
  prune: 'prune',
  references: 'references',
  region: 'region',
  dryRun: 'dry-run',
  preflight: 'preflight',
  jobDefinition: 'job-definition',
  taskDefinition: 'task-definition',
  containers: 'containers',
  logSecretOptions: 'log-secret-options',
  keepRevisions: 'keep-revisions',
  jobQueue: 'job-queue',
  jobName: 'job-name',
  jobParameters: 'job-parameters',
  containerOverrides: 'container-overrides',
  jobTags: 'job-tags',
  cluster: 'cluster',
  service: 'service',
  runTask: 'run-task',
  subnets: 'subnets',
  securityGroups: 'security-groups',
  assignPublicIp: 'assign-public-ip',
  launchType: 'launch-type',
  launch: 'launch',
  wait: 'wait',
  waitTimeout: 'wait-timeout',
  logs: 'logs',
  logLines: 'log-lines'
} as const

export type InputName = (typeof INPUT)[keyof typeof INPUT]

export const OUTPUT = {
  parameters: 'parameters',
  changed: 'changed',
  jobDefinitionArn: 'job-definition-arn',
  registered: 'registered',
  taskDefinitionArn: 'task-definition-arn',
  jobId: 'job-id',
  jobStatus: 'job-status',
  taskArn: 'task-arn',
  executionRolePolicy: 'execution-role-policy'
} as const

export type OutputName = (typeof OUTPUT)[keyof typeof OUTPUT]
