/**
 * `guardrail evaluate --enrich` as a child process: the bundled CLI (dist/guardrail.cjs) with the real
 * SDK clients, pointed at moto_server through AWS_ENDPOINT_URL only. Without --enrich it must make no
 * AWS call at all: checked with a local HTTP server that records every request.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/model/finding';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/guardrail.cjs');
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const CLUSTER = 'cli-it';
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  findings: Finding[];
}

/** Run the CLI with a clean AWS environment: only the variables given here. */
function runCli(args: string[], endpoint: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  Object.assign(env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    NODE_NO_WARNINGS: '1',
  });
  return new Promise((done) => {
    execFile(process.execPath, [CLI, 'evaluate', ...args], { env, cwd: ROOT }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      const findings = stdout
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Finding);
      done({ code, stdout, stderr, findings });
    });
  });
}

const on = (r: Run, arn: string): string[] =>
  r.findings
    .filter((f) => f.resource.arn === arn)
    .map((f) => f.ruleId)
    .sort();

describe('guardrail evaluate --enrich (bundled CLI, child process)', () => {
  let moto: Moto;
  let dir: string;
  let files: string[];
  let tdArn: string;
  let taskArn: string;
  let serviceArn: string;
  let truncatedTdArn: string;

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: ROOT, stdio: 'inherit' });
    moto = await startMoto();
    const ecs = new ECSClient(motoClientConfig(moto, REGION));
    const ec2 = new EC2Client(motoClientConfig(moto, REGION));
    const vpcs = await ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
    );
    const subnets = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcs.Vpcs![0]!.VpcId!] }] }),
    );
    const subnetId = subnets.Subnets![0]!.SubnetId!;
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    const register = async (family: string, privileged: boolean): Promise<string> =>
      (
        await ecs.send(
          new RegisterTaskDefinitionCommand({
            family,
            networkMode: 'awsvpc',
            requiresCompatibilities: ['FARGATE'],
            cpu: '256',
            memory: '512',
            containerDefinitions: [
              {
                name: 'app',
                image: 'public.ecr.aws/nginx/nginx:1.27',
                memory: 128,
                privileged,
                user: '1000',
                readonlyRootFilesystem: true,
                logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/cli' } },
              },
            ],
          }),
        )
      ).taskDefinition!.taskDefinitionArn!;
    tdArn = await register('cli-priv', true);
    truncatedTdArn = await register('cli-truncated', true);

    const run = await ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: tdArn,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnetId], securityGroups: [] } },
      }),
    );
    taskArn = run.tasks![0]!.taskArn!;
    const eniId = run.tasks![0]!.attachments![0]!.details!.find(
      (d) => d.name === 'networkInterfaceId',
    )!.value!;
    const addr = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    await ec2.send(
      new AssociateAddressCommand({ AllocationId: addr.AllocationId, NetworkInterfaceId: eniId }),
    );

    const svc = await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: 'cli-public',
        taskDefinition: tdArn,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [subnetId], securityGroups: [], assignPublicIp: 'ENABLED' },
        },
      }),
    );
    serviceArn = svc.service!.serviceArn!;

    const envelope = (detailType: string, detail: Record<string, unknown>, resources: string[] = []) => ({
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source: 'aws.ecs',
      account: ACCOUNT,
      time: '2026-11-22T10:00:00Z',
      region: REGION,
      resources,
      detail,
    });
    const cloudTrail = (eventName: string, requestParameters: unknown, responseElements: unknown) =>
      envelope('AWS API Call via CloudTrail', {
        eventSource: 'ecs.amazonaws.com',
        eventName,
        eventID: randomUUID(),
        eventTime: '2026-11-22T10:00:00Z',
        awsRegion: REGION,
        recipientAccountId: ACCOUNT,
        userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/s` },
        requestParameters,
        responseElements,
      });

    dir = mkdtempSync(join(tmpdir(), 'guardrail-cli-enrich-'));
    const write = (name: string, value: unknown): string => {
      const p = join(dir, name);
      writeFileSync(p, JSON.stringify(value, null, 2));
      return p;
    };
    files = [
      write(
        'task-running.json',
        envelope(
          'ECS Task State Change',
          {
            taskArn,
            clusterArn: CLUSTER_ARN,
            taskDefinitionArn: tdArn,
            lastStatus: 'RUNNING',
            desiredStatus: 'RUNNING',
            launchType: 'FARGATE',
            group: 'family:cli-priv',
            version: 2,
            attachments: [
              { type: 'eni', status: 'ATTACHED', details: [{ name: 'networkInterfaceId', value: eniId }] },
            ],
          },
          [taskArn],
        ),
      ),
      write(
        'register-truncated.json',
        cloudTrail(
          'RegisterTaskDefinition',
          { omitted: true },
          { taskDefinition: { taskDefinitionArn: truncatedTdArn } },
        ),
      ),
      write(
        'update-service.json',
        cloudTrail('UpdateService', { cluster: CLUSTER, service: 'cli-public', desiredCount: 2 }, null),
      ),
    ];
  });

  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('--enrich describes what the events lack and prints the findings as JSON Lines', async () => {
    const r = await runCli(['--enrich', '--format', 'json', ...files], moto.endpoint);
    expect(r.stderr).not.toMatch(/incomplete|internal error/);
    expect(r.code).toBe(0);
    expect(on(r, tdArn)).toContain('td-privileged');
    expect(on(r, truncatedTdArn)).toContain('td-privileged');
    expect(on(r, taskArn)).toEqual(['task-public-ip']);
    expect(on(r, serviceArn)).toEqual(['svc-public-ip']);
    const ids = r.findings.map((f) => f.findingId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(r.findings.find((f) => f.ruleId === 'td-privileged' && f.resource.arn === tdArn)).toMatchObject({
      severity: 'critical',
      resource: { type: 'AWS::ECS::TaskDefinition' },
      account: ACCOUNT,
      region: REGION,
    });
  });

  describe('against a local server that records every request', () => {
    let server: Server;
    let requests: { target?: string; body: string }[];
    let endpoint: string;

    beforeAll(async () => {
      requests = [];
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          const target = req.headers['x-amz-target'] as string | undefined;
          requests.push({ ...(target ? { target } : {}), body });
          if (body.includes('Action=GetCallerIdentity')) {
            // IAM cannot deny GetCallerIdentity (it needs no permission): the enricher learns whose
            // credentials these are (the home account, read without assuming a role), as on AWS.
            res.writeHead(200, { 'content-type': 'text/xml' });
            res.end(
              '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
                `<Arn>arn:aws:iam::${ACCOUNT}:user/cli</Arn><UserId>AIDAEXAMPLE</UserId><Account>${ACCOUNT}</Account>` +
                '</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
            );
          } else if (target) {
            res.writeHead(400, {
              'content-type': 'application/x-amz-json-1.1',
              'x-amzn-errortype': 'AccessDeniedException',
            });
            res.end(
              JSON.stringify({ __type: 'AccessDeniedException', message: 'not authorized (recorder)' }),
            );
          } else {
            res.writeHead(403, { 'content-type': 'text/xml' });
            res.end(
              '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code>' +
                '<Message>not authorized (recorder)</Message></Error></Errors><RequestID>r-1</RequestID></Response>',
            );
          }
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await new Promise<void>((r) => server.close(() => r()));
    });

    it('without --enrich: no AWS call at all; the truncated registration is reported incomplete', async () => {
      requests.length = 0;
      const r = await runCli(['--format', 'json', ...files], endpoint);
      expect(r.code).toBe(0);
      expect(requests).toEqual([]);
      expect(r.findings.map((f) => f.ruleId)).not.toContain('td-privileged');
      expect(r.findings.map((f) => f.ruleId)).not.toContain('task-public-ip');
      expect(r.findings.map((f) => f.ruleId)).not.toContain('svc-public-ip');
      expect(r.stderr).toMatch(/register-truncated\.json.*incomplete: .*\(use --enrich\)/);
    });

    it('--enrich with access denied everywhere: every input evaluated, reported incomplete, exit 0', async () => {
      requests.length = 0;
      const r = await runCli(['--enrich', '--format', 'json', ...files], endpoint);
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.code).toBe(0);
      // The recorder does see calls when enrichment is on (so "none" above means none were made).
      // Issue 10: enrichment first asks whose credentials it has (once): the events' account is the
      // caller's own, so it is read without assuming a member role.
      expect(requests.map((q) => q.target ?? q.body.match(/Action=(\w+)/)?.[1]).sort()).toEqual([
        'AmazonEC2ContainerServiceV20141113.DescribeServices',
        'AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition',
        'AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition',
        'DescribeNetworkInterfaces',
        'GetCallerIdentity',
      ]);
      expect(r.stderr).toMatch(
        /task-running\.json: incomplete: enrichment failed: ec2:DescribeNetworkInterfaces .*UnauthorizedOperation.*; ecs:DescribeTaskDefinition .*AccessDeniedException/,
      );
      expect(r.stderr).toMatch(/register-truncated\.json: incomplete: .*truncated.*AccessDeniedException/);
      expect(r.stderr).toMatch(/update-service\.json: incomplete: enrichment failed: ecs:DescribeServices/);
      expect(r.findings.map((f) => f.ruleId)).not.toContain('td-privileged');
      expect(r.findings.map((f) => f.ruleId)).not.toContain('svc-public-ip');
    });
  });
});
