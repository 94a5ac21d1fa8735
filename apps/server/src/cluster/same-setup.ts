/**
 * What must be the same on every node sharing a database (issue 22), checked at start: the
 * manifest signing keys, the SFU room key and the release files. The keys are files (the database
 * holds no secret: a leaked copy of it must sign no manifest and open no Janus room), so the
 * first node records a one-way fingerprint of each in the database and every later node compares
 * its own; a node with other keys refuses to start and says which file to copy. Release records
 * and rules are in the database already; their files are in the data folder, so a node serving
 * the app origins checks it holds every release the database names, byte for byte.
 *
 * A key rotation (`release keys --rotate`) is accepted: a node whose current manifest key is the
 * recorded next key moves the record on, and from then on a node still on the old keys is refused.
 */
import { createHash } from 'node:crypto';
import type { RemoteName } from '@parley/contracts';
import type { Logger } from 'pino';
import type { ManifestKeys } from '../releases/manifest-keys.js';
import type { MetaStore } from '../storage/storage.js';

/** Meta keys of the recorded fingerprints. */
export const MANIFEST_KEYS_FINGERPRINT = 'fingerprint.manifest_keys';
export const ROOM_KEY_FINGERPRINT = 'fingerprint.sfu_room_key';

/** A node set up unlike the others on its database: it must not start. */
export class NodeSetupMismatch extends Error {
  override readonly name = 'NodeSetupMismatch';
}

/** What this node has, to compare with what the first node recorded. */
export interface NodeSetup {
  manifestKeys: ManifestKeys;
  /** Where they were read from, named in the refusal. */
  manifestKeyFile: string;
  /** The room key's fingerprint and file, when this node runs group calls. */
  roomKey?: { fingerprint: string; file: string };
  /** Per remote this node serves: the folder of its releases and the versions missing or different there. */
  releases: Array<{ remote: RemoteName; dir: string; missing: string[] }>;
}

/** Of the key as the pinned set spells it (base64 from the key file, checked to be 32 bytes at load). */
const publicKeyFingerprint = (publicKey: string | Uint8Array) => createHash('sha256').update(publicKey).digest('hex').slice(0, 32);

/** `current=<fp> next=<fp|none>` of the pinned public keys (their private halves follow from them). */
export function manifestKeysFingerprint(keys: ManifestKeys): string {
  const [current, next] = keys.pinned;
  return `current=${publicKeyFingerprint(current!.publicKey)} next=${next ? publicKeyFingerprint(next.publicKey) : 'none'}`;
}

/** Refuses (NodeSetupMismatch) unless this node's keys and release files match the other nodes'. */
export async function assertSameSetupAsOtherNodes(meta: MetaStore, setup: NodeSetup, log: Logger): Promise<void> {
  const ours = manifestKeysFingerprint(setup.manifestKeys);
  const recorded = await meta.claimMeta(MANIFEST_KEYS_FINGERPRINT, ours);
  if (recorded !== ours) {
    const recordedNext = /next=(\w+)/.exec(recorded)?.[1];
    if (recordedNext && ours.startsWith(`current=${recordedNext} `)) {
      await meta.setMeta(MANIFEST_KEYS_FINGERPRINT, ours);
      log.info({ manifestKeys: ours }, 'the manifest keys were rotated: nodes still on the old keys will be refused at their next start');
    } else {
      throw new NodeSetupMismatch(
        `this node's manifest signing keys (${setup.manifestKeyFile}: ${ours}) are not the keys the other nodes on this database sign with (${recorded}). ` +
          'Every node must sign with the same keys: copy the key file of a running node to this one (PARLEY_MANIFEST_KEY_FILE, or a data folder every node shares), then start it again.',
      );
    }
  }
  if (setup.roomKey) {
    const recordedRoom = await meta.claimMeta(ROOM_KEY_FINGERPRINT, setup.roomKey.fingerprint);
    if (recordedRoom !== setup.roomKey.fingerprint) {
      throw new NodeSetupMismatch(
        `this node's SFU room key (${setup.roomKey.file}) is not the key the other nodes on this database use: they could not end or rejoin each other's group calls. ` +
          'Copy the sfu-room-key file of a running node into this node\'s data folder (or share the data folder), then start it again.',
      );
    }
  }
  const missing = setup.releases.filter((remote) => remote.missing.length > 0);
  if (missing.length > 0) {
    const named = missing.map((remote) => `${remote.remote} ${remote.missing.join(', ')} (in ${remote.dir})`).join('; ');
    throw new NodeSetupMismatch(
      `this node's data folder lacks release files the database names, or holds other bytes under their versions: ${named}. ` +
        'Every node serving the app origins needs every release: share the data folder between the nodes (a shared volume) or copy its releases/ folder here, then start it again.',
    );
  }
}
