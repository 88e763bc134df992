// Where containers log (LOGS.md section 2) and console links (section 3), from real shapes.
import { describe, expect, it } from 'vitest'
import { batchJobLogs, ecsTaskLogs, eventLines } from '../../src/plan/logs.js'
import { logStreamLink } from '../../src/plan/links.js'

const R = 'eu-west-1'
const STREAM = 'aws-batch-demo1/default/729731b782bc42eca8cbbc09e36982f0'
const awslogs = (options: Record<string, string>) => ({ logConfiguration: { logDriver: 'awslogs', options } })
const at = (group: string, stream: string, region = R) => ({ group, stream, region })

describe('batchJobLogs', () => {
  const job = (containerProperties: object) => ({ containerProperties })
  it.each([
    [
      'no logConfiguration: Batch default group',
      {},
      { container: { logStreamName: STREAM } },
      at('/aws/batch/job', STREAM)
    ],
    [
      'finished: the last attempt',
      {},
      { attempts: [{ container: { logStreamName: STREAM } }] },
      at('/aws/batch/job', STREAM)
    ],
    [
      'awslogs-group and -region',
      awslogs({ 'awslogs-group': '/jobs', 'awslogs-region': 'us-west-2' }),
      { container: { logStreamName: STREAM } },
      at('/jobs', STREAM, 'us-west-2')
    ],
    ['not running yet', {}, { container: {}, attempts: [] }, undefined]
  ])('%s', (_, container, detail, stream) => {
    expect(batchJobLogs(job(container), detail, R)).toEqual([{ container: 'default', ...(stream && { stream }) }])
  })

  it('another driver: where the logs go instead; ecsProperties: one stream per container; multi-node: one per node', () => {
    const splunk = { logConfiguration: { logDriver: 'splunk', options: { 'splunk-url': 'https://splunk.example' } } }
    expect(batchJobLogs(job(splunk), { container: { logStreamName: STREAM } }, R)).toEqual([
      { container: 'default', elsewhere: "container 'default' sends its logs to Splunk at https://splunk.example" }
    ])
    const ecsProperties = { taskProperties: [{ containers: [{ name: 'app' }, { name: 'side', ...awslogs({}) }] }] }
    const described = { taskProperties: [{ containers: [{ name: 'side', logStreamName: 's2' }, { name: 'app' }] }] }
    expect(batchJobLogs({ ecsProperties }, { ecsProperties: described }, R)).toEqual([
      { container: 'app' },
      { container: 'side', stream: at('/aws/batch/job', 's2') }
    ])
    const nodeRangeProperties = [
      { targetNodes: '0', container: awslogs({ 'awslogs-group': '/main' }) },
      { targetNodes: '1:', container: {} }
    ]
    const nodes = [{ container: { logStreamName: 'n0' } }, { attempts: [{ container: { logStreamName: 'n1' } }] }, {}]
    expect(batchJobLogs({ nodeProperties: { nodeRangeProperties } }, { nodes }, R)).toEqual([
      { container: 'node 0', stream: at('/main', 'n0') },
      { container: 'node 1', stream: at('/aws/batch/job', 'n1') },
      { container: 'node 2' }
    ])
  })
})

describe('ecsTaskLogs', () => {
  it('prefix/container-name/task-id in the awslogs group; otherwise where the logs go', () => {
    const definition = {
      containerDefinitions: [
        { name: 'web', ...awslogs({ 'awslogs-group': '/ecs/web', 'awslogs-stream-prefix': 'ecs' }) },
        { name: 'noprefix', ...awslogs({ 'awslogs-group': '/ecs/web' }) },
        { name: 'router', logConfiguration: { logDriver: 'awsfirelens', options: { Name: 'datadog' } } },
        { name: 'bare' }
      ]
    }
    const taskArn = 'arn:aws:ecs:eu-west-1:1:task/main/ad93daaa94db48f0bd278c780e946f64'
    expect(ecsTaskLogs(definition, taskArn, R)).toEqual([
      { container: 'web', stream: at('/ecs/web', 'ecs/web/ad93daaa94db48f0bd278c780e946f64') },
      { container: 'noprefix', elsewhere: expect.stringMatching(/without awslogs-stream-prefix/) },
      { container: 'router', elsewhere: "container 'router' sends its logs through FireLens to datadog" },
      {
        container: 'bare',
        elsewhere: "container 'bare' has no logConfiguration: its logs stay on the instance it ran on"
      }
    ])
  })
})

describe('logStreamLink', () => {
  it('encodes names as the console does (a pasted Lambda link, LOGS.md 3)', () => {
    const stream = at(
      '/aws/lambda/cruddur-post-confirmation',
      '2023/03/25/[$LATEST]3c50dc2e8bdf4579914018849194f6f1',
      'us-east-1'
    )
    expect(logStreamLink('aws', stream)).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fcruddur-post-confirmation/log-events/2023$252F03$252F25$252F$255B$2524LATEST$255D3c50dc2e8bdf4579914018849194f6f1'
    )
  })
})

describe('eventLines', () => {
  it('one line per line of the message, the trailing newline dropped, prefixed when asked', () => {
    expect(eventLines('a\r\nb\n', undefined)).toEqual(['a', 'b'])
    expect(eventLines('a\nb', 'app')).toEqual(['[app] a', '[app] b'])
  })
})
