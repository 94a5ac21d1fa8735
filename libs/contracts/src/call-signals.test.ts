import { describe, expect, it } from 'vitest';
import { parseCallSignal, parseGroupRing, parseGroupSignal } from './call-signals.js';

const key = { suite: 4, generation: 0, secret: 'q'.repeat(43) + '=' };

describe('call signal schema', () => {
  it('accepts every kind the engine sends', () => {
    const signals = [
      { kind: 'offer', media: 'video', sdp: 'v=0', callerName: 'Ada', key },
      { kind: 'answer', sdp: 'v=0', key },
      { kind: 'ice', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' } },
      { kind: 'ice', candidate: null },
      { kind: 'hangup', reason: 'glare' },
      { kind: 'decline' },
      { kind: 'busy' },
      { kind: 'accepted-elsewhere', deviceId: 3 },
      { kind: 'media-key', key: { ...key, generation: 1 } },
      { kind: 'ice-restart', sdp: 'v=0' },
      { kind: 'ice-restart-answer', sdp: 'v=0' },
      { kind: 'media-state', muted: true, cameraOn: false, sharing: false },
    ];
    for (const signal of signals) expect(parseCallSignal(signal)).toEqual(signal);
  });

  it('reads the optional fields a candidate left out as null', () => {
    expect(parseCallSignal({ kind: 'ice', candidate: { candidate: 'candidate:1' } })).toEqual({
      kind: 'ice',
      candidate: { candidate: 'candidate:1', sdpMid: null, sdpMLineIndex: null, usernameFragment: null },
    });
  });

  it('drops unknown kinds and malformed fields instead of trusting them', () => {
    expect(parseCallSignal({ kind: 'renegotiate' })).toBeNull();
    expect(parseCallSignal({ kind: 'offer', media: 'screen', sdp: 'v=0', callerName: 'Ada', key })).toBeNull();
    expect(parseCallSignal({ kind: 'offer', media: 'audio', sdp: 'x'.repeat(70_000), callerName: 'Ada', key })).toBeNull();
    expect(parseCallSignal({ kind: 'offer', media: 'audio', sdp: 'v=0', callerName: 'A'.repeat(300), key })).toBeNull();
    expect(parseCallSignal({ kind: 'answer', sdp: 'v=0', key: { ...key, secret: 'short' } })).toBeNull();
    expect(parseCallSignal({ kind: 'answer', sdp: 'v=0', key: { ...key, generation: 1.5 } })).toBeNull();
    expect(parseCallSignal({ kind: 'answer', sdp: 'v=0' })).toBeNull();
    expect(parseCallSignal({ kind: 'hangup', reason: 'because' })).toBeNull();
    expect(parseCallSignal({ kind: 'accepted-elsewhere', deviceId: -1 })).toBeNull();
    expect(parseCallSignal({ kind: 'ice', candidate: { candidate: 7 } })).toBeNull();
    expect(parseCallSignal({ kind: 'ice', candidate: { candidate: 'c', sdpMLineIndex: -1 } })).toBeNull();
    expect(parseCallSignal({ kind: 'ice' })).toBeNull();
    expect(parseCallSignal({ kind: 'ice-restart', sdp: 42 })).toBeNull();
    expect(parseCallSignal({ kind: 'media-state', muted: 'yes', cameraOn: true, sharing: false })).toBeNull();
    expect(parseCallSignal({ kind: 'media-state', muted: true, cameraOn: true })).toBeNull();
    expect(parseCallSignal(null)).toBeNull();
    expect(parseCallSignal('offer')).toBeNull();
  });

  it('keeps only known fields', () => {
    expect(parseCallSignal({ kind: 'decline', extra: 'ignored' })).toEqual({ kind: 'decline' });
    expect(parseCallSignal({ kind: 'media-state', muted: false, cameraOn: true, sharing: true, raisedHand: true })).toEqual({ kind: 'media-state', muted: false, cameraOn: true, sharing: true });
    expect(parseCallSignal({ kind: 'media-key', key: { ...key, extra: 1 } })).toEqual({ kind: 'media-key', key });
  });
});

describe('group ring schema', () => {
  const ring = { kind: 'group-ring', groupId: 'g1', groupName: 'Team', media: 'audio', callerName: 'Ada', members: [{ userId: 'ada', displayName: 'Ada' }] };

  it('accepts a ring, with or without the 1:1 call it moves from', () => {
    expect(parseGroupRing(ring)).toEqual(ring);
    expect(parseGroupRing({ ...ring, moveFrom: 'call-1' })).toEqual({ ...ring, moveFrom: 'call-1' });
  });

  it('refuses rings that are not one or are malformed', () => {
    expect(parseGroupRing({ ...ring, kind: 'offer' })).toBeNull();
    expect(parseGroupRing({ ...ring, groupName: '' })).toBeNull();
    expect(parseGroupRing({ ...ring, callerName: 'x'.repeat(129) })).toBeNull();
    expect(parseGroupRing({ ...ring, media: 'screen' })).toBeNull();
    expect(parseGroupRing({ ...ring, members: Array.from({ length: 33 }, (_, i) => ({ userId: `u${i}`, displayName: 'U' })) })).toBeNull();
    expect(parseGroupRing({ ...ring, members: [{ userId: 'ada' }] })).toBeNull();
    expect(parseGroupRing({ ...ring, moveFrom: null })).toBeNull();
    expect(parseGroupRing(undefined)).toBeNull();
  });

  it('keeps only what a member is', () => {
    expect(parseGroupRing({ ...ring, members: [{ userId: 'ada', displayName: 'Ada', admin: true }] })?.members).toEqual([{ userId: 'ada', displayName: 'Ada' }]);
  });
});

describe('group presence and reaction schema', () => {
  it('accepts presence and the known reactions', () => {
    expect(parseGroupSignal({ kind: 'group-presence', muted: true, cameraOn: false, handRaised: true })).toEqual({ kind: 'group-presence', muted: true, cameraOn: false, handRaised: true });
    expect(parseGroupSignal({ kind: 'group-reaction', emoji: '🎉' })).toEqual({ kind: 'group-reaction', emoji: '🎉' });
    expect(parseGroupSignal({ kind: 'group-host', action: 'mute-all', extra: 1 })).toEqual({ kind: 'group-host', action: 'mute-all' });
  });

  it('refuses unknown emoji, partial presence and other kinds', () => {
    expect(parseGroupSignal({ kind: 'group-reaction', emoji: '💩' })).toBeNull();
    expect(parseGroupSignal({ kind: 'group-presence', muted: true, cameraOn: false })).toBeNull();
    expect(parseGroupSignal({ kind: 'group-presence', muted: 'yes', cameraOn: false, handRaised: false })).toBeNull();
    expect(parseGroupSignal({ kind: 'group-ring' })).toBeNull();
    // There is no remote unmute: an unknown host action is refused.
    expect(parseGroupSignal({ kind: 'group-host', action: 'unmute-all' })).toBeNull();
    expect(parseGroupSignal(null)).toBeNull();
  });
});
