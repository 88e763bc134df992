// Loaded with import() by the runs that use it; see ec2.ts.
export { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs'
