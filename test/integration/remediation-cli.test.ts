/**
 * `guardrail evaluate --enrich --remediate`: usage rules, and the same Remediator run on demand against
 * moto_server (the CLI's clients find moto through AWS_ENDPOINT_URL, as a user's would find AWS),
 * dry-run first, then for real.
 */
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../cli/evaluate-command';
import { main } from '../../cli/main';
import type { Finding } from '../../shared/model/finding';
import { startMoto, type Moto } from '../helpers/moto';
import { motoClients, registerTaskDefinition, type MotoClients } from '../unit/remediation/helpers';

let moto: Moto;
let aws: MotoClients;
let dir: string;
const savedEnv = { ...process.env };

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    readStdin: () => Buffer.alloc(0),
    stderrIsTty: false,
    stdoutIsTty: false,
    columns: 160,
  };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const findings = (stdout: string): Finding[] =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Finding);

beforeAll(async () => {
  moto = await startMoto();
  aws = motoClients(moto);
  dir = mkdtempSync(join(tmpdir(), 'guardrail-remediate-'));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
  delete process.env.AWS_PROFILE;
});
afterAll(async () => {
  process.env = savedEnv;
  rmSync(dir, { recursive: true, force: true });
  await moto?.stop();
});

function write(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('guardrail evaluate --remediate', () => {
  it('--remediate without --enrich is a usage error (exit 3)', async () => {
    const event = write('e0.json', '{}');
    const r = await run(['evaluate', '--remediate', event]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--remediate requires --enrich');
  });

  it('dry-run policy: reports what it would do and changes nothing; then the real run deregisters', async () => {
    const { arn, event } = await registerTaskDefinition(aws.ecs);
    const eventFile = write('register.json', JSON.stringify(event));
    const dry = write('dry.yml', 'dryRun: true\nrules:\n  td-privileged: { mode: remediate }\n');
    const live = write('live.yml', 'rules:\n  td-privileged: { mode: remediate }\n');

    const first = await run([
      'evaluate',
      '--enrich',
      '--remediate',
      '--format',
      'json',
      '--policy',
      dry,
      eventFile,
    ]);
    expect(first.code).toBe(0);
    const f1 = findings(first.stdout).find((f) => f.ruleId === 'td-privileged')!;
    expect(f1.action?.status).toBe('planned');
    expect(f1.action?.reason).toMatch(/^dry-run: would have deregistered task definition web-.+:1/);
    expect(first.stderr).toContain('guardrail: remediation: deregister-task-definition planned');
    const td = () => aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    expect((await td()).taskDefinition?.status).toBe('ACTIVE');

    const second = await run([
      'evaluate',
      '--enrich',
      '--remediate',
      '--format',
      'json',
      '--policy',
      live,
      eventFile,
    ]);
    expect(second.code).toBe(0);
    expect(findings(second.stdout).find((f) => f.ruleId === 'td-privileged')?.action?.status).toBe('done');
    expect((await td()).taskDefinition?.status).toBe('INACTIVE');

    const third = await run([
      'evaluate',
      '--enrich',
      '--remediate',
      '--format',
      'json',
      '--policy',
      live,
      eventFile,
    ]);
    expect(findings(third.stdout).find((f) => f.ruleId === 'td-privileged')?.action).toEqual({
      name: 'deregister-task-definition',
      status: 'skipped',
      reason: 'already compliant',
    });
  });

  it('a file that lies (privileged claimed for a revision AWS says is not): not violated now, nothing changed', async () => {
    const { arn, event } = await registerTaskDefinition(aws.ecs, { privileged: false });
    const detail = event.detail as {
      responseElements: { taskDefinition: { containerDefinitions: Record<string, unknown>[] } };
    };
    detail.responseElements.taskDefinition.containerDefinitions[0]!.privileged = true;
    const eventFile = write('forged.json', JSON.stringify(event));
    const live = write('live-forged.yml', 'rules:\n  td-privileged: { mode: remediate }\n');
    const r = await run([
      'evaluate',
      '--enrich',
      '--remediate',
      '--format',
      'json',
      '--policy',
      live,
      eventFile,
    ]);
    expect(r.code).toBe(0);
    expect(findings(r.stdout).find((f) => f.ruleId === 'td-privileged')?.action).toEqual({
      name: 'deregister-task-definition',
      status: 'skipped',
      reason: 'not violated now',
    });
    const now = await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    expect(now.taskDefinition?.status).toBe('ACTIVE');
  });

  it('without --remediate nothing is acted on, even in remediate mode', async () => {
    const { arn, event } = await registerTaskDefinition(aws.ecs);
    const eventFile = write('register2.json', JSON.stringify(event));
    const live = write('live2.yml', 'rules:\n  td-privileged: { mode: remediate }\n');
    const r = await run(['evaluate', '--enrich', '--format', 'json', '--policy', live, eventFile]);
    expect(r.code).toBe(0);
    expect(findings(r.stdout).find((f) => f.ruleId === 'td-privileged')?.action?.status).toBe('planned');
    const now = await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    expect(now.taskDefinition?.status).toBe('ACTIVE');
  });
});
