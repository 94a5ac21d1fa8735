/**
 * The address a rate limit counts a caller under. An IPv4 address is one caller; an IPv6 host
 * usually holds a whole /64 and picks new addresses in it at will (privacy extensions), so IPv6
 * callers are counted by their /64. Behind a reverse proxy, Fastify's `trustProxy` (configured with
 * the proxy's own addresses only) has already replaced the proxy's address with the forwarded one.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** The rate-limit bucket of a client address: the IPv4 address, or the IPv6 /64 prefix. */
export function addressBucket(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, zone id dropped, as 4-digit lowercase hex. */
function expandIPv6(address: string): string[] {
  const [withoutZone] = address.split('%') as [string];
  const [head, tail] = withoutZone.includes('::') ? (withoutZone.split('::') as [string, string]) : [withoutZone, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::1.2.3.4) fills the last two groups; only the /64 matters here.
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return groups.map((group) => group.padStart(4, '0').toLowerCase());
}
