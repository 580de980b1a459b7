/**
 * Scan and task events -> the running inventory's facts (shared/events/running.ts), on the AWS
 * documentation examples (test/fixtures/running/README.md) and on hostile variants: wrong JSON types,
 * malformed digests, negative or fractional counts, failed scans, Inspector findings on other resources,
 * images written in every form Docker accepts.
 */
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../shared/events/errors';
import { parseEvent } from '../../../shared/events/parse';
import { imageScanResultsOf, runningTaskFromDescribe, runningTaskOf } from '../../../shared/events/running';
import { parseImageRef } from '../../../shared/model/running';
import { ecrScanEvent, runningFixture, SCANNED_DIGEST, taskEvent } from '../../helpers/running-events';

const scanOf = (raw: unknown) => imageScanResultsOf(parseEvent(raw));
const rejects = (raw: unknown, path: string) => {
  try {
    scanOf(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidEventError);
    expect((err as InvalidEventError).path).toBe(path);
    return;
  }
  throw new Error('accepted');
};

describe('ECR Image Scan (basic scanning)', () => {
  it('the AWS example: repository, digest, counts per severity, the time in one format', () => {
    expect(scanOf(runningFixture('ecr-image-scan-basic'))).toEqual([
      {
        source: 'ecr',
        repository: 'my-repository-name',
        digest: SCANNED_DIGEST,
        counts: { CRITICAL: 10, MEDIUM: 9 },
        at: '2019-10-29T02:36:48.000Z',
      },
    ]);
  });

  it('a scan that did not complete records nothing; unknown severities are counted as UNDEFINED', () => {
    const failed = ecrScanEvent();
    failed.detail['scan-status'] = 'FAILED';
    expect(scanOf(failed)).toEqual([]);
    expect(scanOf(ecrScanEvent({ counts: { SEVERE: 2, UNDEFINED: 1 } }))[0]).toMatchObject({
      counts: { UNDEFINED: 3 },
    });
  });

  it('wrong JSON types and impossible counts are rejected naming the field, never the value', () => {
    rejects(ecrScanEvent({ counts: { CRITICAL: '10' } }), 'detail.finding-severity-counts.CRITICAL');
    rejects(ecrScanEvent({ counts: { CRITICAL: -1 } }), 'detail.finding-severity-counts.CRITICAL');
    rejects(ecrScanEvent({ counts: { CRITICAL: 1.5 } }), 'detail.finding-severity-counts.CRITICAL');
    rejects(ecrScanEvent({ counts: [] as never }), 'detail.finding-severity-counts');
    const noRepo = ecrScanEvent();
    delete noRepo.detail['repository-name'];
    rejects(noRepo, 'detail.repository-name');
    rejects(ecrScanEvent({ digest: 'latest' }), 'detail.image-digest');
    rejects(ecrScanEvent({ digest: `sha256:${'a'.repeat(300)}` }), 'detail.image-digest');
  });
});

describe('Inspector2 Finding', () => {
  it('the AWS example: one vulnerability of one image, ACTIVE', () => {
    const [r] = scanOf(runningFixture('inspector2-finding-ecr-image'));
    expect(r).toMatchObject({
      source: 'inspector',
      repository: 'amazon/amazon-ecs-sample',
      digest: 'sha256:36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e5EXAMPLE',
      vulnerability: { id: 'CVE-2019-17498', severity: 'MEDIUM' },
      active: true,
    });
  });

  it('CLOSED and SUPPRESSED are inactive; findings on EC2 instances or of other types give nothing', () => {
    for (const status of ['CLOSED', 'SUPPRESSED']) {
      const e = runningFixture('inspector2-finding-ecr-image');
      e.detail.status = status;
      expect(scanOf(e)[0]).toMatchObject({ active: false });
    }
    const ec2 = runningFixture('inspector2-finding-ecr-image');
    ec2.detail.resources = [{ type: 'AWS_EC2_INSTANCE', id: 'i-0123', details: {} }];
    expect(scanOf(ec2)).toEqual([]);
    const network = runningFixture('inspector2-finding-ecr-image');
    network.detail.type = 'NETWORK_REACHABILITY';
    expect(scanOf(network)).toEqual([]);
  });

  it('a malformed imageHash or a wrongly typed field is rejected naming the path', () => {
    const bad = runningFixture('inspector2-finding-ecr-image');
    bad.detail.resources[0].details.awsEcrContainerImage.imageHash = 'not a digest';
    rejects(bad, 'detail.resources[0].details.awsEcrContainerImage.imageHash');
    const typed = runningFixture('inspector2-finding-ecr-image');
    typed.detail.severity = 5;
    rejects(typed, 'detail.severity');
    const huge = runningFixture('inspector2-finding-ecr-image');
    huge.detail.packageVulnerabilityDetails.vulnerabilityId = 'CVE-'.padEnd(300, '9');
    rejects(huge, 'detail.packageVulnerabilityDetails.vulnerabilityId');
  });
});

