/** Helpers shared by the workload rules (svc-*, taskset-*, task-*). */
import type { Evidence } from '../../model/finding';
import type { AwsVpcConfiguration } from '../../model/resources';

export function publicIpEvidence(network: AwsVpcConfiguration | undefined, what: string): Evidence[] {
  return network?.assignPublicIp === 'ENABLED'
    ? [
        {
          path: 'networkConfiguration.awsvpcConfiguration.assignPublicIp',
          message: `${what} assigns a public IP (assignPublicIp ENABLED)`,
        },
      ]
    : [];
}

/** `1.3.0` < `1.4.0`; non-numeric parts compare as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
