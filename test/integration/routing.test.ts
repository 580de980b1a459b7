/**
 * Routing: the real EventBridge patterns of infra/event-patterns.json (the ones serverless.yml deploys)
 * are created as rules on moto's default bus, one SQS queue per function as the target. Every fixture
 * event of the corpus (test/fixtures/events/README.md) is put on the bus and must
 * reach exactly the function(s) of the table below, once, and no other.
 *
 * moto limits (docs/local-pipeline.md): it ignores the rule State, so the read-only
 * delivery of the throttling rule (ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS) is asserted on the
 * generated template in package.test.ts, not here; and it cannot match into arrays of objects, which
 * none of our patterns does (asserted below), so no local matcher is needed.
 */
import { EventBridgeClient, PutEventsCommand, type RuleState } from '@aws-sdk/client-eventbridge';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import patterns from '../../infra/event-patterns.json';
import { ECS_THROTTLE_EVENT_NAMES, THROTTLING_ERROR_CODES } from '../../shared/events/signals';
import { fixtureNames, loadFixture, loadSample } from '../helpers/fixtures';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { createRoutedQueues } from '../helpers/routed-queues';
import { runningFixture } from '../helpers/running-events';

const FUNCTIONS = ['ecs-state-change', 'cloudtrail-api-call', 'throttling', 'image-findings'] as const;
type Fn = (typeof FUNCTIONS)[number];

/** Rule state of each function's rule, as in infra/eventbridge.yml. */
const RULE_STATE: Record<Fn, RuleState> = {
  'ecs-state-change': 'ENABLED',
  'cloudtrail-api-call': 'ENABLED',
  throttling: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
  'image-findings': 'ENABLED',
};

const E: Fn = 'ecs-state-change';
const C: Fn = 'cloudtrail-api-call';
const T: Fn = 'throttling';
const I: Fn = 'image-findings';

/** Where each fixture must go. Empty: no function (nothing in it can produce a finding). */
const EXPECTED: Record<string, readonly Fn[]> = {
  // Successful ECS API calls the rules evaluate (docs/events.md).
  'cloudtrail-create-service-assign-public-ip.json': [C],
  'cloudtrail-create-task-set-assign-public-ip.json': [C],
  'cloudtrail-register-task-definition-compliant-fargate.json': [C],
  'cloudtrail-register-task-definition-huge-near-limits.json': [C],
  'cloudtrail-register-task-definition-privileged.json': [C],
  // Truncated parameters: the handler reports it incomplete or enriches; it must get the event.
  'cloudtrail-register-task-definition-truncated-omitted.json': [C],
  // RunTask without errorCode but no task started: the pattern cannot see that `tasks` is empty.
  'cloudtrail-run-task-placement-failure-no-errorcode.json': [C],
  'cloudtrail-run-task-public-ip-with-overrides.json': [C],
  'cloudtrail-start-task-ec2-privileged-taskdef.json': [C],
  'cloudtrail-update-service-assign-public-ip.json': [C],
  'cloudtrail-update-service-desired-count-only.json': [C],
  'cloudtrail-update-service-replayed-from-archive.json': [C],
  // The account default behind clusters created without a Container Insights setting (ECS.12).
  'cloudtrail-put-account-setting-container-insights-disabled.json': [C],
  // A failed call changed nothing, and its error code is not a throttle.
  'cloudtrail-create-service-invalid-parameter-null-response.json': [],
  // v2: write calls ops-change-outside-pipeline watches, and an ECS Exec session (task-exec-session).
  'cloudtrail-delete-service-force.json': [C],
  'cloudtrail-deregister-task-definition.json': [C],
  'cloudtrail-execute-command.json': [C],
  // ECS APIs that no rule evaluates.
  'cloudtrail-update-container-agent.json': [],
  // Throttled calls: ECS, EC2 (`Client.RequestLimitExceeded`), ELB (read-only).
  'cloudtrail-throttling-exception.json': [T],
  'cloudtrail-ec2-client-request-limit-exceeded.json': [T],
  'cloudtrail-elb-describe-target-health-throttled-readonly.json': [T],
  // ECS state events.
  'ecs-container-instance-state-change-active.json': [E],
  'ecs-task-state-change-legacy-bridge-no-attachments.json': [E],
  // Malformed: routed so the handler rejects it with a clear error (to the DLQ), never dropped silently.
  'ecs-task-state-change-malformed-missing-fields.json': [E],
  'ecs-task-state-change-provisioning-eni-precreated.json': [E],
  'ecs-task-state-change-running-awsvpc.json': [E],
  'ecs-task-state-change-running-ec2-awsvpc.json': [E],
  'ecs-task-state-change-stopped-duplicate-same-version.json': [E],
  'ecs-task-state-change-stopped-essential-container-exited.json': [E],
  // Deployments: only SERVICE_DEPLOYMENT_FAILED produces a finding (ops-deployment-failed).
  'ecs-deployment-state-change-failed-circuit-breaker.json': [E],
  'ecs-deployment-state-change-in-progress-rollback.json': [],
  // Service Actions: placement failures to ecs-state-change, scheduler throttles to throttling.
  'ecs-service-action-task-placement-failure-ec2-cpu.json': [E],
  'ecs-service-action-task-placement-failure-fargate-spot.json': [E],
  'ecs-service-action-operation-throttled.json': [T],
  'ecs-service-action-service-discovery-operation-throttled.json': [T],
  'ecs-service-action-capacity-provider-steady-state.json': [],
  'ecs-service-action-rebalancing-started-unknown-to-older-parsers.json': [],
  'ecs-service-action-steady-state.json': [],
};

