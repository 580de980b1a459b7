/**
 * No retry storm, measured on the wire: the production wiring (createAwsRemediator, default retry
 * settings) against a loopback HTTP endpoint that answers ECS's JSON protocol and throttles or denies
 * UpdateService. A throttled change is tried at most REMEDIATION_MAX_ATTEMPTS times by the SDK (backoff
 * and jitter in between), a denied one once; the Remediator itself never loops.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REMEDIATION_MAX_ATTEMPTS } from '../../shared/remediation/clients';
import { createAwsRemediator } from '../../shared/remediation/factory';
import { HOME, makeFinding, policyWith } from '../unit/remediation/helpers';

const SVC = `arn:aws:ecs:us-east-1:${HOME}:service/prod/api`;
let server: Server;
let endpoint: string;
let hits: Record<string, number>;
let updateError: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const op =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '?';
      hits[op] = (hits[op] ?? 0) + 1;
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (op === 'DescribeServices') {
        send(200, {
          failures: [],
          services: [
            {
              serviceArn: SVC,
              serviceName: 'api',
              status: 'ACTIVE',
              deploymentController: { type: 'ECS' },
              networkConfiguration: {
                awsvpcConfiguration: {
                  subnets: ['subnet-a'],
                  securityGroups: ['sg-1'],
                  assignPublicIp: 'ENABLED',
                },
              },
            },
          ],
        });
      } else if (op === 'UpdateService') {
        send(400, { __type: updateError, message: 'details that must not leak' });
      } else {
        send(400, { __type: 'InvalidParameterException', message: 'unexpected' });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  hits = {};
});

function remediator() {
  return createAwsRemediator({
    policy: policyWith(['svc-public-ip']),
    homeAccount: HOME,
    ecsConfig: { endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
  });
}

describe('bounded retries on the wire', () => {
  it(`a throttled UpdateService is sent ${REMEDIATION_MAX_ATTEMPTS} times at most, then failed and recorded`, async () => {
    updateError = 'ThrottlingException';
    const r = remediator();
    const out = await r.remediator.remediate(makeFinding('svc-public-ip', SVC));
    expect(out.action).toEqual({
      name: 'disable-public-ip',
      status: 'failed',
      reason: `ThrottlingException on ecs:UpdateService after ${REMEDIATION_MAX_ATTEMPTS} attempts`,
    });
    expect(hits.UpdateService).toBe(REMEDIATION_MAX_ATTEMPTS);
    expect(hits.DescribeServices).toBe(1);
    const audit = await r.audit.list(HOME);
    expect(audit.map((a) => a.status)).toEqual(['failed']);
    expect(JSON.stringify(audit)).not.toContain('must not leak');
  });

  it('a denied UpdateService is sent once', async () => {
    updateError = 'AccessDeniedException';
    const out = await remediator().remediator.remediate(makeFinding('svc-public-ip', SVC));
    expect(out.action?.reason).toBe('AccessDeniedException on ecs:UpdateService');
    expect(hits.UpdateService).toBe(1);
  });

  it('the next event for the same resource tries once more, not in a loop (the budget still caps it)', async () => {
    updateError = 'ThrottlingException';
    const r = remediator();
    for (let i = 0; i < 3; i++) await r.remediator.remediate(makeFinding('svc-public-ip', SVC));
    expect(hits.UpdateService).toBe(3 * REMEDIATION_MAX_ATTEMPTS);
    expect(r.remediator.stats.failed).toBe(3);
  });
});
