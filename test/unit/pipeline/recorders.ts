/** In-memory logger, metrics, outbox, remediator and action store for the pipeline's unit tests. */
import type { Finding, FindingAction } from '../../../shared/model/finding';
import type { EnqueueMeta, Outbox, OutboxMeta } from '../../../shared/lifecycle/outbox';
import type { Logger } from '../../../shared/model/logger';
import type { Resource } from '../../../shared/model/resources';
import type { Metrics } from '../../../shared/model/metrics';
import type { FindingActionStore, RemediatorPort } from '../../../shared/pipeline/types';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  readonly keys: Record<string, unknown> = {};
  private log(level: LogEntry['level'], message: string, extra: Record<string, unknown>[]): void {
    this.entries.push({ level, message, attributes: Object.assign({}, this.keys, ...extra) });
  }
  debug = (m: string, ...e: Record<string, unknown>[]) => this.log('debug', m, e);
  info = (m: string, ...e: Record<string, unknown>[]) => this.log('info', m, e);
  warn = (m: string, ...e: Record<string, unknown>[]) => this.log('warn', m, e);
  error = (m: string, ...e: Record<string, unknown>[]) => this.log('error', m, e);
  appendKeys(attributes: Record<string, unknown>): void {
    Object.assign(this.keys, attributes);
  }
  removeKeys(keys: string[]): void {
    for (const k of keys) delete this.keys[k];
  }
  find(message: string): LogEntry | undefined {
    return this.entries.find((e) => e.message.startsWith(message));
  }
}

export class RecordingMetrics implements Metrics {
  readonly counts: { name: string; dimensions: Record<string, string>; value: number }[] = [];
  count(name: string, value = 1): void {
    this.counts.push({ name, dimensions: {}, value });
  }
  countWith(name: string, dimensions: Record<string, string>, value = 1): void {
    this.counts.push({ name, dimensions, value });
  }
  total(name: string, dimensions: Record<string, string> = {}): number {
    return this.counts
      .filter((c) => c.name === name && Object.entries(dimensions).every(([k, v]) => c.dimensions[k] === v))
      .reduce((n, c) => n + c.value, 0);
  }
}

export class RecordingOutbox implements Outbox {
  readonly sent: { finding: Finding; meta: OutboxMeta }[] = [];
  /** Reminders and resolved messages (the lifecycle's `enqueue`). */
  readonly enqueued: { finding: Finding; meta: EnqueueMeta }[] = [];
  failWith: Error | undefined;
  async send(finding: Finding, meta: OutboxMeta): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push({ finding, meta });
  }
  async enqueue(finding: Finding, meta: EnqueueMeta): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.enqueued.push({ finding, meta });
  }
}

/** A Remediator that answers from a script and records the findings (and resources) it was asked about. */
export class ScriptedRemediator implements RemediatorPort {
  readonly calls: Finding[] = [];
  readonly resources: (readonly Resource[] | undefined)[] = [];
  constructor(private readonly answer: (f: Finding) => FindingAction | Promise<FindingAction>) {}
  async remediate(finding: Finding, context: { resources?: readonly Resource[] } = {}): Promise<Finding> {
    this.calls.push(finding);
    this.resources.push(context.resources);
    return { ...finding, action: await this.answer(finding) };
  }
}

/** In-memory FindingActionStore. */
export class MemoryFindingActions implements FindingActionStore {
  readonly saved = new Map<string, { action: FindingAction; key: string; finding: Finding }>();
  failWith: Error | undefined;
  async save(finding: Finding, action: FindingAction, key: string): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.saved.set(finding.findingId, { action, key, finding: { ...finding, action } });
  }
  async previous(findingId: string, key: string): Promise<FindingAction | undefined> {
    const s = this.saved.get(findingId);
    return s?.key === key ? s.action : undefined;
  }
}
