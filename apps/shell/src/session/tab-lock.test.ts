import { describe, expect, it } from 'vitest';
import { ActiveTabLock, type LockManagerLike, type TabStatus } from './tab-lock.js';

/** The Web Locks semantics this module relies on: exclusive, `ifAvailable`, `steal`. */
class FakeLocks implements LockManagerLike {
  private holder: { release: () => void; abort: (error: Error) => void } | null = null;

  request(_name: string, options: LockOptions, callback: (lock: Lock | null) => unknown): Promise<unknown> {
    if (this.holder && options.steal) {
      const abort = new Error('stolen');
      abort.name = 'AbortError';
      this.holder.abort(abort);
      this.holder = null;
    }
    if (this.holder) return Promise.resolve(callback(null));
    return new Promise((resolve, reject) => {
      const holder = { release: () => {}, abort: reject };
      this.holder = holder;
      void Promise.resolve(callback({ name: 'x', mode: 'exclusive' } as Lock)).then((value) => {
        if (this.holder === holder) this.holder = null;
        resolve(value);
      });
    });
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function tab(locks: LockManagerLike) {
  const seen: TabStatus[] = [];
  const lock = new ActiveTabLock(locks, (status) => seen.push(status));
  return { lock, seen };
}

/** Two tabs on one set of locks, the first acquiring (and settling) before the second. */
async function twoTabsOpenedInTurn() {
  const locks = new FakeLocks();
  const first = tab(locks);
  const second = tab(locks);
  first.lock.acquire();
  await settle();
  second.lock.acquire();
  await settle();
  return { first, second };
}

describe('ActiveTabLock', () => {
  it('makes the first tab active and the second one wait elsewhere', async () => {
    const { first, second } = await twoTabsOpenedInTurn();
    expect(first.lock.current).toBe('active');
    expect(second.lock.current).toBe('elsewhere');
  });

  it('"Use here" takes over, and the tab it was taken from steps back', async () => {
    const { first, second } = await twoTabsOpenedInTurn();
    second.lock.takeOver();
    await settle();
    expect(second.lock.current).toBe('active');
    expect(first.lock.current).toBe('elsewhere');
    first.lock.takeOver();
    await settle();
    expect(first.seen).toEqual(['active', 'elsewhere', 'acquiring', 'active']);
    expect(second.lock.current).toBe('elsewhere');
  });

  it('releases the lock on dispose, so another tab can take it without stealing', async () => {
    const locks = new FakeLocks();
    const first = tab(locks);
    first.lock.acquire();
    await settle();
    first.lock.dispose();
    await settle();
    const second = tab(locks);
    second.lock.acquire();
    await settle();
    expect(second.lock.current).toBe('active');
  });
});
