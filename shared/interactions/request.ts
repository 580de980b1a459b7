/**
 * One HTTP request from Slack to the interactivity endpoint (functions/slack-interactions.ts), answered
 * within Slack's 3 seconds: the work itself is queued (./jobs.ts) for the worker.
 *
 *   1. signature: `v0` HMAC-SHA256 over `v0:<timestamp>:<raw body>` with the signing secret, constant-time
 *      compare, timestamp within 5 minutes (notify/channels/slack/signature.ts); then the replay guard: a
 *      signature seen before is refused. Any failure: 401, logged with the check that failed only.
 *   2. payload: a button press or the Exempt modal's submission (./payload.ts); anything else: 400.
 *   3. who: the workspace and the user's allow-list for the action (./authorize.ts). A refusal is queued
 *      too, so the worker audits it and tells the user; nothing else happens.
 *   4. Exempt opens its modal now (views.open needs the trigger_id within 3 s); its submission is
 *      checked (./exempt-modal.ts) and queued. Every other press is queued as it is.
 */
import type { Finding } from '../model/finding';
import type { Logger } from '../model/logger';
import type { SlackAction, SlackInteractivity } from '../plugins/channels/slack';
import { parseActionId } from '../notify/channels/slack/buttons';
import {
  SIGNATURE_MAX_AGE_SECONDS,
  SlackSignatureError,
  verifySlackSignature,
  type Headers,
} from '../notify/channels/slack/signature';
import type { SlackInteractionStore } from '../store/slack-interactions';
import { authorize, type GroupMembers } from './authorize';
import { EXEMPT_CALLBACK_ID, exemptModal, readExemptSubmission } from './exempt-modal';
import type { SlackJob, SlackJobQueue } from './jobs';
import {
  FINDING_ID,
  parseInteraction,
  SlackPayloadError,
  type BlockActions,
  type ViewSubmission,
} from './payload';

export interface HttpRequest {
  readonly headers: Headers;
  readonly body: string;
  readonly isBase64Encoded?: boolean;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

export interface SlackRequestDeps {
  readonly signingSecret: () => Promise<string>;
  readonly interactivity: SlackInteractivity;
  readonly replays: Pick<SlackInteractionStore, 'firstSighting'>;
  readonly queue: SlackJobQueue;
  /** Reads a finding for the Exempt modal (its containers). */
  readonly finding: (findingId: string) => Promise<Finding | undefined>;
  /** views.open with the bot token; absent: no bot token, Exempt cannot open its modal. */
  readonly openView?: (triggerId: string, view: Record<string, unknown>) => Promise<void>;
  readonly groupMembers?: GroupMembers;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  readonly now?: () => number;
}

const json = (statusCode: number, body: unknown): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: body === '' ? '' : JSON.stringify(body),
});
const EMPTY: HttpResponse = { statusCode: 200, body: '' };
const lower = (h: Headers): Headers =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

export async function handleSlackRequest(req: HttpRequest, deps: SlackRequestDeps): Promise<HttpResponse> {
  const nowMs = (deps.now ?? Date.now)();
  const body = req.isBase64Encoded ? Buffer.from(req.body, 'base64').toString('utf8') : req.body;
  let requestId: string;
  try {
    requestId = verifySlackSignature(lower(req.headers), body, await deps.signingSecret(), nowMs);
    // Twice the window: a replay is refused as long as its timestamp could pass the check.
    if (!(await deps.replays.firstSighting(requestId, nowMs + 2 * SIGNATURE_MAX_AGE_SECONDS * 1000)))
      throw new SlackSignatureError('replayed request');
  } catch (err) {
    if (err instanceof SlackSignatureError) {
      deps.logger.warn('Slack request refused', { problem: err.problem });
      return json(401, { error: 'unauthorized' });
    }
    throw err;
  }

  let interaction;
  try {
    interaction = parseInteraction(body);
  } catch (err) {
    if (err instanceof SlackPayloadError) {
      deps.logger.warn('Slack payload refused', {
        problem: err.problem,
        ...(err.path ? { path: err.path } : {}),
      });
      return json(400, { error: 'bad payload' });
    }
    throw err;
  }
  const at = new Date(nowMs).toISOString();
  return interaction.type === 'block_actions'
    ? pressed(interaction, requestId, at, deps)
    : submitted(interaction, requestId, at, deps);
}

async function pressed(
  p: BlockActions,
  requestId: string,
  at: string,
  deps: SlackRequestDeps,
): Promise<HttpResponse> {
  const a = p.actions[0]!;
  const press = parseActionId(a.action_id);
  if (!press || !a.value || !FINDING_ID.test(a.value)) {
    // A button of another app or the console link: nothing to do.
    deps.logger.info('Slack action ignored', { reason: 'not a guardrail button' });
    return EMPTY;
  }
  const base = {
    requestId,
    at,
    team: p.team.id,
    user: p.user.id,
    action: press.action,
    findingId: a.value,
    ...(p.response_url ? { responseUrl: p.response_url } : {}),
    ...(press.days !== undefined ? { days: press.days } : {}),
  } satisfies SlackJob;
  const verdict = await authorize(deps.interactivity, p.team.id, p.user.id, press.action, deps.groupMembers);
  if (!verdict.allowed) {
    await deps.queue.send({ ...base, refused: verdict.why });
    return EMPTY;
  }
  if (press.action === 'exempt') {
    const finding = await deps.finding(a.value);
    if (!deps.openView || !p.trigger_id || !finding) {
      await deps.queue.send({
        ...base,
        refused: !finding ? 'the finding is no longer recorded' : 'Exempt needs the bot token (views.open)',
      });
      return EMPTY;
    }
    try {
      await deps.openView(
        p.trigger_id,
        exemptModal(
          finding,
          { findingId: a.value, ...(p.response_url ? { responseUrl: p.response_url } : {}) },
          new Date(at),
        ),
      );
    } catch (err) {
      // e.g. expired_trigger_id (more than 3 s since the press) or a revoked token: the user is told why.
      deps.logger.warn('Slack refused to open the Exempt form', {
        errorType: err instanceof Error ? err.name : 'NonError',
      });
      await deps.queue.send({ ...base, refused: 'Slack could not open the Exempt form; press Exempt again' });
    }
    return EMPTY;
  }
  await deps.queue.send(base);
  return EMPTY;
}

async function submitted(
  v: ViewSubmission,
  requestId: string,
  at: string,
  deps: SlackRequestDeps,
): Promise<HttpResponse> {
  if (v.view.callback_id !== EXEMPT_CALLBACK_ID) return EMPTY;
  const read = readExemptSubmission(v.view, new Date(at));
  if (!read.ok) return json(200, { response_action: 'errors', errors: read.errors });
  const action: SlackAction = 'exempt';
  const job: SlackJob = {
    requestId,
    at,
    team: v.team.id,
    user: v.user.id,
    action,
    findingId: read.metadata.findingId,
    ...(read.metadata.responseUrl ? { responseUrl: read.metadata.responseUrl } : {}),
    exemption: read.choice,
  };
  // Checked again: the list may have changed since the modal opened, and a submission can be forged.
  const verdict = await authorize(deps.interactivity, v.team.id, v.user.id, action, deps.groupMembers);
  await deps.queue.send(verdict.allowed ? job : { ...job, refused: verdict.why });
  return EMPTY;
}
