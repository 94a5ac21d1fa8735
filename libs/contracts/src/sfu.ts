/**
 * Group calls through the SFU (Janus VideoRoom), as seen on the wire between a device and the
 * server. Browsers never talk to Janus: they send these requests on their one relay WebSocket and
 * the server drives Janus for them. Everything here is media plumbing the SFU needs anyway (SDP of
 * the device ↔ Janus legs, ICE candidates, who publishes which feed); media keys never appear here,
 * they travel as Signal-encrypted `group-key` content between the participants.
 *
 * Participants are named by their index in the call (`SfuParticipant.index`): it is also the sender
 * index of their SFrame key ids, so a frame's KID says whose it is. Janus's own ids stay on the server.
 */
import { z } from 'zod';

/** Most participants in one group call, the creator included. */
export const GROUP_CALL_MAX_PARTICIPANTS = 32;

const id = z.string().min(1).max(128);
const callId = z.string().min(1).max(64);
const participantIndex = z.number().int().min(0).max(65_535);
const sdp = z.string().min(1).max(64 * 1024);

/** A session description of the device ↔ Janus leg. */
export const SfuJsepSchema = z.object({ type: z.enum(['offer', 'answer']), sdp });
/** One trickled ICE candidate; `null` says gathering completed. */
export const SfuIceCandidateSchema = z.object({
  candidate: z.string().max(1024),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(1024).nullable().optional(),
});

/** Someone in the call (joined, possibly not yet publishing). */
export const SfuParticipantSchema = z.object({
  index: participantIndex,
  userId: id,
  deviceId: z.number().int().positive(),
  /** Publishing media now: the others may subscribe. */
  publishing: z.boolean(),
  /** Joined through a call link (issue 9); absent for invitees. */
  viaLink: z.boolean().optional(),
  /** A guest (temporary account, no handle). */
  guest: z.boolean().optional(),
  /** The name the server knows them by (guests have no other), for the participant list. */
  displayName: z.string().max(64).optional(),
  /** When the server let them in, ms since the epoch. */
  joinedAt: z.number().int().nonnegative(),
});

/**
 * Which of a participant's tracks a published m-line carries. The publisher names them (Janus keeps
 * it as the stream's description), so subscribers tell a shared screen from the camera.
 */
export const SfuMediaSourceSchema = z.enum(['microphone', 'camera', 'screen', 'screen-audio']);

/** One m-line of a publisher offer and the track it carries. */
export const SfuPublishedSourceSchema = z.object({ mid: z.string().min(1).max(64), source: SfuMediaSourceSchema });

/** One m-line of a subscriber offer: whose track it carries. */
export const SfuStreamSchema = z.object({
  mid: z.string().min(1).max(64),
  participant: participantIndex,
  kind: z.enum(['audio', 'video']),
  /** What the publisher said the track is; absent when it did not say (then microphone or camera by kind). */
  source: SfuMediaSourceSchema.optional(),
});

