/**
 * `guardrail backfill` against moto_server Step Functions with the real SDK client: the backfill state
 * machine (infra/state-machines/backfill.asl.json, substitutions filled in) is created in moto and the
 * command starts an execution of it with the checked request. moto does not execute state machines (the
 * execution stays RUNNING), so the follow loop's ends are tested with a client the test controls
 * (test/unit/cli/backfill-command.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runBackfillCommand } from '../../cli/backfill-command';
import { motoClientConfig, startMoto, TEST_CREDENTIALS, type Moto } from '../helpers/moto';
import { memoryIo } from '../unit/cli/memory-io';

const REGION = 'eu-west-1';
let moto: Moto;
let sfn: SFNClient;
let stateMachineArn: string;

beforeAll(async () => {
  moto = await startMoto();
  sfn = new SFNClient(motoClientConfig(moto, REGION));
  const definition = readFileSync(
    join(__dirname, '..', '..', 'infra', 'state-machines', 'backfill.asl.json'),
    'utf8',
  )
    .replaceAll(
      '${BackfillFunctionArn}',
      `arn:aws:lambda:${REGION}:123456789012:function:ecs-guardrail-dev-backfill`,
    )
    .replaceAll('${ResultsBucket}', 'guardrail-backfill-results');
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name: 'ecs-guardrail-dev-backfill',
      definition,
      roleArn: 'arn:aws:iam::123456789012:role/ecs-guardrail-dev-backfill-states',
      type: 'STANDARD',
    }),
  );
  stateMachineArn = created.stateMachineArn!;
  vi.stubEnv('AWS_ENDPOINT_URL', moto.endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await moto?.stop();
});

describe('guardrail backfill against moto Step Functions', () => {
  it('starts an execution of the state machine, in its region, with the checked request as input', async () => {
    const m = memoryIo();
    const code = await runBackfillCommand(
      [
        '--bucket',
        'org-trail-logs',
        '--prefix',
        'AWSLogs/o-a1b2c3d4e5/',
        '--from',
        '2026-03-01',
        '--to',
        '2026-03-10',
        '--state-machine',
        stateMachineArn,
      ],
      m.io,
    );
    expect(m.err()).toContain('guardrail backfill: started on s3://org-trail-logs/AWSLogs/o-a1b2c3d4e5/');
    expect(code).toBe(0);
    const executionArn = m.out().trim();
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(listed.executions?.map((e) => e.executionArn)).toEqual([executionArn]);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(d.status).toBe('RUNNING');
    expect(JSON.parse(d.input!)).toEqual({
      bucket: 'org-trail-logs',
      prefix: 'AWSLogs/o-a1b2c3d4e5/',
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-10T00:00:00.000Z',
    });
  });

  it('a state machine that does not exist: the error name, exit 5', async () => {
    const m = memoryIo();
    const code = await runBackfillCommand(
      [
        '--bucket',
        'org-trail-logs',
        '--from',
        '2026-03-01',
        '--to',
        '2026-03-10',
        '--state-machine',
        `${stateMachineArn}-gone`,
      ],
      m.io,
    );
    expect(code).toBe(5);
    expect(m.err()).toMatch(/cannot start the execution: StateMachineDoesNotExist/);
  });
});
