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
