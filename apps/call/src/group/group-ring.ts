/**
 * The ring of a group call: a `call-signaling` content of kind `group-ring`, sent Signal-encrypted
 * by the caller to every member of the group (the server only knows the call's invitees). It
 * names the group and its members, so the callee's app can put names on participant indexes.
 */
import type { CallMedia, Peer } from '@parley/contracts';

export interface GroupRing {
  readonly kind: 'group-ring';
  readonly groupId: string;
  readonly groupName: string;
  readonly media: CallMedia;
  readonly callerName: string;
  /** Everyone invited, the caller included. */
  readonly members: readonly Peer[];
  /**
   * A 1:1 call moving to the SFU because someone was added: the id of that call. The peer of that
   * call joins at once instead of ringing (only for a ring from that very peer).
   */
  readonly moveFrom?: string;
}

const MAX_TEXT = 128;
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= MAX_TEXT;

/** The ring inside a call signal, or null when it is not one (or malformed: a hostile sender gains nothing). */
export function parseGroupRing(signal: unknown): GroupRing | null {
  if (!signal || typeof signal !== 'object') return null;
  const s = signal as Record<string, unknown>;
  if (s.kind !== 'group-ring' || !isText(s.groupId) || !isText(s.groupName) || !isText(s.callerName)) return null;
  if (s.media !== 'audio' && s.media !== 'video') return null;
  if (!Array.isArray(s.members) || s.members.length > 32) return null;
  const members: Peer[] = [];
  for (const member of s.members as unknown[]) {
    const m = member as Record<string, unknown> | null;
    if (!m || !isText(m.userId) || !isText(m.displayName)) return null;
    members.push({ userId: m.userId, displayName: m.displayName });
  }
  const ring: GroupRing = { kind: 'group-ring', groupId: s.groupId, groupName: s.groupName, media: s.media, callerName: s.callerName, members };
  if (s.moveFrom === undefined) return ring;
  return isText(s.moveFrom) ? { ...ring, moveFrom: s.moveFrom } : null;
}
