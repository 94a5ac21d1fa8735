import { describe, expect, it } from 'vitest';
import { isActiveTcp } from './call-media.js';

describe('candidates the peer can use', () => {
  it('recognises active TCP candidates, which only a passive candidate (never gathered by a browser) could pair with', () => {
    expect(isActiveTcp('candidate:3389407617 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 ufrag zJQL network-id 1')).toBe(true);
    expect(isActiveTcp('candidate:1 1 TCP 1518280447 192.0.2.1 9 typ host tcptype active')).toBe(true);
  });

  it('keeps UDP, relay and passive TCP candidates', () => {
    expect(isActiveTcp('candidate:3029886092 1 udp 2122260223 127.0.0.1 42329 typ host generation 0 ufrag zJQL network-id 1')).toBe(false);
    expect(isActiveTcp('candidate:2 1 udp 41885439 192.0.2.7 50000 typ relay raddr 0.0.0.0 rport 0 generation 0')).toBe(false);
    expect(isActiveTcp('candidate:3 1 tcp 1518280447 192.0.2.1 443 typ host tcptype passive')).toBe(false);
  });
});
