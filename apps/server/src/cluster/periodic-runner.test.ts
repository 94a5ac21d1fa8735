import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPeriodic } from './periodic-runner.js';

const log = pino({ level: 'silent' });

describe('the periodic runner', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs now and every interval, never two runs at once, and its stop awaits the run in flight', async () => {
    let finish: () => void = () => {};
    let runs = 0;
    let finished = 0;
    const stop = startPeriodic({
      name: 'job',
      intervalMs: 1_000,
      log,
      run: () => {
        runs += 1;
        return new Promise<void>((resolve) => {
          finish = () => {
            finished += 1;
            resolve();
          };
        });
      },
    });
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(runs).toBe(1); // the first is still running: the ticks meanwhile are skipped
    finish();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(2);
    const stopped = stop();
    let done = false;
    void stopped.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    finish();
    await stopped;
    expect(finished).toBe(2);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs).toBe(2);
  });

  it('skips the ticks while its gate is closed, and keeps going after a failed run', async () => {
    let open = false;
    let runs = 0;
    const warn = vi.spyOn(log, 'warn');
    const stop = startPeriodic({
      name: 'job',
      intervalMs: 1_000,
      log,
      gate: () => open,
      run: async () => {
        runs += 1;
        throw new Error('database away');
      },
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs).toBe(0);
    open = true;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runs).toBe(2);
    expect(warn).toHaveBeenCalledWith({ err: { message: 'database away' } }, 'job failed');
    await stop();
  });
});
