import type { ScheduledCall, ScheduledCallStore } from '@parley/messenger';
import { type DeviceDatabase, STORES } from './device-database.js';

/** Keys of scheduled calls in the meta store: this prefix and the schedule id. */
export const SCHEDULED_CALL_KEY_PREFIX = 'scheduled-call:';

/**
 * The messenger's {@link ScheduledCallStore} in the device database: one record per scheduled
 * call in the meta store under `scheduled-call:<scheduleId>` (no schema change, like groups). The
 * server never holds them, so this is where they survive a reload. Each write is its own transaction.
 */
export class IndexedDbScheduledCallStore implements ScheduledCallStore {
  constructor(private readonly db: DeviceDatabase) {}

  getScheduledCall(scheduleId: string): Promise<ScheduledCall | undefined> {
    return this.db.get<ScheduledCall>(STORES.meta, SCHEDULED_CALL_KEY_PREFIX + scheduleId);
  }

  putScheduledCall(call: ScheduledCall): Promise<void> {
    return this.db.put(STORES.meta, SCHEDULED_CALL_KEY_PREFIX + call.scheduleId, call);
  }

  async listScheduledCalls(): Promise<readonly ScheduledCall[]> {
    // Every key with the prefix: strings sort by code unit, and no schedule id holds U+FFFF.
    const range = IDBKeyRange.bound(SCHEDULED_CALL_KEY_PREFIX, `${SCHEDULED_CALL_KEY_PREFIX}\uffff`);
    return (await this.db.entries<ScheduledCall>(STORES.meta, range)).map(([, call]) => call);
  }
}
