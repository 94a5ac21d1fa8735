import type { CallEntry } from '@parley/contracts';
import { EventBus } from '@parley/event-bus';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { exampleCallEntry as call } from '@parley/messenger/testing';
import { CallLog, unseenMissedCalls } from './call-log.js';
import { FakeCallHistory } from './testing/fake-messenger.js';


const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('call log', () => {
  it('keeps what the call app reports in the call history, once per call, and lists every call newest first', async () => {
    const bus = new EventBus();
    const history = new FakeCallHistory();
    const log = new CallLog();
    const stop = log.listen(bus, { callHistory: () => history });
    bus.publish('call.entry', call('a', 'bob', 1));
    bus.publish('call.entry', call('a', 'bob', 1));
    bus.publish('call.entry', call('b', 'cat', 2, 'hung-up', { direction: 'outgoing', durationMs: 4_000 }));
    await flush();
    expect(history.kept.map((c) => c.callId)).toEqual(['a', 'b']);
    expect((await firstValueFrom(log.all$())).map((c) => c.callId)).toEqual(['b', 'a']);
    stop();
  });

  it('shows what another device says of a call: answered there, with its duration', async () => {
    const bus = new EventBus();
    const history = new FakeCallHistory();
    const log = new CallLog();
    const stop = log.listen(bus, { callHistory: () => history });
    bus.publish('call.entry', call('a', 'bob', 1, 'answered-elsewhere'));
    history.receive(call('a', 'bob', 1, 'answered-elsewhere', { durationMs: 30_000 }));
    history.receive(call('z', 'bob', 0, 'missed'));
    expect((await firstValueFrom(log.entries$('bob'))).map((c) => `${c.callId} ${c.outcome} ${c.durationMs}`)).toEqual(['z missed null', 'a answered-elsewhere 30000']);
    stop();
  });

  it('hands this device’s view of a call to the history even when another device told of it first', async () => {
    const bus = new EventBus();
    const kept: CallEntry[] = [];
    const history = new FakeCallHistory();
    history.keep = async (entry) => void kept.push(entry);
    const log = new CallLog();
    const stop = log.listen(bus, { callHistory: () => history });
    // The first device's word (this one rang, then stopped) came over the sync; then this device's own call ends.
    history.receive(call('a', 'bob', 1, 'answered-elsewhere'));
    bus.publish('call.entry', call('a', 'bob', 1, 'hung-up', { durationMs: 5_000 }));
    expect(kept.map((c) => `${c.callId} ${c.outcome}`)).toEqual(['a hung-up']);
    stop();
  });

  it('counts missed calls not seen yet, in all and per conversation, until they are marked seen (and tells the history)', async () => {
    const bus = new EventBus();
    const history = new FakeCallHistory();
    const log = new CallLog();
    const stop = log.listen(bus, { callHistory: () => history });
    for (const entry of [call('m1', 'bob', 10), call('m2', 'bob', 20), call('m3', 'cat', 30, 'busy'), call('in', 'cat', 40, 'hung-up'), call('out', 'cat', 50, 'missed', { direction: 'outgoing' })]) {
      bus.publish('call.entry', entry);
    }
    const unseen = await firstValueFrom(log.unseenMissed$());
    expect(unseen.total).toBe(3);
    expect([...unseen.byConversation]).toEqual([
      ['bob', 2],
      ['cat', 1],
    ]);
    log.markSeen(20);
    expect((await firstValueFrom(log.unseenMissed$())).total).toBe(1);
    expect(history.seenUpTo).toBe(20);
    // Another device opened its Calls view later.
    await history.markSeen(30);
    expect((await firstValueFrom(log.unseenMissed$())).total).toBe(0);
    stop();
  });

  it('with an older messenger (no call history) keeps this device’s calls through callEntries and keepCallEntry', async () => {
    const bus = new EventBus();
    const kept: CallEntry[] = [call('old', 'bob', 1)];
    const log = new CallLog();
    const stop = log.listen(bus, { callEntries: async () => kept, keepCallEntry: async (entry) => void kept.push(entry) });
    await flush();
    bus.publish('call.entry', call('new', 'bob', 2));
    expect(kept.map((c) => c.callId)).toEqual(['old', 'new']);
    expect((await firstValueFrom(log.entries$('bob'))).map((c) => c.callId)).toEqual(['old', 'new']);
    stop();
  });

  it('unseenMissedCalls counts only incoming missed (or busy) calls after the mark', () => {
    expect(unseenMissedCalls([call('a', 'b', 5), call('c', 'b', 6, 'declined'), call('d', 'b', 4)], 4).total).toBe(1);
  });
});
