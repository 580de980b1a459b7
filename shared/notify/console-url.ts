/** A link to the resource in the AWS console (ECS console v2 paths). */
import { partitionOf } from '../model/arn';

function consoleHost(region: string): string {
  const p = partitionOf(region);
  if (p === 'aws-cn') return 'console.amazonaws.cn';
  if (p === 'aws-us-gov') return 'console.amazonaws-us-gov.com';
  return `${region}.console.aws.amazon.com`;
}

export function consoleUrl(resourceType: string, arn: string, region: string): string {
  const base = `https://${consoleHost(region)}/ecs/v2`;
  const q = `?region=${encodeURIComponent(region)}`;
  const path = arn.split(':').slice(5).join(':'); // e.g. service/prod/web
  const seg = path.split('/').map(encodeURIComponent);
  switch (resourceType) {
    case 'AWS::ECS::TaskDefinition': {
      const [family = '', rev = ''] = (seg[1] ?? '').split('%3A');
      return rev
        ? `${base}/task-definitions/${family}/${rev}/containers${q}`
        : `${base}/task-definitions/${family}${q}`;
    }
    case 'AWS::ECS::Service':
      return seg.length >= 3
        ? `${base}/clusters/${seg[1]}/services/${seg[2]}/health${q}`
        : `${base}/clusters${q}`;
    case 'AWS::ECS::Task':
      return seg.length >= 3
        ? `${base}/clusters/${seg[1]}/tasks/${seg[2]}/configuration${q}`
        : `${base}/clusters${q}`;
    case 'AWS::ECS::Cluster':
      return `${base}/clusters/${seg[1] ?? ''}/services${q}`;
    case 'AWS::ECS::ContainerInstance':
      return seg.length >= 3
        ? `${base}/clusters/${seg[1]}/infrastructure/container-instances/${seg[2]}${q}`
        : `${base}/clusters${q}`;
    default:
      return `${base}/clusters${q}`;
  }
}
