import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { chunks, productArn, toAsff } from '../../../shared/notify/channels/securityhub/asff';
import { consoleUrl } from '../../../shared/notify/console-url';
import {
  SLACK_LIMITS,
  slackEscape,
  slackMessage,
  truncate,
} from '../../../shared/notify/channels/slack/message';
import { snsMessage } from '../../../shared/notify/channels/sns/message';

function finding(over: Partial<Finding> = {}): Finding {
  return {
    findingId: '0123456789abcdef0123456789abcdef',
    ruleId: 'td-privileged',
    severity: 'critical',
    title: 'Privileged container in task definition',
    resource: {
      type: 'AWS::ECS::TaskDefinition',
      arn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/node-exporter:7',
      name: 'node-exporter:7',
    },
    account: '111122223333',
    region: 'us-west-2',
    evidence: [
      {
        path: 'containerDefinitions[0].privileged',
        message: 'container "node-exporter" is privileged',
        container: 'node-exporter',
      },
    ],
    event: {
      id: 'evt-1',
      source: 'aws.ecs',
      detailType: 'AWS API Call via CloudTrail',
      time: '2026-03-02T08:01:12Z',
      eventName: 'RegisterTaskDefinition',
      actor: { arn: 'arn:aws:sts::111122223333:assumed-role/DeployRole/jane.doe', type: 'AssumedRole' },
    },
    controls: { securityHub: 'ECS.4' },
    mode: 'notify',
    advice: 'Avoid running containers as privileged.',
    ...over,
  };
}

/** Every text value in a Block Kit payload, recursively. */
function texts(x: unknown): string[] {
  if (typeof x === 'string') return [x];
  if (Array.isArray(x)) return x.flatMap(texts);
  if (x && typeof x === 'object') return Object.values(x).flatMap(texts);
  return [];
}

