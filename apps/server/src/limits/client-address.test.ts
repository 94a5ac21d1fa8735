import { describe, expect, it } from 'vitest';
import { addressBucket } from './client-address.js';

describe('the address a rate limit counts a caller under', () => {
  it('is the IPv4 address itself, also when it arrives IPv4-mapped', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('is the /64 for IPv6, so rotating privacy addresses of one host share a bucket', () => {
    expect(addressBucket('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:0db8:0001:0002::/64');
    expect(addressBucket('2001:db8:1:2::99')).toBe('2001:0db8:0001:0002::/64');
    expect(addressBucket('2001:DB8:1:2:ffff::1')).toBe('2001:0db8:0001:0002::/64');
    expect(addressBucket('2001:db8:1:3::1')).not.toBe(addressBucket('2001:db8:1:2::1'));
  });

  it('handles the short forms: loopback, a prefix ending in ::, a zone id', () => {
    expect(addressBucket('::1')).toBe('0000:0000:0000:0000::/64');
    expect(addressBucket('2001:db8::')).toBe('2001:0db8:0000:0000::/64');
    expect(addressBucket('fe80::1%eth0')).toBe('fe80:0000:0000:0000::/64');
  });
});
