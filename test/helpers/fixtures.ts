/**
 * The one event corpus of the tests, scripts and benchmarks (test/fixtures/events/README.md): 38 recorded
 * or constructed ECS events, each held once. 21 live in test/fixtures/events/; the other 17 are also curated
 * samples of `npm start`, so their one copy is in events/ and the corpus names them by path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
export const FIXTURE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'events');
/** The CLI's input file formats built from corpus events: a CloudTrail log file, a JSON array, JSON Lines. */
export const FORMATS_DIR = join(FIXTURE_DIR, 'formats');

/** Corpus fixtures whose one copy is a sample of events/ (path from the repository root). */
const IN_SAMPLES: Readonly<Record<string, string>> = {
  'cloudtrail-create-service-assign-public-ip.json': 'events/cloudtrail-create-service-assign-public-ip.json',
  'cloudtrail-create-service-invalid-parameter-null-response.json':
    'events/edge-cases/cloudtrail-create-service-invalid-parameter-null-response.json',
  'cloudtrail-create-task-set-assign-public-ip.json':
    'events/cloudtrail-create-task-set-assign-public-ip.json',
  'cloudtrail-register-task-definition-compliant-fargate.json':
    'events/compliant/cloudtrail-register-task-definition-compliant-fargate.json',
  'cloudtrail-register-task-definition-privileged.json':
    'events/cloudtrail-register-task-definition-privileged.json',
  'cloudtrail-register-task-definition-truncated-omitted.json':
    'events/edge-cases/cloudtrail-register-task-definition-truncated-omitted.json',
  'cloudtrail-run-task-placement-failure-no-errorcode.json':
    'events/edge-cases/cloudtrail-run-task-placement-failure-no-errorcode.json',
  'cloudtrail-run-task-public-ip-with-overrides.json':
    'events/cloudtrail-run-task-public-ip-with-overrides.json',
  'cloudtrail-execute-command.json': 'events/cloudtrail-execute-command.json',
  'ecs-container-instance-state-change-active.json': 'events/ecs-container-instance-state-change-active.json',
  'ecs-deployment-state-change-failed-circuit-breaker.json':
    'events/ecs-deployment-state-change-failed-circuit-breaker.json',
  'ecs-service-action-operation-throttled.json': 'events/ecs-service-action-operation-throttled.json',
  'ecs-service-action-rebalancing-started-unknown-to-older-parsers.json':
    'events/edge-cases/ecs-service-action-rebalancing-started-unknown-to-older-parsers.json',
  'ecs-service-action-service-discovery-operation-throttled.json':
    'events/ecs-service-action-service-discovery-operation-throttled.json',
  'ecs-service-action-steady-state.json': 'events/compliant/ecs-service-action-steady-state.json',
  'ecs-service-action-task-placement-failure-fargate-spot.json':
    'events/ecs-service-action-task-placement-failure-fargate-spot.json',
  'ecs-task-state-change-running-awsvpc.json': 'events/compliant/ecs-task-state-change-running-awsvpc.json',
};

/** The file names of the whole corpus, sorted (the order a directory listing of all of them would give). */
export function fixtureNames(): string[] {
  const local = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json'));
  return [...local, ...Object.keys(IN_SAMPLES)].sort();
}

/** Absolute path of a corpus fixture, by file name (e.g. `cloudtrail-execute-command.json`). */
export function fixturePath(name: string): string {
  const sample = IN_SAMPLES[name];
  return sample ? join(REPO_ROOT, sample) : join(FIXTURE_DIR, name);
}

/** Every corpus fixture's absolute path, in `fixtureNames()` order. */
export function fixturePaths(): string[] {
  return fixtureNames().map(fixturePath);
}

/** A fresh deep copy of a corpus fixture (tests may mutate it). */
export function loadFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as T;
}

/** A fresh copy of a curated sample of events/ that is not part of the corpus (path under events/). */
export function loadSample<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'events', path), 'utf8')) as T;
}