describe('Slack Block Kit message', () => {
  it('has a header with a severity marker and the title, fields, a console button and context', () => {
    const p = slackMessage(finding());
    const [header, , fields] = p.blocks as [Record<string, any>, Record<string, any>, Record<string, any>];
    expect(header.type).toBe('header');
    expect(header.text.text).toBe(':red_circle: CRITICAL Privileged container in task definition');
    const fieldText = (fields.fields as { text: string }[]).map((f) => f.text).join('\n');
    for (const s of [
      '*Account*\n111122223333',
      '*Region*\nus-west-2',
      'node-exporter:7',
      'assumed-role/DeployRole/jane.doe',
    ])
      expect(fieldText).toContain(s);
    const actions = p.blocks.find((b) => b.type === 'actions') as { elements: { url: string }[] };
    expect(actions.elements[0]!.url).toBe(
      'https://us-west-2.console.aws.amazon.com/ecs/v2/task-definitions/node-exporter/7/containers?region=us-west-2',
    );
    const context = JSON.stringify(p.blocks.find((b) => b.type === 'context'));
    expect(context).toContain('0123456789abcdef0123456789abcdef');
    expect(context).toContain('2026-03-02T08:01:12Z');
    expect(p.text).toContain('CRITICAL: Privileged container');
  });

  it('escapes &, < and > from resources and events so <!channel> pings nobody', () => {
    const hostile = finding({
      resource: {
        type: 'AWS::ECS::TaskDefinition',
        arn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/x:1',
        name: '<!channel> & <@U123>',
      },
      evidence: [{ path: 'p', message: 'container "<!here>" is privileged' }],
    });
    const all = texts(slackMessage(hostile)).join('\n');
    expect(all).not.toMatch(/<!channel>|<!here>|<@U123>/);
    expect(all).toContain('&lt;!channel&gt; &amp; &lt;@U123&gt;');
    expect(slackEscape('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it('stays within Slack limits and marks truncation', () => {
    const many = Array.from({ length: 400 }, (_, i) => ({
      path: `p${i}`,
      message: `container "c${i}" ${'x'.repeat(40)}`,
    }));
    const p = slackMessage(finding({ title: 'T'.repeat(400), evidence: many }));
    expect(p.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    const header = (p.blocks[0] as { text: { text: string } }).text.text;
    expect(header.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
    expect(header.endsWith('…(truncated)')).toBe(true);
    for (const b of p.blocks as Record<string, any>[]) {
      if (b.type === 'section' && b.text)
        expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.section);
      for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.field);
    }
    expect(p.text.length).toBeLessThanOrEqual(SLACK_LIMITS.section);
  });

  it('never cuts an escape sequence in half', () => {
    const s = truncate(`${'a'.repeat(10)}&amp;${'b'.repeat(50)}`, 25);
    expect(s).toBe(`${'a'.repeat(10)}…(truncated)`);
  });

  it('says what a dry-run would have done, and marks resolved messages', () => {
    const dry = slackMessage(
      finding({
        mode: 'remediate',
        action: {
          name: 'deregister-task-definition',
          status: 'planned',
          reason: 'dry-run: would deregister',
        },
      }),
    );
    expect(JSON.stringify(dry.blocks)).toContain(
      '*Would have done*\\nderegister-task-definition planned: dry-run: would deregister',
    );
    const resolved = slackMessage(finding(), 'resolved');
    expect((resolved.blocks[0] as { text: { text: string } }).text.text).toMatch(
      /^:white_check_mark: Resolved:/,
    );
    expect(resolved.text).toMatch(/^Resolved:/);
  });

  it('marks a reminder as still open and shows how often and since when the finding was seen', () => {
    const p = slackMessage(finding(), 'reminder', { count: 37, firstSeen: '2026-03-01T08:00:00.000Z' });
    expect((p.blocks[0] as { text: { text: string } }).text.text).toBe(
      ':bell: Still open: :red_circle: CRITICAL Privileged container in task definition',
    );
    expect(JSON.stringify(p.blocks)).toContain('Seen 37 time(s) since 2026-03-01T08:00:00.000Z.');
    expect(p.text).toMatch(/^Still open: CRITICAL: /);
  });

  it('says why a resolved finding resolved and what it was, escaped', () => {
    const p = slackMessage(finding(), 'resolved', { resolvedReason: 'remediation <succeeded>', count: 2 });
    expect((p.blocks[1] as { text: { text: string } }).text.text).toBe(
      '*td-privileged* is compliant again (`remediation &lt;succeeded&gt;`). It was:\n• container "node-exporter" is privileged\nSeen 2 time(s).',
    );
    const sns = JSON.parse(
      snsMessage(finding(), 'resolved', { resolvedReason: 'sweep', firstSeen: 'x' }).Message,
    );
    expect(sns).toMatchObject({
      status: 'resolved',
      lifecycle: { kind: 'resolved', resolvedReason: 'sweep', firstSeen: 'x' },
    });
    expect(JSON.parse(snsMessage(finding()).Message).lifecycle).toBeUndefined();
  });
});

describe('SNS message', () => {
  it('carries the finding JSON and filterable attributes', () => {
    const m = snsMessage(finding());
    expect(JSON.parse(m.Message)).toMatchObject({
      findingId: finding().findingId,
      ruleId: 'td-privileged',
      status: 'open',
    });
    expect(m.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      ruleId: { DataType: 'String', StringValue: 'td-privileged' },
      account: { DataType: 'String', StringValue: '111122223333' },
      region: { DataType: 'String', StringValue: 'us-west-2' },
      mode: { DataType: 'String', StringValue: 'notify' },
      status: { DataType: 'String', StringValue: 'open' },
      kind: { DataType: 'String', StringValue: 'opened' },
    });
    expect(m.Subject).toBe('[CRITICAL] Privileged container in task definition');
    const reminder = snsMessage(finding(), 'reminder');
    expect(reminder.Subject).toBe('[STILL OPEN CRITICAL] Privileged container in task definition');
    expect(reminder.MessageAttributes.kind?.StringValue).toBe('reminder');
    expect(reminder.MessageAttributes.status?.StringValue).toBe('open');
  });

  it('keeps the subject within 100 printable ASCII characters', () => {
    const m = snsMessage(finding({ title: `émoji 🚨 ${'long '.repeat(40)}` }), 'resolved');
    expect(m.Subject.length).toBeLessThanOrEqual(100);
    expect(m.Subject).toMatch(/^\[RESOLVED\] [\x20-\x7e]+$/);
    expect(JSON.parse(m.Message).status).toBe('resolved');
  });
});

describe('Security Hub ASFF', () => {
  it('maps a finding to ASFF with the default product ARN, resource types and control id', () => {
    const a = toAsff(finding(), { now: '2026-03-02T08:02:00Z' });
    expect(a).toMatchObject({
      SchemaVersion: '2018-10-08',
      Id: 'ecs-guardrail/0123456789abcdef0123456789abcdef',
      ProductArn: 'arn:aws:securityhub:us-west-2:111122223333:product/111122223333/default',
      GeneratorId: 'ecs-guardrail/td-privileged',
      AwsAccountId: '111122223333',
      Severity: { Label: 'CRITICAL' },
      FindingProviderFields: {
        Severity: { Label: 'CRITICAL', Original: 'critical' },
        Types: ['Software and Configuration Checks/AWS Security Best Practices'],
      },
      Compliance: { Status: 'FAILED', SecurityControlId: 'ECS.4' },
      RecordState: 'ACTIVE',
    });
    expect(a.Resources?.map((r) => r.Type)).toEqual(['AwsEcsTaskDefinition', 'AwsEcsContainer']);
    expect(a.Resources?.[1]?.Id).toBe(
      'arn:aws:ecs:us-west-2:111122223333:task-definition/node-exporter:7/container/node-exporter',
    );
  });

  it('re-imports a resolved finding as PASSED and ARCHIVED', () => {
    const a = toAsff(finding(), { now: '2026-03-03T00:00:00Z', resolved: true });
    expect(a.Compliance?.Status).toBe('PASSED');
    expect(a.RecordState).toBe('ARCHIVED');
  });

  it('maps every ECS resource type and falls back to Other', () => {
    const type = (t: string, arn: string) =>
      toAsff(finding({ resource: { type: t, arn }, evidence: [] }), { now: 'x' }).Resources?.[0]?.Type;
    expect(type('AWS::ECS::Service', 'arn:aws:ecs:us-west-2:1:service/c/s')).toBe('AwsEcsService');
    expect(type('AWS::ECS::Task', 'arn:aws:ecs:us-west-2:1:task/c/t')).toBe('AwsEcsTask');
    expect(type('AWS::ECS::Cluster', 'arn:aws:ecs:us-west-2:1:cluster/c')).toBe('AwsEcsCluster');
    expect(type('AWS::ECS::TaskSet', 'arn:aws:ecs:us-west-2:1:task-set/c/s/x')).toBe('Other');
    expect(type('AWS::IAM::Principal', 'arn:aws:iam::1:role/Deploy')).toBe('AwsIamRole');
  });

  it('batches at most 100 findings per BatchImportFindings call', () => {
    expect(chunks(Array.from({ length: 250 }, (_, i) => i)).map((c) => c.length)).toEqual([100, 100, 50]);
    expect(productArn('cn-north-1', '111122223333')).toBe(
      'arn:aws-cn:securityhub:cn-north-1:111122223333:product/111122223333/default',
    );
  });
});

describe('console URLs', () => {
  it('links each resource type to its ECS console page', () => {
    expect(consoleUrl('AWS::ECS::Service', 'arn:aws:ecs:eu-west-1:1:service/prod/web', 'eu-west-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/web/health?region=eu-west-1',
    );
    expect(consoleUrl('AWS::ECS::Task', 'arn:aws:ecs:eu-west-1:1:task/prod/abc', 'eu-west-1')).toContain(
      '/clusters/prod/tasks/abc/configuration',
    );
    expect(consoleUrl('AWS::ECS::Cluster', 'arn:aws:ecs:eu-west-1:1:cluster/prod', 'eu-west-1')).toContain(
      '/clusters/prod/services',
    );
  });
});
