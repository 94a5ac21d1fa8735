import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ABANDONED_AFTER_MS, holdLockFile } from './lock-file.js';
import { tempFolderPerTest } from '../testing/test-support.js';

describe('holdLockFile', () => {
  const folder = tempFolderPerTest();
  const lock = () => join(folder.path, 'releases.lock');

  it('holds the file while the work runs and removes it after, also when the work fails', async () => {
    expect(await holdLockFile(lock(), async () => existsSync(lock()))).toBe(true);
    expect(existsSync(lock())).toBe(false);
    await expect(holdLockFile(lock(), () => Promise.reject(new Error('copy failed')))).rejects.toThrow('copy failed');
    expect(existsSync(lock())).toBe(false);
  });

  it('makes a second holder in this process wait for the first', async () => {
    const order: string[] = [];
    const first = holdLockFile(lock(), async () => {
      order.push('first in');
      await new Promise((resolve) => setTimeout(resolve, 60));
      order.push('first out');
    });
    const second = holdLockFile(lock(), async () => void order.push('second in'));
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second in']);
  });

  it('takes over a lock whose holder died on this machine', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(lock(), `${hostname()} ${dead} token`);
    expect(await holdLockFile(lock(), async () => 'taken')).toBe('taken');
    expect(readdirSync(folder.path)).toEqual([]);
  });

  it('takes over a lock of another machine only once it is older than a holder could be', async () => {
    writeFileSync(lock(), 'elsewhere 1 token');
    const past = (Date.now() - ABANDONED_AFTER_MS - 60_000) / 1000;
    utimesSync(lock(), past, past);
    expect(await holdLockFile(lock(), async () => 'taken')).toBe('taken');
    expect(readdirSync(folder.path)).toEqual([]);
  });
});
