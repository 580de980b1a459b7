import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stateTableDefinition } from '../../../shared/store/state-table';

/** CloudFormation short-form tags, kept as plain values: only the table's keys matter here. */
const cfnTags = ['!GetAtt', '!Ref', '!Sub'].map((tag) => ({ tag, resolve: (v: string) => v }));

describe('the state table created locally (moto) is the one infra/state.yml deploys', () => {
  it('same keys, attribute definitions, GSI and TTL attribute', () => {
    const template = parse(readFileSync('infra/state.yml', 'utf8'), { customTags: cfnTags }) as {
      Resources: { GuardrailTable: { Properties: Record<string, any> } };
    };
    const deployed = template.Resources.GuardrailTable.Properties;
    const local = stateTableDefinition('t');
    expect(local.BillingMode).toBe(deployed.BillingMode);
    expect(local.AttributeDefinitions).toEqual(deployed.AttributeDefinitions);
    expect(local.KeySchema).toEqual(deployed.KeySchema);
    expect(local.GlobalSecondaryIndexes).toEqual(deployed.GlobalSecondaryIndexes);
    expect(deployed.TimeToLiveSpecification).toEqual({ AttributeName: 'expiration', Enabled: true });
  });
});
