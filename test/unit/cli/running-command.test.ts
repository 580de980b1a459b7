/**
 * `guardrail running`: usage errors (exit 3, the usage text, nothing of a hostile argument reaches the
 * terminal raw) and the image filter over an inventory (repository, tag, digest, registry).
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main';
import { tasksRunning } from '../../../cli/running-command';
import { parseEvent } from '../../../shared/events/parse';
import { runningTaskOf } from '../../../shared/events/running';
import { parseImageRef } from '../../../shared/model/running';
import { MemoryRunningInventory } from '../../../shared/store/memory-running-inventory';
import { SCANNED_DIGEST, SCANNED_IMAGE, SCANNED_REPOSITORY, taskEvent } from '../../helpers/running-events';
import { recordingIo } from './memory-io';

const io = () => recordingIo({ stderrIsTty: true, stdoutIsTty: true, columns: 120 });

describe('guardrail running: usage', () => {
  it.each([
    [[], '--image is required'],
    [['--image', 'team/app', '--format', 'xml'], '--format must be table or json'],
    [['--image', 'team/app', '--table', 'x;rm -rf'], '--table must be a DynamoDB table name'],
    [['--image', 'team/app', '--bogus'], 'Unknown option'],
    [['--image', 'app\u001b]8;;http://evil\u0007click'], 'is not an image reference'],
  ])('%j -> exit 3: %s', async (args, message) => {
    const o = io();
    expect(await main(['running', ...args], o)).toBe(3);
    const err = o.err.join('');
    expect(err).toContain(message);
    // eslint-disable-next-line no-control-regex
    expect(err).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(o.out).toEqual([]);
  });

  it('--help prints the usage and exits 0', async () => {
    const o = io();
    expect(await main(['running', '--help'], o)).toBe(0);
    expect(o.out.join('')).toContain('guardrail running --image');
  });
});

describe('tasksRunning: the image filter', () => {
  const inventory = new MemoryRunningInventory();
  const add = async (id: string, service: string, image: string, digest: string) => {
    const p = parseEvent(taskEvent({ id, service, image, digest }));
    if (p.kind !== 'task') throw new Error('kind');
    await inventory.apply(runningTaskOf(p)!);
  };
  const other = 'sha256:' + 'e'.repeat(64);
  const ids = async (image: string) =>
    (await tasksRunning(inventory, parseImageRef(image)!))
      .map((t) => t.taskArn.split('/').pop())
      .filter((id) => id?.startsWith('f'))
      .sort();

  it('by repository, tag, digest and registry', async () => {
    await add('f1', 'web', SCANNED_IMAGE, SCANNED_DIGEST);
    await add('f2', 'web', SCANNED_IMAGE.replace(':1.4', ':1.5'), other);
    await add(
      'f3',
      'api',
      `999999999999.dkr.ecr.eu-west-1.amazonaws.com/${SCANNED_REPOSITORY}:1.4`,
      SCANNED_DIGEST,
    );
    expect(await ids(SCANNED_REPOSITORY)).toEqual(['f1', 'f2', 'f3']);
    expect(await ids(`${SCANNED_REPOSITORY}:1.4`)).toEqual(['f1', 'f3']);
    expect(await ids(`${SCANNED_REPOSITORY}@${other}`)).toEqual(['f2']);
    expect(await ids(SCANNED_IMAGE)).toEqual(['f1']);
    expect(await ids(`${SCANNED_REPOSITORY}:9.9`)).toEqual([]);
    expect(await ids('someone-else/app')).toEqual([]);
  });
});
