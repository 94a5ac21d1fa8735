/**
 * Janus room secrets, derived rather than stored: `HMAC-SHA256(roomKey, callId)` with a random
 * 256-bit key kept in its own file in the data folder (0600). A call survives a server restart
 * (the server recreates or destroys its room with the same secret), yet the database holds no
 * secret: a leaked database file lets no one administer a room.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileWhole } from '../files/whole-file.js';

/** File name of the room key inside the data folder. */
export const ROOM_KEY_FILE_NAME = 'sfu-room-key';

/** Derives room secrets from one key. */
export class RoomSecrets {
  constructor(private readonly key: Uint8Array) {}

  /** Loads the key from the data folder, creating it on first use. */
  static fromDataDir(dataDir: string): RoomSecrets {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const path = join(dataDir, ROOM_KEY_FILE_NAME);
    // Linked in whole: of servers starting together on one folder, the first one's key is everyone's,
    // and none reads it half-written.
    if (!existsSync(path)) createFileWhole(path, randomBytes(32).toString('base64url') + '\n', 0o600);
    chmodSync(path, 0o600);
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    if (key.length !== 32) throw new Error(`${path} must hold a 256-bit base64url key`);
    return new RoomSecrets(key);
  }

  /** A one-way fingerprint of the key (it reveals nothing of it), for nodes to compare theirs. */
  fingerprint(): string {
    return createHmac('sha256', this.key).update('parley room key fingerprint').digest('hex').slice(0, 32);
  }

  /** The secret of the call's Janus room. */
  secretFor(callId: string): string {
    return createHmac('sha256', this.key).update(`parley janus room secret\u0000${callId}`).digest('base64url');
  }
}
