/**
 * What runs where (docs/running.md): the running inventory's task entries and the image vulnerability
 * facts the scans report, in one shape whichever source (task state change, sweep, scan event) gave them.
 */

/** An image reference split the way registries and ECR scans name it. */
export interface ImageRef {
  /** The registry host when the reference names one (`123456789012.dkr.ecr.us-east-1.amazonaws.com`). */
  readonly registry?: string;
  /** The repository path without the registry (`team/app`, `nginx`): what ECR scans call repository-name. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

// The OCI digest grammar: algorithm `:` encoded (sha256 is 64 hex characters; the grammar allows more).
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,256}$/;

/**
 * `registry/repo:tag@digest` -> its parts (Docker's rules: the first path segment is a registry when it has a
 * dot or a port, or is `localhost`). Undefined for an empty or malformed reference (never throws: the image
 * is the workload's text).
 */
export function parseImageRef(image: string): ImageRef | undefined {
  const ref = image.trim();
  // Whitespace and control characters are never part of a reference (and must not reach a terminal).
  // eslint-disable-next-line no-control-regex
  if (!ref || ref.length > 1024 || /[\s\u0000-\u001f\u007f]/.test(ref)) return undefined;
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash !== -1) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon !== -1) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tag) return undefined;
  }
  if (!rest || rest.startsWith('/') || rest.endsWith('/')) return undefined;
  return {
    ...(registry ? { registry } : {}),
    repository: rest,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** True when `digest` is an OCI content digest (`sha256:<hex>`). */
export function isDigest(digest: string): boolean {
  return DIGEST.test(digest);
}

/** One container of a running task: the image as the task names it and the digest it really runs. */
export interface RunningContainer {
  readonly name: string;
  readonly image?: string;
  /** From `image` (parseImageRef); absent when the container names no image. */
  readonly repository?: string;
  readonly digest?: string;
}

/** Who a running task belongs to: its service, or the task itself when it is standalone. */
export interface TaskOwner {
  readonly arn: string;
  readonly type: 'AWS::ECS::Service' | 'AWS::ECS::Task';
  /** The service name (services only). */
  readonly name?: string;
}

export type RunningStatus = 'RUNNING' | 'STOPPED';

/** One task of the running inventory (a STOPPED entry is a tombstone: a late RUNNING cannot revive it). */
export interface RunningTask {
  readonly taskArn: string;
  readonly account: string;
  readonly region: string;
  readonly status: RunningStatus;
  readonly clusterArn?: string;
  readonly owner: TaskOwner;
  readonly taskDefinitionArn?: string;
  /** The ECS task version (incremented on every state change): the later state has the higher one. */
  readonly version?: number;
  /** When the source saw this state (event time, or the sweep's time). */
  readonly at: string;
  /** The team tag's value when the source shows the task's tags (the sweep). */
  readonly team?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly containers: readonly RunningContainer[];
}

/** Vulnerability severities as ECR and Inspector name them, worst first. */
export const VULNERABILITY_SEVERITIES = [
  'CRITICAL',
  'HIGH',
  'MEDIUM',
  'LOW',
  'INFORMATIONAL',
  'UNDEFINED',
  'UNTRIAGED',
] as const;
export type VulnerabilitySeverity = (typeof VULNERABILITY_SEVERITIES)[number];

/** A vulnerability Inspector reports on an image (`Inspector2 Finding`). */
export interface ImageVulnerability {
  readonly id: string;
  readonly severity: VulnerabilitySeverity;
}

/** What the scans say about one image digest: counts per severity and the vulnerability ids known. */
export interface ImageScanFacts {
  readonly repository: string;
  readonly digest: string;
  /** Counts per severity: the basic scan's counts, or the active Inspector findings counted. */
  readonly counts: Readonly<Partial<Record<VulnerabilitySeverity, number>>>;
  /** Active Inspector findings (basic scanning reports counts only). */
  readonly vulnerabilities: readonly ImageVulnerability[];
  /** When the latest scan result was reported. */
  readonly scannedAt: string;
}

/** A severity string from a scan -> one of ours (anything unknown is UNDEFINED, never dropped). */
export function vulnerabilitySeverityOf(s: string | null | undefined): VulnerabilitySeverity {
  const u = (s ?? '').toUpperCase();
  return (VULNERABILITY_SEVERITIES as readonly string[]).includes(u)
    ? (u as VulnerabilitySeverity)
    : 'UNDEFINED';
}
