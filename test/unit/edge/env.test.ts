import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  parseFlag,
  readChannelConfig,
  readNotifierConfig,
  readPipelineConfig as readConfig,
  resolvePolicyFile,
} from '../../../functions/edge/env';

const env = {
  GUARDRAIL_TABLE: 'state',
  GUARDRAIL_OUTBOX_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/outbox',
  LAMBDA_TASK_ROOT: '/var/task',
};

describe('readConfig', () => {
  it('reads the contract variables; policy file resolved against LAMBDA_TASK_ROOT; enrichment on by default', () => {
    expect(readConfig(env)).toEqual({
      tableName: 'state',
      outboxQueueUrl: 'https://sqs.us-east-1.amazonaws.com/1/outbox',
      policyFile: '/var/task/guardrail.policy.yml',
      enrich: true,
      guardrailRoleArns: [],
      runningTtlHours: 72,
    });
    expect(readConfig({ ...env, GUARDRAIL_RUNNING_TTL_HOURS: '6' }).runningTtlHours).toBe(6);
    expect(() => readConfig({ ...env, GUARDRAIL_RUNNING_TTL_HOURS: '0' })).toThrow(
      /GUARDRAIL_RUNNING_TTL_HOURS/,
    );
    expect(readConfig({ ...env, GUARDRAIL_ENRICH: 'false' }).enrich).toBe(false);
    expect(readConfig({ ...env, GUARDRAIL_POLICY_FILE: 'conf/p.yml' }).policyFile).toBe(
      '/var/task/conf/p.yml',
    );
    expect(readConfig({ ...env, GUARDRAIL_POLICY_FILE: '/opt/p.yml' }).policyFile).toBe('/opt/p.yml');
  });

  it('without LAMBDA_TASK_ROOT the policy file is resolved against the working directory', () => {
    expect(resolvePolicyFile({}, '/home/dev/guardrail')).toBe('/home/dev/guardrail/guardrail.policy.yml');
  });

  it('a missing variable or a bad flag is a ConfigError naming it', () => {
    expect(() => readConfig({ ...env, GUARDRAIL_TABLE: '' })).toThrow(ConfigError);
    expect(() => readConfig({ ...env, GUARDRAIL_OUTBOX_QUEUE_URL: undefined })).toThrow(
      /GUARDRAIL_OUTBOX_QUEUE_URL/,
    );
    expect(() => readConfig({ ...env, GUARDRAIL_ENRICH: 'maybe' })).toThrow(/GUARDRAIL_ENRICH/);
    expect(parseFlag(' OFF ', 'X', true)).toBe(false);
    expect(parseFlag(undefined, 'X', true)).toBe(true);
  });
});

describe('remediation settings of the deployment', () => {
  const A = 'arn:aws:iam::123456789012:role/ecs-guardrail-prod-EcsStateChangeRole-AB12';
  const B = 'arn:aws:iam::123456789012:role/ecs-guardrail-prod-CloudtrailApiCallRole-CD34';

  it('GUARDRAIL_ROLE_ARNS: comma-separated role ARNs; anything else is a ConfigError', () => {
    expect(readConfig({ ...env, GUARDRAIL_ROLE_ARNS: ` ${A} ,${B},` }).guardrailRoleArns).toEqual([A, B]);
    expect(readConfig({ ...env, GUARDRAIL_ROLE_ARNS: '' }).guardrailRoleArns).toEqual([]);
    expect(() => readConfig({ ...env, GUARDRAIL_ROLE_ARNS: 'arn:aws:iam::1:user/x' })).toThrow(
      /GUARDRAIL_ROLE_ARNS/,
    );
  });
});

describe('notifier environment', () => {
  it('refuses a webhook URL where the parameter name belongs, without echoing it', () => {
    expect(() =>
      readChannelConfig({ GUARDRAIL_SLACK_WEBHOOK_PARAMETER: 'https://hooks.slack.com/services/T/B/SECRET' }),
    ).toThrow(/must name an SSM SecureString parameter, never hold the webhook URL/);
    try {
      readChannelConfig({ GUARDRAIL_SLACK_WEBHOOK_PARAMETER: 'https://hooks.slack.com/services/T/B/SECRET' });
    } catch (e) {
      expect((e as Error).message).not.toContain('SECRET');
    }
  });

  it('requires the table and the outbox, defaults the rest', () => {
    expect(() => readNotifierConfig({ GUARDRAIL_OUTBOX_QUEUE_URL: 'q' })).toThrow(/GUARDRAIL_TABLE/);
    expect(readNotifierConfig({ GUARDRAIL_TABLE: 't', GUARDRAIL_OUTBOX_QUEUE_URL: 'q' })).toEqual({
      tableName: 't',
      outboxQueueUrl: 'q',
      maxReceiveCount: 5,
      backoffBaseSeconds: 15,
      secretTtlMs: 300_000,
      slackTimeoutMs: 10_000,
      leaseMs: 120_000,
    });
    expect(() =>
      readNotifierConfig({
        GUARDRAIL_TABLE: 't',
        GUARDRAIL_OUTBOX_QUEUE_URL: 'q',
        GUARDRAIL_OUTBOX_MAX_RECEIVE_COUNT: '0',
      }),
    ).toThrow(/from 1 to 1000/);
  });
});