/** Requests a device sends (`{ t: 'sfu', id, request }`); each gets one `sfu-result`. */
export const SfuRequestSchema = z.discriminatedUnion('op', [
  /**
   * Opens a group call and invites these users (ids; the sender is invited implicitly). Only
   * invited users' devices may join. Answer: `{ callId }`.
   */
  z.object({ op: z.literal('create'), invitees: z.array(id).min(1).max(GROUP_CALL_MAX_PARTICIPANTS - 1) }),
  /** Invites more users to a running call (any participant may). Answer: `{}`. */
  z.object({ op: z.literal('invite'), callId, invitees: z.array(id).min(1).max(GROUP_CALL_MAX_PARTICIPANTS - 1) }),
  /**
   * Enters the call as this device. Answer: `{ self: SfuParticipant, participants: SfuParticipant[] }`
   * (the others). Joining again from the same device replaces its earlier presence (a rejoin).
   */
  z.object({ op: z.literal('join'), callId }),
  /**
   * Starts or renegotiates this device's media: the device's offer, and what each m-line carries.
   * Answer: `{ jsep }` (Janus's answer). A renegotiation that adds m-lines (a shared screen) is
   * announced to the others as `published` again: they subscribe to what they do not receive yet.
   */
  z.object({ op: z.literal('publish'), callId, jsep: SfuJsepSchema, sources: z.array(SfuPublishedSourceSchema).max(16).optional() }),
  /**
   * Subscribes to these participants' media on this device's one subscriber connection (created on
   * first use); for a participant already received, to the m-lines it published since. Answer:
   * `{ jsep?, streams }`: Janus's offer (none when nothing changed) and which m-line carries whose track.
   */
  z.object({ op: z.literal('subscribe'), callId, participants: z.array(participantIndex).min(1).max(GROUP_CALL_MAX_PARTICIPANTS) }),
  /** Stops receiving these participants. Answer: `{ jsep?, streams }` when Janus renegotiates. */
  z.object({ op: z.literal('unsubscribe'), callId, participants: z.array(participantIndex).min(1).max(GROUP_CALL_MAX_PARTICIPANTS) }),
  /** The device's answer to a subscriber offer. Answer: `{}`. */
  z.object({ op: z.literal('answer'), callId, jsep: SfuJsepSchema }),
  /** Picks a simulcast layer of one participant's video: 0 lowest … 2 highest. Answer: `{}`. */
  z.object({ op: z.literal('substream'), callId, participant: participantIndex, substream: z.number().int().min(0).max(2) }),
  /**
   * Stops or resumes forwarding one participant's video to this device, without renegotiating:
   * what is not on screen costs neither downlink nor decoding. Answer: `{}`.
   */
  z.object({ op: z.literal('receive-video'), callId, participant: participantIndex, receive: z.boolean() }),
  /** An ICE candidate of the publisher or the subscriber connection. Answer: `{}`. */
  z.object({ op: z.literal('trickle'), callId, pc: z.enum(['publisher', 'subscriber']), candidate: SfuIceCandidateSchema.nullable() }),
  /** Leaves the call; the last one out ends it. Answer: `{}`. */
  z.object({ op: z.literal('leave'), callId }),
  /**
   * Joins the call of a call link (call-links.ts), starting it if nobody is in it. Answer: the
   * `join` answer plus `{ callId }`, or `{ waiting: true, requestId }` when the link needs the
   * creator's approval: then a `link-admission` event says whether to send `join-link` again.
   */
  z.object({ op: z.literal('join-link'), roomId: z.string().min(1).max(64), verifier: z.string().min(1).max(64) }),
  /** The link's creator admits or refuses someone waiting (`join-request` event). Answer: `{}`. */
  z.object({ op: z.literal('admit'), callId, requestId: id, admit: z.boolean() }),
  /** The host (the call's creator: the link's creator, or who started the group call) removes a participant. Answer: `{}`. */
  z.object({ op: z.literal('remove'), callId, participant: participantIndex }),
  /**
   * The host locks the call (nobody new joins, by link or by id; people in it may rejoin) or unlocks
   * it. Answer: `{}`. Lasts while the call runs.
   */
  z.object({ op: z.literal('lock'), callId, locked: z.boolean() }),
]);

export const SfuRequestFrameSchema = z.object({ t: z.literal('sfu'), id, request: SfuRequestSchema });

/** Why the server refused an SFU request. */
export const SFU_ERROR_CODES = [
  /** Group calls are off on this server (no Janus configured or installed). */
  'sfu_unavailable',
  'call_not_found',
  /** This user was not invited to the call. */
  'not_invited',
  'call_full',
  /** The request needs a joined device (join first). */
  'not_joined',
  'bad_request',
  /** Janus refused or failed; the message says what it answered. */
  'sfu_error',
  'rate_limited',
  /** Call links: see call-links.ts for what each means. */
  'link_not_found',
  'link_revoked',
  'link_expired',
  /** Only the link's creator may do that. */
  'not_link_admin',
  /** Guest accounts join call links; they cannot start group calls. */
  'guest_not_allowed',
  /** This user has too many group calls open (created and not ended) to start another. */
  'too_many_calls',
  /** The host locked the call: nobody new joins. */
  'call_locked',
  /** Only the call's host (its creator) may do that. */
  'not_host',
] as const;
export type SfuErrorCode = (typeof SFU_ERROR_CODES)[number];

