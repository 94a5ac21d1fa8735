import { EventBus } from '@parley/event-bus';
import { describe, expect, it } from 'vitest';
import { groupRingsFor } from './group-rings.js';

const ring = { kind: 'group-ring', groupId: 'g-c', groupName: 'Climbers', media: 'video', callerName: 'Bob', members: [] };
const signal = (fromUserId: string, callId: string, body: Record<string, unknown>) => ({
  from: { userId: fromUserId, deviceId: 1 },
  messageId: `m-${callId}`,
  content: { type: 'call-signaling' as const, callId, signal: { kind: 'group-ring', ...body } },
});

describe('groupRingsFor', () => {
  it('passes group rings from others; not this user\'s own, a move of a 1:1 call, or other signals', () => {
    const bus = new EventBus();
    const heard: string[] = [];
    groupRingsFor(bus, 'u-me').subscribe(({ callId, ring }) => heard.push(`${callId} ${ring.groupName}`));
    bus.publish('content.call-signaling', signal('u-bob', 'g1', ring));
    bus.publish('content.call-signaling', signal('u-me', 'g2', ring));
    bus.publish('content.call-signaling', signal('u-bob', 'g3', { ...ring, moveFrom: 'c-1' }));
    bus.publish('content.call-signaling', { ...signal('u-bob', 'c4', {}), content: { type: 'call-signaling', callId: 'c4', signal: { kind: 'offer', sdp: 'v=0' } } });
    expect(heard).toEqual(['g1 Climbers']);
  });

  it('leaves call signaling held for the call app, which loads later: listening here is not hearing it', () => {
    const bus = new EventBus();
    groupRingsFor(bus, 'u-me').subscribe(() => {});
    bus.publish('content.call-signaling', signal('u-bob', 'g1', ring));
    const late: string[] = [];
    bus.on('content.call-signaling').subscribe(({ content }) => late.push(content.callId));
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        expect(late).toEqual(['g1']);
        resolve();
      }, 0),
    );
  });
});
