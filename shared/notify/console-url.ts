/**
 * A link to the resource in the AWS console (ECS console v2 paths). The host comes from a fixed table per
 * partition and a region that passed validation, never from raw text: a region such as `evil.com/#` or
 * `us-east-1.evil.com`, an ARN of another partition, or a partition without a public console (ISO) gives
 * no link at all (the Slack message then has no button).
 */
import { partitionOf } from '../model/arn';

/** AWS region names: `us-east-1`, `us-gov-west-1`, `cn-north-1`, `us-iso-east-1`, `eu-central-2`. */
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

const CONSOLE_HOST: Readonly<Record<string, (region: string) => string>> = {
  aws: (region) => `${region}.console.aws.amazon.com`,
  'aws-cn': () => 'console.amazonaws.cn',
  'aws-us-gov': () => 'console.amazonaws-us-gov.com',
};

export function isRegionName(region: string): boolean {
  return REGION.test(region);
}

/** The console URL, or undefined when the region or the ARN's partition cannot be trusted. */
export function consoleUrl(resourceType: string, arn: string, region: string): string | undefined {
  if (!isRegionName(region) || region.includes('-iso')) return undefined;
  const partition = partitionOf(region);
  const host = CONSOLE_HOST[partition];
  const parts = arn.split(':');
  if (!host || parts[0] !== 'arn' || parts[1] !== partition || parts.length < 6) return undefined;
  const base = `https://${host(region)}/ecs/v2`;
  const q = `?region=${encodeURIComponent(region)}`;
  const seg = parts.slice(5).join(':').split('/').map(encodeURIComponent); // e.g. service/prod/web
  const url = new URL(`${base}${pathOf(resourceType, seg)}${q}`);
  // Belt and braces: whatever the path holds, the link goes to the console host.
  return url.host === host(region) && url.protocol === 'https:' ? url.toString() : undefined;
}

function pathOf(resourceType: string, seg: readonly string[]): string {
  switch (resourceType) {
    case 'AWS::ECS::TaskDefinition': {
      const [family = '', rev = ''] = (seg[1] ?? '').split('%3A');
      return rev ? `/task-definitions/${family}/${rev}/containers` : `/task-definitions/${family}`;
    }
    case 'AWS::ECS::Service':
      return seg.length >= 3 ? `/clusters/${seg[1]}/services/${seg[2]}/health` : '/clusters';
    case 'AWS::ECS::Task':
      return seg.length >= 3 ? `/clusters/${seg[1]}/tasks/${seg[2]}/configuration` : '/clusters';
    case 'AWS::ECS::Cluster':
      return `/clusters/${seg[1] ?? ''}/services`;
    case 'AWS::ECS::ContainerInstance':
      return seg.length >= 3
        ? `/clusters/${seg[1]}/infrastructure/container-instances/${seg[2]}`
        : '/clusters';
    default:
      return '/clusters';
  }
}
