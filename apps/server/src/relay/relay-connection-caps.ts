/**
 * Counts relay sockets per client address (IPv6: per /64) and per account, so that one address or
 * one stolen token cannot hold thousands of sockets (each costs memory and a descriptor).
 */
import type { RelayConnectionCaps } from '../config.js';

/** A held place under the caps; `release` once the socket is gone (idempotent). */
export interface ConnectionSlot {
  release(): void;
}

export class RelayConnectionCounter {
  private readonly byAddress = new Map<string, number>();
  private readonly byAccount = new Map<string, number>();

  constructor(private readonly caps: RelayConnectionCaps) {}

  /** A slot for a new socket from `address`, or null when that address holds its cap already. */
  admitAddress(address: string): ConnectionSlot | null {
    return this.admit(this.byAddress, address, this.caps.perAddress);
  }

  /** A slot for a socket of `userId` that just authenticated, or null when the account is at its cap. */
  admitAccount(userId: string): ConnectionSlot | null {
    return this.admit(this.byAccount, userId, this.caps.perAccount);
  }

  private admit(counts: Map<string, number>, key: string, cap: number): ConnectionSlot | null {
    const held = counts.get(key) ?? 0;
    if (held >= cap) return null;
    counts.set(key, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = (counts.get(key) ?? 1) - 1;
        if (left <= 0) counts.delete(key);
        else counts.set(key, left);
      },
    };
  }
}
