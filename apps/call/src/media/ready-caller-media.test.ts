import { BehaviorSubject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { READY_MEDIA_MAX_AGE_MS, ReadyCallerMedia, type ReadyMedia } from './ready-caller-media.js';
import { manualIdle } from './testing/manual-idle.js';

class FakeMedia implements ReadyMedia {
  readonly connection = new BehaviorSubject<'connecting' | 'connected' | 'disconnected' | 'failed'>('connecting');
  readonly connection$ = this.connection.asObservable();
  offers = 0;
  closed = false;
  constructor(
    readonly kind: string,
    private readonly offer: Promise<void>,
  ) {}
  prepareOffer(): Promise<void> {
    this.offers += 1;
    return this.offer;
  }
  close(): void {
    this.closed = true;
    this.connection.complete();
  }
}

function setup(options: { failOffers?: boolean } = {}) {
  let now = 1_000;
  let busy = false;
  const made: FakeMedia[] = [];
  const idle = manualIdle();
  const ready = new ReadyCallerMedia<FakeMedia>({
    make: (kind) => {
      const media = new FakeMedia(kind, options.failOffers ? Promise.reject(new Error('no transceivers')) : Promise.resolve());
      made.push(media);
      return media;
    },
    busy: () => busy,
    idle: idle.schedule,
    now: () => now,
  });
  return {
    ready,
    made,
    runIdle: idle.runIdle,
    pending: idle.pending,
    advance: (ms: number) => (now += ms),
    setBusy: (value: boolean) => (busy = value),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ReadyCallerMedia', () => {
  it('makes one caller media per kind when idle, its offer started; a call of that kind takes it', () => {
    const { ready, made, runIdle } = setup();
    ready.warm();
    expect(made).toHaveLength(0);
    runIdle();
    expect(made.map((m) => [m.kind, m.offers])).toEqual([
      ['video', 1],
      ['audio', 1],
    ]);
    expect(ready.take('video')).toBe(made[0]);
    expect(ready.take('video')).toBeNull();
    expect(ready.take('audio')).toBe(made[1]);
  });

  it('makes nothing while a call is on, and the next one only once the call that took one ended', () => {
    const { ready, made, runIdle, pending, setBusy } = setup();
    setBusy(true);
    ready.warm();
    runIdle();
    expect(made).toHaveLength(0);
    setBusy(false);
    ready.warm();
    runIdle();
    const video = ready.take('video')!;
    ready.warm();
    runIdle();
    expect(made).toHaveLength(2);
    video.close();
    expect(pending()).toBe(1);
    runIdle();
    expect(made.map((m) => m.kind)).toEqual(['video', 'audio', 'video']);
  });

  it('never hands out one older than the maximum age, and replaces old ones when warmed', () => {
    const { ready, made, runIdle, advance } = setup();
    ready.warm();
    runIdle();
    advance(READY_MEDIA_MAX_AGE_MS);
    expect(ready.take('video')).toBeNull();
    expect(made[0]!.closed).toBe(true);
    ready.warm();
    runIdle();
    expect(made[1]!.closed).toBe(true);
    expect(made.slice(2).map((m) => m.kind)).toEqual(['video', 'audio']);
    expect(ready.take('audio')).toBe(made[3]);
  });

  it('drops one whose offer failed, so the call makes its own', async () => {
    const { ready, made, runIdle } = setup({ failOffers: true });
    ready.warm();
    runIdle();
    await settle();
    expect(made.every((m) => m.closed)).toBe(true);
    expect(ready.take('video')).toBeNull();
  });

  it('a network change discards what is ready and makes new ones; stop closes them and makes no more', () => {
    const { ready, made, runIdle } = setup();
    ready.warm();
    runIdle();
    ready.discard();
    expect(made.slice(0, 2).every((m) => m.closed)).toBe(true);
    runIdle();
    expect(made).toHaveLength(4);
    ready.stop();
    expect(made.slice(2).every((m) => m.closed)).toBe(true);
    ready.warm();
    runIdle();
    expect(made).toHaveLength(4);
  });
});
