import { describe, expect, it } from 'vitest';
import { devToken, loadDevIdentity } from './dev-identity.js';

class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

describe('development identity', () => {
  it('is created once and stable across loads, and marked temporary', () => {
    const storage = new MemoryStorage() as unknown as Storage;
    const first = loadDevIdentity(storage, () => '0123456789abcdef');
    const second = loadDevIdentity(storage, () => 'ffffffffffffffff');
    expect(first).toEqual({ userId: 'dev-0123456789abcdef', displayName: 'Guest 0123', temporary: true });
    expect(second).toEqual(first);
    expect(devToken(first)).toBe('dev.dev-0123456789abcdef');
  });

  it('replaces a corrupt stored identity instead of failing', () => {
    const storage = new MemoryStorage() as unknown as Storage;
    storage.setItem('parley.dev-identity.v1', '{"userId":"<script>"}');
    expect(loadDevIdentity(storage, () => 'abcdefabcdefabcd').userId).toBe('dev-abcdefabcdefabcd');
  });
});