interface BusEvent {
  source: string;
  'detail-type': string;
  time?: string;
  resources?: string[];
  detail: Record<string, unknown>;
}

function fixture(name: string): BusEvent {
  return loadFixture<BusEvent>(name);
}

/** A variant of a fixture (deep copy) for cases the fixtures do not cover. */
function derive(name: string, change: (e: BusEvent) => void): BusEvent {
  const e = fixture(name);
  change(e);
  return e;
}

const ECS_THROTTLE = 'cloudtrail-throttling-exception.json';
const ELB_THROTTLE = 'cloudtrail-elb-describe-target-health-throttled-readonly.json';
const CREATE_SERVICE = 'cloudtrail-create-service-assign-public-ip.json';
const TAGGED_SERVICE_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/prod/checkout-api';

/** Cases derived from the fixtures: every API name, throttle code and service the patterns name. */
const DERIVED: { name: string; event: BusEvent; expected: readonly Fn[] }[] = [
  // docs/running.md: the AWS documentation's scan events (test/fixtures/running/README.md).
  {
    name: 'ECR Image Scan (basic scanning, AWS example)',
    event: runningFixture('ecr-image-scan-basic') as BusEvent,
    expected: [I],
  },
  {
    name: 'ECR Image Scan that FAILED',
    event: ((e) => ({ ...e, detail: { ...e.detail, 'scan-status': 'FAILED' } }))(
      runningFixture('ecr-image-scan-basic') as BusEvent,
    ),
    expected: [],
  },
  {
    name: 'Inspector2 Finding on an ECR image (AWS example)',
    event: runningFixture('inspector2-finding-ecr-image') as BusEvent,
    expected: [I],
  },
  {
    // Package vulnerabilities of EC2 instances and Lambda functions reach it too (a pattern into the
    // resources array is not used: moto cannot test it); the handler reads only ECR images.
    name: 'Inspector2 Finding of another type (network reachability)',
    event: ((e) => {
      e.detail.type = 'NETWORK_REACHABILITY';
      return e as BusEvent;
    })(runningFixture('inspector2-finding-ecr-image')),
    expected: [],
  },
  ...['CreateCluster', 'UpdateCluster', 'UpdateClusterSettings'].map((eventName) => ({
    name: `successful ${eventName}`,
    event: derive(CREATE_SERVICE, (e) => {
      e.detail.eventName = eventName;
    }),
    expected: [C],
  })),
  // v2: capacity providers (cp-termination-protection-off), ECS Exec sessions (task-exec-session) and the
  // write calls of ops-change-outside-pipeline.
  ...[
    'CreateCapacityProvider',
    'UpdateCapacityProvider',
    'ExecuteCommand',
    'DeregisterTaskDefinition',
    'DeleteService',
    'UpdateTaskSet',
    'DeleteTaskSet',
    'StopTask',
    'DeleteCluster',
    'PutClusterCapacityProviders',
  ].map((eventName) => ({
    name: `successful ${eventName}`,
    event: derive(CREATE_SERVICE, (e) => {
      e.detail.eventName = eventName;
    }),
    expected: [C],
  })),
  {
    name: 'ExecuteCommand that failed (AccessDeniedException) opened no session: no function',
    event: derive('cloudtrail-execute-command.json', (e) => {
      e.detail.errorCode = 'AccessDeniedException';
      e.detail.responseElements = null;
    }),
    expected: [],
  },
  {
    name: 'an ECS API that no rule reads (read-only DescribeCapacityProviders): no function',
    event: derive(CREATE_SERVICE, (e) => {
      e.detail.eventName = 'DescribeCapacityProviders';
    }),
    expected: [],
  },
  ...[
    'ecs-task-state-change-stopped-cannot-pull-container.json',
    'ecs-task-state-change-stopped-out-of-memory.json',
    'cloudtrail-create-capacity-provider-termination-protection-disabled.json',
    'cloudtrail-update-cluster-exec-logging-none.json',
  ].map((sample) => ({
    name: `sample ${sample} (STOPPED tasks reach ecs-state-change)`,
    event: loadSample<BusEvent>(sample),
    expected: [sample.startsWith('ecs-') ? E : C],
  })),
  // The tag rules re-read a service, cluster or task definition whose tags changed (docs/events.md).
  ...['TagResource', 'UntagResource'].map((eventName) => ({
    name: `successful ${eventName}`,
    event: derive(CREATE_SERVICE, (e) => {
      e.detail.eventName = eventName;
      e.detail.requestParameters =
        eventName === 'TagResource'
          ? { resourceArn: TAGGED_SERVICE_ARN, tags: [{ key: 'team', value: 'payments' }] }
          : { resourceArn: TAGGED_SERVICE_ARN, tagKeys: ['team'] };
      e.detail.responseElements = null;
    }),
    expected: [C],
  })),
  {
    name: 'TagResource that failed with AccessDenied changed nothing: no function',
    event: derive(CREATE_SERVICE, (e) => {
      e.detail.eventName = 'TagResource';
      e.detail.errorCode = 'AccessDeniedException';
      e.detail.requestParameters = { resourceArn: TAGGED_SERVICE_ARN, tags: [] };
      e.detail.responseElements = null;
    }),
    expected: [],
  },
  {
    name: 'TagResource of another service (EC2 CreateTags is not TagResource of ECS)',
    event: derive(CREATE_SERVICE, (e) => {
      e.source = 'aws.ec2';
      e.detail.eventSource = 'ec2.amazonaws.com';
      e.detail.eventName = 'TagResource';
    }),
    expected: [],
  },
  {
    name: 'successful PutAccountSettingDefault',
    event: derive('cloudtrail-put-account-setting-container-insights-disabled.json', (e) => {
      e.detail.eventName = 'PutAccountSettingDefault';
    }),
    expected: [C],
  },
  {
    name: 'PutAccountSetting refused (AccessDeniedException) goes nowhere',
    event: derive('cloudtrail-put-account-setting-container-insights-disabled.json', (e) => {
      e.detail.errorCode = 'AccessDeniedException';
      e.detail.responseElements = null;
    }),
    expected: [],
  },
  {
    name: 'CreateService that failed with ThrottlingException goes to throttling only',
    event: derive(CREATE_SERVICE, (e) => {
      e.detail.errorCode = 'ThrottlingException';
      e.detail.errorMessage = 'Rate exceeded';
      e.detail.responseElements = null;
    }),
    expected: [T],
  },
  ...[...THROTTLING_ERROR_CODES].map((code) => ({
    name: `ECS call throttled with ${code}`,
    event: derive(ECS_THROTTLE, (e) => {
      e.detail.errorCode = code;
    }),
    expected: [T],
  })),
  {
    name: 'Cloud Map (servicediscovery) throttled read-only call',
    event: derive(ELB_THROTTLE, (e) => {
      e.source = 'aws.servicediscovery';
      e.detail.eventSource = 'servicediscovery.amazonaws.com';
      e.detail.eventName = 'DiscoverInstances';
    }),
    expected: [T],
  },
  {
    name: 'Application Auto Scaling throttled read-only call',
    event: derive(ELB_THROTTLE, (e) => {
      e.source = 'aws.application-autoscaling';
      e.detail.eventSource = 'application-autoscaling.amazonaws.com';
      e.detail.eventName = 'DescribeScalableTargets';
    }),
    expected: [T],
  },
  {
    name: 'throttled call of a service the guardrail does not watch (Lambda)',
    event: derive(ELB_THROTTLE, (e) => {
      e.source = 'aws.lambda';
      e.detail.eventSource = 'lambda.amazonaws.com';
      e.detail.eventName = 'GetFunction';
      e.detail.errorCode = 'TooManyRequestsException';
    }),
    expected: [],
  },
  {
    name: 'non-throttling error code (AccessDenied) on an ECS call',
    event: derive(ECS_THROTTLE, (e) => {
      e.detail.errorCode = 'AccessDenied';
    }),
    expected: [],
  },
  {
    name: 'error code that only starts like a throttle (prefix match would take it)',
    event: derive(ECS_THROTTLE, (e) => {
      e.detail.errorCode = 'ThrottlingExceptionX';
    }),
    expected: [],
  },
  {
    name: 'ECS Deployment State Change SERVICE_DEPLOYMENT_COMPLETED',
    event: derive('ecs-deployment-state-change-failed-circuit-breaker.json', (e) => {
      e.detail.eventName = 'SERVICE_DEPLOYMENT_COMPLETED';
      e.detail.eventType = 'INFO';
    }),
    expected: [],
  },
  {
    name: 'ECS Service Action SERVICE_DEPLOYMENT_FAILED (the finding comes from the Deployment event)',
    event: derive('ecs-service-action-steady-state.json', (e) => {
      e.detail.eventName = 'SERVICE_DEPLOYMENT_FAILED';
      e.detail.eventType = 'ERROR';
    }),
    expected: [],
  },
  {
    name: 'placement failure name under another source',
    event: derive('ecs-service-action-task-placement-failure-ec2-cpu.json', (e) => {
      e.source = 'aws.ec2';
    }),
    expected: [],
  },
];

