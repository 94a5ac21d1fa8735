/**
 * Call links as the server keeps them (issue 9): created, read by anyone holding the link, changed,
 * reset and revoked by their creator, expired after CALL_LINK_EXPIRY_MS without use. HTTP routes
 * and the SFU's `join-link` both go through here, so a link is refused for the same reasons, with
 * the same codes, however it is used.
 *
 * Revoked and expired links stay as tombstones (room id and verifier hash, no name, no call) for
 * another CALL_LINK_EXPIRY_MS, so that someone opening an old link hears `link_revoked` or
 * `link_expired` rather than a puzzling `link_not_found`; then the sweep forgets them.
 */
import {
  CALL_LINK_EXPIRY_MS,
  type CallLink,
  type CreateCallLinkRequest,
  type ResetCallLinkRequest,
  type UpdateCallLinkRequest,
} from '@parley/contracts';
import type { Logger } from 'pino';
import type { WallClock } from '@parley/clock';
import type { AccountStore, CallLinkChanges, CallLinkRecord, CallLinkStore } from '../storage/storage.js';
import { CallLinkError } from './call-link-error.js';
import { hashVerifier, verifierMatches } from './call-link-verifier.js';

/** Who asks: a user, and whether their account is a guest's. */
export interface CallLinkActor {
  userId: string;
  guest: boolean;
}

export interface CallLinkDirectoryOptions {
  storage: CallLinkStore & Pick<AccountStore, 'accountById'>;
  clock: WallClock;
  log: Logger;
  /** Ends a link's running group call (revoked or expired); absent when group calls are off. */
  endCall?: (callId: string, reason: string) => Promise<void>;
}

/** The call links of this server. */
export class CallLinkDirectory {
  /** Told about every change a creator made (the SFU side admits the waiting when approval goes off). */
  private readonly changeListeners = new Set<(link: CallLinkRecord) => void>();

  constructor(private readonly options: CallLinkDirectoryOptions) {}

