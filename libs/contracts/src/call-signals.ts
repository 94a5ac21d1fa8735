/**
 * What travels in the `signal` of a `call-signaling` content (content.ts), between the call apps
 * only (Signal-encrypted: the relay never sees SDP, ICE candidates or media key material).
 *
 * 1:1 calls (libs/call-engine call-engine.ts):
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
 *   media-state         either way, once connected    muted, camera on, sharing a screen (on connect and on change)
 *
 * `media-state` came later: an older peer never sends it (its UI then infers a camera that is off
 * from frames stopping), and an older receiver drops it as an unknown kind without touching the call.
 *
 * Group calls: `group-ring` (the caller to every member), `group-presence` and `group-reaction`
 * (between participants), `group-host` (the host to the others). Every field is capped, so a hostile peer cannot make us hold huge
 * strings; unknown fields are dropped and unknown kinds refused (a newer peer may send kinds this
 * version does not know).
 */
import { z } from 'zod';

/** Caps that keep a hostile peer from making us hold huge strings. */
export const CALL_SIGNAL_MAX_SDP_CHARS = 64 * 1024;
const MAX_NAME_CHARS = 256;
const MAX_CANDIDATE_CHARS = 1024;

const uint = z.number().int().nonnegative();
const sdp = z.string().max(CALL_SIGNAL_MAX_SDP_CHARS);

/** A participant's media sender secret, for one key generation; SFrame track keys are derived from it. */
export const MediaKeyGrantSchema = z.object({
  /** SFrame cipher suite (RFC 9605 §4.5), 4 = AES_128_GCM_SHA256_128. */
  suite: uint,
  /** The sender's key generation, 0 at call start. */
  generation: uint,
  /** 32-byte sender secret, base64. */
  secret: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a 32-byte base64 secret'),
});

/** An ICE candidate as `RTCIceCandidate.toJSON()` gives it; absent optional fields read as null. */
export const IceCandidateInitSchema = z.object({
  candidate: z.string().max(MAX_CANDIDATE_CHARS),
  sdpMid: z
    .string()
    .max(64)
    .nullish()
    .transform((v) => v ?? null),
  sdpMLineIndex: uint.nullish().transform((v) => v ?? null),
  usernameFragment: z
    .string()
    .max(256)
    .nullish()
    .transform((v) => v ?? null),
});

/**
 * Why a call ended, as told to the other side. `cancelled`: the caller gave up before an answer;
 * `timeout`: nobody answered in time; `declined`: the callee declined on some device (the caller
 * relays this so the callee's other devices stop ringing); `busy`: likewise for busy; `glare`: both
 * called at once and this call lost; `hung-up`: an answered call ended normally; `failed`: media
 * could not connect.
 */
export const HangupReasonSchema = z.enum(['cancelled', 'timeout', 'declined', 'busy', 'glare', 'hung-up', 'failed']);

/** A 1:1 call signal. */
export const CallSignalSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('offer'), media: z.enum(['audio', 'video']), sdp, callerName: z.string().max(MAX_NAME_CHARS), key: MediaKeyGrantSchema }),
  z.object({ kind: z.literal('answer'), sdp, key: MediaKeyGrantSchema }),
  z.object({ kind: z.literal('ice'), candidate: IceCandidateInitSchema.nullable() }),
  z.object({ kind: z.literal('hangup'), reason: HangupReasonSchema }),
  z.object({ kind: z.literal('decline') }),
  z.object({ kind: z.literal('busy') }),
  z.object({ kind: z.literal('accepted-elsewhere'), deviceId: uint }),
  z.object({ kind: z.literal('media-key'), key: MediaKeyGrantSchema }),
  z.object({ kind: z.literal('ice-restart'), sdp }),
  z.object({ kind: z.literal('ice-restart-answer'), sdp }),
  z.object({ kind: z.literal('media-state'), muted: z.boolean(), cameraOn: z.boolean(), sharing: z.boolean() }),
]);

const GROUP_TEXT = z.string().min(1).max(128);
/** Most people a group ring names. */
export const GROUP_RING_MAX_MEMBERS = 32;

/**
 * The ring of a group call, sent by the caller to every member of the group (the server only
 * knows the call's invitees). It names the group and its members, so the callee's app can put
 * names on participant indexes.
 */
export const GroupRingSchema = z.object({
  kind: z.literal('group-ring'),
  groupId: GROUP_TEXT,
  groupName: GROUP_TEXT,
  media: z.enum(['audio', 'video']),
  callerName: GROUP_TEXT,
  /** Everyone invited, the caller included. */
  members: z.array(z.object({ userId: GROUP_TEXT, displayName: GROUP_TEXT })).max(GROUP_RING_MAX_MEMBERS).readonly(),
  /**
   * A 1:1 call moving to the SFU because someone was added: the id of that call. The peer of that
   * call joins at once instead of ringing (only for a ring from that very peer).
   */
  moveFrom: GROUP_TEXT.optional(),
});

/** Emoji a participant can send to a group call. */
export const GROUP_REACTIONS = ['👍', '❤️', '😂', '😮', '👏', '🎉'] as const;

/**
 * What the host of a group call asks of everyone (`group-host`): `mute-all` (each client mutes
 * itself; nobody is ever unmuted remotely), `lower-hands`, and `lock`/`unlock` (told to everyone;
 * the server enforces the lock itself). A receiver honours it only from a device of the host.
 */
export const GROUP_HOST_ACTIONS = ['mute-all', 'lower-hands', 'lock', 'unlock'] as const;

/** What a participant shows the others about themselves, the emoji they send, and the host's requests (over Signal, never via the SFU). */
export const GroupSignalSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('group-presence'),
    muted: z.boolean(),
    cameraOn: z.boolean(),
    handRaised: z.boolean(),
    /** Shares a screen now (absent from apps that cannot: false). */
    presenting: z.boolean().optional(),
  }),
  z.object({ kind: z.literal('group-reaction'), emoji: z.enum(GROUP_REACTIONS) }),
  z.object({ kind: z.literal('group-host'), action: z.enum(GROUP_HOST_ACTIONS) }),
]);

export type MediaKeyGrant = z.output<typeof MediaKeyGrantSchema>;
export type IceCandidateInit = z.output<typeof IceCandidateInitSchema>;
export type HangupReason = z.output<typeof HangupReasonSchema>;
export type CallSignal = z.output<typeof CallSignalSchema>;
export type CallSignalKind = CallSignal['kind'];
/** What one side of a 1:1 call tells the other about its own media (the `media-state` signal). */
export type CallMediaState = Omit<Extract<CallSignal, { kind: 'media-state' }>, 'kind'>;
export type GroupRing = z.output<typeof GroupRingSchema>;
export type GroupReaction = (typeof GROUP_REACTIONS)[number];
export type GroupSignal = z.output<typeof GroupSignalSchema>;
/** A request of a group call's host. */
export type GroupHostAction = (typeof GROUP_HOST_ACTIONS)[number];

/** Reads a received 1:1 call signal; null when it is not a well-formed one (it is then dropped). */
export function parseCallSignal(raw: unknown): CallSignal | null {
  const parsed = CallSignalSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Reads a group ring; null when it is not one or is malformed (a hostile sender gains nothing). */
export function parseGroupRing(raw: unknown): GroupRing | null {
  const parsed = GroupRingSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Reads a group presence or reaction signal; null when it is not a well-formed one. */
export function parseGroupSignal(raw: unknown): GroupSignal | null {
  const parsed = GroupSignalSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
