import { newCallLinkSecret } from '@parley/call-links';
import { describe, expect, it, vi } from 'vitest';
import { takeCallLinkFromLocation } from './call-link-route.js';

describe('the call-link route', () => {
  it('takes the secret from /call#<secret> and puts the address back to /', () => {
    const secret = newCallLinkSecret();
    const history = { replaceState: vi.fn() };
    expect(takeCallLinkFromLocation({ pathname: '/call', hash: `#${secret}` }, history)).toBe(secret);
    expect(history.replaceState).toHaveBeenCalledWith(null, '', '/');
  });

  it('leaves every other address alone', () => {
    const history = { replaceState: vi.fn() };
    const secret = newCallLinkSecret();
    for (const place of [{ pathname: '/', hash: `#${secret}` }, { pathname: '/call', hash: '' }, { pathname: '/call', hash: '#not-a-secret' }, { pathname: '/calls', hash: `#${secret}` }]) {
      expect(takeCallLinkFromLocation(place, history)).toBeNull();
    }
    expect(history.replaceState).not.toHaveBeenCalled();
  });
});
