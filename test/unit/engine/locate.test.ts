import { describe, expect, it } from 'vitest';
import { knownEvidence, locateEvidence } from '../../../shared/engine/locate';

const origin = {
  file: 'stack.yaml',
  address: 'TaskDef',
  line: 10,
  lines: {
    containerDefinitions: 12,
    'containerDefinitions[0]': 13,
    'containerDefinitions[0].privileged': 17,
  },
};

describe('locateEvidence', () => {
  it('puts the line of the exact property on the evidence and on the location', () => {
    const r = locateEvidence([{ path: 'containerDefinitions[0].privileged', message: 'privileged' }], origin);
    expect(r.evidence[0]!.line).toBe(17);
    expect(r.location).toEqual({ file: 'stack.yaml', address: 'TaskDef', line: 17 });
  });

  it('falls back to the closest enclosing property, then to the resource', () => {
    const r = locateEvidence(
      [
        { path: 'containerDefinitions[0].user', message: 'root' },
        { path: 'containerDefinitions[3].user', message: 'root' },
        { path: 'pidMode', message: 'host' },
      ],
      origin,
    );
    expect(r.evidence.map((e) => e.line)).toEqual([13, 12, 10]);
  });

  it('leaves evidence without a line when neither the property nor the resource has one', () => {
    const r = locateEvidence([{ path: 'pidMode', message: 'host' }], { file: 'plan.json', address: 'a.b' });
    expect(r.evidence[0]!.line).toBeUndefined();
    expect(r.location).toEqual({ file: 'plan.json', address: 'a.b' });
  });
});

describe('knownEvidence', () => {
  const evidence = [
    { path: 'containerDefinitions[0].privileged', message: 'a' },
    { path: 'containerDefinitions[1].privileged', message: 'b' },
    { path: 'tags', message: 'c' },
    { path: 'networkMode', message: 'd' },
  ];

  it('drops evidence on, under or around an unknown path and keeps the rest', () => {
    const kept = knownEvidence(evidence, {
      ...origin,
      unknown: ['containerDefinitions[1]', 'tags[0].value'],
    });
    expect(kept.map((e) => e.message)).toEqual(['a', 'd']);
  });

  it("does not confuse a path with a longer sibling ('containerDefinitions[1]' is not 'containerDefinitions[10]')", () => {
    const ten = [{ path: 'containerDefinitions[10].privileged', message: 'x' }];
    expect(knownEvidence(ten, { ...origin, unknown: ['containerDefinitions[1]'] })).toEqual(ten);
  });

  it("'' (the whole resource unknown) drops everything; no unknown keeps the same array", () => {
    expect(knownEvidence(evidence, { ...origin, unknown: [''] })).toEqual([]);
    expect(knownEvidence(evidence, origin)).toBe(evidence);
  });
});
