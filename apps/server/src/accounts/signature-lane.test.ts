import { describe, expect, it } from 'vitest';
import { SignatureLane, SignatureLaneBusy } from './signature-lane.js';

/** A check that finishes when the test says so, recording how many run at once. */
function gatedChecks(count: number, log: { running: number; most: number }) {
  const gates: Array<() => void> = [];
  const checks = Array.from({ length: count }, (_, i) => async () => {
    log.running++;
    log.most = Math.max(log.most, log.running);
    await new Promise<void>((resolve) => gates.push(resolve));
    log.running--;
    return i % 2 === 0;
  });
  return { checks, release: () => gates.shift()?.() };
}

describe('the signature lane', () => {
  it('runs the checks of every body one at a time, whoever sent them, and returns each body its results', async () => {
    const lane = new SignatureLane(1, 10);
    const log = { running: 0, most: 0 };
    const a = gatedChecks(3, log);
    const b = gatedChecks(2, log);
    const results = Promise.all([lane.checkAll(a.checks), lane.checkAll(b.checks)]);
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      a.release();
      b.release();
    }
    expect(await results).toEqual([
      [true, false, true],
      [true, false],
    ]);
    expect(log.most).toBe(1);
  });

  it('refuses a body at once when too many are already waiting, and admits again once they finish', async () => {
    const lane = new SignatureLane(1, 2);
    const log = { running: 0, most: 0 };
    const first = gatedChecks(1, log);
    const second = gatedChecks(1, log);
    const running = [lane.checkAll(first.checks), lane.checkAll(second.checks)];
    await expect(lane.checkAll([async () => true])).rejects.toBeInstanceOf(SignatureLaneBusy);
    await new Promise((resolve) => setImmediate(resolve));
    first.release();
    await new Promise((resolve) => setImmediate(resolve));
    second.release();
    await Promise.all(running);
    await expect(lane.checkAll([async () => true])).resolves.toEqual([true]);
  });
});
