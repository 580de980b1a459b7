/**
 * Wiring of a Remediator on the AWS SDK: cross-account credentials from the policy, ECS clients with
 * bounded retries, and the budget and audit log in DynamoDB (Lambdas: pass the state table) or in
 * memory (the CLI). Import this module lazily: it loads the ECS, STS and DynamoDB clients.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECSClientConfig } from '@aws-sdk/client-ecs';
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { DEFAULT_REMEDIATION_POLICY } from '../policy/document';
import type { Policy } from '../policy/types';
import { MemoryAuditLog, type AuditLog } from '../store/audit';
import { MemoryBudget, type RemediationBudget } from '../store/budget';
import { AwsRemediationClients } from './clients';
import { CrossAccountCredentials } from '../aws/credentials';
import { DynamoDbAuditLog } from '../store/dynamodb-audit';
import { DynamoDbBudget } from '../store/dynamodb-budget';
import { Remediator, type RemediatorOptions } from './remediator';

export interface AwsRemediatorOptions {
  readonly policy: Policy;
  /** The state table (budget and audit items); without it both are kept in memory. */
  readonly tableName?: string;
  readonly dynamodb?: DynamoDBClient;
  readonly sts?: STSClient;
  /** Region of the STS client (default: the SDK's, e.g. AWS_REGION). */
  readonly region?: string;
  /** Extra ECS client configuration (tests: endpoint and credentials). */
  readonly ecsConfig?: Partial<ECSClientConfig>;
  readonly stsConfig?: Partial<STSClientConfig>;
  /** Skip GetCallerIdentity when the home account is known. */
  readonly homeAccount?: string;
  /** SDK attempts per remediation call (default 2). */
  readonly maxAttempts?: number;
  readonly actionParams?: RemediatorOptions['actionParams'];
  readonly logger?: RemediatorOptions['logger'];
  readonly now?: () => Date;
}

export interface AwsRemediator {
  readonly remediator: Remediator;
  readonly clients: AwsRemediationClients;
  readonly credentials: CrossAccountCredentials;
  readonly budget: RemediationBudget;
  readonly audit: AuditLog;
}

export function createAwsRemediator(options: AwsRemediatorOptions): AwsRemediator {
  const settings = options.policy.remediation ?? DEFAULT_REMEDIATION_POLICY;
  const sts =
    options.sts ??
    new STSClient({
      ...options.stsConfig,
      ...(options.region ? { region: options.region } : {}),
      maxAttempts: options.maxAttempts ?? 2,
    });
  const credentials = new CrossAccountCredentials({
    sts,
    ...(settings.roleName ? { roleName: settings.roleName } : {}),
    ...(settings.externalId ? { externalId: settings.externalId } : {}),
    ...(settings.allowAccounts ? { allowAccounts: settings.allowAccounts } : {}),
    ...(options.homeAccount ? { homeAccount: options.homeAccount } : {}),
  });
  const clients = new AwsRemediationClients({
    credentials,
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.ecsConfig ? { clientConfig: options.ecsConfig } : {}),
  });
  let budget: RemediationBudget;
  let audit: AuditLog;
  if (options.tableName) {
    const client = options.dynamodb ?? new DynamoDBClient({});
    budget = new DynamoDbBudget({ client, tableName: options.tableName });
    audit = new DynamoDbAuditLog({ client, tableName: options.tableName });
  } else {
    budget = new MemoryBudget();
    audit = new MemoryAuditLog();
  }
  const remediator = new Remediator({
    policy: options.policy,
    clients,
    budget,
    audit,
    ...(options.actionParams ? { actionParams: options.actionParams } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return { remediator, clients, credentials, budget, audit };
}

/**
 * For the Lambda pipeline: the Remediator on the state table (`GUARDRAIL_TABLE`). Import this module
 * lazily (`await import(...)`) so handlers that never remediate do not load the ECS, STS and DynamoDB
 * clients at cold start.
 */
export function createPipelineRemediator(
  options: AwsRemediatorOptions & { readonly tableName: string },
): Remediator {
  return createAwsRemediator(options).remediator;
}