describe('infra/event-patterns.json', () => {
  it('defines exactly one pattern per function, each under the 4096-character EventPattern limit', () => {
    expect(Object.keys(patterns).sort()).toEqual([...FUNCTIONS].sort());
    for (const fn of FUNCTIONS) expect(JSON.stringify(patterns[fn]).length).toBeLessThan(4096);
  });

  it('names exactly the throttling error codes and ECS throttle events the engine treats as throttles', () => {
    const api = patterns.throttling.$or.find((b) => b['detail-type'][0] === 'AWS API Call via CloudTrail');
    const svc = patterns.throttling.$or.find((b) => b['detail-type'][0] === 'ECS Service Action');
    expect(new Set(api?.detail && 'errorCode' in api.detail ? api.detail.errorCode : [])).toEqual(
      THROTTLING_ERROR_CODES,
    );
    expect(new Set(svc?.detail.eventName)).toEqual(ECS_THROTTLE_EVENT_NAMES);
  });

  it('never reaches into an array of objects (moto cannot match that; EventBridge can)', () => {
    // Every array in a pattern is a list of match values: strings or operator objects such as
    // {"exists": false}; `$or` is the only array of sub-patterns.
    const walk = (node: unknown, key: string): void => {
      if (Array.isArray(node)) {
        if (key === '$or') return node.forEach((n) => walk(n, ''));
        for (const v of node) {
          const ok = typeof v === 'string' || (typeof v === 'object' && v !== null && 'exists' in v);
          expect(ok, `${key}: ${JSON.stringify(v)}`).toBe(true);
        }
      } else if (typeof node === 'object' && node !== null) {
        for (const [k, v] of Object.entries(node)) walk(v, k);
      }
    };
    for (const fn of FUNCTIONS) walk(patterns[fn], fn);
  });
});

