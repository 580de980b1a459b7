/**
 * `guardrail redrive --queue <dlq-url> --to <outbox-url>`: move dead-lettered notifications back to the
 * outbox (docs/notifications.md). Each message keeps its body and attributes, so the notifier delivers
 * it only to the channels that still lack it. Prints one line per message with the failure it carried.
 *
 * Exit codes: 0 every message received was moved (or listed with --dry-run); 1 some could not be sent to
 * the outbox (they stay in the DLQ); 3 usage error.
 */
import { parseArgs } from 'node:util';
import { redrive, type RedrivenMessage } from '../shared/notify/redrive';
import type { Io } from './evaluate-command';
import { GuardrailError } from '../shared/base/errors';

export const REDRIVE_USAGE = `Usage:
  guardrail redrive --queue DLQ_URL --to OUTBOX_URL [--max N]
  guardrail redrive --queue DLQ_URL --dry-run [--max N]

Moves dead-lettered notifications from the outbox DLQ back to the outbox queue, with their original
body and attributes; the notifier then delivers each only to the channels that do not have it yet.
  --queue DLQ_URL     the outbox dead-letter queue (stack output OutboxDlqUrl)
  --to OUTBOX_URL     the outbox queue (stack output OutboxQueueUrl)
  --max N             move at most N messages (default: until the DLQ is empty)
  --dry-run           list the messages and their last error without moving them (--to not needed)
Region and credentials: the usual AWS_REGION / AWS_PROFILE environment.
Alternative without this tool:
  aws sqs start-message-move-task --source-arn DLQ_ARN --destination-arn OUTBOX_ARN

Exit codes: 0 moved (or listed), 1 some messages could not be moved, 3 usage error.
`;

class RedriveUsageError extends GuardrailError {
  override readonly name = 'UsageError';
}

const SQS_URL = /^https?:\/\/\S+\/\d{12}\/[\w-]{1,80}(\.fifo)?$/;

function line(m: RedrivenMessage, verb: string): string {
  const f = m.failure;
  const failure = f
    ? ` last error ${f.error}${f.status !== undefined ? ` (HTTP ${f.status})` : ''} on ${f.channels.join(', ') || 'the message itself'} after ${f.receiveCount} receive(s) at ${f.at}`
    : ' (no failure recorded: dead-lettered by the queue redrive policy)';
  return `${verb} ${m.messageId} finding ${m.findingId ?? '?'} ${m.kind ?? 'opened'}:${failure}\n`;
}

export async function runRedriveCommand(argv: readonly string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        queue: { type: 'string' },
        to: { type: 'string' },
        max: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
    if (values.help) {
      io.stdout(REDRIVE_USAGE);
      return 0;
    }
    if (!values.queue || !SQS_URL.test(values.queue))
      throw new RedriveUsageError('--queue must be the URL of the outbox DLQ');
    // Listing reads the DLQ only: the outbox is needed to move.
    if ((values.to !== undefined || !values['dry-run']) && (!values.to || !SQS_URL.test(values.to)))
      throw new RedriveUsageError('--to must be the URL of the outbox');
    if (values.queue === values.to) throw new RedriveUsageError('--queue and --to must be different queues');
    if (values.max !== undefined && !/^[1-9]\d{0,6}$/.test(values.max))
      throw new RedriveUsageError('--max must be a positive whole number');
  } catch (err) {
    if (err instanceof RedriveUsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`guardrail redrive: ${(err as Error).message}\n\n${REDRIVE_USAGE}`);
      return 3;
    }
    throw err;
  }
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  const dryRun = values['dry-run'];
  const result = await redrive({
    client: new SQSClient({}),
    from: values.queue,
    ...(values.to !== undefined ? { to: values.to } : {}),
    ...(values.max !== undefined ? { max: Number(values.max) } : {}),
    dryRun,
    onMessage: (m) => io.stdout(line(m, dryRun ? 'would move' : 'moved')),
  });
  io.stderr(
    dryRun
      ? `guardrail redrive: ${result.listed} message(s) in the DLQ (nothing moved)\n`
      : `guardrail redrive: moved ${result.moved} message(s)${result.failed ? `, ${result.failed} could not be moved (still in the DLQ)` : ''}\n`,
  );
  return result.failed ? 1 : 0;
}