/** The answer to one `sfu` request; `body` depends on the op (see SfuRequestSchema). */
export const SfuResultFrameSchema = z.object({
  t: z.literal('sfu-result'),
  ref: id,
  ok: z.boolean(),
  body: z.record(z.string(), z.unknown()).optional(),
  code: z.enum(SFU_ERROR_CODES).optional(),
  message: z.string().max(500).optional(),
});

/** Something happened in a call this device joined. */
export const SfuEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('joined'), participant: SfuParticipantSchema }),
  /** A participant started publishing (or republished after a reconnect): subscribe to see them. */
  z.object({ kind: z.literal('published'), participant: SfuParticipantSchema }),
  z.object({ kind: z.literal('left'), participant: participantIndex }),
  /** Janus renegotiates the subscriber connection (a feed went away): answer with op `answer`. */
  z.object({ kind: z.literal('subscriber-offer'), jsep: SfuJsepSchema, streams: z.array(SfuStreamSchema) }),
  /** Voice activity from Janus's audio levels: drives the active-speaker highlight. */
  z.object({ kind: z.literal('talking'), participant: participantIndex, talking: z.boolean() }),
  /** The SFU instance holding the call was restarted: every device joins again (op `join`). */
  z.object({ kind: z.literal('restarted') }),
  /** The call ended for everyone. */
  z.object({ kind: z.literal('ended') }),
  /** To the link's creator: someone opened the link and waits to be admitted. */
  z.object({ kind: z.literal('join-request'), requestId: id, userId: id, displayName: z.string().max(64), guest: z.boolean() }),
  /** To the one waiting: admitted (send `join-link` again) or refused. */
  z.object({ kind: z.literal('link-admission'), requestId: id, admitted: z.boolean() }),
  /** To a participant the link's creator removed (then `left` goes to the others). */
  z.object({ kind: z.literal('removed') }),
]);

export const SfuEventFrameSchema = z.object({ t: z.literal('sfu-event'), callId, event: SfuEventSchema });

export type SfuJsep = z.infer<typeof SfuJsepSchema>;
export type SfuIceCandidate = z.infer<typeof SfuIceCandidateSchema>;
export type SfuParticipant = z.infer<typeof SfuParticipantSchema>;
export type SfuStream = z.infer<typeof SfuStreamSchema>;
export type SfuMediaSource = z.infer<typeof SfuMediaSourceSchema>;
export type SfuPublishedSource = z.infer<typeof SfuPublishedSourceSchema>;
export type SfuRequest = z.infer<typeof SfuRequestSchema>;
export type SfuRequestFrame = z.infer<typeof SfuRequestFrameSchema>;
export type SfuResultFrame = z.infer<typeof SfuResultFrameSchema>;
export type SfuEvent = z.infer<typeof SfuEventSchema>;
export type SfuEventFrame = z.infer<typeof SfuEventFrameSchema>;

/** Typed answers per op, for clients. */
export interface SfuAnswers {
  create: { callId: string };
  invite: Record<string, never>;
  /** `host`: the user id of the call's creator, whose host requests count (absent from older servers). */
  join: { self: SfuParticipant; participants: SfuParticipant[]; host?: string };
  publish: { jsep: SfuJsep };
  subscribe: { jsep?: SfuJsep; streams: SfuStream[] };
  unsubscribe: { jsep?: SfuJsep; streams: SfuStream[] };
  answer: Record<string, never>;
  substream: Record<string, never>;
  'receive-video': Record<string, never>;
  trickle: Record<string, never>;
  leave: Record<string, never>;
  'join-link': ({ callId: string } & SfuAnswers['join']) | { waiting: true; requestId: string };
  admit: Record<string, never>;
  remove: Record<string, never>;
  lock: Record<string, never>;
}
