import { describe, expect, it } from 'vitest';
import { SparePool } from './spare-pool.js';
import { manualIdle } from './testing/manual-idle.js';

class FakeWorker {
  terminated = 0;
  constructor(readonly id: number) {}
  terminate(): void {
    this.terminated += 1;
  }
}

function setup() {
  const started: FakeWorker[] = [];
  const idle = manualIdle();
  const pool = new SparePool(
    () => {
      const worker = new FakeWorker(started.length + 1);
      started.push(worker);
      return worker as unknown as Worker;
    },
    'terminate',
    { idle: idle.schedule },
  );
  return { pool, started, pending: idle.pending, runIdle: idle.runIdle };
}

describe('SparePool of SFrame workers', () => {
  it('starts a spare only when idle, and the next call takes it', () => {
    const { pool, started, runIdle } = setup();
    pool.warm();
    expect(started).toHaveLength(0);
    runIdle();
    expect(started).toHaveLength(1);
    const taken = pool.take() as unknown as FakeWorker;
    expect(taken.id).toBe(1);
    expect(started).toHaveLength(1);
  });

  it('starts no spare while a call holds a worker; the next one comes once it is terminated', () => {
    const { pool, started, pending, runIdle } = setup();
    const first = pool.take();
    expect(started).toHaveLength(1);
    pool.warm();
    expect(pending()).toBe(0);
    first.terminate();
    first.terminate();
    expect((started[0] as FakeWorker).terminated).toBe(2);
    expect(pending()).toBe(1);
    runIdle();
    expect(started).toHaveLength(2);
    expect((pool.take() as unknown as FakeWorker).id).toBe(2);
  });

  it('a call starting before the idle moment cancels the pending spare and gets a fresh worker', () => {
    const { pool, started, pending } = setup();
    pool.warm();
    pool.warm();
    expect(pending()).toBe(1);
    pool.take();
    expect(pending()).toBe(0);
    expect(started).toHaveLength(1);
  });

  it('stop terminates the spare and starts no more', () => {
    const { pool, started, runIdle } = setup();
    pool.warm();
    runIdle();
    pool.stop();
    expect((started[0] as FakeWorker).terminated).toBe(1);
    pool.warm();
    runIdle();
    expect(started).toHaveLength(1);
  });
});

describe('SparePool', () => {
  class FakeConnection {
    closed = 0;
    close(): void {
      this.closed += 1;
    }
  }

  it('pools anything a call ends with a named method, warms up spares, and makes none while a call it cannot see is on', () => {
    const made: FakeConnection[] = [];
    const idle = manualIdle();
    let otherCall = true;
    const warmed: FakeConnection[] = [];
    const pool = new SparePool(
      () => {
        const connection = new FakeConnection();
        made.push(connection);
        return connection;
      },
      'close',
      { idle: idle.schedule, busy: () => otherCall, onSpare: (spare) => warmed.push(spare) },
    );
    const { runIdle } = idle;
    pool.warm();
    runIdle();
    expect(made).toHaveLength(0);
    otherCall = false;
    pool.warm();
    runIdle();
    expect(made).toHaveLength(1);
    expect(warmed).toEqual([made[0]]);
    const taken = pool.take();
    expect(taken).toBe(made[0]);
    expect(pool.busy).toBe(true);
    taken.close();
    expect(made[0]!.closed).toBe(1);
    expect(pool.busy).toBe(false);
    runIdle();
    expect(made).toHaveLength(2);
    expect(warmed).toEqual([made[0], made[1]]);
    // One made on demand (no spare) is not warmed up: its call is already setting up.
    const onDemand = pool.take();
    pool.take();
    expect(warmed).toHaveLength(2);
    expect(made).toHaveLength(3);
    expect(onDemand).toBe(made[1]);
    pool.stop();
  });
});
