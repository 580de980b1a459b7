/**
 * Which form a JSON value is, named in messages: an EventBridge event, a CloudTrail record (bare, in an
 * array, in a log file), `lookup-events` output, a task definition (`register-task-definition` input,
 * `describe-task-definition` output) or a `create-service` input. The API forms become the CloudTrail
 * record of the call they describe (RegisterTaskDefinition, CreateService), so the same normalizers,
 * rules, policy and exemptions apply. Anything else is "not an event", listing what is expected.
 */
import { isCloudTrailRecord } from '../shared/events/cloudtrail-record';

export type RecordForm =
  | 'CloudTrail record'
  | 'lookup-events output'
  | 'task definition'
  | 'describe-task-definition output'
  | 'create-service input';

/** An input that becomes a CloudTrail record: `prefix` is where the user's own fields sit in it. */
export interface RecordInput {
  readonly record: Record<string, unknown>;
  readonly form: RecordForm;
  /** The path in the parsed event of what the user's file calls its top level (`detail.requestParameters`). */
  readonly prefix: string;
}

export type FormItem =
  | { readonly label: string; readonly value: unknown }
  | ({ readonly label: string } & RecordInput)
  | { readonly label: string; readonly error: string };

export const EXPECTED_FORMS =
  'expected an EventBridge event, a CloudTrail record or log file, lookup-events output, a task definition, ' +
  'a create-service input, a CloudFormation template or a Terraform plan';

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** The call a JSON API input stands for, made by nobody known, at no known time, in no known place. */
function apiCall(
  eventName: string,
  requestParameters: unknown,
  responseElements: unknown,
): Record<string, unknown> {
  return { eventSource: 'ecs.amazonaws.com', eventName, requestParameters, responseElements };
}

/** `Events[i]` of `lookup-events` output: its `CloudTrailEvent` string is the record. */
export function lookupEventItem(element: unknown, label: string): FormItem {
  const form = 'lookup-events output';
  if (!isObject(element) || typeof element.CloudTrailEvent !== 'string')
    return { label, error: `${form}: CloudTrailEvent: missing or not a string` };
  let record: unknown;
  try {
    record = JSON.parse(element.CloudTrailEvent);
  } catch {
    return { label, error: `${form}: CloudTrailEvent: not valid JSON` };
  }
  if (!isCloudTrailRecord(record))
    return { label, error: `${form}: CloudTrailEvent: not a CloudTrail record (no eventSource/eventName)` };
  return { label, record: record as Record<string, unknown>, form, prefix: 'detail' };
}

/** One JSON value read from an input -> the items it holds (several for `lookup-events` output). */
export function* formItems(value: unknown, label: string): Generator<FormItem> {
  // Not an object: the event parser names what it is.
  if (!isObject(value) || 'detail-type' in value || isObject(value.Data)) {
    yield { label, value };
    return;
  }
  if (isCloudTrailRecord(value)) {
    yield { label, record: value, form: 'CloudTrail record', prefix: 'detail' };
    return;
  }
  if (Array.isArray(value.Events)) {
    for (let i = 0; i < value.Events.length; i++)
      yield lookupEventItem(value.Events[i], `${label}:Events[${i}]`);
    return;
  }
  if (isObject(value.taskDefinition) && 'containerDefinitions' in value.taskDefinition) {
    // describe-task-definition output (`--include TAGS` adds `tags` beside it): ECS's own answer.
    const response = {
      taskDefinition: value.taskDefinition,
      ...('tags' in value ? { tags: value.tags } : {}),
    };
    yield {
      label,
      record: apiCall('RegisterTaskDefinition', null, response),
      form: 'describe-task-definition output',
      prefix: 'detail.responseElements',
    };
    return;
  }
  if ('family' in value && 'containerDefinitions' in value) {
    // register-task-definition input (`--cli-input-json`): the request.
    yield {
      label,
      record: apiCall('RegisterTaskDefinition', value, null),
      form: 'task definition',
      prefix: 'detail.requestParameters',
    };
    return;
  }
  if ('serviceName' in value && !('serviceArn' in value)) {
    yield {
      label,
      record: apiCall('CreateService', value, null),
      form: 'create-service input',
      prefix: 'detail.requestParameters',
    };
    return;
  }
  yield { label, error: `not an event: no form recognised (${EXPECTED_FORMS})` };
}
