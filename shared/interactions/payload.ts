/**
 * Slack's interaction payloads (the `payload` field of an application/x-www-form-urlencoded POST): a
 * button press (`block_actions`) and the Exempt modal's submission (`view_submission`). Validated with
 * valibot on the fields read, other fields ignored; anything else is a SlackPayloadError naming the path
 * and the problem, never a value (a payload may carry message text from anywhere).
 */
import * as v from 'valibot';
import { GuardrailError } from '../base/errors';

export class SlackPayloadError extends GuardrailError {
  override readonly name = 'SlackPayloadError';
  constructor(
    readonly problem: string,
    readonly path?: string,
  ) {
    super(path ? `Slack payload: ${path}: ${problem}` : `Slack payload: ${problem}`);
  }
}

const SLACK_ID = /^[A-Z][A-Z0-9]{2,20}$/;
const Id = v.pipe(v.string(), v.regex(SLACK_ID, 'is not a Slack id'));
/** A finding id as the engine makes it (32 hex characters). */
export const FINDING_ID = /^[0-9a-f]{32}$/;

const Team = v.object({ id: Id });
const User = v.object({ id: Id, team_id: v.optional(Id) });
const ResponseUrl = v.pipe(v.string(), v.maxLength(2048), v.url('is not a URL'));

const BlockActionsSchema = v.object({
  type: v.literal('block_actions'),
  team: Team,
  user: User,
  trigger_id: v.optional(v.pipe(v.string(), v.maxLength(256))),
  response_url: v.optional(ResponseUrl),
  actions: v.pipe(
    v.array(
      v.object({
        action_id: v.pipe(v.string(), v.maxLength(255)),
        value: v.optional(v.pipe(v.string(), v.maxLength(2000))),
      }),
    ),
    v.minLength(1, 'has no action'),
  ),
});

const InputValue = v.object({
  value: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(3000)))),
  selected_date: v.optional(v.nullable(v.string())),
  selected_option: v.optional(v.nullable(v.object({ value: v.pipe(v.string(), v.maxLength(150)) }))),
});

const ViewSubmissionSchema = v.object({
  type: v.literal('view_submission'),
  team: Team,
  user: User,
  view: v.object({
    callback_id: v.pipe(v.string(), v.maxLength(255)),
    private_metadata: v.optional(v.pipe(v.string(), v.maxLength(3000))),
    state: v.object({ values: v.record(v.string(), v.record(v.string(), InputValue)) }),
  }),
});

export type BlockActions = v.InferOutput<typeof BlockActionsSchema>;
export type ViewSubmission = v.InferOutput<typeof ViewSubmissionSchema>;
export type Interaction = BlockActions | ViewSubmission;

const InteractionSchema = v.variant('type', [BlockActionsSchema, ViewSubmissionSchema]);

/** The largest body Slack sends for an interaction is far below this: anything bigger is refused unread. */
export const MAX_BODY_BYTES = 256 * 1024;

/** The interaction in a form-encoded body; SlackPayloadError for anything else. */
export function parseInteraction(body: string): Interaction {
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new SlackPayloadError('body too large');
  const raw = new URLSearchParams(body).get('payload');
  if (raw === null) throw new SlackPayloadError('missing', 'payload');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new SlackPayloadError('is not JSON', 'payload');
  }
  const r = v.safeParse(InteractionSchema, json);
  if (!r.success) {
    const issue = r.issues[0];
    const path = v.getDotPath(issue);
    throw new SlackPayloadError(
      issue.kind === 'schema' && issue.received !== undefined
        ? `expected ${issue.expected ?? 'another value'}`
        : issue.message.replace(/:.*$/, ''),
      path ? `payload.${path}` : 'payload',
    );
  }
  return r.output;
}
