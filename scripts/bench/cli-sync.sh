#!/usr/bin/env bash
# The shell step users write today instead of the action, with AWS CLI v2 and jq: write every secret,
# point the job definition's secrets at them, register a revision, submit a job.
#
# Environment: PARAMETER_PATH (e.g. /prod/app/), SECRET_NAMES (space separated; each value is in the
# variable of that name, as `env: NAME: ${{ secrets.NAME }}` puts it), JOB_DEFINITION, JOB_QUEUE,
# JOB_NAME, AWS_REGION and credentials. The benchmark adds ENDPOINT (its local server) and AWS_CLI.
set -euo pipefail

aws() { command "${AWS_CLI:-aws}" --endpoint-url "$ENDPOINT" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

account=$(aws sts get-caller-identity --query Account --output text)
secrets=()
for name in $SECRET_NAMES; do
  aws ssm put-parameter --name "$PARAMETER_PATH$name" --value "${!name}" --type SecureString --overwrite >/dev/null
  secrets+=("{\"name\":\"$name\",\"valueFrom\":\"arn:aws:ssm:$AWS_REGION:$account:parameter$PARAMETER_PATH$name\"}")
done
secrets_json="[$(
  IFS=,
  echo "${secrets[*]}"
)]"

aws batch describe-job-definitions --job-definition-name "$JOB_DEFINITION" --status ACTIVE \
  --query 'jobDefinitions | sort_by(@, &revision) | [-1]' --output json >"$work/current.json"
jq --argjson secrets "$secrets_json" \
  'del(.jobDefinitionArn, .revision, .status, .containerOrchestrationType) | .containerProperties.secrets = $secrets' \
  "$work/current.json" >"$work/register.json"
arn=$(aws batch register-job-definition --cli-input-json "file://$work/register.json" \
  --query jobDefinitionArn --output text)
aws batch submit-job --job-name "$JOB_NAME" --job-queue "$JOB_QUEUE" --job-definition "$arn" \
  --query jobId --output text
