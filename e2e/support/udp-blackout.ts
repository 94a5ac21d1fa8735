/**
 * Cuts UDP (and so every WebRTC packet) for a while with nftables, the way a Wi-Fi drop would,
 * while TCP — the relay WebSocket that carries the ICE restart — keeps working. Only inside the
 * suite's private network namespace (tools/test/in-loopback-namespace.sh): a rule on the host's
 * own namespace would cut the machine's real traffic, so it refuses there.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

const TABLE = 'parley_e2e_udp_blackout';

/** Why UDP cannot be cut here, or null when it can. */
export function udpBlackoutUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root: nft needs root (CI runs the suite as root in a loopback-only namespace)';
  if (spawnSync('sh', ['-c', 'command -v nft'], { encoding: 'utf8' }).status !== 0) return 'nft is not installed (`apt-get install nftables`; CI installs it)';
  if (!inPrivateLoopbackNamespace()) return 'not inside a private network namespace (run through tools/test/in-loopback-namespace.sh): refusing to drop UDP on the host';
  return null;
}

/** Only loopback here, and (where /proc/1 is readable) another namespace than init's. */
function inPrivateLoopbackNamespace(): boolean {
  // By address, not by flag: the namespace's `jlo` link (for Janus) holds 127.0.0.1 without being
  // flagged loopback, and its `tnet` link the test's public-looking address for coturn; both are
  // ifb links, no way out of this machine either.
  const loopbackAddress = (address: string) => address.startsWith('127.') || address === '::1' || address === process.env.PARLEY_TEST_PUBLIC_IP;
  const onlyLoopback = Object.values(networkInterfaces()).every((addresses) => (addresses ?? []).every((a) => a.internal || loopbackAddress(a.address)));
  if (!onlyLoopback) return false;
  try {
    return readlinkSync('/proc/self/ns/net') !== readlinkSync('/proc/1/ns/net');
  } catch {
    // Not allowed to look at init's namespace (the case inside unshare here): loopback-only is enough.
    return true;
  }
}

/** Drops every UDP packet until `restore` is called. */
export function dropUdp(): { restore(): void } {
  execFileSync('nft', ['-f', '-'], {
    input: `table inet ${TABLE} {\n  chain input { type filter hook input priority 0; meta l4proto udp drop; }\n  chain output { type filter hook output priority 0; meta l4proto udp drop; }\n}\n`,
  });
  let restored = false;
  return {
    restore() {
      if (restored) return;
      restored = true;
      execFileSync('nft', ['delete', 'table', 'inet', TABLE]);
    },
  };
}
