/**
 * A task role's policies (IAM): ListAttachedRolePolicies + GetPolicy + GetPolicyVersion (the default
 * version) for the managed ones, ListRolePolicies + GetRolePolicy for the inline ones, every list
 * paginated. IAM returns policy documents URL-encoded (RFC 3986). Loaded on first use: it pulls in the
 * IAM SDK. Policies are mutable, so callers cache the answer for a bounded time only (enricher.ts).
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  IAMClient,
  type IAMClientConfig,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
} from '@aws-sdk/client-iam';
import { EnrichmentError } from '../engine/enrich';
import type { RolePolicy, TaskRolePolicies } from '../model/resources';
import { guarded } from './errors';
import { boundedPages } from './pages';
import { parsePolicyDocument } from './iam-policy-document';

export function createIamClient(config: IAMClientConfig): IAMClient {
  return new IAMClient(config);
}

/** `arn:aws:iam::123456789012:role/path/name` -> `name` (the API takes the name, never the path). */
export function roleNameOf(roleArn: string): string | undefined {
  const m = /^arn:[\w-]+:iam::\d{12}:role\/(?:[^/]+\/)*([\w+=,.@-]{1,64})$/.exec(roleArn);
  return m?.[1];
}

/** Policies of the role; `exists: false` when IAM says the role does not exist. */
export async function readRolePolicies(
  iam: IAMClient,
  roleArn: string,
  options: { readonly concurrency?: number } = {},
): Promise<TaskRolePolicies> {
  const roleName = roleNameOf(roleArn);
  if (!roleName)
    throw new EnrichmentError('iam:GetRole', 'InvalidRoleArn', false, `taskRoleArn is not an IAM role ARN`);
  const missing = { roleArn, exists: false, policies: [] } satisfies TaskRolePolicies;
  let attached: { arn: string; name: string }[];
  let inline: string[];
  try {
    [attached, inline] = await Promise.all([listAttached(iam, roleName), listInline(iam, roleName)]);
  } catch (err) {
    if (err instanceof EnrichmentError && isNoSuchEntity(err.code)) return missing;
    throw err;
  }
  const policies: RolePolicy[] = [];
  // A role has at most 20 managed policies (quota) and inline policies of 10,240 characters in all;
  // read them a few at a time.
  const jobs: (() => Promise<RolePolicy | undefined>)[] = [
    ...inline.map((name) => () => inlinePolicy(iam, roleName, name)),
    ...attached.map((p) => () => managedPolicy(iam, p.arn, p.name)),
  ];
  const width = Math.max(1, options.concurrency ?? 4);
  for (let i = 0; i < jobs.length; i += width) {
    const done = await Promise.all(jobs.slice(i, i + width).map((j) => j()));
    for (const p of done) if (p) policies.push(p);
  }
  return { roleArn, exists: true, policies };
}

async function listAttached(iam: IAMClient, roleName: string): Promise<{ arn: string; name: string }[]> {
  const out: { arn: string; name: string }[] = [];
  await guarded('iam:ListAttachedRolePolicies', roleName, async () => {
    const pages = paginateListAttachedRolePolicies(
      { client: iam, stopOnSameToken: true },
      { RoleName: roleName },
    );
    for await (const page of boundedPages(pages, 'iam:ListAttachedRolePolicies', roleName))
      for (const p of page.AttachedPolicies ?? [])
        if (p.PolicyArn) out.push({ arn: p.PolicyArn, name: p.PolicyName ?? p.PolicyArn });
  });
  return out;
}

async function listInline(iam: IAMClient, roleName: string): Promise<string[]> {
  const out: string[] = [];
  await guarded('iam:ListRolePolicies', roleName, async () => {
    const pages = paginateListRolePolicies({ client: iam, stopOnSameToken: true }, { RoleName: roleName });
    for await (const page of boundedPages(pages, 'iam:ListRolePolicies', roleName))
      out.push(...(page.PolicyNames ?? []));
  });
  return out;
}

/** An inline policy deleted between the list and the read is simply gone (undefined). */
async function inlinePolicy(iam: IAMClient, roleName: string, name: string): Promise<RolePolicy | undefined> {
  const op = 'iam:GetRolePolicy';
  const out = await orGone(
    guarded(op, `${roleName}/${name}`, () =>
      iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })),
    ),
  );
  if (!out) return undefined;
  return {
    name,
    source: 'inline',
    statements: parsePolicyDocument(out.PolicyDocument, op, `inline policy of ${roleName}`),
  };
}

async function managedPolicy(iam: IAMClient, arn: string, name: string): Promise<RolePolicy | undefined> {
  const policy = await orGone(
    guarded('iam:GetPolicy', arn, () => iam.send(new GetPolicyCommand({ PolicyArn: arn }))),
  );
  const versionId = policy?.Policy?.DefaultVersionId;
  if (!versionId) return undefined;
  const op = 'iam:GetPolicyVersion';
  const version = await orGone(
    guarded(op, arn, () => iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }))),
  );
  if (!version) return undefined;
  return {
    name,
    source: 'attached',
    arn,
    statements: parsePolicyDocument(version.PolicyVersion?.Document, op, `managed policy ${name}`),
  };
}

async function orGone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof EnrichmentError && isNoSuchEntity(err.code)) return undefined;
    throw err;
  }
}

/** SDK v3 names the error NoSuchEntityException; the wire code is NoSuchEntity. */
function isNoSuchEntity(code: string): boolean {
  return code === 'NoSuchEntityException' || code === 'NoSuchEntity';
}
