/**
 * Janus room secrets, derived rather than stored: `HMAC-SHA256(roomKey, callId)` with a random
 * 256-bit key kept in its own file in the data folder (0600). A call survives a server restart
 * (the server recreates or destroys its room with the same secret), yet the database holds no
 * secret: a leaked database file lets no one administer a room.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** File name of the room key inside the data folder. */
export const ROOM_KEY_FILE_NAME = 'sfu-room-key';

/** Derives room secrets from one key. */
export class RoomSecrets {
  constructor(private readonly key: Uint8Array) {}

  /** Loads the key from the data folder, creating it on first use. */
  static fromDataDir(dataDir: string): RoomSecrets {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const path = join(dataDir, ROOM_KEY_FILE_NAME);
    if (!existsSync(path)) {
      // 'wx': two servers starting on one folder must not overwrite each other's key.
      try {
        writeFileSync(path, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    chmodSync(path, 0o600);
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    if (key.length !== 32) throw new Error(`${path} must hold a 256-bit base64url key`);
    return new RoomSecrets(key);
  }

  /** The secret of the call's Janus room. */
  secretFor(callId: string): string {
    return createHmac('sha256', this.key).update(`parley janus room secret\u0000${callId}`).digest('base64url');
  }
}
