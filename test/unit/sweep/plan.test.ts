import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { parseAccountList, parseRegionList, planOrganization } from '../../../shared/sweep/plan';
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

describe('planOrganization against answers moto cannot give', () => {
  const organizations = new OrganizationsClient({ region: 'us-east-1' });
  const ec2 = new EC2Client({ region: 'us-east-1' });
  const orgMock = mockClient(organizations);
  const ec2Mock = mockClient(ec2);

  it('skips accounts that are not ACTIVE (State or the older Status) with their state; a repeated NextToken ends the listing', async () => {
    orgMock.reset();
    orgMock.on(ListAccountsCommand).resolves({
      Accounts: [
        { Id: '111111111111', Name: 'a', State: 'ACTIVE' } as never,
        { Id: '222222222222', Name: 'b', State: 'SUSPENDED' } as never,
        { Id: '333333333333', Name: 'c', Status: 'PENDING_CLOSURE' },
        { Id: '444444444444', Name: 'd', Status: 'ACTIVE' },
      ],
      NextToken: 'same-token-forever',
    });
    const plan = await planOrganization({ organizations, ec2, regions: ['eu-west-1'] });
    expect(orgMock.commandCalls(ListAccountsCommand).length).toBeLessThanOrEqual(2);
    expect(plan.pairs).toEqual([
      { account: '111111111111', region: 'eu-west-1' },
      { account: '444444444444', region: 'eu-west-1' },
    ]);
    expect(plan.skipped).toEqual([
      { account: '222222222222', reason: 'account is SUSPENDED' },
      { account: '333333333333', reason: 'account is PENDING_CLOSURE' },
    ]);
  });

  it('all = the enabled regions only', async () => {
    orgMock.reset();
    orgMock
      .on(ListAccountsCommand)
      .resolves({ Accounts: [{ Id: '111111111111', State: 'ACTIVE' } as never] });
    ec2Mock.on(DescribeRegionsCommand).resolves({
      Regions: [
        { RegionName: 'eu-west-1', OptInStatus: 'opt-in-not-required' },
        { RegionName: 'af-south-1', OptInStatus: 'opted-in' },
        { RegionName: 'ap-east-1', OptInStatus: 'not-opted-in' },
      ],
    });
    const plan = await planOrganization({ organizations, ec2, regions: 'all' });
    expect(plan.regions).toEqual(['af-south-1', 'eu-west-1']);
  });

  it('an organization that is not in use surfaces as the AWS error (the CLI exits 3 with it)', async () => {
    orgMock.reset();
    orgMock
      .on(ListAccountsCommand)
      .rejects(
        Object.assign(new Error('not in an organization'), { name: 'AWSOrganizationsNotInUseException' }),
      );
    await expect(planOrganization({ organizations, ec2, regions: ['eu-west-1'] })).rejects.toMatchObject({
      name: 'AWSOrganizationsNotInUseException',
    });
  });
});
