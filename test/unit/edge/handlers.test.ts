/** The handlers' wiring without AWS: a deployment missing its configuration fails loudly, per event. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureOutput, fakeContext, jsonLines, loadEvent } from '../../helpers/pipeline-harness';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('functions/*.ts', () => {
  it.each(['ecs-state-change', 'cloudtrail-api-call', 'throttling'])(
    '%s: without GUARDRAIL_TABLE every event fails with a ConfigError, logged with the Lambda context',
    async (name) => {
      vi.stubEnv('GUARDRAIL_TABLE', '');
      vi.stubEnv('GUARDRAIL_OUTBOX_QUEUE_URL', 'https://sqs.us-east-1.amazonaws.com/1/q');
      vi.resetModules();
      const { handler } = (await import(`../../../functions/${name}.ts`)) as {
        handler: (e: unknown, c: unknown) => Promise<unknown>;
      };
      const out = captureOutput();
      try {
        const event = loadEvent('ecs-service-action-operation-throttled');
        await expect(handler(event, fakeContext(name))).rejects.toMatchObject({ name: 'ConfigError' });
        await expect(handler(event, fakeContext(name))).rejects.toMatchObject({ name: 'ConfigError' });
      } finally {
        out.restore();
      }
      const logs = jsonLines(out.text()).filter((l) => String(l.message).startsWith('cannot start'));
      expect(logs).toHaveLength(2);
      expect(logs[0]).toMatchObject({
        level: 'ERROR',
        errorType: 'ConfigError',
        error: 'environment variable GUARDRAIL_TABLE is not set',
        function_name: name,
        service: 'ecs-guardrail',
      });
      expect(out.text()).toContain('"ConfigurationErrors"');
    },
  );
});
