// Loaded with import() by the runs that use it; see ec2.ts.
export { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
