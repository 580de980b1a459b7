import { describe, expect, it } from 'vitest';
import { parseAccountList, parseRegionList } from '../../../shared/sweep/plan';
import { isRegionName } from '../../../shared/sweep/pair';

describe('--regions and --accounts', () => {
  it('reads all, or a list of region names (trimmed, deduplicated, order kept)', () => {
    expect(parseRegionList('all')).toBe('all');
    expect(parseRegionList(' eu-west-1, us-east-1,eu-west-1 ')).toEqual(['eu-west-1', 'us-east-1']);
    for (const r of ['us-gov-west-1', 'cn-north-1', 'ap-southeast-5', 'eu-central-2', 'il-central-1'])
      expect(isRegionName(r), r).toBe(true);
  });

  it.each([
    '',
    ',',
    'eu-west-1,',
    'EU-WEST-1',
    'eu-west-1;rm -rf /',
    'eu-west',
    '../../etc',
    'all,eu-west-1',
  ])('refuses %j naming the item, never the value', (text) => {
    let message = '';
    try {
      parseRegionList(text);
    } catch (err) {
      expect((err as Error).name).toBe('SweepInputError');
      message = (err as Error).message;
    }
    expect(message).toMatch(/^--regions: item \d+ is not a region name \(or use all\)$/);
  });

  it('reads 12-digit account ids and refuses anything else by position', () => {
    expect(parseAccountList('111111111111, 222222222222,111111111111')).toEqual([
      '111111111111',
      '222222222222',
    ]);
    expect(() => parseAccountList('111111111111,12345')).toThrow(
      '--accounts: item 2 is not a 12-digit account id',
    );
    expect(() => parseAccountList('')).toThrow('--accounts: item 1 is not a 12-digit account id');
    expect(() => parseAccountList('1111111111111')).toThrow(/item 1/);
  });
});
