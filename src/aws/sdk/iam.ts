// Loaded with import() by the runs that use it; see ec2.ts.
export { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam'
