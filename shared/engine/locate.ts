/**
 * Lines for findings of infrastructure-as-code inputs: each evidence path is looked up in the resource's
 * `origin.lines`, falling back to the closest enclosing path (`containerDefinitions[0].privileged` ->
 * `containerDefinitions[0]` -> `containerDefinitions`) and then to the resource's own line.
 */
import type { Evidence, FindingLocation } from '../model/finding';
import type { ResourceOrigin } from '../model/resources';

function lineOf(path: string, origin: ResourceOrigin): number | undefined {
  const lines = origin.lines;
  if (lines) {
    let p = path;
    while (p) {
      const line = lines[p];
      if (line !== undefined) return line;
      const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      if (cut <= 0) break;
      p = p.slice(0, cut);
    }
  }
  return origin.line;
}

export function locateEvidence(
  evidence: readonly Evidence[],
  origin: ResourceOrigin,
): { readonly evidence: readonly Evidence[]; readonly location: FindingLocation } {
  const located = evidence.map((e) => {
    const line = lineOf(e.path, origin);
    return line === undefined ? e : { ...e, line };
  });
  const line = located[0]?.line ?? origin.line;
  return {
    evidence: located,
    location: { file: origin.file, address: origin.address, ...(line !== undefined ? { line } : {}) },
  };
}

/** `inner` is `outer` or a property under it (`a.b[0]` is under `a.b` and `a`); '' is the whole resource. */
function isUnder(inner: string, outer: string): boolean {
  return (
    outer === '' ||
    inner === outer ||
    (inner.startsWith(outer) && (inner[outer.length] === '.' || inner[outer.length] === '['))
  );
}

/**
 * Evidence that does not rest on a value the input leaves unknown (`origin.unknown`): a rule that reads
 * an unknown property (or a property under or around it) sees it as absent and would flag what may be
 * compliant. Such evidence is dropped: an unknown value is never flagged.
 */
export function knownEvidence(evidence: readonly Evidence[], origin: ResourceOrigin): readonly Evidence[] {
  const unknown = origin.unknown;
  if (!unknown?.length) return evidence;
  return evidence.filter(
    (e) => !unknown.some((u) => isUnder(e.path, u) || (e.path !== '' && isUnder(u, e.path))),
  );
}