describe('routing through moto EventBridge with the real patterns', () => {
  let moto: Moto;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  const queueUrls = {} as Record<Fn, string>;

  beforeAll(async () => {
    moto = await startMoto();
    events = new EventBridgeClient(motoClientConfig(moto));
    sqs = new SQSClient(motoClientConfig(moto));
    Object.assign(queueUrls, await createRoutedQueues(events, sqs, 'ecs-guardrail-test', RULE_STATE));
  });

  afterAll(async () => {
    events?.destroy();
    sqs?.destroy();
    await moto?.stop();
  });

  /** Put one event on the default bus, then collect what each function's queue received. */
  async function route(e: BusEvent): Promise<Record<Fn, BusEvent[]>> {
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: e.source,
            DetailType: e['detail-type'],
            Detail: JSON.stringify(e.detail),
            Resources: e.resources ?? [],
            ...(e.time ? { Time: new Date(e.time) } : {}),
          },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
    const got = {} as Record<Fn, BusEvent[]>;
    for (const fn of FUNCTIONS) {
      got[fn] = [];
      for (;;) {
        const r = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrls[fn], MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        const msgs = r.Messages ?? [];
        if (msgs.length === 0) break;
        for (const m of msgs) got[fn].push(JSON.parse(m.Body!) as BusEvent);
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrls[fn],
            Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
    }
    return got;
  }

  function expectRoutedTo(e: BusEvent, got: Record<Fn, BusEvent[]>, expected: readonly Fn[]): void {
    const counts = Object.fromEntries(FUNCTIONS.map((fn) => [fn, got[fn].length]));
    expect(counts).toEqual(Object.fromEntries(FUNCTIONS.map((fn) => [fn, expected.includes(fn) ? 1 : 0])));
    for (const fn of expected) {
      const d = got[fn][0]!;
      expect(d.source).toBe(e.source);
      expect(d['detail-type']).toBe(e['detail-type']);
      expect(d.detail).toEqual(e.detail);
    }
  }

  it('the table names every fixture file, no more, no less', () => {
    expect(fixtureNames()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('GuardDuty findings on ECS reach ecs-state-change, others nothing; ECR calls reach cloudtrail-api-call', async () => {
    const gd = loadSample<BusEvent>('guardduty-runtime-new-binary-executed-service-task.json');
    expectRoutedTo(gd, await route(gd), ['ecs-state-change']);
    const container = {
      ...gd,
      detail: { ...gd.detail, resource: { ...(gd.detail.resource as object), resourceType: 'Container' } },
    };
    expectRoutedTo(container, await route(container), ['ecs-state-change']);
    const ec2 = {
      ...gd,
      detail: { ...gd.detail, resource: { resourceType: 'Instance', instanceDetails: {} } },
    };
    expectRoutedTo(ec2, await route(ec2), []);
    const ecr = loadSample<BusEvent>('cloudtrail-ecr-create-repository-defaults.json');
    expectRoutedTo(ecr, await route(ecr), ['cloudtrail-api-call']);
    const failed = { ...ecr, detail: { ...ecr.detail, errorCode: 'RepositoryAlreadyExistsException' } };
    expectRoutedTo(failed, await route(failed), []);
    const push = { ...ecr, detail: { ...ecr.detail, eventName: 'PutImage' } };
    expectRoutedTo(push, await route(push), []);
    // An ECS name on an ECR call (or the reverse) routes nothing: each service's names go with its source.
    const crossed = { ...ecr, detail: { ...ecr.detail, eventName: 'RunTask' } };
    expectRoutedTo(crossed, await route(crossed), []);
  });

  it.each(Object.entries(EXPECTED))('%s -> %j', async (file, expected) => {
    const e = fixture(file);
    expectRoutedTo(e, await route(e), expected);
  });

  it.each(DERIVED.map((d) => [d.name, d.expected, d.event] as const))(
    'derived: %s -> %j',
    async (_name, expected, e) => {
      expectRoutedTo(e, await route(e), expected);
    },
  );
});