describe('task state changes -> inventory entries', () => {
  it('a service task RUNNING: the owner is the service, every container with its image and digest', () => {
    const p = parseEvent(taskEvent({ id: 't1', service: 'web' }));
    if (p.kind !== 'task') throw new Error('kind');
    const t = runningTaskOf(p)!;
    expect(t.owner).toEqual({
      arn: 'arn:aws:ecs:us-east-1:123456789012:service/example-cluster/web',
      type: 'AWS::ECS::Service',
      name: 'web',
    });
    expect(t.containers.map((c) => [c.name, c.repository, c.digest?.slice(0, 15)])).toEqual([
      ['web', 'my-repository-name', 'sha256:7f5b2640'],
      ['aws-guardduty-agent-nm40lC', undefined, 'sha256:bf9197ab'],
      ['aws-otel-collector', 'aws-observability/aws-otel-collector', 'sha256:7a1b3560'],
    ]);
  });

  it('what the inventory keeps never includes the task overrides (their environment may hold secrets)', () => {
    const raw = taskEvent({ id: 't9', service: 'web' });
    raw.detail.overrides.containerOverrides[0].environment = [
      { name: 'DB_PASSWORD', value: 'hunter2-secret' },
    ];
    const p = parseEvent(raw);
    if (p.kind !== 'task') throw new Error('kind');
    const kept = JSON.stringify(runningTaskOf(p));
    expect(kept).not.toContain('hunter2-secret');
    expect(kept).not.toContain('DB_PASSWORD');
    expect(kept).not.toContain('/host_proc'); // the AWS example's GuardDuty agent environment
  });

  it('PENDING and DEPROVISIONING change nothing; containers of the wrong type are rejected naming them', () => {
    for (const status of ['PENDING', 'DEPROVISIONING'] as const) {
      const p = parseEvent(taskEvent({ id: 't2', status }));
      if (p.kind !== 'task') throw new Error('kind');
      expect(runningTaskOf(p)).toBeUndefined();
    }
    const bad = taskEvent({ id: 't3' });
    bad.detail.containers[0].image = 42;
    const p = parseEvent(bad);
    if (p.kind !== 'task') throw new Error('kind');
    expect(() => runningTaskOf(p)).toThrow(InvalidEventError);
  });

  it('a DescribeTasks task: team tag and tags, the version; STOPPED or malformed answers are not entries', () => {
    const at = '2025-01-01T00:00:00.000Z';
    const raw = {
      taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod/abc',
      clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod',
      group: 'service:api',
      lastStatus: 'RUNNING',
      version: 4,
      containers: [{ name: 'api', image: 'team/api:2', imageDigest: SCANNED_DIGEST }],
      tags: [{ key: 'guardrail:team', value: 'payments' }],
    };
    expect(runningTaskFromDescribe(raw, 'tasks[0]', at)).toMatchObject({
      account: '111122223333',
      region: 'eu-west-1',
      version: 4,
      team: 'payments',
      owner: { name: 'api' },
    });
    expect(runningTaskFromDescribe({ ...raw, lastStatus: 'STOPPED' }, 'tasks[0]', at)).toBeUndefined();
    expect(() => runningTaskFromDescribe({ ...raw, version: '4' }, 'tasks[0]', at)).toThrow(
      /tasks\[0\]\.version/,
    );
  });
});

describe('parseImageRef', () => {
  it.each([
    ['nginx', { repository: 'nginx' }],
    ['nginx:1.27', { repository: 'nginx', tag: '1.27' }],
    ['library/nginx@' + SCANNED_DIGEST, { repository: 'library/nginx', digest: SCANNED_DIGEST }],
    [
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.4',
      { registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com', repository: 'team/app', tag: '1.4' },
    ],
    ['localhost:5000/app:dev', { registry: 'localhost:5000', repository: 'app', tag: 'dev' }],
    [
      'public.ecr.aws/aws-observability/aws-otel-collector:v0.32.0',
      { registry: 'public.ecr.aws', repository: 'aws-observability/aws-otel-collector', tag: 'v0.32.0' },
    ],
  ])('%s', (image, expected) => {
    expect(parseImageRef(image)).toEqual(expected);
  });

  it.each(['', ' ', 'app:', 'app@latest', '/app', 'a b', 'x'.repeat(2000), 'app\u001b[2J', 'app\u0000'])(
    'refuses %j',
    (image) => {
      expect(parseImageRef(image)).toBeUndefined();
    },
  );
});
