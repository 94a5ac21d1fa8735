/**
 * Call signaling messages: the `signal` of a `call-signaling` content (libs/contracts). They travel
 * inside Signal-encrypted messages to every device of the recipient, so the relay never sees SDP,
 * ICE candidates or media key material.
 *
 *   offer               caller → all callee devices   starts ringing; SDP, media type, caller's media key
 *   answer              callee device → caller        the device that accepted; SDP, callee's media key
 *   ice                 either way                    one trickled candidate (null = end of candidates)
 *   hangup              either way                    ends the call; `reason` says why (see HangupReason)
 *   decline             callee device → caller        the callee pressed Decline
 *   busy                callee device → caller        that device is already in a call
 *   accepted-elsewhere  → callee's user               stop ringing: device `deviceId` accepted
 *   media-key           either way                    a new media key generation (rekey)
 *   ice-restart         caller → answering device     a new offer with fresh ICE credentials (network loss)
 *   ice-restart-answer  answering device → caller     its answer
 */
import type { CallMedia } from '@parley/contracts';

/** A participant's media sender secret, for one key generation; SFrame track keys are derived from it. */
export interface MediaKeyGrant {
  /** SFrame cipher suite (RFC 9605 §4.5), 4 = AES_128_GCM_SHA256_128. */
  readonly suite: number;
  /** The sender's key generation, 0 at call start. */
  readonly generation: number;
  /** 32-byte sender secret, base64. */
  readonly secret: string;
}

/** An ICE candidate as `RTCIceCandidate.toJSON()` gives it. */
export interface IceCandidateInit {
  readonly candidate: string;
  readonly sdpMid: string | null;
  readonly sdpMLineIndex: number | null;
  readonly usernameFragment: string | null;
}

/**
 * Why a call ended, as told to the other side. `cancelled`: the caller gave up before an answer;
 * `timeout`: nobody answered in time; `declined`: the callee declined on some device (the caller
 * relays this so the callee's other devices stop ringing); `busy`: likewise for busy; `glare`: both
 * called at once and this call lost (see call-engine.ts); `hung-up`: an answered call ended normally;
 * `failed`: media could not connect.
 */
export type HangupReason = 'cancelled' | 'timeout' | 'declined' | 'busy' | 'glare' | 'hung-up' | 'failed';

export type CallSignal =
  | { readonly kind: 'offer'; readonly media: CallMedia; readonly sdp: string; readonly callerName: string; readonly key: MediaKeyGrant }
  | { readonly kind: 'answer'; readonly sdp: string; readonly key: MediaKeyGrant }
  | { readonly kind: 'ice'; readonly candidate: IceCandidateInit | null }
  | { readonly kind: 'hangup'; readonly reason: HangupReason }
  | { readonly kind: 'decline' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'accepted-elsewhere'; readonly deviceId: number }
  | { readonly kind: 'media-key'; readonly key: MediaKeyGrant }
  | { readonly kind: 'ice-restart'; readonly sdp: string }
  | { readonly kind: 'ice-restart-answer'; readonly sdp: string };

export type CallSignalKind = CallSignal['kind'];

/** Caps that keep a hostile peer from making us hold huge strings. */
const MAX_SDP_CHARS = 64 * 1024;
const MAX_NAME_CHARS = 256;
const MAX_CANDIDATE_CHARS = 1024;
const HANGUP_REASONS: readonly HangupReason[] = ['cancelled', 'timeout', 'declined', 'busy', 'glare', 'hung-up', 'failed'];

type Loose = Record<string, unknown>;

const isString = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
const isUint = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function keyGrant(v: unknown): MediaKeyGrant | null {
  if (typeof v !== 'object' || v === null) return null;
  const { suite, generation, secret } = v as Loose;
  if (!isUint(suite) || !isUint(generation) || !isString(secret, 128) || !/^[A-Za-z0-9+/]{43}=$/.test(secret)) return null;
  return { suite, generation, secret };
}

function candidate(v: unknown): IceCandidateInit | null | undefined {
  if (v === null) return null;
  if (typeof v !== 'object') return undefined;
  const c = v as Loose;
  if (!isString(c.candidate, MAX_CANDIDATE_CHARS)) return undefined;
  const sdpMid = c.sdpMid ?? null;
  const sdpMLineIndex = c.sdpMLineIndex ?? null;
  const usernameFragment = c.usernameFragment ?? null;
  if (sdpMid !== null && !isString(sdpMid, 64)) return undefined;
  if (sdpMLineIndex !== null && !isUint(sdpMLineIndex)) return undefined;
  if (usernameFragment !== null && !isString(usernameFragment, 256)) return undefined;
  return { candidate: c.candidate, sdpMid, sdpMLineIndex, usernameFragment };
}

/**
 * Reads a received `signal` object; null when it is not a well-formed call signal (dropped: a
 * newer peer may send kinds this version does not know).
 */
export function parseCallSignal(raw: unknown): CallSignal | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const s = raw as Loose;
  switch (s.kind) {
    case 'offer': {
      const key = keyGrant(s.key);
      if ((s.media !== 'audio' && s.media !== 'video') || !isString(s.sdp, MAX_SDP_CHARS) || !isString(s.callerName, MAX_NAME_CHARS) || !key) return null;
      return { kind: 'offer', media: s.media, sdp: s.sdp, callerName: s.callerName, key };
    }
    case 'answer': {
      const key = keyGrant(s.key);
      if (!isString(s.sdp, MAX_SDP_CHARS) || !key) return null;
      return { kind: 'answer', sdp: s.sdp, key };
    }
    case 'ice': {
      const c = candidate(s.candidate);
      return c === undefined ? null : { kind: 'ice', candidate: c };
    }
    case 'hangup':
      return HANGUP_REASONS.includes(s.reason as HangupReason) ? { kind: 'hangup', reason: s.reason as HangupReason } : null;
    case 'decline':
      return { kind: 'decline' };
    case 'busy':
      return { kind: 'busy' };
    case 'accepted-elsewhere':
      return isUint(s.deviceId) ? { kind: 'accepted-elsewhere', deviceId: s.deviceId } : null;
    case 'media-key': {
      const key = keyGrant(s.key);
      return key ? { kind: 'media-key', key } : null;
    }
    case 'ice-restart':
    case 'ice-restart-answer':
      return isString(s.sdp, MAX_SDP_CHARS) ? { kind: s.kind, sdp: s.sdp } : null;
    default:
      return null;
  }
}
