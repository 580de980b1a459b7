/**
 * task-exec-session: an ECS Exec session, from the corpus ExecuteCommand record. The command's
 * arguments never reach a finding, the CLI table, JSON or Slack text: at most the program name.
 */
import { describe, expect, it } from 'vitest';
import { formatTable } from '../../../cli/format';
import { programOf } from '../../../shared/events/normalize';
import { slackMessage } from '../../../shared/notify/channels/slack/message';
import { detailOf, fixture } from '../events/fixtures';
import { checkSignal, cloudTrailEvent, evaluateOne, only, withRule } from './helpers';

const TASK = 'arn:aws:ecs:us-west-2:111122223333:task/prod-cluster/7d6c5b4a39284f1e0d9c8b7a6f5e4d3c';
const CALLER =
  'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/ops.oncall@example.com';

const session = (command: unknown, over: Record<string, unknown> = {}) => {
  const raw = fixture('cloudtrail-execute-command.json');
  const req = detailOf(raw).requestParameters as Record<string, unknown>;
  req.command = command;
  Object.assign(req, over);
  return raw;
};

describe('task-exec-session', () => {
  it('the corpus ExecuteCommand: caller, container, interactive and the program, on the task of the response', async () => {
    const f = only(
      (await evaluateOne(fixture('cloudtrail-execute-command.json'))).findings,
      'task-exec-session',
    );
    expect(f.resource).toEqual({ type: 'AWS::ECS::Task', arn: TASK });
    expect(f.evidence).toEqual([
      {
        path: 'detail.requestParameters.command',
        message: `${CALLER} opened an interactive command session in container "app" running /bin/sh`,
        container: 'app',
      },
    ]);
    expect(f.severity).toBe('medium');
  });

  it('hostile: a command full of secrets leaks nothing but the program name into the finding, JSON, table and Slack', async () => {
    const secrets = [
      'AKIAIOSFODNN7EXAMPLE',
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'hunter2-db-password',
      'xoxb-123456789012-abcdefghijkl',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
    ];
    const command = `/usr/bin/psql "postgres://admin:${secrets[2]}@db:5432/prod" -c "select 1" --aws-key ${secrets[0]} ${secrets[1]} ${secrets[3]} ${secrets[4]}`;
    const f = only((await evaluateOne(session(command))).findings, 'task-exec-session');
    const outputs = [
      JSON.stringify(f),
      formatTable([f], { color: false, width: 200 }),
      JSON.stringify(slackMessage(f)),
    ];
    for (const out of outputs)
      for (const s of [...secrets, 'postgres://', 'select 1', '--aws-key']) expect(out).not.toContain(s);
    // The table shows rule and resource, the finding and Slack the evidence with the program name.
    expect(outputs[0]).toContain('/usr/bin/psql');
    expect(outputs[1]).toContain('task-exec-session');
    expect(outputs[2]).toContain('/usr/bin/psql');
  });

  it('hostile: a container name built to break a terminal or Slack reaches neither raw', async () => {
    const raw = session('sh');
    const resp = detailOf(raw).responseElements as Record<string, unknown>;
    resp.containerName = 'app\u001b]8;;https://evil.example\u0007<!channel> *bold*\u202e';
    const f = only((await evaluateOne(raw)).findings, 'task-exec-session');
    const table = formatTable([f], { color: false, width: 200 });
    expect(table).not.toContain('\u001b');
    expect(table).not.toContain('\u202e');
    // JSON escapes control characters: look for the escape sequences themselves.
    const slack = JSON.stringify(slackMessage(f));
    expect(slack).not.toContain('<!channel>');
    expect(slack).not.toMatch(/\\u001b|\\u202e|\\u0007/i);
    expect(slack).toContain('app');
  });

  it('hostile: a first word that is no program name (an assignment, a quoted secret, a huge word) is not shown', () => {
    expect(programOf('PASSWORD=hunter2 sh')).toBe('(not shown)');
    expect(programOf('"/bin/bash" -c id')).toBe('/bin/bash');
    expect(programOf(`${'a'.repeat(5000)} x`)).toBe('(not shown)');
    expect(programOf('sh;curl${IFS}evil')).toBe('(not shown)');
    expect(programOf('   ')).toBeUndefined();
    expect(programOf(undefined)).toBeUndefined();
  });

  it('edge: non-interactive sessions and records without a response (task id from the request, ARN built)', async () => {
    const raw = session('ls -la /secrets', { interactive: false });
    delete detailOf(raw).responseElements;
    const f = only((await evaluateOne(raw)).findings, 'task-exec-session');
    expect(f.resource.arn).toBe(TASK);
    expect(f.evidence[0]?.message).toBe(
      `${CALLER} opened a non-interactive command session in container "app" running ls`,
    );
  });

  it('a failed ExecuteCommand (errorCode) opened no session; other APIs are no session', async () => {
    const failed = fixture('cloudtrail-execute-command.json');
    detailOf(failed).errorCode = 'InvalidParameterException';
    expect(withRule((await evaluateOne(failed)).findings, 'task-exec-session')).toEqual([]);
    const other = cloudTrailEvent({ eventName: 'DescribeTasks', requestParameters: { tasks: [TASK] } });
    expect(withRule((await evaluateOne(other)).findings, 'task-exec-session')).toEqual([]);
  });

  it('hostile: `interactive` as a string or `command` as an array is an invalid event naming the path, never the value', async () => {
    await expect(evaluateOne(session('sh', { interactive: 'true' }))).rejects.toThrow(
      /requestParameters\.interactive: expected boolean/,
    );
    const bad = session(['sh', '-c', 'echo hunter2-db-password']);
    await expect(evaluateOne(bad)).rejects.toThrow(/requestParameters\.command/);
    await expect(evaluateOne(bad)).rejects.not.toThrow(/hunter2/);
  });

  it('direct check: an unknown caller and container are named as unknown', () => {
    const out = checkSignal('task-exec-session', { kind: 'execSession', taskArn: TASK });
    expect(out?.evidence[0]?.message).toBe('an unknown caller opened a command session in a container');
  });
});
