import { describe, expect, it } from 'vitest';
import { RecordCache } from './record-cache.js';

/** A promise and the functions that settle it. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('RecordCache', () => {
  it('a read during a write of the same key answers the value being written, without the database', async () => {
    const cache = new RecordCache<string>(true);
    const commit = deferred();
    let loads = 0;
    const load = async () => {
      loads += 1;
      return 'from disk';
    };
    const writing = cache.write('k', 'new', () => commit.promise);
    expect(await cache.read('k', load)).toBe('new');
    commit.resolve();
    await writing;
    expect(await cache.read('k', load)).toBe('new');
    expect(loads).toBe(0);
  });

  it('a write commits only after the previous write of the key did, and not at all if that one failed', async () => {
    const cache = new RecordCache<string>(true);
    const first = deferred();
    const committed: string[] = [];
    const one = cache.write('k', 'one', () => first.promise);
    const two = cache.write('k', 'two', async () => void committed.push('two'));
    await Promise.resolve();
    expect(committed).toEqual([]);
    first.reject(new Error('quota'));
    await expect(one).rejects.toThrow('quota');
    await expect(two).rejects.toThrow('quota');
    expect(committed).toEqual([]);
    // Nothing of either is remembered: the database answers.
    expect(await cache.read('k', async () => 'from disk')).toBe('from disk');
    // Another key never waits.
    const third = deferred();
    void cache.write('k', 'three', () => third.promise);
    await cache.write('other', 'x', async () => void committed.push('other'));
    expect(committed).toEqual(['other']);
    third.resolve();
  });

  it('a database read that a write overtook does not leave its old value in memory', async () => {
    const cache = new RecordCache<string>(true);
    const slowLoad = deferred<string>();
    const reading = cache.read('k', () => slowLoad.promise);
    await cache.write('k', 'new', async () => {});
    slowLoad.resolve('old');
    expect(await reading).toBe('old');
    expect(await cache.read('k', async () => 'from disk')).toBe('new');
  });

  it('after a failed write, a read goes to the database', async () => {
    const cache = new RecordCache<string>(true);
    await cache.write('k', 'old', async () => {});
    const failing = cache.write('k', 'new', async () => {
      throw new Error('quota');
    });
    await expect(failing).rejects.toThrow('quota');
    expect(await cache.read('k', async () => 'old')).toBe('old');
  });

  it('a database read that started before a write does not leave its old value in memory', async () => {
    const cache = new RecordCache<string>(true);
    const slowLoad = deferred<string>();
    const reading = cache.read('k', () => slowLoad.promise);
    const commit = deferred();
    const writing = cache.write('k', 'new', () => commit.promise);
    slowLoad.resolve('old');
    expect(await reading).toBe('old');
    commit.resolve();
    await writing;
    expect(await cache.read('k', async () => 'from disk')).toBe('new');
  });

  it('of two overlapping writes, the last one is what it remembers', async () => {
    const cache = new RecordCache<string>(true);
    const first = deferred();
    const second = deferred();
    const one = cache.write('k', 'one', () => first.promise);
    const two = cache.write('k', 'two', () => second.promise);
    first.resolve();
    await one;
    second.resolve();
    await two;
    expect(await cache.read('k', async () => 'from disk')).toBe('two');
  });

  it('switched off, it keeps nothing and never waits', async () => {
    const cache = new RecordCache<string>(false);
    const never = new Promise<void>(() => {});
    void cache.write('k', 'new', () => never);
    expect(await cache.read('k', async () => 'from disk')).toBe('from disk');
  });
});
