// The step's outputs, as action.yml declares them.
import * as core from '@actions/core'
import type { ParameterOutcome } from '../apply/parameters.js'
import { OUTPUT } from '../names.js'
import type { RunReport } from './index.js'

interface OutputParameter {
  name: string
  arn: string
  version: number | null
  status: string
}

function outputParameters(outcomes: readonly ParameterOutcome[]): OutputParameter[] {
  return outcomes.map((outcome) => ({
    name: outcome.name,
    arn: outcome.arn,
    version: outcome.version ?? null,
    status: outcome.status
  }))
}

function changedCount(outcomes: readonly ParameterOutcome[]): number {
  return outcomes.filter((outcome) => ['created', 'updated', 'deleted'].includes(outcome.status)).length
}

export function setOutputs(report: RunReport): void {
  core.setOutput(OUTPUT.parameters, JSON.stringify(outputParameters(report.outcomes)))
  core.setOutput(OUTPUT.changed, String(changedCount(report.outcomes)))
  if (report.policy) core.setOutput(OUTPUT.executionRolePolicy, JSON.stringify(report.policy))
  if (report.definition) {
    core.setOutput(OUTPUT.registered, String(report.definition.registered))
    const arnOutput = report.definition.kind === 'batch' ? OUTPUT.jobDefinitionArn : OUTPUT.taskDefinitionArn
    if (report.definition.arn) core.setOutput(arnOutput, report.definition.arn)
  }
  for (const [name, value] of Object.entries(report.launchOutputs ?? {})) core.setOutput(name, value)
}