  /** Calls `listener` with a link after each PATCH of it; returns the unsubscribe. */
  onChange(listener: (link: CallLinkRecord) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Stores a new link; `link_exists` when its room id was ever used, `guest_not_allowed` for guests. */
  async create(actor: CallLinkActor, request: CreateCallLinkRequest): Promise<CallLinkRecord> {
    if (actor.guest) throw new CallLinkError('guest_not_allowed', 'Guests can join call links but not create them.');
    const now = this.options.clock.now();
    const link: CallLinkRecord = {
      roomId: request.roomId,
      verifierHash: hashVerifier(request.verifier),
      encryptedName: request.encryptedName ? Buffer.from(request.encryptedName, 'base64') : null,
      approval: request.approval,
      creator: actor.userId,
      createdAt: now,
      lastUsedAt: now,
      revokedAt: null,
      callId: null,
    };
    if ((await this.options.storage.createCallLink(link)) === 'exists') {
      throw new CallLinkError('link_exists', 'A call link with this room id exists: derive the room id from a new secret.');
    }
    this.options.log.info({ roomId: link.roomId, approval: link.approval }, 'call link created');
    return link;
  }

  /**
   * The link a holder of `roomId` and `verifier` opens. Unknown room id and wrong verifier answer
   * alike (`link_not_found`); only a holder of the right verifier learns it was revoked or expired.
   */
  async open(roomId: string, verifier: string): Promise<CallLinkRecord> {
    const link = await this.options.storage.callLink(roomId);
    if (!link || !verifierMatches(link.verifierHash, verifier)) throw notFound();
    this.assertLive(link);
    return link;
  }

  /** The link a creator manages: `not_link_admin` for anyone else, then revoked or expired. */
  async administered(userId: string, roomId: string): Promise<CallLinkRecord> {
    const link = await this.options.storage.callLink(roomId);
    if (!link) throw notFound();
    if (link.creator !== userId) throw notAdmin();
    this.assertLive(link);
    return link;
  }

  /** This user's links that still work, newest first. */
  async mine(userId: string): Promise<CallLinkRecord[]> {
    const now = this.options.clock.now();
    return (await this.options.storage.callLinksOf(userId)).filter((link) => !this.expired(link, now));
  }

  /** Changes approval mode or name (creator only). */
  async update(userId: string, roomId: string, request: UpdateCallLinkRequest): Promise<CallLinkRecord> {
    await this.administered(userId, roomId);
    const changes: CallLinkChanges = {};
    if (request.approval !== undefined) changes.approval = request.approval;
    if (request.encryptedName !== undefined) changes.encryptedName = request.encryptedName === null ? null : Buffer.from(request.encryptedName, 'base64');
    if (!(await this.options.storage.updateCallLink(roomId, changes))) throw new CallLinkError('link_revoked', 'This call link was revoked.');
    const link = (await this.options.storage.callLink(roomId))!;
    for (const listener of this.changeListeners) listener(link);
    return link;
  }

  /**
   * Moves the link to a new secret (creator only): the old room id answers `link_revoked` from now
   * on; a running call goes on under the new link.
   */
  async reset(userId: string, roomId: string, request: ResetCallLinkRequest): Promise<CallLinkRecord> {
    await this.administered(userId, roomId);
    const outcome = await this.options.storage.resetCallLink(
      roomId,
      {
        roomId: request.roomId,
        verifierHash: hashVerifier(request.verifier),
        encryptedName: request.encryptedName ? Buffer.from(request.encryptedName, 'base64') : null,
      },
      this.options.clock.now(),
    );
    if (outcome === 'exists') throw new CallLinkError('link_exists', 'A call link with the new room id exists: derive it from a new secret.');
    if (outcome === 'not_found') throw new CallLinkError('link_revoked', 'This call link was revoked.');
    this.options.log.info({ roomId: request.roomId, previous: roomId }, 'call link reset');
    return (await this.options.storage.callLink(request.roomId))!;
  }

  /** Revokes the link (creator only); its running call ends for everyone in it. */
  async revoke(userId: string, roomId: string): Promise<void> {
    const link = await this.administered(userId, roomId);
    if (!(await this.options.storage.revokeCallLink(roomId, this.options.clock.now()))) throw new CallLinkError('link_revoked', 'This call link was revoked.');
    this.options.log.info({ roomId }, 'call link revoked');
    if (link.callId) await this.options.endCall?.(link.callId, 'its call link was revoked');
  }

  /** Records a use (someone joined through it): the expiry starts again. */
  async used(roomId: string, changes: CallLinkChanges = {}): Promise<void> {
    await this.options.storage.updateCallLink(roomId, { ...changes, lastUsedAt: this.options.clock.now() });
  }

  /** Expires unused links (their calls end) and forgets old tombstones. */
  async sweep(): Promise<void> {
    const now = this.options.clock.now();
    const { expired, forgotten } = await this.options.storage.sweepCallLinks({
      expireUnusedSince: now - CALL_LINK_EXPIRY_MS,
      forgetRevokedSince: now - CALL_LINK_EXPIRY_MS,
      forgetUnusedSince: now - 2 * CALL_LINK_EXPIRY_MS,
    });
    for (const link of expired) {
      if (link.callId) await this.options.endCall?.(link.callId, 'its call link expired');
    }
    if (expired.length > 0 || forgotten > 0) this.options.log.info({ expired: expired.length, forgotten }, 'call links swept');
  }

  /** The wire form of a link, with its creator's display name (the user id once the account is gone). */
  async describe(link: CallLinkRecord): Promise<CallLink> {
    const creator = await this.options.storage.accountById(link.creator);
    return {
      roomId: link.roomId,
      encryptedName: link.encryptedName ? Buffer.from(link.encryptedName).toString('base64') : null,
      approval: link.approval,
      creator: { userId: link.creator, displayName: creator?.displayName ?? link.creator },
      createdAt: link.createdAt,
      lastUsedAt: link.lastUsedAt,
      expiresAt: link.lastUsedAt + CALL_LINK_EXPIRY_MS,
    };
  }

  private assertLive(link: CallLinkRecord): void {
    if (link.revokedAt !== null) throw new CallLinkError('link_revoked', 'This call link was revoked by its creator.');
    if (this.expired(link, this.options.clock.now())) {
      throw new CallLinkError('link_expired', `This call link expired: nobody used it for ${CALL_LINK_EXPIRY_MS / 86_400_000} days.`);
    }
  }

  private expired(link: CallLinkRecord, now: number): boolean {
    return now - link.lastUsedAt >= CALL_LINK_EXPIRY_MS;
  }
}

/** The one answer for an unknown room id, a wrong verifier or a malformed room id. */
export function notFound(): CallLinkError {
  return new CallLinkError('link_not_found', 'No call link has this room id and verifier.');
}

function notAdmin(): CallLinkError {
  return new CallLinkError('not_link_admin', 'Only the creator of this call link may do that.');
}
