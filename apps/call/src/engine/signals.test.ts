import { describe, expect, it } from 'vitest';
import { parseCallSignal } from './signals.js';

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
    ];
    for (const signal of signals) expect(parseCallSignal(signal)).toEqual(signal);
  });

  it('drops unknown kinds and malformed fields instead of trusting them', () => {
    expect(parseCallSignal({ kind: 'renegotiate' })).toBeNull();
    expect(parseCallSignal({ kind: 'offer', media: 'screen', sdp: 'v=0', callerName: 'Ada', key })).toBeNull();
    expect(parseCallSignal({ kind: 'offer', media: 'audio', sdp: 'x'.repeat(70_000), callerName: 'Ada', key })).toBeNull();
    expect(parseCallSignal({ kind: 'answer', sdp: 'v=0', key: { ...key, secret: 'short' } })).toBeNull();
    expect(parseCallSignal({ kind: 'hangup', reason: 'because' })).toBeNull();
    expect(parseCallSignal({ kind: 'accepted-elsewhere', deviceId: -1 })).toBeNull();
    expect(parseCallSignal({ kind: 'ice', candidate: { candidate: 7 } })).toBeNull();
    expect(parseCallSignal(null)).toBeNull();
  });

  it('keeps only known fields', () => {
    expect(parseCallSignal({ kind: 'decline', extra: 'ignored' })).toEqual({ kind: 'decline' });
  });
});
