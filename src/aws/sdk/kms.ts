// Loaded with import() by the runs that use it; see ec2.ts.
export { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms'
