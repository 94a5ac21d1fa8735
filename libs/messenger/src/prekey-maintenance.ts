import type { WallClock } from '@parley/clock';
import type { SignalProtocolStore } from '@parley/signal-protocol';
import { DEFAULT_PREKEY_COUNTS, type PreKeyCounts, replenishPreKeys } from './account-setup.js';
import type { ParleyApiClient } from './api-client.js';

/**
 * Keeps this device's one-time prekeys stocked: on the server's `prekeys-low` it generates and
 * uploads enough to reach the target counts, one upload at a time.
 */
export class PreKeyMaintenance {
  private topping: Promise<unknown> | null = null;

  constructor(
    private readonly options: {
      readonly api: ParleyApiClient;
      readonly store: SignalProtocolStore;
      readonly clock: WallClock;
      /** One-time prekey counts to top up to; DEFAULT_PREKEY_COUNTS by default. */
      readonly target?: PreKeyCounts;
    },
  ) {}

  /** Tops up from what the server says is left; a call while an upload runs does nothing (it would generate twice). */
  async topUp(remaining: PreKeyCounts): Promise<void> {
    if (this.topping !== null) return;
    const { api, store, clock, target } = this.options;
    this.topping = replenishPreKeys({ api, store, remaining, target: target ?? DEFAULT_PREKEY_COUNTS, now: () => clock.now() });
    try {
      await this.topping;
    } finally {
      this.topping = null;
    }
  }
}
