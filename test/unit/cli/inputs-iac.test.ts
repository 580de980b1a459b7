/**
 * The dispatch of infrastructure-as-code documents in the CLI's input reader, with a tiny test reader
 * (the real readers have their own suites): recognised from the name and the head, read whole under a
 * cap, YAML never reaching the JSON splitter, a reader's error named with the form and the line, and
 * event inputs (JSON Lines on a slow stream) unchanged.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_INPUT_LIMITS, readInputs, type InputItem, type InputLimits } from '../../../cli/inputs';
import { fixturePath } from '../../helpers/fixtures';
import { TINY, TINY_READERS } from './tiny-iac-reader';

vi.mock('../../../shared/iac/readers', async () => ({
  IAC_READERS: (await import('./tiny-iac-reader')).TINY_READERS,
}));

const tmp = mkdtempSync(join(tmpdir(), 'guardrail-inputs-iac-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
function file(name: string, content: string): string {
  const p = join(tmp, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  return p;
}

async function collect(
  paths: readonly string[],
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
  stdin: Buffer | AsyncIterable<string> = Buffer.alloc(0),
): Promise<InputItem[]> {
  const items: InputItem[] = [];
  for await (const item of readInputs(paths, () => stdin as Buffer, limits, TINY_READERS)) items.push(item);
  return items;
}

describe('readInputs: infrastructure-as-code documents', () => {
  it('a recognised document is one item carrying the reader’s document, read whole past the head', async () => {
    const p = file('plan.json', `tiny: web privileged=true\n${'x'.repeat(200_000)}\n`);
    const items = await collect([p]);
    expect(items).toHaveLength(1);
    const item = items[0]!;
    expect('iac' in item && item.iac.form).toBe('terraform-plan');
    expect('iac' in item && item.iac.normalized.resources[0]!.arn).toBe(`${p}#tiny_task.web`);
  });

  it('over the document cap: one error naming the form and the limit, the input not read further', async () => {
    const p = file('big.json', `tiny: web privileged=true\n${'x'.repeat(3 * 1024 * 1024)}`);
    const items = await collect([p], { ...DEFAULT_INPUT_LIMITS, maxDocumentChars: 2 * 1024 * 1024 });
    expect(items).toEqual([
      { label: p, error: 'Terraform plan: larger than the limit of 2 MiB per document: refused' },
    ]);
  });

  it('a reader’s IacInputError: the item names the file, the line and the form, and the next input is read', async () => {
    const bad = file('bad.yaml', 'tiny: nonsense\n');
    const good = file('good.yaml', 'tiny: api privileged=false\n');
    const items = await collect([bad, good]);
    expect(items[0]).toEqual({ label: `${bad}:1`, error: 'CloudFormation template: no tiny header' });
    expect('iac' in items[1]! && items[1].iac.form).toBe('cloudformation');
  });

  it('YAML named on the command line that no reader recognises: an error, never the JSON splitter', async () => {
    const p = file('workflow.yml', 'on: push\njobs: {}\n');
    expect(await collect([p])).toEqual([
      {
        label: p,
        error:
          'not an event: YAML that is not a CloudFormation template (events, CloudTrail records and Terraform plans are JSON)',
      },
    ]);
  });

  it('in a directory: a template by a YAML name is read, other YAML skipped, JSON events read as before', async () => {
    file('repo/stack.yml', 'tiny: web privileged=true\n');
    file('repo/.github/ci.yml', 'on: push\n');
    file('repo/config.template', 'not yaml at all: [\n');
    writeFileSync(
      join(tmp, 'repo/event.json'),
      readFileSync(fixturePath('cloudtrail-create-service-assign-public-ip.json')),
    );
    const items = await collect([join(tmp, 'repo')]);
    expect(items.map((i) => [i.label.slice(tmp.length), Object.keys(i)[1]])).toEqual([
      ['/repo/event.json', 'value'],
      ['/repo/stack.yml', 'iac'],
    ]);
  });

  it('JSON Lines on a stream that stays open: the first events arrive without waiting for the head', async () => {
    const line = JSON.stringify(
      JSON.parse(readFileSync(fixturePath('cloudtrail-create-service-assign-public-ip.json'), 'utf8')),
    );
    async function* slow(): AsyncGenerator<string> {
      yield `${line}\n${line}\n`;
      await new Promise(() => undefined); // never ends, like `tail -f`
    }
    const it = readInputs(['-'], () => slow() as never, DEFAULT_INPUT_LIMITS, [TINY])[Symbol.asyncIterator]();
    const first = await Promise.race([
      it.next(),
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 2000)),
    ]);
    expect(first).not.toBe('timeout');
    expect((first as IteratorResult<InputItem>).value).toMatchObject({ label: 'stdin:1' });
  });
});

describe('guardrail evaluate on a document (the real command, the registry mocked with the tiny reader)', () => {
  it('findings carry file, address and line; unknown values are reported and counted as not checked', async () => {
    const { run, jsonLines } = await import('./memory-io');
    const flagged = file('flagged.json', 'tiny: web privileged=true\n');
    const unknown = file('unknown.json', 'tiny: api privileged=?\n');
    const r = await run(['evaluate', '--format', 'json', flagged, unknown]);
    expect(r.code).toBe(0);
    const findings = jsonLines(r.stdout).filter((f) => f.ruleId === 'td-privileged');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.location).toEqual({ file: flagged, address: 'tiny_task.web', line: 1 });
    expect(findings[0]!.account).toBe('');
    expect(r.stderr).toContain(
      `guardrail: ${unknown}: 1 value(s) unknown before deploy, not checked: tiny_task.api.containerDefinitions[0].privileged (line 1): unknown after apply`,
    );
    expect(r.stderr).toContain('1 value(s) unknown before deploy, not checked');
  });
});

describe('a PATH that does not exist is marked for the caller (a usage error), a dangling link is not', () => {
  it('missingPath on ENOENT of an argument only', async () => {
    const missing = join(tmp, 'no-such-file.json');
    const dangling = join(tmp, 'dangling.json');
    symlinkSync(join(tmp, 'nowhere.json'), dangling);
    expect(await collect([missing, dangling])).toEqual([
      { label: missing, error: 'cannot read (ENOENT)', missingPath: true },
      { label: dangling, error: 'dangling symbolic link (ENOENT)' },
    ]);
  });
});
