/**
 * Call links (issue 9) and who was removed from a link's call.
 */

/**
 * A call link as stored (call-links.ts in the contracts): a room id, the SHA-256 of the verifier
 * and the encrypted name; never the root secret, the verifier itself or the name in clear.
 */
export interface CallLinkRecord {
  roomId: string;
  verifierHash: Uint8Array;
  /** IV ‖ ciphertext ‖ tag, opaque to the server. */
  encryptedName: Uint8Array | null;
  approval: boolean;
  /** User id of the creator: the link's admin. */
  creator: string;
  createdAt: number;
  lastUsedAt: number;
  /** Set when revoked, or when a reset moved the link to a new room id. */
  revokedAt: number | null;
  /** The link's running group call, if one was started (it may have ended since). */
  callId: string | null;
}

/** What a call link's creator may change, and what the server records on use. */
export interface CallLinkChanges {
  approval?: boolean;
  encryptedName?: Uint8Array | null;
  lastUsedAt?: number;
  callId?: string | null;
}

/** Thresholds (ms since the epoch, inclusive) of one call-link sweep. */
export interface CallLinkSweepTimes {
  expireUnusedSince: number;
  forgetRevokedSince: number;
  forgetUnusedSince: number;
}

/** Call links, their sweeps and removals from their calls. */
export interface CallLinkStore {
  /** Stores a new link; `exists` when its room id is taken (even by a revoked link). */
  createCallLink(link: CallLinkRecord): Promise<'created' | 'exists'>;
  callLink(roomId: string): Promise<CallLinkRecord | undefined>;
  /** The link (not revoked) whose running call this is. */
  callLinkOfCall(callId: string): Promise<CallLinkRecord | undefined>;
  /** The links a user created that are not revoked (expired ones included), newest first. */
  callLinksOf(userId: string): Promise<CallLinkRecord[]>;
  /** Changes a link that is not revoked; false when there is none. */
  updateCallLink(roomId: string, changes: CallLinkChanges): Promise<boolean>;
  /**
   * Moves a live link to a new room id and verifier, in one transaction: the new row takes over
   * approval, creator, creation time and call; the old row stays as a revoked tombstone.
   */
  resetCallLink(roomId: string, next: { roomId: string; verifierHash: Uint8Array; encryptedName: Uint8Array | null }, now: number): Promise<'reset' | 'not_found' | 'exists'>;
  /** Revokes a live link (its name and call are dropped, the row stays as a tombstone); false when none. */
  revokeCallLink(roomId: string, now: number): Promise<boolean>;
  /**
   * Expiry: links unused since `expireUnusedSince` lose their name and call (returned, so their
   * calls can be ended); rows revoked or unused since the `forget…` times are deleted.
   */
  sweepCallLinks(times: CallLinkSweepTimes): Promise<{ expired: CallLinkRecord[]; forgotten: number }>;
  /** Marks a user as removed from a link's call (they must be admitted again); gone with the call. */
  setCallLinkRemoval(callId: string, userId: string, removed: boolean): Promise<void>;
  callLinkRemoved(callId: string, userId: string): Promise<boolean>;
}
