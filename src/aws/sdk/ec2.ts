// Loaded with import() by the runs that use it. Importing only these names keeps the bundle's
// lazy chunk to them: importing the package itself keeps every command and shape of the service
// (EC2: 1.03 MB of dist/ instead of 0.54 MB).
export { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2'
