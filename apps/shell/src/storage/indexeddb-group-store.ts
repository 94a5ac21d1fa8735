import type { GroupRecord, GroupStore } from '@parley/messenger';
import { type DeviceDatabase, STORES } from './device-database.js';

/** Keys of group records in the meta store: this prefix and the group id. */
export const GROUP_KEY_PREFIX = 'group:';

/**
 * The group messenger's {@link GroupStore} in the device database: one record per group in the
 * meta store under `group:<groupId>` (no schema change). Each write is its own transaction.
 */
export class IndexedDbGroupStore implements GroupStore {
  constructor(private readonly db: DeviceDatabase) {}

  getGroup(groupId: string): Promise<GroupRecord | undefined> {
    return this.db.get<GroupRecord>(STORES.meta, GROUP_KEY_PREFIX + groupId);
  }

  putGroup(group: GroupRecord): Promise<void> {
    return this.db.put(STORES.meta, GROUP_KEY_PREFIX + group.groupId, group);
  }

  async listGroups(): Promise<readonly GroupRecord[]> {
    // The meta store holds a handful of values besides the groups.
    const entries = await this.db.entries<GroupRecord>(STORES.meta);
    return entries.filter(([key]) => typeof key === 'string' && key.startsWith(GROUP_KEY_PREFIX)).map(([, group]) => group);
  }
}
