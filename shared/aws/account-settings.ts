/**
 * ECS account settings (ListAccountSettings, effective values) and their cache. A setting is mutable
 * (PutAccountSetting/PutAccountSettingDefault change it at any time), so a value is kept for a bounded
 * time per (account, region, name); concurrent reads share one call; an error is not remembered.
 */
import { ListAccountSettingsCommand, type ECSClient, type SettingName } from '@aws-sdk/client-ecs';
import type { ResourceScope } from '../engine/enrich';
import { TtlCache } from '../base/ttl-cache';
import { partitionOf } from '../model/arn';
import { guarded } from './errors';

const OP = 'ecs:ListAccountSettings';

/**
 * The account default of `name` in the client's region: the effective setting of the account's root
 * user, which is what PutAccountSettingDefault sets. An account that never set it gets AWS's default;
 * an empty answer (an emulator) means the same: `disabled` for containerInsights.
 */
export async function effectiveAccountSetting(
  ecs: ECSClient,
  name: string,
  scope: ResourceScope,
): Promise<string> {
  const out = await guarded(OP, `${scope.account}/${scope.region} ${name}`, () =>
    ecs.send(
      new ListAccountSettingsCommand({
        name: name as SettingName,
        effectiveSettings: true,
        principalArn: `arn:${partitionOf(scope.region)}:iam::${scope.account}:root`,
      }),
    ),
  );
  const setting = out.settings?.find((s) => s.name === name);
  return typeof setting?.value === 'string' && setting.value ? setting.value : 'disabled';
}

export interface AccountSettingCacheOptions {
  /** How long a value is kept, in ms (default 300,000: five minutes; 0: not at all). */
  readonly ttlMs?: number;
  /** Entries kept (default 1,000: accounts x regions x names). */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** The account settings' cache: the one time-bounded cache of mutable facts, keyed by account, region and name. */
export class AccountSettingCache {
  private readonly cache: TtlCache<string>;

  constructor(options: AccountSettingCacheOptions = {}) {
    this.cache = new TtlCache<string>({
      ttlMs: Math.max(0, options.ttlMs ?? 300_000),
      ...(options.maxEntries !== undefined ? { maxEntries: options.maxEntries } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  get size(): number {
    return this.cache.size;
  }

  /** The cached (or in-flight) value of `name` in `scope`, else `load()` once for every concurrent caller. */
  get(name: string, scope: ResourceScope, load: () => Promise<string>): Promise<string> {
    return this.cache.get(`${scope.account}/${scope.region}/${name}`, load);
  }
}
